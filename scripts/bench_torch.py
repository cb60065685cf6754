#!/usr/bin/env python3
"""HF transformers (PyTorch, CPU) side of the model benchmark: tokens/s of randomly
initialised t5-small/t5-base shaped T5 v1.0 models, input 64 tokens, 128 forced output
tokens (min_new_tokens = max_new_tokens), greedy and beam 5 - the same settings as
`textchem bench`. Run beside it with scripts/bench_model.sh.

Requirements: scripts/requirements-fixtures.txt (transformers 4.57.6, torch 2.9.1 CPU).
"""
import argparse
import resource
import statistics
import time

import torch
from transformers import T5Config, T5ForConditionalGeneration

SHAPES = {
    "t5-small": dict(d_model=512, d_ff=2048, num_layers=6, num_heads=8),
    "t5-base": dict(d_model=768, d_ff=3072, num_layers=12, num_heads=12),
}


def input_ids(length, seed, vocab):
    # Same generator as textchem's bench (an LCG), so both models read the same ids.
    hi = min(vocab, 700)
    mask = (1 << 64) - 1
    x = (seed * 6364136223846793005 + 1442695040888963407) & mask
    ids = []
    for _ in range(length - 1):
        x = (x * 6364136223846793005 + 1442695040888963407) & mask
        ids.append(3 + (x >> 33) % (hi - 3))
    return ids + [1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="t5-small", choices=sorted(SHAPES))
    ap.add_argument("--beams", default="1,5")
    ap.add_argument("--input-len", type=int, default=64)
    ap.add_argument("--output-len", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = T5Config(vocab_size=32128, d_kv=64, feed_forward_proj="relu", dropout_rate=0.0,
                   decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, **SHAPES[args.shape])
    model = T5ForConditionalGeneration(cfg).eval()
    ids = torch.tensor([input_ids(args.input_len, args.seed, cfg.vocab_size)])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; random {args.shape}; "
          f"input {args.input_len} tokens, {args.output_len} forced output tokens")
    for beams in [int(b) for b in args.beams.split(",")]:
        kw = dict(num_beams=beams, do_sample=False, length_penalty=1.0, early_stopping=False,
                  min_new_tokens=args.output_len, max_new_tokens=args.output_len)
        with torch.inference_mode():
            model.generate(ids, **kw)  # warm-up
            times = []
            cpu_start = time.process_time()
            for _ in range(max(1, args.runs)):
                t = time.perf_counter()
                out = model.generate(ids, **kw)
                times.append(time.perf_counter() - t)
            cpu = (time.process_time() - cpu_start) / len(times)
        assert out.shape[-1] == args.output_len + 1, out.shape
        med = statistics.median(times)
        print(f"torch f32 beams {beams:2}: {args.output_len / med:7.1f} tok/s  "
              f"({med:.3f} s per {args.output_len}-token generation, median of {len(times)}; "
              f"{cpu:.3f} CPU s each, {args.output_len / cpu:.1f} tok per CPU s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
