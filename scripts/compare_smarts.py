#!/usr/bin/env python3
"""`textchem match` beside RDKit on every ChEBI-20 test molecule and approved drug, for each
pattern of scripts/rdkit_smarts.py: prints the agreement of unique-match counts and lists the
disagreements.

    python3 scripts/compare_smarts.py [--bin target/release/textchem]
"""
import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile

from rdkit import Chem

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdkit_smarts import PATTERNS, counts, read_molecules  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "textchem"))
    args = ap.parse_args()
    mols = read_molecules()
    patterns = [Chem.MolFromSmarts(p) for p in PATTERNS]
    with tempfile.NamedTemporaryFile("w", suffix=".smi", delete=False) as f:
        for i, (smi, _) in enumerate(mols):
            f.write(f"{smi} m{i}\n")
        path = f.name
    reference = [counts(mol, patterns) for _, mol in mols]
    pairs = 0
    differ = []
    for k, pattern in enumerate(PATTERNS):
        out = subprocess.run([args.bin, "match", pattern, path], check=True,
                             capture_output=True, text=True).stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == len(mols), (pattern, len(rows))
        for i, row in enumerate(rows):
            pairs += 1
            want = reference[i][k]
            if row["error"] or int(row["matches"]) != want:
                got = row["error"] or row["matches"]
                differ.append(f"{mols[i][0]} {pattern}: ours {got}, RDKit {want}")
    os.unlink(path)
    print(f"{len(mols)} molecules x {len(PATTERNS)} patterns: {pairs - len(differ)} of {pairs} "
          f"pairs agree ({100 * (1 - len(differ) / pairs):.3f}%)")
    for d in differ:
        print("  " + d)


if __name__ == "__main__":
    main()
