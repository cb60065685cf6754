#!/usr/bin/env python3
"""A t5-small-shaped T5 v1.0 with trained (not just random) weight scales, for checking the
quantized formats' top-1 agreement with fp32 (docs/model-runtime.md). Too big to commit
(~240 MB): regenerate it, then run
    textchem bench --model DIR --formats f32,q8_0,q4k --beams 1 --agreement 16
or    TEXTCHEM_QUANT_CHECK_DIR=DIR cargo test --release --test model quant

It is trained briefly on token runs from ids 3..IDS-1 (--ids, default 700; written to
quant_check.json, which the test reads) until its outputs are decisive. The default task, `chain`,
asks for a run that starts with the input's first id and then follows a fixed random permutation
of the ids: each output token is a function of the token before it, so the model learns a mapping
over the id range within a few hundred steps, and teacher forcing with any token gives a varied
prediction. (T5's cross-attention has no positions, so `reverse` and `copy` barely train in that
time: the loss stayed at ln(vocab).) The check models of docs/model-runtime.md:
    make_quant_check_model.py /tmp/qc-a --ids 203 --steps 400 --batch 16 --lr 2e-3
    make_quant_check_model.py /tmp/qc-b --resume /tmp/qc-a --ids 203 --steps 400 --batch 16 --lr 1e-3
Requirements: scripts/requirements-fixtures.txt.
"""
import argparse
import json
import os
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
    ap.add_argument("--task", default="chain", choices=["chain", "reverse", "copy"])
    ap.add_argument("--max-len", type=int, default=32, help="longest training run")
    ap.add_argument("--resume", help="train further from this folder (same --seed: same chain)")
    ap.add_argument("--ids", type=int, default=700,
                    help="token ids 3..IDS-1 are used (written to quant_check.json for the test)")
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
    if args.resume:
        model = T5ForConditionalGeneration.from_pretrained(args.resume)
    elif args.bias_std > 0:
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "relative_attention_bias" in name:
                    p.normal_(0.0, args.bias_std)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    # Linear decay to zero: the last steps settle the weights, so outputs end up decisive.
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0 - step / args.steps)
    lo, hi = 3, args.ids
    # successor[i] is the token after i in a `chain` run (a fixed permutation of lo..hi-1).
    successor = torch.arange(cfg.vocab_size)
    # Its own generator, so a resumed run (which draws no fresh weights) keeps the same chain.
    successor[lo:hi] = lo + torch.randperm(hi - lo, generator=torch.Generator().manual_seed(args.seed))
    t0 = time.time()
    for step in range(args.steps):
        n = int(torch.randint(8, args.max_len + 1, ()).item())
        # A chain run only needs the input's first id: short inputs leave the time to the decoder.
        x = torch.randint(lo, hi, (args.batch, min(n, 4) if args.task == "chain" else n))
        eos = torch.ones(args.batch, 1, dtype=torch.long)
        inputs = torch.cat([x, eos], 1)
        if args.task == "chain":
            run = [x[:, 0]]
            for _ in range(n - 1):
                run.append(successor[run[-1]])
            target = torch.stack(run, 1)
        else:
            target = x.flip(1) if args.task == "reverse" else x
        labels = torch.cat([target, eos], 1)
        loss = model(input_ids=inputs, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 5 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.4f} ({time.time() - t0:.0f}s)", flush=True)
    model.save_pretrained(args.out, safe_serialization=True)
    with open(os.path.join(args.out, "quant_check.json"), "w") as f:
        json.dump({"task": args.task, "ids": [lo, hi], "steps": args.steps, "final_loss": loss.item()}, f)
    print("saved", args.out)


if __name__ == "__main__":
    main()
