#!/usr/bin/env python3
"""Generate the model fixtures in tests/fixtures/model (see its README.md).

What it makes, all from generated data (no hub access needed):
  * a tiny unigram sentencepiece model trained on generated English + SMILES text, with T5's special
    pieces (pad=0, eos=1, unk=2), laid out like the GT4SD checkpoint folders;
  * two tiny T5 v1.0 models (ReLU FFN, tied embeddings), briefly trained on a toy "reverse the tokens"
    task so that argmax and beam choices are decisive, saved as model.safetensors and pytorch_model.bin;
  * Hugging Face reference outputs as JSON: token ids and decoded strings for generated strings,
    encoder/decoder logits for fixed inputs, greedy and beam sequences with scores.

Usage:  python scripts/make_model_fixtures.py [--out tests/fixtures/model]
Versions: scripts/requirements-fixtures.txt (the reference numbers depend on transformers' version).
"""

import argparse
import hashlib
import io
import json
import math
import os
import random
import shutil

import numpy as np
import sentencepiece as spm
import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

# The five task prefixes of the Text+Chem T5 model (Christofidellis et al., 2023).
TASK_PREFIXES = {
    "forward": "Predict the product of the following reaction: ",
    "retro": "Predict the reaction that produces the following product: ",
    "actions": "Which actions are described in the following paragraph: ",
    "molecule": "Write in SMILES the described molecule: ",
    "caption": "Caption the following SMILES: ",
}

SPM_VOCAB = 700  # sentencepiece pieces; 100 <extra_id_N> follow, then padding rows like t5's 32128
MODEL_VOCAB = 832

# Well-known molecules written by hand (facts: common textbook SMILES).
KNOWN_SMILES = [
    "CCO", "CC(=O)O", "c1ccccc1", "CC(=O)Oc1ccccc1C(=O)O", "CN1C=NC2=C1C(=O)N(C(=O)N2C)C",
    "CC(C)Cc1ccc(cc1)C(C)C(=O)O", "CC(=O)Nc1ccc(O)cc1", "OC[C@H]1OC(O)[C@H](O)[C@@H](O)[C@@H]1O",
    "C1=CC=CC=C1", "O=C=O", "N#N", "[Na+].[Cl-]", "C[C@@H](C(=O)O)N", "NCC(=O)O", "C(C(=O)O)N",
    "CC(C)(C)OC(=O)N", "c1ccc2ccccc2c1", "c1ccncc1", "C1CCCCC1", "C1CCOC1", "CS(=O)C", "ClCCl",
    "CC#N", "OC(=O)CCC(=O)O", "O=S(=O)(O)O", "[NH4+]", "[O-][N+](=O)c1ccccc1", "Oc1ccccc1",
    "CCN(CC)CC", "C/C=C/C", "F/C=C\\F", "C[C@H](O)c1ccccc1", "[2H]C([2H])([2H])O", "[13CH4]",
    "CC1=C(C(=O)C[C@@H]1OC(=O)C)C", "OC(=O)c1ccccc1O", "CCCCCCCCCCCCCCCC(=O)O", "C1CC1",
    "c1ccsc1", "c1cc[nH]c1", "c1ncc[nH]1", "O=C1CCCN1", "B(O)(O)c1ccccc1", "[Fe+2]", "[Cu]",
    "C=CC(=O)OC", "CC(C)=O", "OCCO", "CC(O)=O.OCC", "N[C@@H](Cc1ccccc1)C(=O)O",
]

ORGANIC = ["C", "C", "C", "C", "C", "N", "N", "O", "O", "S", "F", "Cl", "Br", "I", "P"]
BRACKET = ["[nH]", "[C@@H]", "[C@H]", "[N+]", "[O-]", "[Na+]", "[13CH3]", "[2H]", "[Si]", "[Fe+2]",
           "[NH4+]", "[Cl-]", "[Se]", "[B-]", "[C@]", "[C@@]", "[S@@]", "[NH3+]", "[Pt]", "[Li+]"]
RINGS = ["c1ccccc1", "c1ccncc1", "C1CCCCC1", "c1ccc2ccccc2c1", "C1CCOC1", "c1cc[nH]c1", "c1ncc[nH]1",
         "O=C1CCCN1", "c1ccsc1", "C1CC1", "c1ccoc1", "C1=CC=CC=C1", "c1cnc2ncnc2c1", "N1CCNCC1"]


def random_smiles(rng, depth=0, backslash=True):
    parts = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.55:
            atom = rng.choice(ORGANIC)
        elif r < 0.75:
            atom = rng.choice(RINGS)
        else:
            atom = rng.choice(BRACKET)
        bond = rng.choice(["", "", "", "", "", "=", "#", "/", "\\"] if backslash else ["", "", "", "=", "#", "/"])
        if parts:
            parts.append(bond)
        parts.append(atom)
        if depth < 2 and rng.random() < 0.3:
            parts.append("(" + random_smiles(rng, depth + 1, backslash) + ")")
        if rng.random() < 0.05:
            n = rng.randint(1, 12)
            label = str(n) if n < 10 else "%" + str(n)
            parts.append("C" + label + "CCCC" + label)
    s = "".join(parts)
    if depth == 0 and rng.random() < 0.1:
        s += "." + rng.choice(["[Na+]", "[Cl-]", "O", "Cl", "[K+]"])
    return s


def some_smiles(rng, backslash=True):
    if rng.random() < 0.3:
        s = rng.choice(KNOWN_SMILES)
        return s if backslash else s.replace("\\", "/")
    return random_smiles(rng, backslash=backslash)


def reaction_smiles(rng, backslash=True):
    reactants = ".".join(some_smiles(rng, backslash) for _ in range(rng.randint(1, 2)))
    agents = ".".join(some_smiles(rng, backslash) for _ in range(rng.randint(0, 1)))
    product = some_smiles(rng, backslash)
    if agents and rng.random() < 0.5:
        return f"{reactants}>{agents}>{product}"
    if agents:
        return f"{reactants}.{agents}>>{product}"
    return f"{reactants}>>{product}"


CLASSES = ["monocarboxylic acid", "secondary alcohol", "tertiary amine", "aromatic ketone", "lactam",
           "organochlorine compound", "beta-lactam", "flavonoid", "steroid", "alkaloid", "dipeptide",
           "carbohydrate derivative", "phenol", "thiophene", "fatty acid", "quaternary ammonium ion"]
ROLES = ["metabolite", "antibacterial agent", "plant metabolite", "enzyme inhibitor", "solvent",
         "antioxidant", "human xenobiotic metabolite", "herbicide", "fluorescent probe", "reagent"]
GROUPS = ["methyl", "hydroxy", "amino", "chloro", "nitro", "methoxy", "carboxy", "oxo", "fluoro", "ethyl"]
PARENTS = ["benzoic acid", "pyridine", "indole", "glycine", "cyclohexanol", "naphthalene", "acetone",
           "quinoline", "propanoic acid", "morpholine", "furan", "uracil"]
NAMES = ["benzaldehyde", "sodium hydride", "triethylamine", "acetic anhydride", "the amine", "the ester",
         "potassium carbonate", "lithium aluminium hydride", "the crude residue", "the aldehyde"]
SOLVENTS = ["dichloromethane", "THF", "methanol", "ethanol", "DMF", "toluene", "water", "ethyl acetate"]


def description(rng):
    n = rng.randint(2, 9)
    cls, parent, group = rng.choice(CLASSES), rng.choice(PARENTS), rng.choice(GROUPS)
    sentences = [
        f"The molecule is a {cls} that is {parent} substituted by a {group} group at position {n}.",
        f"It has a role as a {rng.choice(ROLES)} and a {rng.choice(ROLES)}.",
        f"It is a {rng.choice(CLASSES)} and a member of {rng.choice(PARENTS)}s.",
        f"It derives from a {rng.choice(PARENTS)}.",
        f"It is a conjugate acid of a {rng.choice(PARENTS)}({rng.choice(['1-', '2-', '3+'])}).",
        f"It is functionally related to {n}-{group}{rng.choice(PARENTS)}.",
    ]
    rest = sentences[1:]
    rng.shuffle(rest)
    return " ".join([sentences[0]] + rest[: rng.randint(0, 2)])


def procedure(rng):
    amount, mmol, vol = rng.randint(1, 900) / 10, rng.randint(1, 500) / 10, rng.randint(1, 80)
    temp, hours = rng.choice(["0", "-78", "25", "80", "room temperature"]), rng.randint(1, 48)
    steps = [
        f"To a solution of {rng.choice(NAMES)} ({amount} g, {mmol} mmol) in {rng.choice(SOLVENTS)} ({vol} mL) "
        f"was added {rng.choice(NAMES)} ({rng.randint(1, 30) / 10} equiv) at {temp} °C.",
        f"The mixture was stirred for {hours} h and then quenched with saturated NH4Cl solution.",
        f"The aqueous layer was extracted with {rng.choice(SOLVENTS)} (3 x {vol} mL).",
        "The combined organic layers were dried over Na2SO4, filtered and concentrated in vacuo.",
        f"Purification by flash chromatography ({rng.randint(5, 50)}% EtOAc in hexanes) gave the product "
        f"as a {rng.choice(['white solid', 'yellow oil', 'colourless oil'])} ({rng.randint(20, 99)}%).",
        f"The reaction was heated to reflux overnight under argon.",
    ]
    start = rng.randint(0, 2)
    return " ".join(steps[start: start + rng.randint(1, 2)])


UNICODE_SAMPLES = [
    "α-D-glucose", "β-lactam", "Δ9-THC", "25 °C", "5 µL", "± 0.5", "2 × 10⁻³", "A → B", "ℓ", "Å",
    "ＡＢＣ１２３", "ﬁne", "ﬂask", "café", "cafe\u0301", "naïve", "Ωmega", "ｶﾀｶﾅ", "日本語のテキスト", "化学",
    "العربية", "עברית", "한국어", "🧪⚗️", "emoji 😀 test", "\u200bzero\u200bwidth", "non\u00a0breaking",
    "soft\u00adhyphen", "ⅷ", "①②③", "½ equiv", "H₂O", "CO₂", "m²", "™", "€100", "“quoted”", "‘single’",
    "em—dash", "en–dash", "…", "§4", "¶", "Ⅻ", "ﬀ", "\ufeffBOM", "e\u0308", "\u3000ideographic space",
]
WHITESPACE_SAMPLES = [
    "", " ", "  ", "\t", "\n", " \n ", "a  b", "a   b    c", " leading", "trailing ", "  both  ",
    "tab\tseparated", "new\nline", "crlf\r\nline", "multi\n\n\nnewlines", "a \t b", "\u2003em space",
    "  CCO", "CCO  ", "C C O", "c1ccccc1 \n", "x" * 60, " ".join(["word"] * 40), "▁", "▁▁x", "a▁b",
]
ESCAPE_SAMPLES = [
    "\\", "\\\\", "{", "}", "<", "<<", "{}", "{{}}", "<\\{", "a<b", "x{y}z", "C/C=C\\C", "F\\C=C/F",
    "C\\\\C", "<unk>", "<pad>", "</s>", "<s>", "<extra_id_0>", "<extra_id_99>", "text <extra_id_5> more",
    "a</s>b", "<pad><pad>", "\\{<}", "{\\}", "< tag >", "json {\"k\": 1}", "latex \\frac{a}{b}",
]


def string_corpus(seed):
    """The reference strings: (category, text) pairs, >= 3,000 of them."""
    rng = random.Random(seed)
    out = []
    out += [("smiles", s) for s in KNOWN_SMILES]
    out += [("smiles", random_smiles(rng)) for _ in range(700)]
    out += [("reaction", reaction_smiles(rng)) for _ in range(400)]
    out += [("description", description(rng)) for _ in range(450)]
    out += [("procedure", procedure(rng)) for _ in range(350)]
    out += [("unicode", s) for s in UNICODE_SAMPLES]
    out += [("whitespace", s) for s in WHITESPACE_SAMPLES]
    out += [("escape", s) for s in ESCAPE_SAMPLES]
    # Mixed oddities: random splices of the samples above into chemistry text.
    pools = UNICODE_SAMPLES + WHITESPACE_SAMPLES + ESCAPE_SAMPLES
    for _ in range(400):
        a, b = rng.choice(pools), some_smiles(rng)
        out.append(("mixed", rng.choice([a + b, b + a, b + " " + a + " " + b, a + a])))
    for _ in range(200):
        run = "".join(rng.choice("\\{}<") for _ in range(rng.randint(1, 6)))
        out.append(("escape", rng.choice(["C", "c1cc", "O=", "N"]) + run + rng.choice(["C", "O", "", " x"])))
    for task, prefix in TASK_PREFIXES.items():
        out.append(("prefix", prefix))
        out.append(("prefix", prefix.strip()))
        for _ in range(100):
            if task in ("forward",):
                x = reaction_smiles(rng).split(">")[0]
            elif task == "retro":
                x = some_smiles(rng)
            elif task == "actions":
                x = procedure(rng)
            elif task == "molecule":
                x = description(rng)
            else:
                x = some_smiles(rng)
            out.append(("task_" + task, prefix + x))
    return out


def training_text(seed, n):
    """Sentences for training the sentencepiece model: English + SMILES without `\\ { } <` (as in T5)."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            lines.append(some_smiles(rng, backslash=False))
        elif r < 0.45:
            lines.append(reaction_smiles(rng, backslash=False))
        elif r < 0.7:
            lines.append(description(rng))
        elif r < 0.9:
            lines.append(procedure(rng))
        else:
            lines.append(rng.choice(list(TASK_PREFIXES.values())) + some_smiles(rng, backslash=False))
    lines += [s for s in UNICODE_SAMPLES[:20]] * 3  # a few non-ASCII pieces, as a real vocabulary has
    return [line.replace("\\", "/").replace("{", "(").replace("}", ")").replace("<", "(") for line in lines]


def train_spiece(seed):
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(training_text(seed, 6000)),
        model_writer=model,
        model_type="unigram",
        vocab_size=SPM_VOCAB,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        character_coverage=0.9995,
        normalization_rule_name="nmt_nfkc",
        max_sentence_length=4096,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def write_tokenizer_folder(folder, spiece_bytes):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "spiece.model"), "wb") as f:
        f.write(spiece_bytes)
    extra = [f"<extra_id_{i}>" for i in range(100)]
    # Shaped like the GT4SD repos' files (T5Tokenizer, no `legacy` key: HF's legacy Metaspace behaviour).
    tok_config = {
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "extra_ids": 100,
        "additional_special_tokens": extra,
        "model_max_length": 512,
        "tokenizer_class": "T5Tokenizer",
    }
    special = {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "additional_special_tokens": extra}
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(tok_config, f, indent=2)
    with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)


def tokenizer_reference(tok, strings):
    records = []
    for category, text in strings:
        ids = tok(text)["input_ids"]
        records.append({
            "category": category,
            "text": text,
            "ids": ids,
            "decoded": tok.decode(ids, skip_special_tokens=True),
            "decoded_with_special": tok.decode(ids, skip_special_tokens=False),
        })
    return records


def backend_summary(tok):
    """HF's converted tokenizer.json with the (large) precompiled charsmap replaced by its sha256."""
    data = json.loads(tok.backend_tokenizer.to_str())
    for norm in data["normalizer"]["normalizers"]:
        if norm["type"] == "Precompiled":
            blob = norm.pop("precompiled_charsmap")
            norm["precompiled_charsmap_sha256"] = hashlib.sha256(bytes(blob) if isinstance(blob, list) else
                                                                 __import__("base64").b64decode(blob)).hexdigest()
    data["model"]["vocab_len"] = len(data["model"].pop("vocab"))
    return data


MODEL_SHAPES = {
    # d_kv * num_heads == d_model
    "t5-tiny-a": dict(d_model=64, d_kv=16, num_heads=4, d_ff=128, num_layers=2, num_decoder_layers=2),
    # d_kv * num_heads != d_model, and encoder/decoder depths differ
    "t5-tiny-b": dict(d_model=48, d_kv=8, num_heads=3, d_ff=96, num_layers=3, num_decoder_layers=2),
}


def make_model(shape, seed):
    torch.manual_seed(seed)
    config = T5Config(
        vocab_size=MODEL_VOCAB,
        relative_attention_num_buckets=32,
        relative_attention_max_distance=128,
        dropout_rate=0.0,
        layer_norm_epsilon=1e-6,
        initializer_factor=1.0,
        feed_forward_proj="relu",
        tie_word_embeddings=True,
        is_encoder_decoder=True,
        decoder_start_token_id=0,
        eos_token_id=1,
        pad_token_id=0,
        architectures=["T5ForConditionalGeneration"],
        **shape,
    )
    model = T5ForConditionalGeneration(config)
    # Random T5s have near-uniform attention; large relative-position biases make a wrong bucket visible.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "relative_attention_bias" in name:
                p.normal_(0.0, 2.0)
    return model


def train_reverse(model, tok, seed, steps=300):
    """A few hundred steps on "reverse the tokens" so that outputs are decisive, not near-ties."""
    rng = random.Random(seed)
    texts = [t for _, t in string_corpus(seed + 1)]
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        batch = rng.sample(texts, 32)
        src = [tok(t)["input_ids"][:-1][:24] or [2] for t in batch]
        tgt = [list(reversed(s)) + [1] for s in src]
        src = [s + [1] for s in src]

        def pad(seqs, value):
            n = max(len(s) for s in seqs)
            return torch.tensor([s + [value] * (n - len(s)) for s in seqs])

        input_ids, labels = pad(src, 0), pad(tgt, -100)
        loss = model(input_ids=input_ids, attention_mask=(input_ids != 0).long() | (input_ids == 2).long(),
                     labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    return float(loss.detach())


def save_model(model, folder):
    model.config.save_pretrained(folder)
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    # safetensors: one copy of the tied embedding, as save_pretrained writes it.
    tied = ["encoder.embed_tokens.weight", "decoder.embed_tokens.weight", "lm_head.weight"]
    save_file({k: v for k, v in state.items() if k not in tied}, os.path.join(folder, "model.safetensors"),
              metadata={"format": "pt"})
    # pytorch_model.bin: every key, tied ones sharing storage, like the GT4SD checkpoints' pickles.
    shared = model.state_dict()["shared.weight"].detach().clone()
    bin_state = dict(state)
    for k in tied:
        bin_state[k] = shared
    bin_state["shared.weight"] = shared
    torch.save(bin_state, os.path.join(folder, "pytorch_model.bin"))


def checksum_weights(n):
    """w_j = cos(j): a fixed projection that every logit contributes to (reproducible without numpy)."""
    return np.cos(np.arange(n, dtype=np.float64))


def f(x):
    return float(f"{float(x):.7g}")


def logits_case(model, name, input_ids, attention_mask, decoder_input_ids, full_positions):
    with torch.no_grad():
        out = model(input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=decoder_input_ids)
    enc = out.encoder_last_hidden_state.double().numpy()
    logits = out.logits.double().numpy()
    w_enc, w_vocab = checksum_weights(enc.shape[-1]), checksum_weights(logits.shape[-1])
    case = {
        "name": name,
        "input_ids": input_ids.tolist(),
        "attention_mask": attention_mask.tolist(),
        "decoder_input_ids": decoder_input_ids.tolist(),
        "encoder_hidden": {
            "shape": list(enc.shape),
            "projection": [[f(v) for v in row] for row in enc @ w_enc],
            "first_rows": [[f(v) for v in row] for row in enc[0, :2]],
        },
        "logits": {
            "shape": list(logits.shape),
            "projection": [[f(v) for v in row] for row in logits @ w_vocab],
            "max": [[f(v) for v in row] for row in logits.max(-1)],
            "argmax": logits.argmax(-1).tolist(),
            "full": {str(p): [f(v) for v in logits[0, p]] for p in full_positions},
        },
    }
    return case


def logits_reference(model, tok, seed):
    rng = random.Random(seed)
    texts = [t for _, t in string_corpus(seed)]
    cases = []

    def ids_of(text, n=None):
        ids = tok(text)["input_ids"]
        return ids if n is None else (ids[:-1] * 20)[: n - 1] + [1]

    short = torch.tensor([ids_of(TASK_PREFIXES["caption"] + "CC(=O)Oc1ccccc1C(=O)O")])
    dec = torch.tensor([[0] + ids_of("The molecule is an acid.")[:7]])
    cases.append(logits_case(model, "short", short, torch.ones_like(short), dec, [0, dec.shape[1] - 1]))
    # Decoder distances >= 9 use the causal bucket formula's log-spaced buckets.
    mid = torch.tensor([ids_of(rng.choice(texts), 30)])
    dec = torch.tensor([[0] + ids_of(rng.choice(texts), 40)[:39]])
    cases.append(logits_case(model, "decoder_40", mid, torch.ones_like(mid), dec, [20, 39]))
    # Beyond max_distance 128 in both stacks: the buckets saturate.
    long = torch.tensor([ids_of(" ".join(rng.choice(texts) for _ in range(30)), 200)])
    dec = torch.tensor([[0] + ids_of(" ".join(rng.choice(texts) for _ in range(30)), 150)[:149]])
    cases.append(logits_case(model, "long_200_150", long, torch.ones_like(long), dec, [149]))
    # A padded batch: the attention mask must hide the padding from the encoder and cross-attention.
    a, b = ids_of(rng.choice(texts), 18), ids_of(rng.choice(texts), 9)
    batch = torch.tensor([a, b + [0] * (len(a) - len(b))])
    mask = torch.tensor([[1] * len(a), [1] * len(b) + [0] * (len(a) - len(b))])
    dec = torch.tensor([[0] + a[:9], [0] + b[:8] + [1]])
    cases.append(logits_case(model, "padded_batch", batch, mask, dec, [5]))
    return cases


def generation_inputs(seed):
    rng = random.Random(seed)
    out = []
    for task, prefix in TASK_PREFIXES.items():
        for _ in range(4):
            x = {"forward": lambda: reaction_smiles(rng).split(">")[0], "retro": lambda: some_smiles(rng),
                 "actions": lambda: procedure(rng)[:120], "molecule": lambda: description(rng)[:120],
                 "caption": lambda: some_smiles(rng)}[task]()
            out.append(prefix + x)
    # Short inputs: the toy model reverses them and stops with </s> before max_length.
    short = [s for s in (some_smiles(rng) for _ in range(200)) if 4 <= len(s) <= 14][:30]
    mixed = []
    for i in range(max(len(out), len(short))):
        mixed += short[i:i + 1] + out[i:i + 1]
    return mixed


def generate_reference(model, tok, seed, per_mode=16):
    """Greedy and beam outputs for inputs whose choices are decisive (no near-ties HF could break either way)."""
    records = {"greedy": [], "beam5": [], "beam10": []}
    settings = {
        "greedy": dict(num_beams=1, max_length=32),
        "beam5": dict(num_beams=5, num_return_sequences=5, max_length=40),
        "beam10": dict(num_beams=10, num_return_sequences=10, max_length=24),
    }
    wanted = {"greedy": per_mode, "beam5": per_mode, "beam10": 4}
    for text in generation_inputs(seed):
        ids = torch.tensor([tok(text)["input_ids"]])
        for mode, kw in settings.items():
            if len(records[mode]) >= wanted[mode]:
                continue
            with torch.no_grad():
                out = model.generate(input_ids=ids, do_sample=False, length_penalty=1.0, early_stopping=False,
                                     output_scores=True, return_dict_in_generate=True, **kw)
            seqs = out.sequences.tolist()
            if mode == "greedy":
                steps = [s[0].double() for s in out.scores]
                margins = [float(torch.topk(s, 2).values[0] - torch.topk(s, 2).values[1]) for s in steps]
                if min(margins) < 1e-3:
                    continue
                logprobs = [float(torch.log_softmax(s, -1)[tok_id]) for s, tok_id in zip(steps, seqs[0][1:])]
                records[mode].append({
                    "input": text, "input_ids": ids[0].tolist(), **kw,
                    "sequence": seqs[0], "token_logprobs": [f(x) for x in logprobs],
                    "score": f(sum(logprobs)), "min_top2_margin": f(min(margins)),
                })
            else:
                scores = out.sequences_scores.tolist()
                gaps = [scores[i] - scores[i + 1] for i in range(len(scores) - 1)]
                if min(gaps) < 1e-3:
                    continue
                records[mode].append({
                    "input": text, "input_ids": ids[0].tolist(), **kw,
                    "sequences": seqs, "sequences_scores": [f(x) for x in scores], "min_score_gap": f(min(gaps)),
                })
    return records


def dump(path, data):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "model"))
    parser.add_argument("--seed", type=int, default=20231)
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    versions = {"transformers": transformers.__version__, "torch": torch.__version__,
                "sentencepiece": spm.__version__, "numpy": np.__version__}

    spiece = train_spiece(args.seed)
    # The tokenizer reference is computed from the first model's folder: the GT4SD layout, config.json included.
    tok_dir = os.path.join(args.out, next(iter(MODEL_SHAPES)))
    shutil.rmtree(tok_dir, ignore_errors=True)
    write_tokenizer_folder(tok_dir, spiece)
    with open(os.path.join(tok_dir, "config.json"), "w") as fh:
        json.dump({"model_type": "t5"}, fh)  # replaced by the model's config below
    tok = AutoTokenizer.from_pretrained(tok_dir)
    assert type(tok).__name__ == "T5TokenizerFast", type(tok)
    strings = string_corpus(args.seed)
    dump(os.path.join(args.out, "tokenizer_reference.json"), {
        "versions": versions,
        "folder": os.path.basename(tok_dir),
        "reference": "AutoTokenizer.from_pretrained(folder); ids = tok(text)['input_ids']; "
                     "decoded = tok.decode(ids, skip_special_tokens=True|False)",
        "backend": backend_summary(tok),
        "strings": tokenizer_reference(tok, strings),
    })

    for i, (name, shape) in enumerate(MODEL_SHAPES.items()):
        folder = os.path.join(args.out, name)
        write_tokenizer_folder(folder, spiece)
        model = make_model(shape, args.seed + i)
        loss = train_reverse(model, tok, args.seed + i)
        save_model(model, folder)
        # Reload from disk so the reference is computed from exactly the saved weights.
        model = T5ForConditionalGeneration.from_pretrained(folder).eval()
        dump(os.path.join(args.out, f"{name}.reference.json"), {
            "versions": versions,
            "model": name,
            "final_training_loss": f(loss),
            "checksum_weights": "projection = sum_j x[j] * cos(j) over the last axis (j from 0)",
            "logits": logits_reference(model, tok, args.seed + 10 + i),
            "generation_settings": "model.generate(input_ids, do_sample=False, length_penalty=1.0, "
                                   "early_stopping=False, output_scores=True, return_dict_in_generate=True, "
                                   "num_beams, num_return_sequences, max_length); max_length counts the "
                                   "decoder start token 0",
            "generation": generate_reference(model, tok, args.seed + 20 + i),
        })
        print(name, "loss", round(loss, 3))
    print("versions", versions)


if __name__ == "__main__":
    main()
