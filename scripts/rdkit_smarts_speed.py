#!/usr/bin/env python3
"""RDKit doing what benches/chem.rs times for SMARTS: unique-match counts of the agreement-test
patterns (scripts/rdkit_smarts.py PATTERNS) and MACCS keys, on ChEBI-20 test + validation.

    python3 scripts/rdkit_smarts_speed.py

Molecules are read once beforehand (MolFromSmiles), as the Rust benchmark parses them before
timing; the Rust side's time includes its aromaticity and ring perception (PreparedMolecule),
which RDKit did while reading. Times are process CPU time, as in benches/chem.rs.
"""
import os
import sys
import time

from rdkit import Chem, RDLogger, rdBase
from rdkit.Chem import MACCSkeys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdkit_smarts import PATTERNS  # noqa: E402

RDLogger.DisableLog("rdApp.*")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHEBI = os.path.join(ROOT, "..", "shared", "data", "chebi20")


def main():
    smiles = []
    for name in ("test.txt", "validation.txt"):
        with open(os.path.join(CHEBI, name)) as f:
            next(f)
            smiles += [line.split("\t")[1].replace("\\\\", "\\") for line in f if "\t" in line]
    mols = [m for m in (Chem.MolFromSmiles(s) for s in smiles) if m is not None]
    patterns = [Chem.MolFromSmarts(p) for p in PATTERNS]
    rounds = 3
    start = time.process_time()
    for _ in range(rounds):
        for m in mols:
            for p in patterns:
                len(m.GetSubstructMatches(p, uniquify=True, maxMatches=10**7))
    counts = (time.process_time() - start) / rounds
    start = time.process_time()
    for _ in range(rounds):
        for m in mols:
            MACCSkeys.GenMACCSKeys(m)
    maccs = (time.process_time() - start) / rounds
    print(f"RDKit {rdBase.rdkitVersion}, {len(mols)} molecules, {len(patterns)} patterns")
    print(f"smarts-counts: {counts:.3f} s CPU per pass ({len(mols) / counts:,.0f} molecules/s)")
    print(f"maccs:         {maccs:.3f} s CPU per pass ({len(mols) / maccs:,.0f} molecules/s)")


if __name__ == "__main__":
    main()
