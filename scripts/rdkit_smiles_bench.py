#!/usr/bin/env python3
"""RDKit reference speed for textchem's canonical SMILES benchmark (benches/chem.rs).

Reads the same ChEBI-20 files (TSV: CID, SMILES, description; the doubled backslash of the
data is read as one, as textchem does) and times RDKit's Chem.MolFromSmiles + Chem.MolToSmiles
(parse, sanitise incl. aromaticity perception, canonical isomeric SMILES) per molecule.

    python3 scripts/rdkit_smiles_bench.py [FILE ...]   # default: ../shared/data/chebi20/{test,validation}.txt

Prints molecules/s for the best of --repeat passes (needs `pip install rdkit`).
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = [os.path.join(HERE, "..", "..", "shared", "data", "chebi20", f) for f in ("test.txt", "validation.txt")]


def read_smiles(paths):
    out = []
    for p in paths:
        with open(p) as fh:
            next(fh)  # header
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2:
                    out.append(parts[1].replace("\\\\", "\\"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    from rdkit import Chem, RDLogger, rdBase
    RDLogger.DisableLog("rdApp.*")
    smiles = read_smiles(a.files)
    best = None
    failures = 0
    for _ in range(a.repeat):
        failures = 0
        t = time.perf_counter()
        for s in smiles:
            m = Chem.MolFromSmiles(s)
            if m is None:
                failures += 1
                continue
            Chem.MolToSmiles(m)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    print("RDKit %s: %d SMILES (%d rejected), best of %d: %.3f s, %.0f molecules/s"
          % (rdBase.rdkitVersion, len(smiles), failures, a.repeat, best, len(smiles) / best))


if __name__ == "__main__":
    sys.exit(main())
