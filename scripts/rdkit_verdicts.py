#!/usr/bin/env python3
"""RDKit's verdict on SMILES strings: valid or not, why, and its canonical SMILES.

textchem's "valid SMILES" verdict must equal RDKit's `Chem.MolFromSmiles` (default sanitization);
this script records RDKit's answers as a fixture that the Rust tests read without RDKit.

Pinned: rdkit==2026.9.1 (scripts/requirements-fixtures.txt); other versions are refused because
the valence model changes between releases.

    python3 scripts/rdkit_verdicts.py verdicts FILE [--column output] [--source TEXT] > OUT.tsv
    python3 scripts/rdkit_verdicts.py valence-limits > tests/fixtures/chem/rdkit_valence_limits.tsv

verdicts: FILE is a TSV with a header (the SMILES is the column named by --column, default the
last) or, with --column '', plain lines (one SMILES each). One row per input string, in input
order, duplicates kept:
    input    the string as given to MolFromSmiles
    verdict  valid | invalid
    error    RDKit's class: syntax (the parser refused it), valence (AtomValenceException),
             aromatic_outside_ring / kekulize (AtomKekulizeException / KekulizeException),
             other; empty when valid
    atoms    the atoms RDKit names (0-based, space-separated), empty when none
    canonical  MolToSmiles of the molecule when valid
Tabs and newlines cannot occur in the inputs (both end a SMILES).

valence-limits: for every element (1-118) and charge -4..+4, the largest total valence (bonds +
hydrogens) RDKit accepts on a bracket atom `[X+cHn]` with no other neighbours, or `any`; this is
the table textchem's valence check follows (src/chem/valence.rs).
"""
import argparse
import csv
import sys

import rdkit
from rdkit import Chem, RDLogger

PINNED = "2026.09.1"
RDLogger.DisableLog("rdApp.*")


def verdict(smiles):
    """(verdict, error class, atoms, canonical) as RDKit gives them."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is not None:
        return "valid", "", "", Chem.MolToSmiles(mol)
    raw = Chem.MolFromSmiles(smiles, sanitize=False)
    if raw is None:
        return "invalid", "syntax", "", ""
    for problem in Chem.DetectChemistryProblems(raw):
        kind = problem.GetType()
        if kind == "AtomValenceException":
            return "invalid", "valence", str(problem.GetAtomIdx()), ""
        if kind == "AtomKekulizeException":
            cls = "aromatic_outside_ring" if "non-ring" in problem.Message() else "kekulize"
            return "invalid", cls, str(problem.GetAtomIdx()), ""
        if kind == "KekulizeException":
            atoms = " ".join(str(a) for a in problem.GetAtomIndices())
            return "invalid", "kekulize", atoms, ""
        return "invalid", "other", "", ""
    return "invalid", "other", "", ""


def read_inputs(path, column):
    with open(path, newline="") as f:
        if column == "":
            for line in f:
                yield line.rstrip("\n")
            return
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows)
        at = header.index(column) if column else len(header) - 1
        for row in rows:
            yield row[at] if at < len(row) else ""


def cmd_verdicts(args):
    print(f"# RDKit {rdkit.__version__} Chem.MolFromSmiles verdicts for {args.source or args.file}")
    print(f"# made by: scripts/rdkit_verdicts.py verdicts {args.source or args.file}"
          + ("" if args.column is None else f" --column '{args.column}'"))
    print("input\tverdict\terror\tatoms\tcanonical")
    for smiles in read_inputs(args.file, args.column):
        print("\t".join((smiles,) + verdict(smiles)))


def accepts(text):
    return Chem.MolFromSmiles(text) is not None


def cmd_valence_limits(_args):
    table = Chem.GetPeriodicTable()
    print(f"# RDKit {rdkit.__version__}: largest total valence accepted on a bracket atom [X+cHn]")
    print("# made by: scripts/rdkit_verdicts.py valence-limits")
    print("z\tsymbol\tcharge\tmax_valence")
    for z in range(1, 119):
        symbol = table.GetElementSymbol(z)
        for charge in range(-4, 5):
            sign = "" if charge == 0 else ("+" if charge > 0 else "-") + str(abs(charge))
            ok = [v for v in range(0, 10) if accepts(f"[{symbol}H{v}{sign}]" if v else f"[{symbol}{sign}]")]
            if ok == list(range(0, 10)):
                limit = "any"
            elif not ok:
                limit = "none"
            else:
                assert ok == list(range(0, max(ok) + 1)), (symbol, charge, ok)
                limit = str(max(ok))
            print(f"{z}\t{symbol}\t{charge}\t{limit}")


def main():
    if rdkit.__version__ != PINNED:
        sys.exit(f"rdkit {rdkit.__version__} found; the fixtures were made with {PINNED}")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verdicts")
    v.add_argument("file")
    v.add_argument("--column", default=None, help="SMILES column of a TSV; '' for plain lines")
    v.add_argument("--source", default="", help="how the header names the input")
    v.set_defaults(run=cmd_verdicts)
    limits = sub.add_parser("valence-limits")
    limits.set_defaults(run=cmd_valence_limits)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
