#!/usr/bin/env python3
"""RDKit's standard InChI and InChIKey, the reference for textchem's `chem::inchi`.

Pinned: rdkit==2026.9.1 (`pip install rdkit==2026.9.1`), whose InChI is the IUPAC library 1.07.

Modes
  reference FILE... [--stereo N] [--charged N] [--other N] [--seed S]
      One TSV row per molecule: source, id, smiles, inchi, inchikey, error
      (`Chem.MolToInchi` / `Chem.MolToInchiKey` with default options; error is `rdkit_rejects`
      when RDKit cannot read the SMILES, `no_inchi` when it gives no InChI).
      FILE is a table with a SMILES column and an id / CID / molecule_chembl_id column (TSV or
      CSV: ChEBI-20's test.txt, the approved drugs' CSV). With any of --stereo / --charged /
      --other, each file contributes a random sample (seed S) of that many molecules with
      stereo marks (`@`, `/`, `\\`), with a charge and no stereo, and with neither, so that a
      small fixture covers all three; without them every row is written.
  compare REFERENCE [--textchem BIN]
      Runs `BIN props --all` (default target/debug/textchem) on the reference's SMILES and
      prints the share of identical InChIKeys, with each disagreement and the first InChI layer
      in which the two differ.

The committed fixture (tests/fixtures/chem/inchi_rdkit.tsv) and the full-set figures in
docs/inchi.md are made with the commands given there.
"""
import argparse
import csv
import io
import os
import random
import subprocess
import sys
from collections import Counter

import rdkit
from rdkit import Chem, RDLogger

PINNED = "2026.09.1"
RDLogger.DisableLog("rdApp.*")
COLUMNS = ["source", "id", "smiles", "inchi", "inchikey", "error"]


def table_rows(path):
    with open(path, newline="") as f:
        first = f.readline().rstrip("\r\n")
        delimiter = "\t" if "\t" in first else ","
        lower = [h.lower() for h in first.split(delimiter)]
        smiles = lower.index("smiles")
        ident = next((lower.index(k) for k in ("id", "cid", "molecule_chembl_id", "chembl_id")
                      if k in lower), None)
        for n, parts in enumerate(csv.reader(f, delimiter=delimiter)):
            if len(parts) > smiles:
                # ChEBI-20 text carries doubled backslashes (an escaping artefact): read as one.
                name = parts[ident] if ident is not None else str(n + 1)
                yield name, parts[smiles].replace("\\\\", "\\")


def kind(smiles):
    if any(c in smiles for c in "@/\\"):
        return "stereo"
    if "+" in smiles or "-]" in smiles or any(f"-{d}]" in smiles for d in "23456789"):
        return "charged"
    return "other"


def sample(rows, args):
    wanted = {"stereo": args.stereo, "charged": args.charged, "other": args.other}
    rng = random.Random(args.seed)
    out = []
    for k, n in wanted.items():
        group = [r for r in rows if kind(r[1]) == k]
        out += rng.sample(group, min(n, len(group)))
    return out


def reference(args):
    sampled = any(n is not None for n in (args.stereo, args.charged, args.other))
    for name in ("stereo", "charged", "other"):
        if getattr(args, name) is None:
            setattr(args, name, 0)
    how = " ".join(sys.argv[2:])
    sys.stdout.write(f"# RDKit {rdkit.__version__} MolToInchi / MolToInchiKey (default options)\n"
                     f"# made by: scripts/rdkit_inchi.py {sys.argv[1]} {how}\n")
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(COLUMNS)
    for path in args.files:
        source = os.path.basename(path)
        rows = list(table_rows(path))
        if sampled:
            rows = sample(rows, args)
        for ident, smi in rows:
            m = Chem.MolFromSmiles(smi)
            if m is None:
                w.writerow([source, ident, smi, "", "", "rdkit_rejects"])
                continue
            inchi = Chem.MolToInchi(m)
            key = Chem.MolToInchiKey(m) if inchi else ""
            w.writerow([source, ident, smi, inchi, key, "" if inchi else "no_inchi"])


def read_reference(path):
    with open(path, newline="") as f:
        lines = [l for l in f if not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def first_difference(theirs, ours):
    """The first InChI layer (by its prefix letter, `formula` for the first) that differs."""
    a, b = theirs.split("/"), ours.split("/")
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "formula" if i == 1 else f"/{x[:1] or '?'} vs /{y[:1] or '?'}"
    return "layer count"


def compare(args):
    rows = [r for r in read_reference(args.reference) if not r["error"]]
    smi = "".join(f"{r['smiles']} {i}\n" for i, r in enumerate(rows))
    run = subprocess.run([args.textchem, "props", "--all", "-"], input=smi.encode(),
                         capture_output=True, check=True)
    ours = {r["id"]: r for r in csv.DictReader(io.StringIO(run.stdout.decode()))}
    same = 0
    causes = Counter()
    for i, r in enumerate(rows):
        mine = ours[str(i)]
        if mine["inchikey"] == r["inchikey"]:
            same += 1
            continue
        cause = ("textchem error: " + mine["error"][:60]) if not mine["inchi"] else \
            first_difference(r["inchi"], mine["inchi"])
        causes[cause.split(":")[0] if cause.startswith("textchem") else cause] += 1
        print(f"{r['source']}\t{r['id']}\t{r['smiles']}\n  rdkit    {r['inchi']}\n"
              f"  textchem {mine['inchi'] or mine['error']}")
    n = len(rows)
    print(f"\nInChIKey identical: {same}/{n} = {100 * same / max(n, 1):.2f}%")
    for cause, count in causes.most_common():
        print(f"  {count:5d}  {cause}")


def main():
    if rdkit.__version__ != PINNED:
        sys.exit(f"rdkit {rdkit.__version__} found; pip install rdkit=={PINNED.replace('.09.', '.9.')}")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("reference")
    a.add_argument("files", nargs="+")
    a.add_argument("--stereo", type=int)
    a.add_argument("--charged", type=int)
    a.add_argument("--other", type=int)
    a.add_argument("--seed", type=int, default=1)
    a.set_defaults(run=reference)
    b = sub.add_parser("compare")
    b.add_argument("reference")
    b.add_argument("--textchem", default="target/debug/textchem")
    b.set_defaults(run=compare)
    args = p.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
