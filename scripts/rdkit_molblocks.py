#!/usr/bin/env python3
"""MOL blocks as RDKit writes them, with what RDKit reads back: the fixture of
tests/chem/molfile.rs (tests/fixtures/chem/rdkit_molblocks.sdf), and the measurement of
docs/molfile.md.

Pinned: rdkit==2026.9.1 (scripts/requirements-fixtures.txt).

    python3 scripts/rdkit_molblocks.py fixture > tests/fixtures/chem/rdkit_molblocks.sdf
    python3 scripts/rdkit_molblocks.py write [--form v2000|v3000|noflag|3d|2dh] SMILES_FILE... > ALL.sdf
    python3 scripts/rdkit_molblocks.py score ALL.sdf TEXTCHEM_OUT.txt

fixture: about 150 molecules of the committed fixtures (tests/fixtures/chem/drugs_rdkit.tsv and
chebi20_test_rdkit.tsv, molecules of at most 30 heavy atoms to keep the file small) chosen for
what a MOL block says: the most stereo-rich ones, charged ones, isotopes, radicals, plus
handmade small cases (SMALL), metal complexes with dative bonds and molecules with enhanced
stereo groups. Each is
written by MolToMolBlock in one of these forms (data field `form`):
    v2000     2D coordinates from Compute2DCoords, V2000, the chiral flag set
    noflag    the same with the chiral flag 0
    v3000     forceV3000=True
    3d        AddHs, EmbedMolecule(randomSeed=0xf00d), 3D coordinates, hydrogens as atoms
    2dh       AddHs, then as v2000: hydrogens drawn as atoms, some of them wedged
RDKit writes V3000 itself where V2000 cannot say what the molecule holds (dative bonds,
enhanced stereo). Data field `rdkit` is MolToCXSmiles of MolFromMolBlock(block) with only the
enhanced-stereo part of the layer (plain canonical SMILES where there are no groups).

write: the same with every molecule of the given files (the SMILES column of a ChEBI-20 .txt,
or the `canonical_smiles`/`smiles` column of a .csv) in one form (v2000 unless --form says);
`rdkit` is RDKit's reading of the block, the title `FILE:ROW`. A molecule RDKit cannot write in
that form (no 3D embedding) or read back is left out.

score: TEXTCHEM_OUT has one line per record of ALL.sdf, `textchem props`-style: the canonical
SMILES textchem read from the block (or `error: ...`). Counts the records where RDKit reading
textchem's SMILES gives RDKit's canonical SMILES of the block.
"""

import csv
import random
import sys

from rdkit import Chem, RDLogger
from rdkit.Chem import AllChem

RDLogger.DisableLog("rdApp.*")

FIXTURES = ["tests/fixtures/chem/drugs_rdkit.tsv", "tests/fixtures/chem/chebi20_test_rdkit.tsv"]

DATIVE = [
    "[NH3]->[Pt+2](Cl)(Cl)<-[NH3]",
    "[15NH3]->[Pt](Cl)(Cl)<-[NH3]",
    "O->[Cu+2](<-O)(<-O)<-O",
    "C1=CC=[N]2C(=C1)C1=CC=CC=[N]1->[Ru+2]<-2",
    "CC(=O)O->[Zn+2]<-OC(C)=O",
    "[O-][N+](=O)c1ccc(cc1)C(=O)O->[Fe]",
    "C[C@H](N->[Co+3])C(=O)O",
    "N1(C)C=CN=C1->[Mg]",
]

# Small cases for what a block says beside the data sets' molecules: radicals, isotopes (an
# isotopic H stays an atom), hydrogens that reference a double bond, metals and their valence
# fields, salts, S/P/N+ centres, macrocycle and "either" double bonds, wildcards, hypervalent
# groups.
SMALL = [
    "[CH3]", "[CH2]CC", "[O]O", "C[N]C", "[C]", "[CH]=O", "C[O]",
    "[2H]C", "[13CH3]O", "[2H][C@@H](O)C", "[3H]C(F)(Cl)Br", "[H]/N=C/C",
    "[Na+].[Cl-]", "[Fe+3]", "[O-2]", "[MgH2]", "C[Si](C)(C)C", "C[SnH](C)C", "[AlH3]",
    "C[S@](=O)CC", "C[P@](=O)(O)OC", "C[N@+](CC)(CCC)CCCC", "C1CCC/C=C/CCC1", "CC=CC",
    "*CC", "[1*]CC", "C[N+](=O)[O-]", "CN=[N+]=[N-]", "FI(F)F", "[Xe]", "N#CC#N",
]

# In 3D: RDKit gives three-coordinate P no configuration from positions, S one.
SMALL_3D = ["C[P@](CC)CCC", "C[S@](=O)CC", "CC[S@@+](C)CCC", "[2H][C@@H](O)C"]

ENHANCED = [
    "C[C@H](O)C[C@@H](C)O |o1:1,&2:4|",
    "C[C@H](O)CC |&1:1|",
    "C[C@@H](N)C(=O)O |o1:1|",
    "C[C@H](Cl)[C@@H](C)Br |&1:1,3|",
    "C[C@H](O)[C@H](C)O |a:1,o1:3|",
    "O[C@H]1CC[C@@H](CC1)C(=O)O |&1:1,4|",
    "CC[C@H](C)[C@@H](N)C(=O)O |o1:2,o2:4|",
    "F[C@H](Cl)Br |&1:1|",
]


def read_smiles_column(path):
    rows = []
    with open(path) as f:
        lines = [line for line in f if not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    for row in reader:
        if row.get("smiles"):
            rows.append((row["id"], row["smiles"]))
    return rows


def rdkit_reading(block):
    m = Chem.MolFromMolBlock(block)
    if m is None:
        return None
    if m.GetStereoGroups():
        return Chem.MolToCXSmiles(m, Chem.SmilesWriteParams(), Chem.CXSmilesFields.CX_ENHANCEDSTEREO)
    return Chem.MolToSmiles(m)


def block_of(mol, form):
    m = Chem.Mol(mol)
    if form == "3d":
        m = Chem.AddHs(m)
        if AllChem.EmbedMolecule(m, randomSeed=0xF00D) != 0:
            return None
        Chem.AssignStereochemistryFrom3D(m)
        return Chem.MolToMolBlock(m)
    if form == "2dh":
        m = Chem.AddHs(m)
    Chem.rdDepictor.Compute2DCoords(m)
    if form in ("v2000", "v3000", "2dh"):
        m.SetIntProp("_MolFileChiralFlag", 1)
    return Chem.MolToMolBlock(m, forceV3000=(form == "v3000"))


def record(block, name, form, expected):
    lines = block.split("\n")
    lines[0] = name
    block = "\n".join(lines)
    return f"{block}> <form>\n{form}\n\n> <rdkit>\n{expected}\n\n$$$$\n"


def stereo_count(m):
    centres = Chem.FindMolChiralCenters(m, includeUnassigned=False, useLegacyImplementation=False)
    doubles = sum(
        1 for b in m.GetBonds() if b.GetStereo() in (Chem.BondStereo.STEREOE, Chem.BondStereo.STEREOZ)
    )
    return len(centres) + doubles


def fixture():
    rng = random.Random(1)
    mols = []
    seen = set()
    for path in FIXTURES:
        for mid, smi in read_smiles_column(path):
            m = Chem.MolFromSmiles(smi)
            if m is None or m.GetNumHeavyAtoms() > 30 or smi in seen:
                continue
            seen.add(smi)
            mols.append((mid, m))
    by_stereo = sorted(mols, key=lambda x: -stereo_count(x[1]))
    stereo = by_stereo[:50]
    charged = [x for x in mols if any(a.GetFormalCharge() for a in x[1].GetAtoms())]
    isotopes = [x for x in mols if any(a.GetIsotope() for a in x[1].GetAtoms())]
    radicals = [x for x in mols if any(a.GetNumRadicalElectrons() for a in x[1].GetAtoms())]
    small_stereo = [x for x in by_stereo if x[1].GetNumHeavyAtoms() <= 20 and stereo_count(x[1]) > 0]
    chosen = []
    chosen += [(mid, m, "v2000") for mid, m in stereo[:30]]
    chosen += [(mid, m, "v3000") for mid, m in stereo[30:40]]
    chosen += [(mid, m, "noflag") for mid, m in stereo[40:50]]
    chosen += [(mid, m, "v2000") for mid, m in rng.sample(charged, min(20, len(charged)))]
    chosen += [(mid, m, "v2000") for mid, m in isotopes[:10]]
    chosen += [(mid, m, "v2000") for mid, m in radicals[:10]]
    chosen += [(mid, m, "3d") for mid, m in small_stereo[:25]]
    for i, smi in enumerate(SMALL):
        form = "v3000" if i % 4 == 3 else "v2000"
        chosen.append((f"small{i + 1}", Chem.MolFromSmiles(smi), form))
    for i, smi in enumerate(SMALL_3D):
        chosen.append((f"small3d{i + 1}", Chem.MolFromSmiles(smi), "3d"))
    for i, smi in enumerate(DATIVE):
        chosen.append((f"dative{i + 1}", Chem.MolFromSmiles(smi), "v2000"))
    params = Chem.SmilesParserParams()
    for i, smi in enumerate(ENHANCED):
        chosen.append((f"enhanced{i + 1}", Chem.MolFromSmiles(smi, params), "v2000"))
    out = sys.stdout
    for mid, m, form in chosen:
        block = block_of(m, form)
        if block is None:
            continue
        expected = rdkit_reading(block)
        if expected is None:
            continue
        out.write(record(block, str(mid), form, expected))


def read_inputs(paths):
    for path in paths:
        with open(path) as f:
            if path.endswith(".csv"):
                reader = csv.DictReader(f)
                for i, row in enumerate(reader):
                    yield f"{path}:{i + 1}", row.get("canonical_smiles") or row.get("smiles")
            else:
                header = f.readline().split("\t")
                for i, line in enumerate(f):
                    cols = line.rstrip("\n").split("\t")
                    col = 1 if len(header) > 1 and header[0].strip().lower() == "cid" else 0
                    yield f"{path}:{i + 1}", cols[col].replace("\\\\", "\\")


def write(args):
    form = "v2000"
    if args and args[0] == "--form":
        form, args = args[1], args[2:]
    for rid, smi in read_inputs(args):
        m = Chem.MolFromSmiles(smi or "")
        if m is None:
            continue
        block = block_of(m, form)
        expected = block and rdkit_reading(block)
        if expected is None:
            continue
        sys.stdout.write(record(block, rid, form, expected))


def score(sdf, ours):
    expected = [m.GetProp("rdkit") for m in Chem.SDMolSupplier(sdf, sanitize=False)]
    with open(ours) as f:
        got = [line.rstrip("\n") for line in f]
    same = errors = 0
    misses = []
    for i, (want, have) in enumerate(zip(expected, got)):
        if have == want:
            # The same string (RDKit's SMILES reader would drop a kept [H] of it).
            same += 1
            continue
        if have.startswith("error"):
            errors += 1
            misses.append((i + 1, want, have))
            continue
        m = Chem.MolFromSmiles(have, Chem.SmilesParserParams())
        mine = m and (
            Chem.MolToCXSmiles(m, Chem.SmilesWriteParams(), Chem.CXSmilesFields.CX_ENHANCEDSTEREO)
            if m.GetStereoGroups()
            else Chem.MolToSmiles(m)
        )
        if mine == want:
            same += 1
        else:
            misses.append((i + 1, want, have))
    print(f"records: {len(expected)}  textchem lines: {len(got)}")
    print(f"same as RDKit: {same} / {len(expected)}  errors: {errors}")
    for n, want, have in misses[:40]:
        print(f"  record {n}: rdkit {want}  textchem {have}")


if __name__ == "__main__":
    if sys.argv[1] == "fixture":
        fixture()
    elif sys.argv[1] == "write":
        write(sys.argv[2:])
    elif sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
