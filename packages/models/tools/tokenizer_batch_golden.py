"""Regenerates packages/models/test/fixtures/tokenizers/golden-batch.json: HF batch padding/truncation results for
the T5 and Llama-2 tokenizer fixtures (transformers' __call__ with padding/max_length/truncation/truncation_side).

Run from the repository root with transformers + tokenizers installed (written with transformers 5.18.0, tokenizers
0.23.2):  python packages/models/tools/tokenizer_batch_golden.py
Llama-2 goes through PreTrainedTokenizerFast(tokenizer_file=...) so that tokenizer.json's own normaliser is used:
transformers 5.x's LlamaTokenizer replaces it (see shared/golden/tokenizers/README.md); pad = eos as in DePT's
train.py, padding_side left (LlamaTokenizerFast's default).
"""
import json
import os

import tokenizers
import transformers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "tokenizers")
TEXTS = [
    "Classify this text is postive or not:",
    "1",
    "sst2 sentence: it 's a charming and often affecting journey . ",
    "héllo wörld {x} 😍",
]


def main() -> None:
    t5 = AutoTokenizer.from_pretrained(os.path.join(HERE, "t5"))
    llama = PreTrainedTokenizerFast(
        tokenizer_file=os.path.join(HERE, "llama", "tokenizer.json"),
        bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="</s>", padding_side="left",
    )
    calls = [
        ("t5", dict(padding="longest"), "right"),
        ("t5", dict(padding="max_length", max_length=6, truncation=True), "right"),
        ("t5", dict(padding="max_length", max_length=6, truncation=True), "left"),
        ("llama", dict(padding="longest"), "right"),
        ("llama", dict(padding="max_length", max_length=5, truncation=True), "right"),
        ("llama", dict(padding="longest", max_length=7, truncation=True), "right"),
    ]
    cases = []
    for name, kwargs, truncation_side in calls:
        tok = t5 if name == "t5" else llama
        tok.truncation_side = truncation_side
        enc = tok(TEXTS, **kwargs)
        cases.append({
            "tokenizer": name,
            "call": {**kwargs, "truncation_side": truncation_side, "padding_side": tok.padding_side},
            "input_ids": enc["input_ids"],
            "attention_mask": enc["attention_mask"],
        })
    out = {
        "generated_with": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__},
        "texts": TEXTS,
        "llama_pad": "eos (</s> = 2), as DePT's train.py sets it",
        "cases": cases,
    }
    with open(os.path.join(HERE, "golden-batch.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
