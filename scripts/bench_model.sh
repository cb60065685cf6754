#!/usr/bin/env bash
# The model benchmark of docs/model-runtime.md: textchem (f32, q8_0, q4k) beside HF
# transformers on CPU, same shapes and settings, one process per configuration so that
# peak memory is per format. Usage: scripts/bench_model.sh [PYTHON] [SHAPES...]
# BEAMS (default 1,5,10) picks the beam counts; THREADS (default: all cores) the threads of
# both runtimes (RAYON_NUM_THREADS and torch.set_num_threads).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
shift || true
SHAPES=${*:-t5-small t5-base}
BEAMS=${BEAMS:-1,5,10}
THREADS=${THREADS:-$(nproc)}
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/textchem
for shape in $SHAPES; do
  echo "== $shape"
  "$PY" scripts/bench_torch.py --shape "$shape" --beams "$BEAMS" --threads "$THREADS"
  for fmt in f32 q8_0 q4k; do
    RAYON_NUM_THREADS=$THREADS "$BIN" bench --shape "$shape" --formats "$fmt" --beams "$BEAMS"
  done
done
