"""Regenerates test/fixtures/collate-goldens.json: what train.py's preprocessing (seq2seq_preprocess_function,
decoder_preprocess_function, decoder_test_preprocess_function, AbstractTask.get_max_target_length) produces
with the real tokenizers (t5-base from the DePT repo, Llama-2), re-stated here with HF transformers.
Run: python tools/make_collate_goldens.py <t5-tokenizer-dir> <llama-tokenizer-dir>  (needs transformers)."""
import json
import os
import sys

import numpy as np
from transformers import AutoTokenizer

t5_dir, llama_dir = sys.argv[1], sys.argv[2]
t5 = AutoTokenizer.from_pretrained(t5_dir)
llama = AutoTokenizer.from_pretrained(llama_dir)
if llama.pad_token_id is None:
    llama.pad_token_id = llama.eos_token_id  # train.py

EXAMPLES = [
    {"source": "sentence1: The cat sat. sentence2: A cat was sitting.", "target": "1"},
    {"source": "sentence: " + "very long input " * 20, "target": "0"},
    {"source": "question: Who ' s the U . S . envoy ?  context: Ann - Marie , the envoy . ", "target": "Ann - Marie " + "and more words " * 8},
    {"source": "sentence1: Café prices. sentence2: Ça va", "target": "3.8"},
]

LABELS = {
    "binary": ["0", "1"], "ternary": ["0", "1", "2"],
    "stsb": [str(np.round(x, decimals=1)) for x in np.arange(0, 5.2, 0.2)],
}


def seq2seq(tok, s, t):
    src = tok([e["source"] for e in EXAMPLES], max_length=s, padding="max_length", truncation=True)
    tgt = tok([e["target"] for e in EXAMPLES], max_length=t, padding="max_length", truncation=True)
    labels = [[(i if i != tok.pad_token_id else -100) for i in row] for row in tgt["input_ids"]]
    return {"maxSeqLength": s, "maxTargetLength": t, "inputIds": src["input_ids"], "attentionMask": src["attention_mask"], "labels": labels}


def decoder_train(tok, s):
    ids, masks, labels = [], [], []
    for e in EXAMPLES:
        prompt = tok(f"{e['source']} Label : ")["input_ids"]
        answer = tok(e["target"])["input_ids"] + [tok.pad_token_id]
        seq = prompt + answer
        lab = [-100] * len(prompt) + answer
        mask = [1] * len(seq)
        k = s - len(seq)
        ids.append(([tok.pad_token_id] * k + seq)[:s])
        masks.append(([0] * k + mask)[:s])
        labels.append(([-100] * k + lab)[:s])
    return {"maxSeqLength": s, "inputIds": ids, "attentionMask": masks, "labels": labels}


def decoder_eval(tok, s):
    ids, masks, labels = [], [], []
    for e in EXAMPLES:
        enc = tok(f"{e['source']} Label : ")
        prompt, mask = enc["input_ids"], enc["attention_mask"]
        target = tok(e["target"])["input_ids"]
        ids.append(([tok.pad_token_id] * (s - len(prompt)) + prompt)[:s])
        masks.append(([0] * (s - len(prompt)) + mask)[:s])
        labels.append(([-100] * (s - len(target)) + target)[:s])
    return {"maxSeqLength": s, "inputIds": ids, "attentionMask": masks, "labels": labels}


out = {
    "examples": EXAMPLES,
    "t5": {
        "maxTargetLength": {k: max(len(t5.encode(x)) for x in v) for k, v in LABELS.items()},
        "seq2seq": [seq2seq(t5, 16, 3), seq2seq(t5, 64, 20)],
    },
    "llama": {
        "padTokenId": llama.pad_token_id,
        "maxTargetLength": {k: max(len(llama.encode(x)) for x in v) for k, v in LABELS.items()},
        "decoderTrain": [decoder_train(llama, 24), decoder_train(llama, 96)],
        "decoderEval": [decoder_eval(llama, 24), decoder_eval(llama, 96)],
    },
    "provenance": {"script": "packages/datasets/tools/make_collate_goldens.py", "transformers": __import__("transformers").__version__},
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "collate-goldens.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
    f.write("\n")
print("wrote", path, out["t5"]["maxTargetLength"], out["llama"]["maxTargetLength"])
