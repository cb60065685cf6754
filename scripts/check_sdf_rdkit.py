"""Reads an SD file written by textchem with RDKit and checks every record: it parses, its
molecule is the one its `smiles` field names, stereo included (RDKit canonical isomeric SMILES
of both compared, and the enhanced stereo groups of a CXSMILES field), and its `formula` field
is RDKit's formula.

As the anchor, the molecule of each `smiles` field also goes through RDKit's own MOL block
(MolToMolBlock, then MolFromMolBlock): how many keep their stereo that way. A record whose
stereo is lost here but kept by RDKit's own round trip is a problem; one that RDKit's round trip
loses too is counted but not a problem.

Prints one line per problem, then
"N records, P problems; stereo kept: S/N (ours), R/N (RDKit's own MOL round trip)"
and exits non-zero when there is a problem.

Usage: python3 scripts/check_sdf_rdkit.py FILE.sdf
"""

import sys

from rdkit import Chem, RDLogger
from rdkit.Chem.rdMolDescriptors import CalcMolFormula


def groups(mol):
    """Enhanced stereo groups as (type, canonical atom ranks); centres in no group are
    absolute (CXSMILES and the MOL chiral flag both mean that), so they join the absolute set."""
    ranks = list(Chem.CanonicalRankAtoms(mol))
    grouped = set()
    out = []
    absolute = set()
    for g in mol.GetStereoGroups():
        atoms = {ranks[a.GetIdx()] for a in g.GetAtoms()}
        grouped |= {a.GetIdx() for a in g.GetAtoms()}
        if g.GetGroupType() == Chem.StereoGroupType.STEREO_ABSOLUTE:
            absolute |= atoms
        else:
            out.append((str(g.GetGroupType()), tuple(sorted(atoms))))
    for a in mol.GetAtoms():
        if a.GetChiralTag() != Chem.ChiralType.CHI_UNSPECIFIED and a.GetIdx() not in grouped:
            absolute.add(ranks[a.GetIdx()])
    return (tuple(sorted(absolute)), tuple(sorted(out)))


def key(mol):
    """What two readings of one stereoisomer share: canonical isomeric SMILES and the stereo
    groups (the SMILES alone names one configuration of an AND/OR group)."""
    mol = Chem.RemoveHs(mol)
    return Chem.MolToSmiles(mol) + " " + repr(groups(mol))


def rdkit_round_trip(ref):
    try:
        back = Chem.MolFromMolBlock(Chem.MolToMolBlock(ref))
    except Exception:
        return None
    return back


def main(path):
    RDLogger.DisableLog("rdApp.*")
    bad = 0
    n = 0
    kept = 0
    kept_rdkit = 0
    for k, mol in enumerate(Chem.SDMolSupplier(path, removeHs=False)):
        n += 1
        if mol is None:
            print(f"record {k + 1}: RDKit could not read it")
            bad += 1
            continue
        props = mol.GetPropsAsDict()
        for field in ("name", "smiles", "canonical_smiles", "formula"):
            if field not in props:
                print(f"record {k + 1}: no {field} field")
                bad += 1
        ref = Chem.MolFromSmiles(str(props.get("smiles", "")))
        got_flat = Chem.MolToSmiles(Chem.RemoveHs(mol), isomericSmiles=False)
        want_flat = Chem.MolToSmiles(ref, isomericSmiles=False) if ref else None
        if got_flat != want_flat:
            print(f"record {k + 1} ({props.get('name')}): {got_flat} != {want_flat}")
            bad += 1
        elif ref is not None:
            want = key(ref)
            ours = key(mol) == want
            back = rdkit_round_trip(ref)
            theirs = back is not None and key(back) == want
            kept += ours
            kept_rdkit += theirs
            if not ours:
                tag = "problem" if theirs else "also lost by RDKit's round trip"
                print(f"record {k + 1} ({props.get('name')}) stereo: {key(mol)} != {want} ({tag})")
                bad += theirs
        formula = CalcMolFormula(mol)
        if str(props.get("formula")) != formula:
            print(f"record {k + 1}: formula {props.get('formula')} != RDKit {formula}")
            bad += 1
    print(
        f"{n} records, {bad} problems; stereo kept: {kept}/{n} (ours), "
        f"{kept_rdkit}/{n} (RDKit's own MOL round trip)"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
