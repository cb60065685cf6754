#!/usr/bin/env python3
"""Writes a small BERT WordPiece vocabulary for testing `textchem eval --text-vocab` against
BertTokenizerFast: BERT's special tokens, every character of the ChEBI-20 validation
descriptions (alone and as a `##` continuation), and their 2,000 most frequent basic tokens, so
rarer words split into sub-words.

Usage: python3 scripts/eval_test_vocab.py ../shared/data/chebi20/validation.txt > tests/fixtures/eval/test_vocab.txt
"""

import collections
import csv
import sys

from transformers.models.bert.tokenization_bert import BasicTokenizer


def main():
    basic = BasicTokenizer(do_lower_case=True)
    counts = collections.Counter()
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            counts.update(basic.tokenize(row["description"]))
    chars = sorted({c for word in counts for c in word})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += chars + ["##" + c for c in chars]
    seen = set(vocab)
    vocab += [w for w, _ in counts.most_common(2000) if w not in seen]
    sys.stdout.write("".join(v + "\n" for v in vocab))


if __name__ == "__main__":
    main()
