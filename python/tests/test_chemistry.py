"""props, canonical and draw against the textchem CLI and the reader's errors."""

import csv
import io
import subprocess
import sys

import pytest
import textchem
from conftest import SHARED
from gil import longest_stall

# The CSV's decimals per float column (textchem props writes these roundings).
DECIMALS = {"average_mass": 4, "monoisotopic_mass": 6, "logp": 4, "tpsa": 2}


def as_csv_text(column, value):
    """A props value written as the CLI's CSV writes it."""
    if value is None:
        return ""
    if column in DECIMALS:
        return f"{value:.{DECIMALS[column]}f}"
    return str(value)


def cli_rows(textchem_cli, tmp_path, lines, all):
    path = tmp_path / "in.smi"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    args = ["props", path] + (["--all"] if all else [])
    return list(csv.DictReader(io.StringIO(textchem_cli(*args), newline="")))


def assert_same_as_cli(textchem_cli, tmp_path, lines, all):
    ours = textchem.props(lines, all=all)
    theirs = cli_rows(textchem_cli, tmp_path, lines, all)
    assert len(ours) == len(theirs) == len(lines)
    for row, expected in zip(ours, theirs):
        assert list(row) == list(expected)
        written = {k: as_csv_text(k, v) for k, v in row.items()}
        assert written == expected


EDGE_CASES = [
    "CCO ethanol",
    "CC(=O)Oc1ccccc1C(=O)O\taspirin",
    "C1CC",
    "O=C\u00a0=O",
    "CC |^1:1| ethyl",
    "CCO.CC(=O)O>[H+]>CCOC(C)=O.O esterification",
    "[13CH4]",
    "[Xx]",
    "c1cccc1",
    "[Na+].[Cl-] salt, with a comma",
    'C "quoted"',
]


@pytest.mark.parametrize("all", [False, True])
def test_props_equals_the_cli_on_edge_cases(textchem_cli, tmp_path, all):
    assert_same_as_cli(textchem_cli, tmp_path, EDGE_CASES, all)


@pytest.mark.parametrize("all", [False, True])
def test_props_equals_the_cli_on_chebi20_test(textchem_cli, tmp_path, all):
    path = SHARED / "data" / "chebi20" / "test.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8") as f:
        smiles = [row["SMILES"] for row in csv.DictReader(f, delimiter="\t")]
    assert len(smiles) == 3300
    assert_same_as_cli(textchem_cli, tmp_path, smiles, all)


def test_props_values_are_typed_and_errors_are_rows():
    ethanol, bad, blank = textchem.props(["CCO", "C1CC", "  "])
    assert ethanol["id"] == "1"
    assert ethanol["formula"] == "C2H6O"
    assert ethanol["average_mass"] == pytest.approx(46.069)
    assert ethanol["heavy_atoms"] == 3 and ethanol["hydrogens"] == "3 2 1"
    assert ethanol["error"] is None
    assert bad["id"] == "2" and bad["formula"] is None
    assert "column" in bad["error"]
    assert blank["error"]
    assert list(textchem.props(["C"], all=True)[0]) == textchem.PROPS_COLUMNS


def test_props_refuses_what_is_not_a_list_of_strings():
    with pytest.raises(TypeError):
        textchem.props("CCO")
    with pytest.raises(TypeError):
        textchem.props(["CCO", 5])


def test_canonical_and_its_errors():
    assert textchem.canonical("OCC") == "CCO"
    assert textchem.canonical("C(C)O") == textchem.canonical("CCO")
    assert textchem.canonical("OCC>>CC=O").count(">") == 2
    with pytest.raises(ValueError, match="column"):
        textchem.canonical("C1CC")
    with pytest.raises(ValueError, match="column 3"):
        textchem.canonical("O=C\u00a0=O")
    with pytest.raises(ValueError):
        textchem.canonical("")


def test_canonical_reads_a_cxsmiles_layer_and_warns_what_it_drops():
    racemate = textchem.canonical("C[C@H](O)CC |&1:1|")
    assert racemate == textchem.canonical("CC[C@@H](C)O |&1:2|")
    assert racemate.endswith("|&1:2|")
    assert "_R1" in textchem.canonical("*c1ccccc1 |$_R1;;;;;;$|")
    with pytest.warns(UserWarning, match="wiggly"):
        textchem.canonical("CC(O)F |w:1.0|")
    with pytest.raises(ValueError, match="column"):
        textchem.canonical("CC |^1:7|")


def test_draw_svg_png_and_errors(textchem_cli, tmp_path):
    svg = textchem.draw("CC(=O)Oc1ccccc1C(=O)O")
    assert isinstance(svg, str) and "<svg" in svg
    # The CLI's drawing of the same SMILES and size.
    out = tmp_path / "a.svg"
    textchem_cli("draw", "CC(=O)Oc1ccccc1C(=O)O", "-o", out, "--width", "300", "--height", "200")
    assert textchem.draw("CC(=O)Oc1ccccc1C(=O)O", width=300, height=200) == out.read_text()
    png = textchem.draw("CCO>>CC=O", format="png", width=200, height=100)
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="format"):
        textchem.draw("CCO", format="gif")
    with pytest.raises(ValueError, match="between 16 and 10000"):
        textchem.draw("CCO", width=5)
    with pytest.raises(ValueError, match="column"):
        textchem.draw("C1CC")


HOSTILE_CHILD = r"""
import textchem
nasty = [
    "C(" * 5000 + "C" + ")" * 5000, "C" * 20000, "C1" * 5000, "(" * 10000, "\0",
    "[" * 1000, "C%99%99", "c1ccccc1" * 200, ">" * 1000, "[CH4+999999999999]", "[999999C]",
]
for text in nasty:
    textchem.props([text], all=True)
    try:
        textchem.canonical(text)
    except ValueError:
        pass
for text in ["C" * 2000, "C(" * 300 + "C" + ")" * 300, "c1ccccc1" * 100, ">>", "\0"]:
    for format in ("svg", "png"):
        try:
            textchem.draw(text, format=format)
        except ValueError:
            pass
try:
    textchem.canonical("C\ud800")
except UnicodeEncodeError:
    pass
print("survived")
"""


def test_hostile_input_raises_or_reports_but_never_crashes_the_interpreter():
    # In a child interpreter, so that a crash is a failed test rather than a lost test run.
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE_CHILD], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0 and "survived" in done.stdout, done.stderr[-3000:]


PACLITAXEL = (
    "CC1=C2[C@@]([C@]([C@H]([C@@H]3[C@]4([C@H](OC4)C[C@@H]([C@]3(C(=O)[C@@H]2OC(=O)C)C)O)"
    "OC(=O)C)OC(=O)c5ccccc5)(C[C@@H]1OC(=O)[C@H](O)[C@@H](NC(=O)c6ccccc6)c7ccccc7)O)(C)C"
)


def test_props_releases_the_gil_while_it_computes():
    took, stall = longest_stall(lambda: textchem.props([PACLITAXEL] * 10000, all=True, parallel=False))
    # Only building the result dicts holds the GIL, a small part of the call.
    assert stall < 0.5 * took, (took, stall)
