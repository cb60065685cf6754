#!/usr/bin/env python3
"""Lines with random edits, for checking that a reader never panics and that what it accepts
reads back to itself.

    python3 scripts/mutate_lines.py LINES.txt [--count N] [--seed S] > MUTATED.txt

Each output line is a random input line with one to four edits: a character deleted, replaced
by or preceded by one of a few troublesome pieces (`nan`, `inf`, separators, bars, brackets,
wedge fields).
"""
import argparse
import random

PIECES = ["nan", "inf", "-inf", "1e308", "0", "", "-0", ",", ";", "wU:0.0", "wD:1.1", "wU:99.0",
          "(", ")", "|", "1.5.2", "e", "-"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lines")
    ap.add_argument("--count", type=int, default=30000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    lines = [l.rstrip("\n") for l in open(args.lines) if l.strip()]
    for _ in range(args.count):
        s = list(rng.choice(lines))
        for _ in range(rng.randint(1, 4)):
            k = rng.randrange(len(s))
            op = rng.random()
            if op < 0.4:
                s[k] = rng.choice(PIECES)
            elif op < 0.7:
                del s[k]
            else:
                s.insert(k, rng.choice(PIECES))
        print("".join(s).replace("\n", ""))


if __name__ == "__main__":
    main()
