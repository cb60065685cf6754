#!/usr/bin/env bash
# The model benchmark of docs/model-runtime.md: textchem (f32, q8_0, q4k) beside HF
# transformers on CPU, same shapes and settings, one process per configuration so that
# peak memory is per format. Usage: scripts/bench_model.sh [PYTHON] [SHAPES...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
shift || true
SHAPES=${*:-t5-small t5-base}
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/textchem
for shape in $SHAPES; do
  echo "== $shape"
  "$PY" scripts/bench_torch.py --shape "$shape"
  for fmt in f32 q8_0 q4k; do
    "$BIN" bench --shape "$shape" --formats "$fmt"
  done
done
