#!/usr/bin/env python3
"""Write stereo fixture pairs: each stereo SMILES of a file re-written by RDKit in random atom order.

Output TSV (to stdout): original SMILES, RDKit random-order SMILES, and for each atom of the
random SMILES the index of the same atom in the original (space-separated). textchem's test
`stereo_survives_rdkit_rewriting` reads both strings and checks that every tetrahedral centre and
cis/trans double bond it reads from the original has the same configuration in the rewrite.

    python3 scripts/stereo_pairs_rdkit.py ../shared/data/chebi20/test.txt 400 > tests/chem/fixtures/stereo_pairs.tsv

Needs `pip install rdkit`. Input: a TSV whose second column is SMILES (ChEBI-20 layout).
"""
import random
import sys

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")


def main():
    path, limit = sys.argv[1], int(sys.argv[2])
    random.seed(7)
    Chem.rdBase.SeedRandomNumberGenerator(7) if hasattr(Chem.rdBase, "SeedRandomNumberGenerator") else None
    print("# original\trdkit_random\trandom_atom_to_original  (source: %s, RDKit %s)"
          % (path.split("/")[-2] + "/" + path.split("/")[-1], Chem.rdBase.rdkitVersion))
    n = 0
    for line in open(path):
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 2 or cols[1] == "SMILES":
            continue
        smi = cols[1].replace("\\\\", "\\")
        # Only molecules with stereo and no explicit [H] atoms (RDKit removes those, renumbering).
        if not any(c in smi for c in "@/\\") or "[H" in smi or "[2H" in smi or "[3H" in smi:
            continue
        m = Chem.MolFromSmiles(smi)
        if m is None:
            continue
        rnd = Chem.MolToSmiles(m, canonical=False, doRandom=True)
        order = list(m.GetPropsAsDict(True, True)["_smilesAtomOutputOrder"])
        if len(order) != m.GetNumAtoms():
            continue
        print("%s\t%s\t%s" % (smi, rnd, " ".join(map(str, order))))
        n += 1
        if n >= limit:
            break


if __name__ == "__main__":
    main()
