"""fingerprint, tanimoto, similar, match, inchi and evaluate against the textchem CLI, and their
errors."""

import csv
import io
import json
import math
import subprocess
import sys

import pytest
import textchem
from conftest import SHARED
from gil import longest_stall

INLINE = [
    "CCO ethanol",
    "CC(=O)Oc1ccccc1C(=O)O\taspirin",
    "C1CC",
    "c1ccccc1",
    "OC(=O)c1ccccc1O",
    "O=[N+]([O-])c1ccccc1",
    "C[C@H](N)C(=O)O alanine",
    "[13CH4]",
    "[Na+].[Cl-]",
    "[H][H]",
    "CCO.CC(=O)O>>CCOC(C)=O rxn",
    "CC |^1:1|",
    "OCCO",
    "c1ccc2ccccc2c1",
]

CHOICES = [
    {},
    {"counts": True},
    {"radius": 3, "bits": 1024},
    {"kind": "rdkit"},
    {"kind": "rdkit", "bits": 1024},
    {"kind": "maccs"},
]


def chebi_smiles(n=300):
    path = SHARED / "data" / "chebi20" / "test.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [row["SMILES"] for row in rows[:n]], [row["description"] for row in rows[:n]]


def write_lines(tmp_path, lines, name="in.smi"):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def failed(row):
    """Whether a CLI row has no value: its error column holds an error, not only warnings."""
    return bool(row["error"]) and not row["error"].startswith("warning:")


def choice_args(choice):
    args = ["--kind", choice.get("kind", "morgan")]
    args += ["--radius", choice.get("radius", 2), "--bits", choice.get("bits", 2048)]
    return args + (["--counts"] if choice.get("counts") else [])


def cli_fingerprints(textchem_cli, path, choice):
    """The CLI's fingerprints, shaped as textchem.fingerprint returns them."""
    rows = csv_rows(textchem_cli("fingerprint", path, *choice_args(choice)))
    column = "counts" if choice.get("counts") else "on_bits"
    out = []
    for row in rows:
        if failed(row):
            out.append(None)
        elif column == "counts":
            pairs = (item.split(":") for item in row[column].split())
            out.append({int(k): int(v) for k, v in pairs})
        else:
            out.append([int(bit) for bit in row[column].split()])
    return out


def assert_fingerprints_equal_cli(textchem_cli, tmp_path, smiles):
    path = write_lines(tmp_path, smiles)
    for choice in CHOICES:
        ours = textchem.fingerprint(smiles, **choice)
        assert ours == cli_fingerprints(textchem_cli, path, choice), choice
        assert ours == textchem.fingerprint(smiles, parallel=False, **choice)


def assert_similar_equals_cli(textchem_cli, tmp_path, query, smiles):
    path = write_lines(tmp_path, smiles)
    for choice in CHOICES:
        for top in (None, 5):
            args = ["similar", query, path, *choice_args(choice)]
            rows = csv_rows(textchem_cli(*args, *(["--top", top] if top else [])))
            # Lines without an id are numbered from 1; these inputs give every line its number.
            expected = [(int(r["id"]) - 1, float(r["similarity"])) for r in rows if r["rank"]]
            assert textchem.similar(query, smiles, top=top, **choice) == expected, (choice, top)


PATTERNS = ["[OX2H]", "c1ccccc1", "[#6]~[#7]", "C(=O)[OH]", "[R]", "[!#1]", "*~*~*", "[N+](=O)[O-]"]


def assert_match_equals_cli(textchem_cli, tmp_path, smiles):
    path = write_lines(tmp_path, smiles)
    for pattern in PATTERNS:
        rows = csv_rows(textchem_cli("match", pattern, path))
        expected = [None if failed(r) else int(r["matches"]) for r in rows]
        assert textchem.match(pattern, smiles) == expected, pattern


def assert_inchi_equals_props(textchem_cli, tmp_path, smiles):
    path = write_lines(tmp_path, smiles)
    rows = csv_rows(textchem_cli("props", path, "--all"))
    assert len(rows) == len(smiles)
    for line, row in zip(smiles, rows):
        molecule = line.split()[0]
        if row["inchikey"]:
            assert textchem.inchi(molecule) == (row["inchi"], row["inchikey"]), line
        else:
            with pytest.raises(ValueError):
                textchem.inchi(molecule)


def ids_numbered(lines):
    """The items without their ids, so that the CLI numbers every line."""
    return [line if "|" in line else line.split()[0] for line in lines]


def test_fingerprints_equal_the_cli_on_inline_cases(textchem_cli, tmp_path):
    assert_fingerprints_equal_cli(textchem_cli, tmp_path, INLINE)


def test_fingerprints_equal_the_cli_on_chebi20(textchem_cli, tmp_path):
    smiles, _ = chebi_smiles()
    assert_fingerprints_equal_cli(textchem_cli, tmp_path, smiles)


def test_similar_equals_the_cli(textchem_cli, tmp_path):
    assert_similar_equals_cli(textchem_cli, tmp_path, "CC(=O)Oc1ccccc1C(=O)O", ids_numbered(INLINE))


def test_similar_equals_the_cli_on_chebi20(textchem_cli, tmp_path):
    smiles, _ = chebi_smiles()
    assert_similar_equals_cli(textchem_cli, tmp_path, smiles[0], smiles)


def test_match_equals_the_cli(textchem_cli, tmp_path):
    assert_match_equals_cli(textchem_cli, tmp_path, INLINE)


def test_match_equals_the_cli_on_chebi20(textchem_cli, tmp_path):
    smiles, _ = chebi_smiles()
    assert_match_equals_cli(textchem_cli, tmp_path, smiles)


def test_inchi_equals_the_props_columns(textchem_cli, tmp_path):
    molecules = [line for line in INLINE if ">" not in line and "|" not in line] + ["*C"]
    assert_inchi_equals_props(textchem_cli, tmp_path, molecules)


def test_inchi_equals_the_props_columns_on_chebi20(textchem_cli, tmp_path):
    smiles, _ = chebi_smiles()
    assert_inchi_equals_props(textchem_cli, tmp_path, smiles)


def cli_report(textchem_cli, tmp_path, task, references, predictions):
    """`textchem eval --format json` on a predictions TSV of these rows."""
    ranks = max(len(p) if isinstance(p, list) else 1 for p in predictions)
    header = ["ground truth", "output"] + [f"output_{k}" for k in range(2, ranks + 1)]
    lines = ["\t".join(header)]
    for reference, prediction in zip(references, predictions):
        outputs = prediction if isinstance(prediction, list) else [prediction]
        lines.append("\t".join([reference, *outputs, *[""] * (ranks - len(outputs))]))
    path = tmp_path / f"{task}.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return json.loads(textchem_cli("eval", "--task", task, "--predictions", path, "--format", "json"))


def assert_reports_equal(ours, theirs):
    assert ours["task"] == theirs["task"] and ours["n"] == theirs["n"]
    assert list(ours["metrics"]) == list(theirs["metrics"])
    for name, value in ours["metrics"].items():
        expected = theirs["metrics"][name]
        # JSON has no NaN: the CLI writes it as null.
        if expected is None:
            assert math.isnan(value), name
        else:
            assert value == expected, name


EVAL_CASES = {
    "molecule": (["CCO", "c1ccccc1", "CC(=O)O", "C1CC"], ["OCC", "c1ccccc1C", "CC(=O)O", "CC"]),
    "forward": (["CCO", "CC=O", "c1ccccc1O"], [["CC=O", "OCC"], ["CC=O"], ["x", "Oc1ccccc1"]]),
    "retro": (["CCO.CC(=O)O", "CC=O"], ["OCC.OC(C)=O", ["CC", "CC=O"]]),
    "caption": (
        ["The molecule is an alcohol.", "It is a benzene derivative with a methyl group."],
        ["The molecule is an alcohols.", "A methylated benzenes derivative."],
    ),
    "actions": (
        ["ADD water; STIR for 2 h; FILTER", "CONCENTRATE"],
        ["ADD water; STIR for 3 h; FILTER", "CONCENTRATE"],
    ),
}


@pytest.mark.parametrize("task", sorted(EVAL_CASES))
def test_evaluate_equals_the_cli(textchem_cli, tmp_path, task):
    references, predictions = EVAL_CASES[task]
    ours = textchem.evaluate(task, references, predictions)
    assert_reports_equal(ours, cli_report(textchem_cli, tmp_path, task, references, predictions))


def test_evaluate_equals_the_cli_on_chebi20(textchem_cli, tmp_path):
    smiles, descriptions = chebi_smiles()
    # Outputs that are right, a neighbour's, or broken, so that every metric is exercised.
    outputs = [s if i % 3 == 0 else smiles[i - 1] if i % 3 == 1 else s[:-2] for i, s in enumerate(smiles)]
    ours = textchem.evaluate("molecule", smiles, outputs)
    assert_reports_equal(ours, cli_report(textchem_cli, tmp_path, "molecule", smiles, outputs))
    captions = descriptions[1:] + descriptions[:1]
    ours = textchem.evaluate("caption", descriptions, captions)
    assert_reports_equal(ours, cli_report(textchem_cli, tmp_path, "caption", descriptions, captions))


def test_small_values_are_right_without_the_cli():
    ethanol, bad, reaction = textchem.fingerprint(["CCO", "C1CC", "CC>>CC"])
    assert ethanol == sorted(ethanol) and len(ethanol) == 6
    assert bad is None and reaction is None
    # GetMorganFingerprint(C, 2) has the one id 2246733040; 2246733040 % 2048 == 1264.
    assert textchem.fingerprint(["C"]) == [[1264]]
    assert textchem.fingerprint(["C"], counts=True) == [{2246733040: 1}]
    assert textchem.fingerprint(["CCO"], kind="rdkit") == [[562, 1183, 1308, 1339, 1728, 1772]]
    assert all(1 <= key <= 166 for key in textchem.fingerprint(["CC(=O)O"], kind="maccs")[0])
    assert textchem.fingerprint(["  "]) == [None]
    assert textchem.tanimoto([1, 2, 3], [2, 3, 4]) == 0.5
    assert textchem.tanimoto([1, 1, 2], [2]) == 0.5
    assert textchem.tanimoto([], []) == 0.0
    assert textchem.tanimoto({1: 2, 5: 1}, {1: 1, 7: 1}) == 0.25
    a, b = textchem.fingerprint(["CCO", "CCN"], counts=True)
    assert 0 < textchem.tanimoto(a, b) < 1 and textchem.tanimoto(a, a) == 1.0
    assert textchem.similar("CCO", ["CCCC", "C1CC", "CCO", "CCO"], top=2) == [(2, 1.0), (3, 1.0)]
    assert textchem.match("[OX2H]", ["OCCO glycol", "C1CC", "c1ccccc1O", "CC>>CC"]) == [2, None, 1, None]
    assert textchem.inchi("CCO") == ("InChI=1S/C2H6O/c1-2-3/h3H,2H2,1H3", "LFQSCWFLJHTTHZ-UHFFFAOYSA-N")
    report = textchem.evaluate("molecule", ["CCO", "CC"], ["CCO", "CN"])
    assert report["task"] == "molecule" and report["n"] == 2
    assert report["metrics"]["exact"] == 0.5 and report["metrics"]["validity"] == 1.0


def test_bad_input_raises():
    with pytest.raises(ValueError, match="unknown fingerprint kind"):
        textchem.fingerprint(["C"], kind="ecfp")
    with pytest.raises(ValueError, match="counts"):
        textchem.fingerprint(["C"], kind="rdkit", counts=True)
    with pytest.raises(ValueError, match="bits"):
        textchem.fingerprint(["C"], bits=0)
    with pytest.raises(ValueError, match="maccs"):
        textchem.fingerprint(["C"], kind="maccs", bits=1024)
    with pytest.raises(ValueError, match="item 1: .*column"):
        textchem.fingerprint(["C", "C1CC"], strict=True)
    with pytest.raises(TypeError):
        textchem.fingerprint("CCO")
    with pytest.raises(TypeError):
        textchem.tanimoto([1, 2], {1: 1})
    with pytest.raises(TypeError):
        textchem.tanimoto("12", [1])
    with pytest.raises((TypeError, OverflowError, ValueError)):
        textchem.tanimoto([-1], [1])
    with pytest.raises(ValueError, match="query"):
        textchem.similar("C1CC", ["CCO"])
    with pytest.raises(ValueError, match="item 0"):
        textchem.similar("CCO", ["C1CC"], strict=True)
    with pytest.raises(ValueError, match="column 1"):
        textchem.match("C(=O", ["CCO"])
    with pytest.raises(ValueError, match="item 1: a reaction"):
        textchem.match("C", ["CCO", "CC>>CC"], strict=True)
    with pytest.raises(ValueError, match="column"):
        textchem.inchi("C1CC")
    with pytest.raises(ValueError, match="wildcard"):
        textchem.inchi("*C")
    with pytest.raises(ValueError, match="reaction"):
        textchem.inchi("CC>>CC")
    with pytest.raises(ValueError):
        textchem.inchi("")
    with pytest.raises(ValueError, match="task"):
        textchem.evaluate("summarise", ["a"], ["a"])
    with pytest.raises(ValueError, match="2 references but 1 predictions"):
        textchem.evaluate("molecule", ["C", "CC"], ["C"])
    with pytest.raises(ValueError, match="no rows"):
        textchem.evaluate("molecule", [], [])
    with pytest.raises(ValueError, match="prediction 0"):
        textchem.evaluate("forward", ["C"], [[]])
    with pytest.raises(TypeError, match="prediction 0"):
        textchem.evaluate("forward", ["C"], [5])


def test_fingerprint_releases_the_gil_while_it_computes():
    smiles = ["c1ccccc1" + "C(C)(O)" * 40 + "N"] * 20000
    took, stall = longest_stall(lambda: textchem.fingerprint(smiles, parallel=False))
    assert stall < 0.5 * took, (took, stall)


HOSTILE_CHILD = r"""
import textchem
nasty = [
    "C(" * 5000 + "C" + ")" * 5000, "C" * 20000, "C1" * 5000, "(" * 10000, "\0", "[" * 1000,
    "C%99%99", "c1ccccc1" * 200, ">" * 1000, "[CH4+999999999999]", "[999999C]", "*" * 3000,
    "[*]" * 500, "C1CC2CC3CC4CC5CC6CC7CC8CC9CC%10CC%11C%11C%10C9C8C7C6C5C4C3C2C1",
]
for kind in ("morgan", "rdkit", "maccs"):
    textchem.fingerprint(nasty, kind=kind)
textchem.fingerprint(nasty, counts=True, radius=50)
textchem.similar("CCO", nasty)
for pattern in ("*~*~*~*", "[R2]", "*" * 10):
    textchem.match(pattern, nasty)
for text in nasty:
    try:
        textchem.inchi(text)
    except ValueError:
        pass
for task in ("molecule", "caption", "forward", "actions"):
    textchem.evaluate(task, nasty, nasty[::-1])
print("survived")
"""


def test_hostile_input_raises_or_reports_but_never_crashes_the_interpreter():
    # In a child interpreter, so that a crash is a failed test rather than a lost test run.
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE_CHILD], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0 and "survived" in done.stdout, done.stderr[-3000:]
