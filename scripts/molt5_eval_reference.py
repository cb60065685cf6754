#!/usr/bin/env python3
"""Reference metrics for `textchem eval`, computed with the Python packages the MolT5 paper's
evaluation used (pinned in scripts/requirements-eval.txt).

The logic follows the MolT5 paper's description of its evaluation ("Translation between
Molecules and Natural Language", Edwards et al. 2022):

- molecule (text to SMILES): corpus BLEU on characters (nltk corpus_bleu, default weights, no
  smoothing), exact match by InChI equality, mean Levenshtein distance of the strings, validity
  (RDKit parses the output), and mean Tanimoto similarities over the valid outputs of MACCS keys,
  the RDKit path fingerprint and Morgan radius-2 count fingerprints;
- caption (SMILES to text): corpus BLEU-2 (weights .5 .5) and BLEU-4 on BERT tokens (truncated to
  512), mean nltk METEOR on the same tokens, and mean ROUGE-1/2/L F-measures from rouge-score.

Captions are tokenized with BERT's basic tokenizer (lower-case, accents stripped, punctuation
split) unless --text-vocab names a WordPiece vocabulary (SciBERT's vocab.txt gives the paper's
tokenization). METEOR uses no WordNet synonyms (nltk is given an empty synonym source, so only
exact and Porter-stem matches count, as textchem without --wordnet); with --wordnet DIR it also
reports `meteor_wordnet`, nltk's METEOR with the WordNet database in DIR (a folder nltk's
WordNetCorpusReader reads: WordNet 3.0's index/data/exc files and a `lexnames` file, under
~/nltk_data).

Usage:
  python3 scripts/molt5_eval_reference.py --task molecule FILE [--out JSON]
  python3 scripts/molt5_eval_reference.py --task caption FILE [--text-vocab vocab.txt] [--wordnet DIR] [--out JSON]
FILE is a MolT5 predictions TSV with `ground truth` and `output` columns.
"""

import argparse
import csv
import json
import statistics
import sys
import time
from importlib.metadata import version


def read_pairs(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["ground truth"], row["output"]) for row in reader]


def molecule_metrics(pairs):
    from Levenshtein import distance
    from nltk.translate.bleu_score import corpus_bleu
    from rdkit import Chem, DataStructs, RDLogger
    from rdkit.Chem import MACCSkeys, rdFingerprintGenerator

    RDLogger.DisableLog("rdApp.*")
    references = [[list(gt)] for gt, _ in pairs]
    hypotheses = [list(out) for _, out in pairs]
    bleu = corpus_bleu(references, hypotheses)
    # Unfolded counts, as MolT5's AllChem.GetMorganFingerprint(m, 2) (GetCountFingerprint
    # would fold them onto 2,048 bits).
    morgan = rdFingerprintGenerator.GetMorganGenerator(radius=2)
    exact = 0
    valid = 0
    distances = []
    maccs, rdk, morgan_counts = [], [], []
    for gt, out in pairs:
        distances.append(distance(out, gt))
        m_gt = Chem.MolFromSmiles(gt)
        m_out = Chem.MolFromSmiles(out)
        if m_out is None:
            continue
        valid += 1
        if m_gt is None:
            continue
        if Chem.MolToInchi(m_out) == Chem.MolToInchi(m_gt):
            exact += 1
        maccs.append(
            DataStructs.TanimotoSimilarity(MACCSkeys.GenMACCSKeys(m_gt), MACCSkeys.GenMACCSKeys(m_out))
        )
        rdk.append(DataStructs.TanimotoSimilarity(Chem.RDKFingerprint(m_gt), Chem.RDKFingerprint(m_out)))
        morgan_counts.append(
            DataStructs.TanimotoSimilarity(
                morgan.GetSparseCountFingerprint(m_gt), morgan.GetSparseCountFingerprint(m_out)
            )
        )
    n = len(pairs)
    return {
        "bleu": bleu,
        "exact": exact / n,
        "levenshtein": statistics.fmean(distances),
        "validity": valid / n,
        "maccs_fts": statistics.fmean(maccs),
        "rdk_fts": statistics.fmean(rdk),
        "morgan_fts": statistics.fmean(morgan_counts),
    }


class NoSynonyms:
    """A WordNet stand-in for nltk's METEOR: no word has synonyms."""

    def synsets(self, word):
        return []


def caption_tokenizer(text_vocab):
    if text_vocab:
        from transformers import BertTokenizerFast

        tokenizer = BertTokenizerFast(vocab_file=text_vocab, do_lower_case=True)
        special = {"[PAD]", "[CLS]", "[SEP]"}

        def tokenize(text):
            tokens = tokenizer.tokenize(text, truncation=True, max_length=512, padding="max_length")
            return [t for t in tokens if t not in special]

        return tokenize
    from transformers.models.bert.tokenization_bert import BasicTokenizer

    basic = BasicTokenizer(do_lower_case=True)
    return lambda text: basic.tokenize(text)[:512]


def open_wordnet(folder):
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class WordNet30(WordNetCorpusReader):
        # The folder is WordNet 3.0 itself: no mapping to another version's synsets is needed.
        def map_wn(self, version="wordnet"):
            return None

    return WordNet30(folder, None)


def caption_metrics(pairs, text_vocab=None, wordnet_dir=None):
    from nltk.stem.porter import PorterStemmer
    from nltk.translate.bleu_score import corpus_bleu
    from nltk.translate.meteor_score import meteor_score
    from rouge_score import rouge_scorer

    tokenize = caption_tokenizer(text_vocab)
    stemmer = PorterStemmer()
    no_synonyms = NoSynonyms()
    wordnet = open_wordnet(wordnet_dir) if wordnet_dir else None
    references, hypotheses, meteors, meteors_wordnet = [], [], [], []
    for gt, out in pairs:
        gt_tokens = tokenize(gt)
        out_tokens = tokenize(out)
        references.append([gt_tokens])
        hypotheses.append(out_tokens)
        meteors.append(meteor_score([gt_tokens], out_tokens, stemmer=stemmer, wordnet=no_synonyms))
        if wordnet:
            meteors_wordnet.append(meteor_score([gt_tokens], out_tokens, stemmer=stemmer, wordnet=wordnet))
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"])
    rouge = [scorer.score(out, gt) for gt, out in pairs]
    metrics = {
        "bleu2": corpus_bleu(references, hypotheses, weights=(0.5, 0.5)),
        "bleu4": corpus_bleu(references, hypotheses, weights=(0.25, 0.25, 0.25, 0.25)),
        "rouge1": statistics.fmean(r["rouge1"].fmeasure for r in rouge),
        "rouge2": statistics.fmean(r["rouge2"].fmeasure for r in rouge),
        "rougeL": statistics.fmean(r["rougeL"].fmeasure for r in rouge),
        "meteor": statistics.fmean(meteors),
    }
    if wordnet:
        metrics["meteor_wordnet"] = statistics.fmean(meteors_wordnet)
    return metrics


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", choices=["molecule", "caption"], required=True)
    parser.add_argument("predictions")
    parser.add_argument("--text-vocab")
    parser.add_argument("--wordnet", help="a WordNet 3.0 folder nltk reads (adds meteor_wordnet)")
    parser.add_argument("--out", help="write the JSON here (default: stdout)")
    args = parser.parse_args()
    pairs = read_pairs(args.predictions)
    started = time.perf_counter()
    if args.task == "molecule":
        metrics = molecule_metrics(pairs)
    else:
        metrics = caption_metrics(pairs, args.text_vocab, args.wordnet)
    seconds = time.perf_counter() - started
    report = {
        "task": args.task,
        "n": len(pairs),
        "metrics": metrics,
        "source": args.predictions.rsplit("/", 1)[-1],
        "seconds": round(seconds, 2),
        "versions": {
            p: version(p) for p in ["nltk", "rouge-score", "rdkit", "Levenshtein", "transformers"]
        },
    }
    text = json.dumps(report, indent=2) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
