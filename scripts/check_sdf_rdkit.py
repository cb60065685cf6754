"""Reads an SD file written by textchem with RDKit and checks every record: it parses, its
molecule is the one its `smiles` field names (RDKit canonical SMILES of both compared), and
its `formula` field is RDKit's formula. Prints "N records" and exits non-zero on a mismatch.

Usage: python3 scripts/check_sdf_rdkit.py FILE.sdf
"""

import sys

from rdkit import Chem
from rdkit.Chem.rdMolDescriptors import CalcMolFormula


def main(path):
    bad = 0
    n = 0
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
        got = Chem.MolToSmiles(Chem.RemoveHs(mol))
        want = Chem.MolToSmiles(ref) if ref is not None else None
        # A 2D MOL block carries no stereo parity here; compare without stereo.
        got_flat = Chem.MolToSmiles(Chem.RemoveHs(mol), isomericSmiles=False)
        want_flat = Chem.MolToSmiles(ref, isomericSmiles=False) if ref else None
        if got_flat != want_flat:
            print(f"record {k + 1} ({props.get('name')}): {got} != {want}")
            bad += 1
        formula = CalcMolFormula(mol)
        if str(props.get("formula")) != formula:
            print(f"record {k + 1}: formula {props.get('formula')} != RDKit {formula}")
            bad += 1
    print(f"{n} records, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
