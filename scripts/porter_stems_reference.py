#!/usr/bin/env python3
"""Writes tests/fixtures/eval/porter_stems.tsv: each distinct alphabetic word of the ChEBI-20
descriptions (test and validation, lower-cased) with nltk's PorterStemmer stem (default
NLTK_EXTENSIONS mode), for the Rust stemmer's test. nltk pinned in scripts/requirements-eval.txt.

Usage: python3 scripts/porter_stems_reference.py ../shared/data/chebi20 > tests/fixtures/eval/porter_stems.tsv
"""

import csv
import re
import sys
from importlib.metadata import version

from nltk.stem.porter import PorterStemmer


def main():
    folder = sys.argv[1]
    words = set()
    for name in ["test.txt", "validation.txt"]:
        with open(f"{folder}/{name}", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                words.update(re.findall(r"[a-z]+", row["description"].lower()))
    stemmer = PorterStemmer()
    print(f"# word\tnltk {version('nltk')} PorterStemmer stem; words from ChEBI-20 descriptions (CC BY 4.0)")
    for word in sorted(words):
        print(f"{word}\t{stemmer.stem(word)}")


if __name__ == "__main__":
    main()
