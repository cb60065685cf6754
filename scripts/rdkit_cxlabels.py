#!/usr/bin/env python3
"""CXSMILES atom labels and reaction layers as RDKit reads and writes them: the fixtures of
tests/chem/cxsmiles.rs.

Pinned: rdkit==2026.9.1 (scripts/requirements-fixtures.txt).

    python3 scripts/rdkit_cxlabels.py labels SPECIES.tsv [--limit N] [--seed S] > LABELS.tsv
    python3 scripts/rdkit_cxlabels.py reactions SPECIES.tsv [--limit N] [--seed S] > REACTIONS.tsv
    python3 scripts/rdkit_cxlabels.py score LABELS.tsv|REACTIONS.tsv TEXTCHEM_OUT.txt

SPECIES.tsv is a TSV with a `smiles` column (the committed tests/fixtures/chem/*_rdkit.tsv; lines
starting with '#' are skipped).

labels: BRICS fragments of the molecules, their `[n*]` attachment points turned into labelled
`*` (`_R1`.., `_AP1`.., query labels such as `A_p`, `Q_e`, `star_e`), some heteroatoms given free
text labels (a few with characters RDKit escapes, `;` `$` `&` `{`) and atom values (`$_AV:$`),
written by MolToCXSmiles in a random atom order, plus a few handmade symmetric cases. Columns:
    id  input  rdkit  stable  mapped
rdkit is MolToCXSmiles of RDKit reading input; stable is 1 when that string is the same for 20
random atom orders of the molecule (RDKit's ranking ignores labels, so where labels tell
symmetric atoms apart its output depends on the order); mapped is MolToSmiles of the molecule
with each atom's (label, value) turned into an atom map number, its rank among the molecule's
distinct (label, value) pairs sorted as strings (label first, '' for none) plus one: a string
that says which atoms carry which label and that RDKit ranks canonically.

reactions: random reactions of 1-3 reactants, 0-2 agents and 1-2 products drawn from the
species, some species given a radical (`^1:`), enhanced stereo (`a:`, `o1:`, `&1:` on their
centres) or labels, each in a random atom order, written by ReactionToCXSmiles(canonical=False)
(one layer, atoms numbered across reactants, agents, products). Columns:
    id  input  stable  rdkit  species...
species are MolToCXSmiles of each species (reactants, agents, products in order), checked equal
to RDKit's reading of input (each template sanitized); rdkit is ReactionToCXSmiles
(canonical=False) of the reaction rebuilt from the species' canonical CXSMILES, sorted within
each role by (SMILES, layer); stable is 1 when every species' string is the same for 20 random
atom orders and no species has an OR or AND group (whose configuration textchem writes in
whichever form gives the smaller string).

score: TEXTCHEM_OUT has one line per row of the fixture: what `canon_dump --cx` writes for its
input column (textchem's canonical CXSMILES, or `error: ...`). Counts the rows where RDKit
reading textchem's output gives the molecule (or each role's species) that RDKit reads from the
input: labels and values on the same atoms, the same radicals and stereo groups (an OR or AND
group compared in either configuration). The comparison key is MolToCXSmiles with labels and
values as atom map numbers (so that RDKit ranks them), the smallest over the inversions of the
OR/AND groups.
"""
import argparse
import csv
import random
import sys

import rdkit
from rdkit import Chem, RDLogger
from rdkit.Chem import BRICS
from rdkit.Chem import rdChemReactions

PINNED = "2026.09.1"
RDLogger.DisableLog("rdApp.*")
QUERY_LABELS = ["star_e", "Q_e", "QH_p", "A_p", "AH_p", "X_p", "XH_p", "M_p", "MH_p"]
TEXT_LABELS = ["OH", "site", "a;b", "x$y", "p&q", "{n}", "L1", "Ä"]
VALUES = ["1", "7", "0.5", "v;w"]


def species(path):
    with open(path, newline="") as f:
        rows = csv.reader((line for line in f if not line.startswith("#")), delimiter="\t")
        header = next(rows)
        at = header.index("smiles")
        for row in rows:
            if len(row) > at and row[at]:
                yield row[at]


def shuffled(mol, rng):
    order = list(range(mol.GetNumAtoms()))
    rng.shuffle(order)
    return Chem.RenumberAtoms(mol, order)


def stable(mol, rng, tries=20):
    first = Chem.MolToCXSmiles(mol)
    return all(Chem.MolToCXSmiles(shuffled(mol, rng)) == first for _ in range(tries))


def notes_as_map_numbers(mol):
    """A copy of mol with each distinct (label, value) as an atom map number instead."""
    m = Chem.Mol(mol)
    notes = {}
    for a in m.GetAtoms():
        label = a.GetProp("atomLabel") if a.HasProp("atomLabel") else ""
        value = a.GetProp("molFileValue") if a.HasProp("molFileValue") else ""
        if label or value:
            notes[a.GetIdx()] = (label, value)
        a.ClearProp("atomLabel")
        a.ClearProp("molFileValue")
    distinct = sorted(set(notes.values()))
    for i, note in notes.items():
        m.GetAtomWithIdx(i).SetAtomMapNum(distinct.index(note) + 1)
    return m


def mapped(mol):
    """MolToSmiles with each (label, value) as an atom map number."""
    return Chem.MolToSmiles(notes_as_map_numbers(mol))


def labelled_fragment(frag, rng):
    m = Chem.RWMol(frag)
    r = 0
    for a in m.GetAtoms():
        if a.GetAtomicNum() == 0:
            a.SetIsotope(0)
            r += 1
            kind = rng.random()
            if kind < 0.5:
                a.SetProp("atomLabel", f"_R{r}")
            elif kind < 0.75:
                a.SetProp("atomLabel", f"_AP{r}")
            elif kind < 0.95:
                a.SetProp("atomLabel", rng.choice(QUERY_LABELS))
        elif a.GetAtomicNum() not in (6, 1) and rng.random() < 0.3:
            a.SetProp("atomLabel", rng.choice(TEXT_LABELS))
        if rng.random() < 0.05:
            a.SetProp("molFileValue", rng.choice(VALUES))
    return m.GetMol()


HANDMADE = [
    "*C* |$_R1;;_R2$|",
    "*C* |$_R2;;_R1$|",
    "*C* |$_R1;;_R1$|",
    "*CC(*)C* |$_R1;;;_R2;;_R3$|",
    "*c1ccc(*)cc1 |$_R1;;;;;_R2;;$|",
    "*c1ccc(*)cc1 |$_AP1;;;;;_AP1;;$|",
    "c1ccccc1 |$x;;;;;$|",
    "CC(C)O |$;;a;$|",
    "OCC |$foo;;$|",
    "CCO |$a&#59;b;c&#36;d;e&#124;f$|",
    "CC |$a&#38;b;&#123;c&#125;$|",
    "CC |$a b;$|",
    "CC |$;Ä$|",
    "*C(*)(*)* |$_R1;;_R2;_R3;_R4$|",
    "*N1CCN(*)CC1 |$_R1;;;;;_R2;;$|",
    "CC* |$;;A_p$,$_AV:;;5$|",
    "OC(=O)C(N)* |$;;;;;_R1$|",
    "[2H]C |$x;$|",
    "C[C@H](N)C(*)=O |$;;;;_R1;$|",
    "*/C=C/* |$_R1;;;_R2$|",
]


def write_labels(args):
    rng = random.Random(args.seed)
    rows = []
    seen = set()
    for smiles in species(args.file):
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            continue
        for frag in sorted(BRICS.BRICSDecompose(mol, returnMols=False)):
            frag = Chem.MolFromSmiles(frag)
            if frag is None or frag.GetNumAtoms() > 30:
                continue
            m = labelled_fragment(frag, rng)
            text = Chem.MolToCXSmiles(shuffled(m, rng), canonical=False)
            if text not in seen:
                seen.add(text)
                rows.append(text)
        if len(rows) >= args.limit:
            break
    rows = HANDMADE + rows[: args.limit]
    print(f"# RDKit {rdkit.__version__}: atom labels on {len(rows)} molecules "
          f"({len(HANDMADE)} handmade, the rest BRICS fragments of {args.file}, seed {args.seed})")
    print(f"# made by: scripts/rdkit_cxlabels.py labels {args.file} --limit {args.limit} --seed {args.seed}")
    print("id\tinput\trdkit\tstable\tmapped")
    for i, text in enumerate(rows):
        mol = Chem.MolFromSmiles(text)
        assert mol is not None, text
        print(f"L{i}\t{text}\t{Chem.MolToCXSmiles(mol)}\t{int(stable(mol, rng))}\t{mapped(mol)}")


def decorated(smiles, rng):
    """A species with, at random, a radical, enhanced stereo and labels."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None or mol.GetNumAtoms() > 40 or "." in smiles:
        return None
    mol = Chem.MolFromSmiles(Chem.MolToSmiles(mol))
    fields = []
    if rng.random() < 0.4:
        carbons = [a.GetIdx() for a in mol.GetAtoms()
                   if a.GetSymbol() == "C" and a.GetTotalNumHs() > 0 and not a.GetIsAromatic()]
        if carbons:
            fields.append(f"^1:{rng.choice(carbons)}")
    centres = [a.GetIdx() for a in mol.GetAtoms()
               if a.GetChiralTag() in (Chem.ChiralType.CHI_TETRAHEDRAL_CW, Chem.ChiralType.CHI_TETRAHEDRAL_CCW)]
    if centres and rng.random() < 0.7:
        kind = rng.choice(["a", "o1", "&1"])
        fields.append(f"{kind}:{','.join(map(str, centres))}")
    if rng.random() < 0.4:
        labels = [""] * mol.GetNumAtoms()
        for _ in range(rng.randint(1, 2)):
            labels[rng.randrange(len(labels))] = rng.choice(["_R1", "_AP1", "site", "L1", "x;y"])
        fields.append("$" + ";".join(l.replace(";", "&#59;") for l in labels) + "$")
    text = Chem.MolToSmiles(mol) + (f" |{','.join(fields)}|" if fields else "")
    out = Chem.MolFromSmiles(text)
    if out is None:
        return None
    return shuffled(out, rng)


def split_cx(text):
    smiles, _, layer = text.partition(" ")
    return smiles, layer


def write_reactions(args):
    rng = random.Random(args.seed)
    pool = list(dict.fromkeys(species(args.file)))
    print(f"# RDKit {rdkit.__version__}: {args.limit} reactions of species of {args.file}, seed {args.seed}")
    print(f"# made by: scripts/rdkit_cxlabels.py reactions {args.file} --limit {args.limit} --seed {args.seed}")
    print("id\tinput\tstable\trdkit\tspecies")
    made = 0
    while made < args.limit:
        counts = [rng.randint(1, 3), rng.randint(0, 2), rng.randint(1, 2)]
        roles = []
        for n in counts:
            role = []
            while len(role) < n:
                m = decorated(rng.choice(pool), rng)
                if m is not None:
                    role.append(m)
            roles.append(role)
        rxn = rdChemReactions.ChemicalReaction()
        for m in roles[0]:
            rxn.AddReactantTemplate(m)
        for m in roles[1]:
            rxn.AddAgentTemplate(m)
        for m in roles[2]:
            rxn.AddProductTemplate(m)
        text = rdChemReactions.ReactionToCXSmiles(rxn, canonical=False)
        if " |" not in text:
            continue
        each = [Chem.MolToCXSmiles(m) for role in roles for m in role]
        # RDKit reading the reaction back gives the same species.
        back = rdChemReactions.ReactionFromSmiles(text)
        templates = list(back.GetReactants()) + list(back.GetAgents()) + list(back.GetProducts())
        reread = []
        for t in templates:
            t = Chem.Mol(t)
            Chem.SanitizeMol(t)
            reread.append(Chem.MolToCXSmiles(t))
        if reread != each:
            print(f"# RDKit reads {text} as {reread}, not {each}: left out", file=sys.stderr)
            continue
        flippable = any(g.GetGroupType() != Chem.StereoGroupType.STEREO_ABSOLUTE
                        for role in roles for m in role for g in m.GetStereoGroups())
        steady = not flippable and all(stable(m, rng) for role in roles for m in role)
        canonical = rdChemReactions.ChemicalReaction()
        adders = [canonical.AddReactantTemplate, canonical.AddAgentTemplate, canonical.AddProductTemplate]
        for role, add in zip(roles, adders):
            for cx in sorted((Chem.MolToCXSmiles(m) for m in role), key=split_cx):
                add(Chem.MolFromSmiles(cx))
        expected = rdChemReactions.ReactionToCXSmiles(canonical, canonical=False)
        print(f"R{made}\t{text}\t{int(steady)}\t{expected}\t" + "\t".join(each))
        made += 1


def key(mol):
    """MolToCXSmiles with labels and values as map numbers, smallest over OR/AND inversions."""
    m = notes_as_map_numbers(mol)
    flippable = [g for g in m.GetStereoGroups() if g.GetGroupType() != Chem.StereoGroupType.STEREO_ABSOLUTE]
    best = None
    for bits in range(1 << min(len(flippable), 6)):
        f = Chem.Mol(m)
        for i, g in enumerate(flippable):
            if bits >> i & 1:
                for atom in g.GetAtoms():
                    f.GetAtomWithIdx(atom.GetIdx()).InvertChirality()
        text = Chem.MolToCXSmiles(f)
        best = text if best is None or text < best else best
    return best


def reaction_key(text):
    rxn = rdChemReactions.ReactionFromSmiles(text)
    roles = []
    for templates in (rxn.GetReactants(), rxn.GetAgents(), rxn.GetProducts()):
        keys = []
        for t in templates:
            t = Chem.Mol(t)
            Chem.SanitizeMol(t)
            keys.append(key(t))
        roles.append(sorted(keys))
    return roles


def score(args):
    with open(args.fixture) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if not line.startswith(("#", "id\t"))]
    with open(args.ours) as f:
        ours = [line.rstrip("\n") for line in f]
    if len(ours) != len(rows):
        sys.exit(f"{len(rows)} rows but {len(ours)} lines of textchem output")
    same = errors = 0
    for row, out in zip(rows, ours):
        ident, text = row[0], row[1]
        if out.startswith("error:"):
            errors += 1
            print(f"{ident}: textchem: {out}", file=sys.stderr)
            continue
        reaction = ">" in text.split(" ")[0]
        try:
            if reaction:
                agree = reaction_key(out) == reaction_key(text)
            else:
                agree = key(Chem.MolFromSmiles(out)) == key(Chem.MolFromSmiles(text))
        except Exception as e:  # RDKit cannot read ours
            agree = False
            print(f"{ident}: RDKit cannot read {out}: {e}", file=sys.stderr)
        if agree:
            same += 1
        else:
            print(f"{ident}: {text} -> textchem {out}", file=sys.stderr)
    print(f"{len(rows)} rows: RDKit reads textchem's output as the input in {same}, "
          f"textchem errors {errors}")


def main():
    if rdkit.__version__ != PINNED:
        sys.exit(f"RDKit {PINNED} made the committed fixtures; this is {rdkit.__version__}")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("labels", "reactions"):
        s = sub.add_parser(name)
        s.add_argument("file")
        s.add_argument("--limit", type=int, default=120 if name == "labels" else 40)
        s.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("score")
    s.add_argument("fixture")
    s.add_argument("ours")
    args = p.parse_args()
    {"labels": write_labels, "reactions": write_reactions, "score": score}[args.command](args)


if __name__ == "__main__":
    main()
