#!/usr/bin/env python3
"""Copies the golden case tensors @dept/peft's tests need from /work/shared/golden into test/fixtures/cases/.

Case tensors are re-written (plain safetensors writer, standard library only) keeping only what the peft tests read;
case.json files are copied unchanged. Kept in full: b_prompt_tuning, c_dept, d_lora (inputs, logits, every
gradient, P/A/B and the LoRA param.* values) and g_dept_text_init. e_generate keeps the inputs, P/A/B and the
DePT outputs; the [steps, B, 32128] step-logit tensors of t5-tiny are dropped (1.5 MB each; ids are compared
exactly). The models themselves are not copied: tests read packages/models/test/fixtures/models/.
The adapter/ folders are copied byte for byte into test/fixtures/golden/ (see test/fixtures/README.md).

Usage: python3 packages/peft/tools/slice-goldens.py [--golden /work/shared/golden]
"""
import argparse
import json
import shutil
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
OUT = HERE / "test" / "fixtures"

CASES = {
    "t5-tiny": ["b_prompt_tuning", "c_dept", "d_lora", "e_generate", "f_dept_train", "g_dept_text_init"],
    "t5-tiny-gated": ["b_prompt_tuning", "c_dept", "d_lora", "e_generate"],
    "llama-tiny": ["b_prompt_tuning", "c_dept", "d_lora", "e_generate"],
}
DROP = {
    ("t5-tiny", "e_generate"): {"step_logits", "dept_step_logits", "sequences"},
}


def read_safetensors(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    meta = header.pop("__metadata__", None)
    return {k: (v["dtype"], v["shape"], body[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}, meta


def write_safetensors(path, tensors, meta):
    header, offset, chunks = {}, 0, []
    if meta:
        header["__metadata__"] = meta
    for name in sorted(tensors):
        dtype, shape, data = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--golden", default="/work/shared/golden")
    args = ap.parse_args()
    src = Path(args.golden) / "cases"
    for model, cases in CASES.items():
        for case in cases:
            out = OUT / "cases" / model / case
            out.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / model / case / "case.json", out / "case.json")
            tensors, meta = read_safetensors(src / model / case / "tensors.safetensors")
            drop = DROP.get((model, case), set())
            write_safetensors(out / "tensors.safetensors", {k: v for k, v in tensors.items() if k not in drop}, meta)
            print(f"{model}/{case}: {len(tensors) - len(drop & set(tensors))} tensors, {(out / 'tensors.safetensors').stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
