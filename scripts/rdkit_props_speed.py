#!/usr/bin/env python3
"""RDKit doing what `textchem props` does, for a whole-process comparison on the same file.

    python3 scripts/rdkit_props_speed.py /tmp/chebi10.smi > /tmp/rdkit_props.csv

Reads `SMILES [id]` lines and writes, per line, what `textchem props` writes without `--all`:
canonical SMILES (MolToSmiles), formula, average and monoisotopic mass, heavy atoms and per-atom
total H counts, or the error. Time the whole command (`/usr/bin/time -v`) beside
`textchem props FILE`. Needs `pip install rdkit` (the version in scripts/requirements-fixtures.txt).
"""
import csv
import sys

from rdkit import Chem, RDLogger
from rdkit.Chem import Descriptors, rdMolDescriptors

RDLogger.DisableLog("rdApp.*")
out = csv.writer(sys.stdout, lineterminator="\r\n")
out.writerow(["id", "input", "canonical_smiles", "formula", "average_mass",
              "monoisotopic_mass", "heavy_atoms", "hydrogens", "error"])
for n, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="replace"), 1):
    parts = line.split(None, 1)
    if not parts:
        continue
    smiles = parts[0]
    ident = parts[1].strip() if len(parts) > 1 else str(n)
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        out.writerow([ident, smiles, "", "", "", "", "", "", "invalid SMILES"])
        continue
    out.writerow([
        ident, smiles, Chem.MolToSmiles(mol), rdMolDescriptors.CalcMolFormula(mol),
        "%.4f" % Descriptors.MolWt(mol), "%.6f" % Descriptors.ExactMolWt(mol),
        mol.GetNumHeavyAtoms(), " ".join(str(a.GetTotalNumHs()) for a in mol.GetAtoms()), "",
    ])
