#!/usr/bin/env python3
"""RDKit reference values for textchem's molecular properties.

Pinned: rdkit==2026.9.1 (`pip install rdkit==2026.9.1`); other versions are refused because
masses and descriptor tables change between releases.

Modes
  props FILE [--limit N] [--seed S]
      One TSV row per molecule: id, smiles, formula, monoisotopic_mass, average_mass,
      heavy_atoms, hcounts, logp, tpsa, hbd, hba, nhoh, no, rotatable_bonds, rings,
      formal_charge, error.
      FILE is a table with a SMILES column and an id / CID / molecule_chembl_id column (TSV or
      CSV, e.g. ChEBI-20's test.txt, of which only CID and SMILES are read), a reaction TSV from
      ../shared/data/reactions (every `.`-separated species of the reactant, reagent and product
      columns, each species once), or a .smi file (SMILES [id]).
      --limit N keeps N rows chosen at random (seed S) so fixtures stay small.
  mass-tables DIR
      Writes DIR/atomic_weights.tsv and DIR/isotopes.tsv: the element weights and isotope
      masses of RDKit's periodic table, the data textchem's masses.rs reads.
"""
import argparse
import csv
import os
import random
import sys

import rdkit
from rdkit import Chem, RDLogger
from rdkit.Chem import Crippen, Descriptors, Lipinski, rdMolDescriptors

PINNED = "2026.09.1"
RDLogger.DisableLog("rdApp.*")


def table_rows(f, header, delimiter):
    lower = [h.lower() for h in header]
    smiles = lower.index("smiles")
    ident = next((lower.index(k) for k in ("id", "cid", "molecule_chembl_id") if k in lower), None)
    for n, parts in enumerate(csv.reader(f, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)):
        if len(parts) > smiles:
            # ChEBI-20 text carries doubled backslashes (an escaping artefact): read them as one.
            smi = parts[smiles].replace("\\\\", "\\")
            yield (parts[ident] if ident is not None else str(n + 1)), smi


def reaction_rows(f, header):
    cols = [i for i, name in enumerate(header) if name in ("reactants", "reagents", "product")]
    seen = set()
    for line in f:
        parts = line.rstrip("\n").split("\t")
        for i in cols:
            if i >= len(parts):
                continue
            for smi in parts[i].split("."):
                if smi and smi not in seen:
                    seen.add(smi)
                    yield f"s{len(seen)}", smi


def smi_rows(f):
    for i, line in enumerate(f):
        parts = line.split()
        if parts:
            yield (parts[1] if len(parts) > 1 else str(i + 1)), parts[0]


def read_rows(path):
    with open(path, newline="") as f:
        first = f.readline().rstrip("\r\n")
        delimiter = "\t" if "\t" in first else ","
        header = first.split(delimiter)
        if "product" in header:
            return list(reaction_rows(f, header))
        if "smiles" in [h.lower() for h in header]:
            return list(table_rows(f, header, delimiter))
        f.seek(0)
        return list(smi_rows(f))


def props(args):
    rows = read_rows(args.file)
    if args.limit and len(rows) > args.limit:
        rows = random.Random(args.seed).sample(rows, args.limit)
    sample = f", {len(rows)} rows sampled with seed {args.seed}" if args.limit else ""
    sys.stdout.write(f"# RDKit {rdkit.__version__} reference values for {os.path.basename(args.file)}"
                     f"{sample}\n# made by: scripts/rdkit_reference.py props {' '.join(sys.argv[2:])}\n")
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(["id", "smiles", "formula", "monoisotopic_mass", "average_mass", "heavy_atoms",
                "hcounts", "logp", "tpsa", "hbd", "hba", "nhoh", "no", "rotatable_bonds",
                "rings", "formal_charge", "error"])
    for ident, smi in rows:
        m = Chem.MolFromSmiles(smi)
        if m is None:
            w.writerow([ident, smi] + [""] * 14 + ["rdkit_rejects"])
            continue
        w.writerow([
            ident, smi, rdMolDescriptors.CalcMolFormula(m),
            f"{Descriptors.ExactMolWt(m):.6f}", f"{Descriptors.MolWt(m):.4f}",
            m.GetNumHeavyAtoms(), " ".join(str(a.GetTotalNumHs()) for a in m.GetAtoms()),
            f"{Crippen.MolLogP(m):.4f}", f"{rdMolDescriptors.CalcTPSA(m):.2f}",
            rdMolDescriptors.CalcNumHBD(m), rdMolDescriptors.CalcNumHBA(m),
            Lipinski.NHOHCount(m), Lipinski.NOCount(m),
            rdMolDescriptors.CalcNumRotatableBonds(m), rdMolDescriptors.CalcNumRings(m),
            Chem.GetFormalCharge(m), ""])


def mass_tables(args):
    pt = Chem.GetPeriodicTable()
    os.makedirs(args.dir, exist_ok=True)
    source = f"# Source: RDKit {rdkit.__version__} periodic table (scripts/rdkit_reference.py mass-tables)\n"
    with open(os.path.join(args.dir, "atomic_weights.tsv"), "w") as f:
        f.write(source)
        f.write("# Z\tsymbol\tatomic_weight\tmost_common_isotope\tits_exact_mass\n")
        for z in range(1, 119):
            f.write(f"{z}\t{pt.GetElementSymbol(z)}\t{pt.GetAtomicWeight(z)!r}\t"
                    f"{pt.GetMostCommonIsotope(z)}\t{pt.GetMostCommonIsotopeMass(z)!r}\n")
    with open(os.path.join(args.dir, "isotopes.tsv"), "w") as f:
        f.write(source)
        f.write("# Z\tmass_number\texact_mass\tabundance_percent\n")
        for z in range(1, 119):
            for a in range(1, 400):
                mass = pt.GetMassForIsotope(z, a)
                if mass > 0:
                    ab = pt.GetAbundanceForIsotope(z, a)
                    f.write(f"{z}\t{a}\t{mass!r}\t{ab!r}\n")


def main():
    if rdkit.__version__ != PINNED:
        sys.exit(f"rdkit {rdkit.__version__} found; pip install rdkit=={PINNED.replace('.09.', '.9.')}")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("props")
    a.add_argument("file")
    a.add_argument("--limit", type=int, default=0)
    a.add_argument("--seed", type=int, default=1)
    a.set_defaults(run=props)
    b = sub.add_parser("mass-tables")
    b.add_argument("dir")
    b.set_defaults(run=mass_tables)
    args = p.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
