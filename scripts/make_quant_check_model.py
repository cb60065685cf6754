#!/usr/bin/env python3
"""A t5-small-shaped T5 v1.0 with trained (not just random) weight scales, for checking the
quantized formats' top-1 agreement with fp32 (docs/model-runtime.md). Too big to commit
(~240 MB): regenerate it, then run
    textchem bench --model DIR --formats f32,q8_0,q4k --beams 1 --agreement 16
or    TEXTCHEM_QUANT_CHECK_DIR=DIR cargo test --release --test model quant

It is trained briefly (default 200 AdamW steps) on reversing random token runs from ids
3..700, the same id range `textchem bench` feeds, so outputs are decisive.
Requirements: scripts/requirements-fixtures.txt.
"""
import argparse
import time

import torch
from transformers import T5Config, T5ForConditionalGeneration


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--task", default="reverse", choices=["reverse", "copy"])
    ap.add_argument("--bias-std", type=float, default=0.0,
                    help="redraw the relative-attention biases with this std (0: keep HF's init); "
                         "larger biases make position-driven attention, and so training, quicker")
    ap.add_argument("--shape", default="t5-small", choices=["t5-small", "mini"],
                    help="mini: d_model 256, d_ff 1024, 2+2 layers, 4 heads, vocab 832 - rows of 256 so "
                         "q4k applies everywhere, and small enough to train to decisive outputs in minutes")
    args = ap.parse_args()
    # One thread: on a shared, oversubscribed machine OpenMP's spinning threads cost more than they help.
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dims = dict(vocab_size=32128, d_model=512, d_ff=2048, num_layers=6, num_heads=8)
    if args.shape == "mini":
        dims = dict(vocab_size=832, d_model=256, d_ff=1024, num_layers=2, num_heads=4)
    cfg = T5Config(d_kv=64, **dims, feed_forward_proj="relu", dropout_rate=0.0, decoder_start_token_id=0,
                   eos_token_id=1, pad_token_id=0)
    model = T5ForConditionalGeneration(cfg)
    if args.bias_std > 0:
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "relative_attention_bias" in name:
                    p.normal_(0.0, args.bias_std)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    t0 = time.time()
    for step in range(args.steps):
        n = int(torch.randint(8, 33, ()).item())
        x = torch.randint(3, 700, (args.batch, n))
        eos = torch.ones(args.batch, 1, dtype=torch.long)
        inputs = torch.cat([x, eos], 1)
        labels = torch.cat([x.flip(1) if args.task == "reverse" else x, eos], 1)
        loss = model(input_ids=inputs, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 5 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.4f} ({time.time() - t0:.0f}s)", flush=True)
    model.save_pretrained(args.out, safe_serialization=True)
    print("saved", args.out)


if __name__ == "__main__":
    main()
