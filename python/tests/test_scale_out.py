"""The scale-out recipes on the fixture model: the Ray Data example over 2,000 rows on a local
two-CPU Ray cluster, and the Kubernetes Indexed Job's command per index, each against one
single-process `textchem batch` run."""

import csv
import subprocess
import sys

import pytest
from conftest import REPO

SMILES = [
    "CCO", "c1ccccc1C(=O)O", "", "CC(C)Cc1ccc(cc1)C(C)C(=O)O", "O=C=O", "C1CC",
    "CC(=O)Oc1ccccc1C(=O)O", "CCN(CC)CC", "c1ccncc1", "O=C(O)CCC(=O)O", "[Na+].[Cl-]",
    "CC(=O)OCC.O", "C#N", "ClCCl", "OC1CCCCC1",
]
DECODING = ["--task", "forward", "--beams", "2", "--max-length", "16"]


def write_input(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "smiles"])
        for i in range(rows):
            out.writerow([f"m{i}", SMILES[i % len(SMILES)]])


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def batch(textchem_cli, model, input, output, *extra):
    textchem_cli(
        "batch", *DECODING, "--device", "cpu", "--model", model, "--input", input,
        "--column", "smiles",
        "--output", output, *extra,
    )


def test_ray_example_equals_one_batch_process(textchem_cli, model_dirs, tmp_path):
    ray = pytest.importorskip("ray")
    import pandas as pd

    sys.path.insert(0, str(REPO / "examples"))
    import ray_batch

    model = model_dirs["t5-tiny-a"]
    input = tmp_path / "in.csv"
    write_input(input, 2000)
    single = tmp_path / "single.csv"
    batch(textchem_cli, model, input, single)
    expected = read_csv(single)
    assert len(expected) == 2000

    # Ray's workers import the example's classes by module name, as the driver does.
    examples = str(REPO / "examples")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        runtime_env={"env_vars": {"PYTHONPATH": examples}},
    )
    try:
        out = tmp_path / "ray-out"
        ray_batch.main([
            "model", "--input", str(input), "--column", "smiles", "--output", str(out),
            "--model", str(model), *DECODING, "--device", "cpu",
            "--actors", "2", "--actor-cpus", "0.5", "--batch-size", "100",
        ])
        props_out = tmp_path / "ray-props"
        ray_batch.main([
            "props", "--input", str(input), "--column", "smiles", "--output", str(props_out),
        ])
    finally:
        ray.shutdown()

    got = pd.read_parquet(out)
    assert len(got) == 2000
    assert sorted(got.columns) == sorted(c for c in expected[0] if c != "row")
    by_id = {row["id"]: row for row in got.to_dict("records")}
    assert len(by_id) == 2000, "no row twice"
    for row in expected:
        mine = by_id[row["id"]]
        assert {k: mine[k] for k in row if k != "row"} == {k: v for k, v in row.items() if k != "row"}

    import textchem

    props = pd.read_parquet(props_out)
    assert len(props) == 2000
    reference = textchem.props(SMILES)
    for row in props.to_dict("records"):
        want = reference[SMILES.index(row["smiles"])]
        # Parquet's nulls come back as NaN in pandas.
        for name in ("canonical_smiles", "formula", "error"):
            got_value = row[f"props_{name}"]
            assert (None if pd.isna(got_value) else got_value) == want[name]


def test_k8s_indexed_job_runs_each_index_as_its_shard(textchem_cli, model_dirs, tmp_path):
    yaml = pytest.importorskip("yaml")
    job = yaml.safe_load((REPO / "examples" / "k8s" / "batch-indexed-job.yaml").read_text())
    assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job"
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == 8
    (container,) = spec["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["SHARDS"] == str(spec["completions"])
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    mounts = {m["name"] for m in container["volumeMounts"]}
    assert mounts == {v["name"] for v in spec["template"]["spec"]["volumes"]}

    model = model_dirs["t5-tiny-a"]
    input = tmp_path / "in.csv"
    write_input(input, 20)
    single = tmp_path / "single.csv"
    batch(textchem_cli, model, input, single)
    # What each pod runs, with the Job's environment pointed at local files.
    shards = 3
    env.update(
        SHARDS=str(shards), TASK="forward", BEAMS="2", MAX_LENGTH="16", MODEL=str(model),
        INPUT=str(input), COLUMN="smiles", OUT_DIR=str(tmp_path / "shards"),
        TEXTCHEM=str(textchem_cli.path),
    )
    for index in range(shards):
        subprocess.run(
            [*container["command"], *container["args"]], check=True,
            env=dict(env, JOB_COMPLETION_INDEX=str(index), PATH="/usr/bin:/bin", HOME=str(tmp_path)),
        )
    merged = tmp_path / "merged.csv"
    textchem_cli(
        "merge", merged, *(tmp_path / "shards" / f"shard-{k}-of-{shards}.csv" for k in range(shards))
    )
    assert merged.read_bytes() == single.read_bytes()
