#!/usr/bin/env python3
"""Copy the golden fixtures @dept/models' tests need from /work/shared/golden into test/fixtures/.

Models are copied byte for byte. Case tensors are re-written with a subset of their tensors (plain safetensors
writer, no torch needed) to keep the repository small: t5-tiny/e_generate drops its two step_logits tensors
([6, 2, 32128] float32, 1.5 MB each; generated ids are still compared exactly, and t5-tiny logits parity is
covered by a_base_forward); t5-tiny/b_prompt_tuning drops `logits` (1.3 MB; the test checks its loss and
grad_P), t5-tiny/d_lora drops `logits` likewise (loss and LoRA grads are compared). Adapter folders are not copied (the prompt P is a tensor of the case). case.json files are copied unchanged.

Usage: python3 packages/models/tools/slice_goldens.py [--golden /work/shared/golden]
"""
import argparse
import json
import shutil
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
OUT = HERE / "test" / "fixtures"

MODELS = {
    # The t5-base tokenizer files that go with t5-tiny are already in test/fixtures/tokenizers/t5/.
    "t5-tiny": ["config.json", "generation_config.json", "model.safetensors"],
    "t5-tiny-gated": ["config.json", "generation_config.json", "model.safetensors"],
    "llama-tiny": ["config.json", "generation_config.json", "model.safetensors"],
}
CASES = ["a_base_forward", "b_prompt_tuning", "d_lora", "e_generate"]
DROP = {
    ("t5-tiny", "e_generate"): {"step_logits", "dept_step_logits"},
    ("t5-tiny", "b_prompt_tuning"): {"logits"},
    ("t5-tiny", "d_lora"): {"logits"},
}


def read_safetensors(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    meta = header.pop("__metadata__", None)
    tensors = {k: (v["dtype"], v["shape"], body[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}
    return tensors, meta


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
    golden = Path(ap.parse_args().golden)
    for model, files in MODELS.items():
        dst = OUT / "models" / model
        dst.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copyfile(golden / "models" / model / f, dst / f)
        for case in CASES:
            src = golden / "cases" / model / case
            cdst = OUT / "cases" / model / case
            cdst.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / "case.json", cdst / "case.json")
            tensors, meta = read_safetensors(src / "tensors.safetensors")
            drop = DROP.get((model, case), set())
            write_safetensors(cdst / "tensors.safetensors", {k: v for k, v in tensors.items() if k not in drop}, meta)


if __name__ == "__main__":
    main()
