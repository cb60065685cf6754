#!/usr/bin/env python3
"""RDKit reference for textchem's SMARTS matcher and MACCS keys.

For each molecule and each pattern of PATTERNS: the number of matches unique by atom set
(RDKit's GetSubstructMatches with uniquify=True and no practical cap); for each molecule the set
MACCS key numbers (RDKit's MACCSkeys.GenMACCSKeys, keys 1..166).

  python3 scripts/rdkit_smarts.py                 # writes the committed fixtures (a sample)
  python3 scripts/rdkit_smarts.py --full OUT_DIR  # every ChEBI-20 test molecule and approved drug
  python3 scripts/rdkit_smarts.py --wide OUT_DIR  # WIDE_PATTERNS on 1,000 + 600 of them

Molecules come from ../shared (ChEBI-20 test set, ChEMBL approved drugs); the fixtures carry
their SMILES, which are facts from those sets (ChEBI CC BY 4.0, ChEMBL CC BY-SA 3.0).
Fixture formats (tab-separated, `#` lines are comments):
  smarts_patterns.txt  one SMARTS per line
  smarts_counts.tsv    SMILES, then one count per pattern, in pattern order
  maccs_keys.tsv       SMILES, then the set key numbers separated by spaces
"""

import csv
import os
import random
import sys

from rdkit import Chem, RDLogger, rdBase
from rdkit.Chem import MACCSkeys

RDLogger.DisableLog("rdApp.*")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data")
FIXTURES = os.path.join(ROOT, "tests", "chem", "fixtures")

# Functional groups, rings, charges, recursion, valence, connectivity, H counts, ring sizes,
# bond primitives and negations.
PATTERNS = [
    "[CX3](=O)[OX2H1]",  # carboxylic acid
    "[CX3](=O)[OX1H0-,OX2H1]",  # acid or carboxylate
    "[#6][CX3](=O)[OX2H0][#6]",  # ester
    "[NX3][CX3](=[OX1])[#6]",  # amide
    "[CX3H1](=O)[#6]",  # aldehyde
    "[#6][CX3](=O)[#6]",  # ketone
    "[OX2H][CX4]",  # alcohol
    "[OX2H]c",  # phenol
    "[NX3;H2,H1;!$(NC=O)]",  # primary or secondary amine, not amide
    "[NX3;H2;!$(NC=[O,S,N])]",  # primary amine
    "[N+](=O)[O-]",  # nitro
    "[#7+]",
    "[#8-]",
    "[!+0]",
    "c1ccccc1",
    "a1aaaaa1",
    "[r5]",
    "[r6;!a]",
    "[R2]",
    "[R0;#6]",
    "[x3]",
    "[D3;#6]",
    "[X4;#6]",
    "[v3;#7]",
    "[v4;#16,#15]",
    "[CH3]",
    "[CH2;R]",
    "[h1]",
    "[$([OH]-[#6]),$([NH2]-c)]",
    "[$(C(=O)O)]",
    "*@*!@*",
    "[#6]=,:[#7]",
    "[#6]-&!@[#8]",
    "[#7]~[#6]~[#8]",
    "C=C",
    "C#N",
    "[Cl,Br,I]",
    "[S;D2](-,:*)-,:*",
    "[#6;a]:[#7;a]",
    "[!#6;!#1;!H0]",
    "[O;H1,-1]",
    "[C;!R]=[C;!R]",
    "[#6]1~[#6]~[#6]~[#6]~[#6]1",
    "*1~*~*~*~*~*~*~1",
    "O.O",
]

# A wider sweep: the 163 MACCS SMARTS as count patterns (recursion, ring bonds, `!@`, `!:`...)
# and more primitive combinations, RDKit's ranges and heteroatom-neighbour counts included.
WIDE_EXTRA = [
    "[#6;X3;v4]", "[N;v3;X3;H0]", "[O;X1]", "[n;H1]", "[nX2]", "[c;x3]", "[C;x2;r6]",
    "[R1;r5]", "[r7,r8]", "[$(a1aaaaa1)]", "[!R;!a;#6;H2]", "[C;!$(C~[!#6])]", "*=*", "*#*",
    "[!#1]~[!#1]", "a:a:a:a", "[a]-[a]", "[#6]=,#[#6]", "[N;$(N=*),$(N#*)]",
    "[#7;!$([#7]~[#8])]", "[S,P;v5,v6]", "[+1,+2,+3]", "[-1,-2]", "[I,Br]-c", "C(F)(F)F",
    "[CX4][OX2][CX4]", "O=C-[OH]", "[#6]~1~[#6]~[#6]~[#6]~[#6]~1", "[$([#6]-[#7]);!$([#6]=O)]",
    "[D4]", "[X1;#8]", "[z2]", "[#6;Z{1-}]", "[D{2-3};#6]", "[x{2-}]", "[v{-3};!#1]",
    "[h{1-2};#7]", "[r{5-6}]", "[R{2-}]",
]


def wide_patterns():
    maccs = [p for p, _ in MACCSkeys.smartsPatts.values() if p != "?"]
    return maccs + WIDE_EXTRA


def read_molecules(limit_chebi=None, limit_drugs=None, seed=0):
    chebi = []
    with open(os.path.join(SHARED, "chebi20", "test.txt")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            chebi.append(row["SMILES"].replace("\\\\", "\\"))
    drugs = []
    with open(os.path.join(SHARED, "drugs", "chembl_approved_drugs.rdkit.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            drugs.append(row["smiles"])
    rng = random.Random(seed)
    if limit_chebi is not None:
        chebi = rng.sample(chebi, limit_chebi)
    if limit_drugs is not None:
        drugs = rng.sample(drugs, limit_drugs)
    out = []
    for smi in chebi + drugs:
        if " " in smi or "\t" in smi:
            continue
        mol = Chem.MolFromSmiles(smi)
        if mol is not None:
            out.append((smi, mol))
    return out


def counts(mol, patterns):
    return [len(mol.GetSubstructMatches(p, uniquify=True, maxMatches=10**7)) for p in patterns]


def maccs(mol):
    fp = MACCSkeys.GenMACCSKeys(mol)
    return [i for i in fp.GetOnBits() if i > 0]


def write(out_dir, mols, texts=PATTERNS):
    patterns = [Chem.MolFromSmarts(s) for s in texts]
    assert all(p is not None for p in patterns)
    header = f"# RDKit {rdBase.rdkitVersion}; written by scripts/rdkit_smarts.py\n"
    with open(os.path.join(out_dir, "smarts_patterns.txt"), "w") as f:
        f.write(header)
        for s in texts:
            f.write(s + "\n")
    with open(os.path.join(out_dir, "smarts_counts.tsv"), "w") as f:
        f.write(header)
        for smi, mol in mols:
            f.write("\t".join([smi] + [str(c) for c in counts(mol, patterns)]) + "\n")
    with open(os.path.join(out_dir, "maccs_keys.tsv"), "w") as f:
        f.write(header)
        for smi, mol in mols:
            f.write(smi + "\t" + " ".join(str(k) for k in maccs(mol)) + "\n")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--full":
        os.makedirs(sys.argv[2], exist_ok=True)
        write(sys.argv[2], read_molecules())
    elif len(sys.argv) == 3 and sys.argv[1] == "--wide":
        os.makedirs(sys.argv[2], exist_ok=True)
        write(sys.argv[2], read_molecules(limit_chebi=1000, limit_drugs=600, seed=7),
              wide_patterns())
    elif len(sys.argv) == 1:
        write(FIXTURES, read_molecules(limit_chebi=200, limit_drugs=100))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
