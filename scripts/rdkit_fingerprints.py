#!/usr/bin/env python3
"""RDKit reference fingerprints for textchem's Morgan and RDKit path fingerprints.

Pinned: rdkit==2026.9.1 (other versions are refused: fingerprints are compared bit for bit).

Molecules: ChEBI-20 test (../shared/data/chebi20/test.txt, doubled backslashes read as one) and
the approved drugs (../shared/data/drugs/chembl_approved_drugs.csv).

Modes
  fixture OUT.tsv [--per-set N] [--seed S]
      N molecules drawn at random from each set (default 100): set, id, smiles,
      morgan_bits (GetMorganFingerprintAsBitVect(m, 2, 2048) on bits), morgan_counts
      (GetMorganFingerprint(m, 2) as id:count), rdkit_hex (RDKFingerprint(m), 2048 bits as
      hex, bit 0 in the lowest nibble of the last character... see hex_bits).
  tanimoto OUT.tsv [--pairs N] [--seed S]
      N pairs from the sets (half random, half a molecule with the nearest of 200 random
      others by Morgan bits) with RDKit's Tanimoto on Morgan bits, Morgan counts and
      RDKit path bits: smiles_a, smiles_b, morgan_bits, morgan_counts, rdkit.
  list OUT.smi
      Every molecule of both sets as `SMILES id` lines, the input for textchem's runs.
  compare LIST.smi --morgan A.csv --counts B.csv --rdkit C.csv
      Agreement of textchem's CSVs (from `textchem fingerprint LIST.smi ...`, rows in list
      order) with RDKit on every molecule RDKit reads; prints the figures and each disagreement.
"""
import argparse
import csv
import os
import random
import sys

import rdkit
from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import AllChem

RDLogger.DisableLog("rdApp.*")
if rdkit.__version__ != "2026.09.1":
    sys.exit(f"rdkit 2026.09.1 required, found {rdkit.__version__}")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")


def chebi_test():
    path = os.path.join(ROOT, "chebi20", "test.txt")
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield "chebi20-test", row["CID"], row["SMILES"].replace("\\\\", "\\")


def drugs():
    path = os.path.join(ROOT, "drugs", "chembl_approved_drugs.csv")
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["smiles"]:
                yield "drugs", row["molecule_chembl_id"], row["smiles"]


def all_molecules():
    return list(chebi_test()) + list(drugs())


def morgan_bits(m):
    return list(AllChem.GetMorganFingerprintAsBitVect(m, 2, 2048).GetOnBits())


def morgan_counts(m):
    return sorted(AllChem.GetMorganFingerprint(m, 2).GetNonzeroElements().items())


def rdkit_bits(m):
    return list(Chem.RDKFingerprint(m).GetOnBits())


def hex_bits(bits, n=2048):
    """Bits as hex: character k holds bits 4k..4k+3, bit 4k in its lowest place."""
    nibbles = [0] * (n // 4)
    for b in bits:
        nibbles[b // 4] |= 1 << (b % 4)
    return "".join("0123456789abcdef"[x] for x in nibbles)


def fixture(args):
    rng = random.Random(args.seed)
    out = open(args.out, "w", newline="")
    out.write(f"# RDKit {rdkit.__version__} fingerprints of {args.per_set} random molecules each "
              "of ChEBI-20 test (MolT5, CC BY 4.0) and ChEMBL approved drugs; "
              "written by scripts/rdkit_fingerprints.py fixture\n")
    out.write("set\tid\tsmiles\tmorgan_bits\tmorgan_counts\trdkit_hex\n")
    for source in (list(chebi_test()), list(drugs())):
        readable = [r for r in source if Chem.MolFromSmiles(r[2]) is not None]
        for set_name, mid, smi in rng.sample(readable, args.per_set):
            m = Chem.MolFromSmiles(smi)
            out.write("\t".join([
                set_name, mid, smi,
                " ".join(map(str, morgan_bits(m))),
                " ".join(f"{k}:{v}" for k, v in morgan_counts(m)),
                hex_bits(rdkit_bits(m)),
            ]) + "\n")


def tanimoto(args):
    rng = random.Random(args.seed)
    mols = [(r[2], Chem.MolFromSmiles(r[2])) for r in all_molecules()]
    mols = [x for x in mols if x[1] is not None]
    out = open(args.out, "w", newline="")
    out.write(f"# RDKit {rdkit.__version__} Tanimoto similarities of pairs from ChEBI-20 "
              "test and ChEMBL approved drugs; written by scripts/rdkit_fingerprints.py tanimoto\n")
    out.write("smiles_a\tsmiles_b\tmorgan_bits\tmorgan_counts\trdkit\n")
    morgan = {}

    def fp(i):
        if i not in morgan:
            morgan[i] = AllChem.GetMorganFingerprintAsBitVect(mols[i][1], 2, 2048)
        return morgan[i]

    for k in range(args.pairs):
        i = rng.randrange(len(mols))
        candidates = rng.sample(range(len(mols)), 200)
        if k % 2 == 0:
            j = rng.choice([c for c in candidates if c != i])
        else:
            # Every other pair is the nearest of 200 random molecules, so that high
            # similarities are covered too.
            j = max((c for c in candidates if c != i),
                    key=lambda c: DataStructs.TanimotoSimilarity(fp(i), fp(c)))
        (sa, a), (sb, b) = mols[i], mols[j]
        mb = DataStructs.TanimotoSimilarity(AllChem.GetMorganFingerprintAsBitVect(a, 2, 2048),
                                            AllChem.GetMorganFingerprintAsBitVect(b, 2, 2048))
        mc = DataStructs.TanimotoSimilarity(AllChem.GetMorganFingerprint(a, 2),
                                            AllChem.GetMorganFingerprint(b, 2))
        rd = DataStructs.TanimotoSimilarity(Chem.RDKFingerprint(a), Chem.RDKFingerprint(b))
        out.write(f"{sa}\t{sb}\t{mb!r}\t{mc!r}\t{rd!r}\n")


def write_list(args):
    with open(args.out, "w") as out:
        for _, mid, smi in all_molecules():
            out.write(f"{smi} {mid}\n")


def read_ours(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def compare(args):
    rows = [line.split(" ", 1) for line in open(args.list).read().splitlines() if line.strip()]
    ours = {
        "morgan": read_ours(args.morgan),
        "counts": read_ours(args.counts),
        "rdkit": read_ours(args.rdkit),
    }
    for name, table in ours.items():
        if len(table) != len(rows):
            sys.exit(f"{name}: {len(table)} rows for {len(rows)} molecules")
    same = {k: 0 for k in ours}
    unreadable = 0
    problems = {k: [] for k in ours}
    for i, (smi, mid) in enumerate(rows):
        m = Chem.MolFromSmiles(smi)
        if m is None:
            unreadable += 1
            continue
        reference = {
            "morgan": " ".join(map(str, morgan_bits(m))),
            "counts": " ".join(f"{k}:{v}" for k, v in morgan_counts(m)),
            "rdkit": " ".join(map(str, rdkit_bits(m))),
        }
        for name, table in ours.items():
            got = table[i]
            column = "counts" if name == "counts" else "on_bits"
            if got["error"] == "" and got[column] == reference[name]:
                same[name] += 1
            else:
                ref, mine = set(reference[name].split()), set(got[column].split())
                problems[name].append(
                    f"{mid}\t{smi}\terror={got['error']!r}\tmissing={len(ref - mine)}"
                    f"\textra={len(mine - ref)}")
    total = len(rows) - unreadable
    print(f"molecules: {len(rows)} listed, {unreadable} unreadable by RDKit, {total} compared")
    for name in ours:
        print(f"{name}: {same[name]}/{total} identical ({100.0 * same[name] / total:.2f}%)")
        for p in problems[name]:
            print(f"  {name}\t{p}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("fixture")
    p.add_argument("out")
    p.add_argument("--per-set", type=int, default=100)
    p.add_argument("--seed", type=int, default=15)
    p = sub.add_parser("tanimoto")
    p.add_argument("out")
    p.add_argument("--pairs", type=int, default=100)
    p.add_argument("--seed", type=int, default=15)
    p = sub.add_parser("list")
    p.add_argument("out")
    p = sub.add_parser("compare")
    p.add_argument("list")
    p.add_argument("--morgan", required=True)
    p.add_argument("--counts", required=True)
    p.add_argument("--rdkit", required=True)
    args = parser.parse_args()
    {"fixture": fixture, "tanimoto": tanimoto, "list": write_list, "compare": compare}[args.mode](args)


if __name__ == "__main__":
    main()
