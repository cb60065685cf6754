"""Shared fixtures: the repository's paths, the textchem CLI to compare against, and private
copies of the fixture models (loading a model writes tokenizer.json beside spiece.model)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
FIXTURE_MODELS = REPO / "tests" / "fixtures" / "model"


def cli_path() -> Path:
    """The textchem binary: $TEXTCHEM_BIN (CI sets it; a missing file there is an error), else
    the debug or release build of this checkout."""
    given = os.environ.get("TEXTCHEM_BIN")
    if given:
        path = Path(given)
        if not path.is_file():
            raise FileNotFoundError(f"TEXTCHEM_BIN={given} does not exist")
        return path
    for profile in ("debug", "release"):
        path = REPO / "target" / profile / "textchem"
        if path.is_file():
            return path
    pytest.skip("no textchem binary: run `cargo build` or set TEXTCHEM_BIN")


@pytest.fixture(scope="session")
def textchem_cli():
    """Runs the CLI with arguments, returning its stdout; a failure fails the test."""
    binary = cli_path()

    def run(*args, env=None):
        full_env = dict(os.environ, HF_HUB_OFFLINE="1", **(env or {}))
        done = subprocess.run(
            [str(binary), *map(str, args)], capture_output=True, text=True, env=full_env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run.path = binary
    return run


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory):
    """Private copies of the fixture checkpoint folders, by name."""
    copies = {}
    for name in ("t5-tiny-a", "t5-tiny-b"):
        target = tmp_path_factory.mktemp("models") / name
        shutil.copytree(FIXTURE_MODELS / name, target)
        copies[name] = target
    return copies
