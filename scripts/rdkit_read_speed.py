#!/usr/bin/env python3
"""RDKit's reading speed on the same input as `cargo bench --bench smiles_read`.

    python3 scripts/rdkit_read_speed.py ../shared/data/chebi20/test.txt

Times Chem.MolFromSmiles (parse + sanitize: valence, kekulization, aromaticity, rings) over the
SMILES column of a ChEBI-20-style TSV, best of 5 rounds. Needs `pip install rdkit`.
"""
import sys
import time

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")
smiles = [l.split("\t")[1].replace("\\\\", "\\") for l in open(sys.argv[1]).read().splitlines()[1:]]
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    ok = sum(Chem.MolFromSmiles(s) is not None for s in smiles)
    best = min(best, time.perf_counter() - t)
print("RDKit %s MolFromSmiles: %d SMILES (%d read) in %.3f s = %.0f SMILES/s"
      % (Chem.rdBase.rdkitVersion, len(smiles), ok, best, len(smiles) / best))
