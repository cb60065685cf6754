"""textchem on a Ray cluster with Ray Data: a CSV or Parquet table in, a Parquet table out.

Two jobs (docs/scale-out.md is the runbook):

  model  Run one task on a column with a pool of actors, each holding one textchem.Model (loaded
         once per actor, not per batch). Adds the columns `textchem batch` adds, with the same
         text: output, valid, canonical_smiles, score, error.
  props  Molecular properties of a column (textchem.props), no model: plain tasks.

    python examples/ray_batch.py model --input compounds.csv --column smiles \
        --task caption --model /shared/models/small-augm --actors 8 --output captions/
    python examples/ray_batch.py props --input compounds.parquet --column smiles --output props/

On a cluster, run it on the head node (or submit it with `ray job submit -- python ...`); it
connects with ray.init(address="auto"), or to `--address`. Every node needs the textchem wheel
(pip install ./python) and the model folder at the same path (a shared file system), or a hub
id that each node may download. Input order is kept (preserve_order), so output rows follow input
rows.
"""

import argparse
import csv

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import ray
import textchem

ANSWER_COLUMNS = ["output", "valid", "canonical_smiles", "score", "error"]


class TextchemModel:
    """A Ray Data callable class: one textchem.Model per actor, answering whole batches."""

    def __init__(self, model, task, column, beams, max_length, device="auto"):
        self.model = textchem.Model(model, device=device)
        self.task = task
        self.column = column
        self.beams = beams
        self.max_length = max_length

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        inputs = ["" if pd.isna(v) else str(v) for v in batch[self.column]]
        best = self.model.best(self.task, inputs, beams=self.beams, max_length=self.max_length)
        out = batch.copy()
        for name in ANSWER_COLUMNS:
            out[name] = [row[name] for row in best]
        return out


def add_props(batch: pd.DataFrame, column: str, all: bool = False) -> pd.DataFrame:
    """Property columns of `column` (textchem.props), prefixed `props_` beside the input's."""
    smiles = ["" if pd.isna(v) else str(v) for v in batch[column]]
    rows = textchem.props(smiles, all=all)
    out = batch.copy()
    # Every batch gets the same columns, even an empty one.
    names = textchem.props([""], all=all)[0].keys()
    for name in names:
        if name not in ("id", "input"):
            out[f"props_{name}"] = [row[name] for row in rows]
    return out


def read(path: str) -> "ray.data.Dataset":
    """A CSV file (every column read as text, as `textchem batch` keeps it) or Parquet data."""
    if not path.endswith(".csv"):
        return ray.data.read_parquet(path)
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    return ray.data.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header}, strings_can_be_null=False
        ),
    )


def run_model(args) -> "ray.data.Dataset":
    ds = read(args.input)
    return ds.map_batches(
        TextchemModel,
        fn_constructor_kwargs=dict(
            model=args.model,
            task=args.task,
            column=args.column,
            beams=args.beams,
            max_length=args.max_length,
            device=args.device,
        ),
        batch_format="pandas",
        batch_size=args.batch_size,
        compute=ray.data.ActorPoolStrategy(size=args.actors),
        num_cpus=args.actor_cpus,
    )


def run_props(args) -> "ray.data.Dataset":
    ds = read(args.input)
    return ds.map_batches(
        add_props,
        fn_kwargs=dict(column=args.column, all=args.all),
        batch_format="pandas",
        batch_size=args.batch_size,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    jobs = parser.add_subparsers(dest="job", required=True)
    for name in ("model", "props"):
        job = jobs.add_parser(name)
        job.add_argument("--input", required=True, help="a CSV or Parquet file or folder")
        job.add_argument("--column", required=True, help="the column of text or SMILES")
        job.add_argument("--output", required=True, help="the Parquet folder to write")
        job.add_argument("--batch-size", type=int, default=64)
        job.add_argument("--address", help="a Ray cluster's address (default: auto or local)")
    model = jobs.choices["model"]
    model.add_argument("--task", required=True)
    model.add_argument("--model", required=True, help="a checkpoint folder, catalogue name or hub id")
    model.add_argument("--beams", type=int, default=10)
    model.add_argument("--max-length", type=int, default=512)
    model.add_argument("--device", default="auto", help="auto, cpu or gpu")
    model.add_argument("--actors", type=int, default=2, help="actors, each with one model")
    model.add_argument("--actor-cpus", type=float, default=1.0, help="CPUs reserved per actor")
    jobs.choices["props"].add_argument("--all", action="store_true", help="also the descriptors")
    args = parser.parse_args(argv)

    if not ray.is_initialized():
        ray.init(address=args.address)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    ds = run_model(args) if args.job == "model" else run_props(args)
    ds.write_parquet(args.output)


if __name__ == "__main__":
    main()
