#!/usr/bin/env python3
"""The same molecules written by RDKit in several SMILES dialects, and how textchem reads them.

Pinned: rdkit==2026.9.1 (scripts/requirements-fixtures.txt).

    python3 scripts/rdkit_dialects.py write FILE... [--limit N] [--seed S] [--dialects a,b] > DIALECTS.tsv
    python3 scripts/rdkit_dialects.py score DIALECTS.tsv TEXTCHEM_OUT.txt

write: FILE is a TSV with a SMILES column (ChEBI-20's test.txt) or a CSV with a `smiles` column
(the approved drugs). For every molecule RDKit reads, one row per dialect:
    id  dialect  smiles  rdkit_canonical
where rdkit_canonical is RDKit's canonical SMILES of the string written (RDKit reading its own
dialect). Dialects:
    canonical    MolToSmiles
    kekule       MolToSmiles(kekuleSmiles=True) after Kekulize
    random       MolToSmiles(doRandom=True), a random atom order
    explicit_h   MolToSmiles of AddHs: every hydrogen an atom `[H]`
    bracket_h    MolToSmiles(allHsExplicit=True): every atom bracketed with its H count
    hypervalent  canonical with nitro groups and N-oxides uncharged (`N(=O)=O`, `N(C)(C)(C)=O`)
    cx_coords    MolToCXSmiles after Compute2DCoords (a `|(x,y,;...)|` layer)
    cx_wedges    cx_coords with the `@` marks taken out of the SMILES, so that every centre's
                 configuration comes from its wedge (`wU:`/`wD:`) and the coordinates, as in a
                 drawing; only molecules with tetrahedral centres
    cx_enhanced  MolToCXSmiles with every stereocentre in one AND group (`|&1:...|`); only
                 molecules with tetrahedral centres
    dative       MolToSmiles after making single bonds from metals to ligand atoms dative
                 (`->`); only molecules with such bonds
    brics        the BRICS fragments of the molecule (`[16*]`-labelled attachment points), each a
                 row of its own, rdkit_canonical being RDKit's canonical SMILES of the fragment
    mapped       canonical with every atom mapped (`[CH3:1]`)

score: TEXTCHEM_OUT has one line per row of DIALECTS.tsv (what `canon_dump` writes for the
smiles column: textchem's canonical SMILES, or `error: ...`). Prints, per dialect and overall:
RDKit's parse rate (rows whose rdkit_canonical is not empty), textchem's, the share of molecules
with one textchem canonical string across their dialects (BRICS fragments, mapped strings,
enhanced-stereo mixtures and dative forms aside: each is another molecule), and the share of rows where RDKit reading textchem's canonical
SMILES gives rdkit_canonical; where ours has an enhanced-stereo layer, RDKit reading it and the
input gives groups of the same kinds and sizes, and canonical SMILES that agree once some OR/AND
groups of ours are inverted (a group stands for its configuration and the mirror image alike,
and MolToSmiles keeps whichever was written).
"""
import argparse
import collections
import csv
import random
import re
import sys

import rdkit
from rdkit import Chem, RDLogger
from rdkit.Chem import AllChem, BRICS

PINNED = "2026.09.1"
RDLogger.DisableLog("rdApp.*")
DIALECTS = ["canonical", "kekule", "random", "explicit_h", "bracket_h", "hypervalent", "cx_coords",
            "cx_wedges", "cx_enhanced", "dative", "brics", "mapped"]
# Dialects that write another molecule than the source (fragments, ligands with one more
# hydrogen, mapped atoms, a mixture): RDKit's reading of them is not compared with the source.
OTHER_MOLECULE = {"brics", "dative", "mapped", "cx_enhanced"}
# Checks beyond the dialects RDKit writes by default, left out of the total.
EXTRA = {"cx_wedges"}
METALS_EXCLUDED = {1, 2, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 33, 34, 35, 36, 52, 53, 54, 85, 86, 0}


def molecules(paths):
    for path in paths:
        with open(path, newline="") as f:
            delimiter = "\t" if path.endswith((".txt", ".tsv")) else ","
            rows = csv.reader(f, delimiter=delimiter)
            header = [h.lower() for h in next(rows)]
            at = header.index("smiles")
            ident = next((header.index(k) for k in ("cid", "id", "molecule_chembl_id") if k in header), None)
            for n, row in enumerate(rows):
                if len(row) > at:
                    yield (row[ident] if ident is not None else str(n + 1)), row[at].replace("\\\\", "\\")


def canonical(smiles):
    mol = Chem.MolFromSmiles(smiles)
    return Chem.MolToSmiles(mol) if mol is not None else ""


def groups_of(mol):
    return sorted((str(g.GetGroupType()), len(g.GetAtoms())) for g in mol.GetStereoGroups())


def same_mixture(ours, theirs):
    """Whether two CXSMILES describe one molecule with the same enhanced stereo: same groups
    (kind and size), and the configurations equal once some OR/AND groups of ours are inverted
    (a group stands for its configuration and the mirror image alike)."""
    a, b = Chem.MolFromSmiles(ours), Chem.MolFromSmiles(theirs)
    if a is None or b is None or groups_of(a) != groups_of(b):
        return False
    target = Chem.MolToSmiles(b)
    flippable = [g for g in a.GetStereoGroups() if g.GetGroupType() != Chem.StereoGroupType.STEREO_ABSOLUTE]
    for bits in range(1 << min(len(flippable), 6)):
        m = Chem.Mol(a)
        for i, g in enumerate(flippable):
            if bits >> i & 1:
                for atom in g.GetAtoms():
                    m.GetAtomWithIdx(atom.GetIdx()).InvertChirality()
        if Chem.MolToSmiles(m) == target:
            return True
    return False


def uncharged_hypervalent(mol):
    """Nitro groups and N-oxides written as five-valent neutral N."""
    rw = Chem.RWMol(mol)
    changed = False
    for atom in rw.GetAtoms():
        if atom.GetSymbol() != "N" or atom.GetFormalCharge() != 1 or atom.GetIsAromatic():
            continue
        for bond in atom.GetBonds():
            o = bond.GetOtherAtom(atom)
            if o.GetSymbol() == "O" and o.GetFormalCharge() == -1 and bond.GetBondType() == Chem.BondType.SINGLE:
                bond.SetBondType(Chem.BondType.DOUBLE)
                atom.SetFormalCharge(0)
                o.SetFormalCharge(0)
                changed = True
                break
    if not changed:
        return None
    m = rw.GetMol()
    m.UpdatePropertyCache(strict=False)
    return Chem.MolToSmiles(m)


def dative_form(mol):
    rw = Chem.RWMol(mol)
    changed = False
    for bond in rw.GetBonds():
        a, b = bond.GetBeginAtom(), bond.GetEndAtom()
        if bond.GetBondType() != Chem.BondType.SINGLE:
            continue
        for ligand, metal in ((a, b), (b, a)):
            if metal.GetAtomicNum() not in METALS_EXCLUDED and ligand.GetSymbol() in ("N", "O", "P", "S") \
                    and ligand.GetFormalCharge() == 0 and not ligand.GetIsAromatic():
                # The ligand keeps its valence: the bond to the metal no longer counts, an H does.
                hydrogens = mol.GetAtomWithIdx(ligand.GetIdx()).GetTotalNumHs() + 1
                rw.RemoveBond(ligand.GetIdx(), metal.GetIdx())
                rw.AddBond(ligand.GetIdx(), metal.GetIdx(), Chem.BondType.DATIVE)
                ligand.SetNumExplicitHs(hydrogens)
                ligand.SetNoImplicit(True)
                changed = True
                break
    if not changed:
        return None
    m = rw.GetMol()
    try:
        Chem.SanitizeMol(m)
    except Exception:
        return None
    return Chem.MolToSmiles(m)


def enhanced(mol):
    centres = [a.GetIdx() for a in mol.GetAtoms()
               if a.GetChiralTag() in (Chem.ChiralType.CHI_TETRAHEDRAL_CW, Chem.ChiralType.CHI_TETRAHEDRAL_CCW)]
    if not centres:
        return None
    m = Chem.RWMol(mol)
    group = Chem.rdchem.CreateStereoGroup(Chem.StereoGroupType.STEREO_AND, m, centres)
    m.SetStereoGroups([group])
    return Chem.MolToCXSmiles(m)


def written(mol, dialect, rng):
    if dialect == "canonical":
        return [Chem.MolToSmiles(mol)]
    if dialect == "kekule":
        m = Chem.Mol(mol)
        Chem.Kekulize(m, clearAromaticFlags=True)
        return [Chem.MolToSmiles(m, kekuleSmiles=True)]
    if dialect == "random":
        return [Chem.MolToSmiles(mol, doRandom=True)]
    if dialect == "explicit_h":
        return [Chem.MolToSmiles(Chem.AddHs(mol))]
    if dialect == "bracket_h":
        return [Chem.MolToSmiles(mol, allHsExplicit=True)]
    if dialect == "hypervalent":
        s = uncharged_hypervalent(mol)
        return [s] if s else []
    if dialect == "cx_coords":
        m = Chem.Mol(mol)
        AllChem.Compute2DCoords(m)
        return [Chem.MolToCXSmiles(m)]
    if dialect == "cx_wedges":
        m = Chem.Mol(mol)
        AllChem.Compute2DCoords(m)
        smiles, layer = Chem.MolToCXSmiles(m).split(" ", 1)
        if "@" not in smiles or re.search(r"@(TH|AL|SP|TB|OH)", smiles):
            return []
        return [re.sub(r"@@?", "", smiles) + " " + layer]
    if dialect == "cx_enhanced":
        s = enhanced(mol)
        return [s] if s else []
    if dialect == "dative":
        s = dative_form(mol)
        return [s] if s else []
    if dialect == "brics":
        try:
            return sorted(BRICS.BRICSDecompose(mol))[:3]
        except Exception:
            return []
    if dialect == "mapped":
        m = Chem.Mol(mol)
        for a in m.GetAtoms():
            a.SetAtomMapNum(a.GetIdx() + 1)
        return [Chem.MolToSmiles(m)]
    raise ValueError(dialect)


def cmd_write(args):
    rng = random.Random(args.seed)
    Chem.rdBase.SeedRandomNumberGenerator(args.seed) if hasattr(Chem.rdBase, "SeedRandomNumberGenerator") else None
    rows = list(molecules(args.files))
    if args.limit:
        rows = rng.sample(rows, min(args.limit, len(rows)))
    dialects = args.dialects.split(",") if args.dialects else DIALECTS
    print(f"# RDKit {rdkit.__version__}: {len(rows)} molecules of {' '.join(args.files)} in dialects "
          f"{','.join(dialects)}")
    print("# made by: scripts/rdkit_dialects.py write " + " ".join(sys.argv[2:]))
    print("id\tdialect\tsmiles\trdkit_canonical")
    for ident, smiles in rows:
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            continue
        for dialect in dialects:
            for s in written(mol, dialect, rng):
                if "\t" in s or "\n" in s:
                    continue
                print(f"{ident}\t{dialect}\t{s}\t{canonical(s)}")


def cmd_score(args):
    rows = [l.rstrip("\n").split("\t") for l in open(args.dialects) if not l.startswith("#")][1:]
    ours = open(args.textchem).read().split("\n")
    stats = collections.defaultdict(collections.Counter)
    per_molecule = collections.defaultdict(set)
    source = {ident: canon for ident, dialect, _, canon in rows if dialect == "canonical"}
    for (ident, dialect, smiles, rdkit_canon), out in zip(rows, ours):
        s = stats[dialect]
        s["rows"] += 1
        rdkit_ok = rdkit_canon != ""
        ok = not out.startswith("error")
        s["rdkit_parses"] += rdkit_ok
        s["textchem_parses"] += ok
        s["both_parse"] += ok and rdkit_ok
        s["textchem_only"] += ok and not rdkit_ok
        s["rdkit_only"] += rdkit_ok and not ok
        if ok and rdkit_ok:
            if "|" in out:
                agrees = same_mixture(out, smiles)
            else:
                agrees = canonical(out) == rdkit_canon
            s["round_trip"] += agrees
            # Where RDKit reads its own string as another molecule than the one it wrote it
            # for, its canonical SMILES of the input is not the molecule's.
            own = dialect in OTHER_MOLECULE or rdkit_canon == source.get(ident)
            s["rdkit_own"] += own
            s["round_trip_own"] += own and agrees
            # A racemate or a mixture of epimers (an AND/OR group) is not the molecule itself,
            # and the dative form gives each ligand atom one more hydrogen.
            if dialect not in OTHER_MOLECULE and dialect not in EXTRA:
                per_molecule[ident].add(out)
    mols = len(per_molecule)
    one = sum(1 for v in per_molecule.values() if len(v) == 1)
    total = collections.Counter()
    def share(n, d):
        return f"{n}/{d} ({100 * n / max(1, d):.2f} %)"

    def line(name, s):
        return (f"| {name} | {s['rows']} | {s['rdkit_parses']} | {s['textchem_parses']} | {s['rdkit_only']} | "
                f"{s['textchem_only']} | {share(s['round_trip'], s['both_parse'])} | "
                f"{share(s['rdkit_own'], s['both_parse'])} | {share(s['round_trip_own'], s['rdkit_own'])} |")

    print("| dialect | strings | RDKit parses | textchem parses | only RDKit | only textchem "
          "| RDKit(textchem canonical) = RDKit canonical | RDKit reads its string as the source molecule "
          "| of those, RDKit(textchem canonical) = RDKit canonical |")
    print("|---|---|---|---|---|---|---|---|---|")
    for dialect in DIALECTS:
        s = stats.get(dialect)
        if not s:
            continue
        if dialect not in EXTRA:
            total.update(s)
        print(line(dialect, s))
    print(line("**all** (" + ", ".join(sorted(EXTRA)) + " aside)", total))
    print(f"\none textchem canonical string per molecule across its dialects (BRICS fragments, atom-mapped strings, enhanced-stereo mixtures and dative forms aside): "
          f"{one}/{mols} ({100 * one / max(1, mols):.2f} %)")


def main():
    if rdkit.__version__ != PINNED:
        sys.exit(f"rdkit {rdkit.__version__} found; the fixtures were made with {PINNED}")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("files", nargs="+")
    w.add_argument("--limit", type=int, default=0)
    w.add_argument("--seed", type=int, default=1)
    w.add_argument("--dialects", default="")
    w.set_defaults(run=cmd_write)
    s = sub.add_parser("score")
    s.add_argument("dialects")
    s.add_argument("textchem")
    s.set_defaults(run=cmd_score)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
