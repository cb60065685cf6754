#!/usr/bin/env python3
"""RDKit's fingerprinting speed on the molecules `cargo bench --bench chem` fingerprints
(ChEBI-20 test + validation, 6,600 SMILES from ../shared/data/chebi20), for the comparison in
docs/fingerprints.md.

    python3 scripts/rdkit_fingerprint_speed.py [--repeat N]

Reports process CPU time per pass and molecules per second for: Morgan r=2 2048 bits
(GetMorganFingerprintAsBitVect), Morgan r=2 counts (GetMorganFingerprint), the RDKit path
fingerprint (RDKFingerprint), each from already-read Mol objects, and MolFromSmiles + Morgan bits
from the SMILES. The best of N passes (default 5) is reported, as criterion reports a typical one.
"""
import argparse
import os
import time

from rdkit import Chem, RDLogger
from rdkit.Chem import AllChem

RDLogger.DisableLog("rdApp.*")
DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "chebi20")


def smiles():
    out = []
    for name in ("test.txt", "validation.txt"):
        with open(os.path.join(DIR, name)) as f:
            next(f)
            for line in f:
                parts = line.split("\t")
                if len(parts) > 1:
                    out.append(parts[1].replace("\\\\", "\\"))
    return out


def best_pass(work, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = smiles()
    mols = [m for m in (Chem.MolFromSmiles(s) for s in texts) if m is not None]
    cases = [
        ("morgan_r2_2048_bits", len(mols),
         lambda: [AllChem.GetMorganFingerprintAsBitVect(m, 2, 2048) for m in mols]),
        ("morgan_r2_counts", len(mols), lambda: [AllChem.GetMorganFingerprint(m, 2) for m in mols]),
        ("rdkit_path_2048", len(mols), lambda: [Chem.RDKFingerprint(m) for m in mols]),
        ("parse+morgan_r2_2048_bits", len(texts),
         lambda: [AllChem.GetMorganFingerprintAsBitVect(m, 2, 2048)
                  for m in (Chem.MolFromSmiles(s) for s in texts) if m is not None]),
    ]
    print(f"{len(texts)} SMILES, {len(mols)} read by RDKit; best of {args.repeat} passes, CPU time")
    for name, count, work in cases:
        seconds = best_pass(work, args.repeat)
        print(f"{name}\t{seconds * 1000:.1f} ms\t{count / seconds:,.0f} molecules/s")


if __name__ == "__main__":
    main()
