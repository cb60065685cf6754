#!/usr/bin/env python3
"""Damages copies of a checkpoint folder in many ways and runs `textchem run` on each.

Every run must end in exit status 0 (the damage did not matter, e.g. a flipped bit in an unused
byte) or 1 with a message naming a file of the folder: never a panic (101), an abort (134 and
other signals), a hang (the timeout), or NaN in the answers. Prints one line per damage kind
and a summary; exits non-zero when any run broke the rule.

    python3 scripts/hostile_models.py --binary target/release/textchem \
        --model tests/fixtures/model/t5-tiny-a --cases 500

Standard library only; the damage is seeded, so a run is repeatable.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

FILES = ["config.json", "tokenizer_config.json", "spiece.model", "model.safetensors",
         "pytorch_model.bin"]


def flip_bits(data: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def damage(folder: str, rng: random.Random) -> str:
    """Applies one random damage to the folder; returns its kind."""
    kind = rng.choice(["truncate", "flip", "flip-many", "zero-run", "empty", "json-field",
                       "json-garbage", "missing"])
    name = rng.choice(FILES)
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return "absent"
    data = open(path, "rb").read()
    if kind == "truncate":
        data = data[: rng.randrange(max(1, len(data)))]
    elif kind == "flip":
        data = flip_bits(data, rng, 1)
    elif kind == "flip-many":
        data = flip_bits(data, rng, 64)
    elif kind == "zero-run":
        i = rng.randrange(len(data))
        data = data[:i] + bytes(min(4096, len(data) - i)) + data[i + 4096:]
    elif kind == "empty":
        data = b""
    elif kind == "json-field":
        if not name.endswith(".json"):
            return damage(folder, rng)
        obj = json.loads(data)
        key = rng.choice(sorted(obj.keys()))
        obj[key] = rng.choice([0, -1, 1e8, 1e12, -1e-9, None, "x", [], {}, True, 2**63])
        data = json.dumps(obj).encode()
    elif kind == "json-garbage":
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    elif kind == "missing":
        os.remove(path)
        return f"{kind} {name}"
    open(path, "wb").write(data)
    return f"{kind} {name}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    outcomes = defaultdict(Counter)
    bad = []
    work = tempfile.mkdtemp(prefix="hostile-")
    for case in range(args.cases):
        folder = os.path.join(work, f"m{case}")
        shutil.copytree(args.model, folder)
        kind = damage(folder, rng)
        try:
            p = subprocess.run(
                [args.binary, "run", "--task", "caption", "--beams", "2", "--max-length", "16",
                 "--device", "cpu", "--model", folder, "CCO"],
                capture_output=True, text=True, timeout=args.timeout,
                env={**os.environ, "HF_HUB_OFFLINE": "1", "RUST_BACKTRACE": "0"})
            code, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            code, out, err = "hang", "", ""
        if code == 0 and "NaN" not in out:
            verdict = "ok (answered)"
        elif code == 1 and folder in err:
            verdict = "refused, file named"
        elif code == 1:
            verdict = "refused, no file named"
        else:
            verdict = f"BROKEN ({code})" if "NaN" not in out else "BROKEN (NaN)"
        outcomes[kind.split()[0]][verdict] += 1
        if verdict.startswith("BROKEN") or verdict == "refused, no file named":
            bad.append((case, kind, verdict, err.strip().splitlines()[-3:]))
        shutil.rmtree(folder)
    shutil.rmtree(work)
    for kind, counts in sorted(outcomes.items()):
        print(f"{kind:14} " + ", ".join(f"{v}: {n}" for v, n in sorted(counts.items())))
    total = Counter()
    for counts in outcomes.values():
        total.update(counts)
    print(f"{'all':14} " + ", ".join(f"{v}: {n}" for v, n in sorted(total.items())))
    for case in bad:
        print("case", *case, file=sys.stderr)
    return 1 if any(v.startswith("BROKEN") for v in total) else 0


if __name__ == "__main__":
    sys.exit(main())
