"""textchem.props from Python on 100k SMILES: one Python thread against two (the GIL is released
while rows are computed, so two threads should take about half the time on two free cores),
beside RDKit's Python API computing the same columns on the same list.

    .venv/bin/python python/bench/props_threads.py [--rows 100000] [--repeats 3] [--all]

The SMILES are ChEBI-20 test (../shared/data/chebi20/test.txt beside the repository) repeated.
Each configuration runs `--repeats` times and the fastest is kept. Wall time is what a user
waits; process CPU time (every thread of the process) shows the work done, so on a busy shared
machine `cpu/wall` tells how many cores the run really had. docs/python.md records figures.
"""

import argparse
import csv
import threading
import time
from pathlib import Path

import textchem

REPO = Path(__file__).resolve().parents[2]
CHEBI = REPO.parent / "shared" / "data" / "chebi20" / "test.txt"


def load_smiles(rows):
    with CHEBI.open(encoding="utf-8") as f:
        smiles = [row["SMILES"] for row in csv.DictReader(f, delimiter="\t")]
    return (smiles * (rows // len(smiles) + 1))[:rows]


def timed(work, repeats):
    """(wall seconds, process CPU seconds) of the fastest of `repeats` runs."""
    best = None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        took = (time.perf_counter() - wall, time.process_time() - cpu)
        if best is None or took[0] < best[0]:
            best = took
    return best


def in_threads(count, smiles, work):
    """Runs `work` on `count` contiguous parts of `smiles`, one Python thread each."""
    size = (len(smiles) + count - 1) // count
    parts = [smiles[i : i + size] for i in range(0, len(smiles), size)]
    failures = []

    def guarded(part):
        try:
            work(part)
        except BaseException as e:  # a failed thread must fail the benchmark, not time nothing
            failures.append(e)

    threads = [threading.Thread(target=guarded, args=(part,)) for part in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


def rdkit_props(smiles, all):
    """The columns of textchem props through RDKit's Python API, one molecule at a time."""
    from rdkit import Chem, RDLogger
    from rdkit.Chem import Crippen, Descriptors, Lipinski, rdMolDescriptors

    RDLogger.DisableLog("rdApp.*")
    rows = []
    for s in smiles:
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            rows.append(None)
            continue
        row = [
            Chem.MolToSmiles(mol),
            rdMolDescriptors.CalcMolFormula(mol),
            Descriptors.MolWt(mol),
            Descriptors.ExactMolWt(mol),
            mol.GetNumHeavyAtoms(),
            " ".join(str(a.GetTotalNumHs()) for a in mol.GetAtoms()),
        ]
        if all:
            row += [
                Crippen.MolLogP(mol),
                rdMolDescriptors.CalcTPSA(mol),
                Lipinski.NumHDonors(mol),
                Lipinski.NumHAcceptors(mol),
                rdMolDescriptors.CalcNumRotatableBonds(mol),
                rdMolDescriptors.CalcNumRings(mol),
                Chem.GetFormalCharge(mol),
            ]
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also the descriptor columns")
    parser.add_argument("--no-rdkit", action="store_true")
    args = parser.parse_args()
    if not CHEBI.is_file():
        raise SystemExit(f"{CHEBI} is absent")
    if not args.no_rdkit:
        import rdkit  # noqa: F401  (fail before timing anything when it is missing)
    smiles = load_smiles(args.rows)

    def ours(part):
        textchem.props(part, all=args.all, parallel=False)

    def theirs(part):
        rdkit_props(part, args.all)

    runs = [
        ("textchem, 1 thread", lambda: in_threads(1, smiles, ours)),
        ("textchem, 2 threads", lambda: in_threads(2, smiles, ours)),
        (
            "textchem, 1 call on every core (parallel=True)",
            lambda: textchem.props(smiles, all=args.all),
        ),
    ]
    if not args.no_rdkit:
        runs += [
            ("RDKit, 1 thread", lambda: in_threads(1, smiles, theirs)),
            ("RDKit, 2 threads", lambda: in_threads(2, smiles, theirs)),
        ]
    print(f"{len(smiles)} SMILES (ChEBI-20 test repeated), all={args.all}, best of {args.repeats}")
    print("| run | wall s | process CPU s | cpu/wall | SMILES/s (wall) |")
    print("|---|---|---|---|---|")
    results = {}
    for name, work in runs:
        wall, cpu = timed(work, args.repeats)
        results[name] = (wall, cpu)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / wall:.2f} | {len(smiles) / wall:,.0f} |")
    one, two = results["textchem, 1 thread"], results["textchem, 2 threads"]
    print(f"\ntextchem 2 threads vs 1: {one[0] / two[0]:.2f}x by wall time; CPU time "
          f"{two[1] / one[1]:.2f}x of the 1-thread run's (1.00 = no extra work from threading)")
    if "RDKit, 1 thread" in results:
        rd = results["RDKit, 1 thread"]
        print(f"textchem 1 thread vs RDKit 1 thread: {rd[0] / one[0]:.1f}x by wall, "
              f"{rd[1] / one[1]:.1f}x by CPU time")


if __name__ == "__main__":
    main()
