"""Regenerates test/fixtures/safetensors/* with the reference implementation (huggingface `safetensors`
Rust writer via safetensors.torch, torch 2.x CPU). CI never runs this; the outputs are committed.

    pip install torch safetensors numpy
    python tools/make_safetensors_fixtures.py

Writes:
- mixed.safetensors: one tensor per supported dtype (F32 F16 BF16 I64 I32 U8 BOOL), awkward names,
  metadata {"format": "pt"}; mixed.expected.json: the values each tensor must decode to (float32 values
  as torch sees them after .float(); non-finite floats as the strings "NaN", "Infinity", "-Infinity").
- rounding.json: float32 inputs and the F16 / BF16 bit patterns torch rounds them to (encoder check).
- sharded/: a two-shard checkpoint with model.safetensors.index.json (transformers layout).
"""
import json
import math
import os
import struct

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "safetensors")
os.makedirs(OUT, exist_ok=True)


def f32_list(t):
    out = []
    for v in t.float().flatten().tolist():
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        else:
            out.append(v)
    return out


special = [0.0, -0.0, 1.0, -2.5, 65504.0, 1e-7, 6e-8, 3.0e-5, 1e5, float("inf"), float("-inf"), float("nan"),
           0.1, 1 / 3, -123.456, 1.00048828125]
tensors = {
    "f32.weight": torch.tensor(special, dtype=torch.float32).reshape(4, 4),
    "f16": torch.tensor(special, dtype=torch.float32).to(torch.float16),
    "bf16": torch.tensor(special, dtype=torch.float32).to(torch.bfloat16).reshape(2, 8),
    "i64": torch.tensor([[0, -1, 2147483647], [-2147483648, 5, -100]], dtype=torch.int64),
    "i32": torch.tensor([7, -7, 0, 2147483647, -2147483648], dtype=torch.int32),
    "u8": torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
    "bool": torch.tensor([[True, False, True]], dtype=torch.bool),
    "0": torch.tensor([1.5], dtype=torch.float32),
    "10": torch.tensor([], dtype=torch.float32).reshape(0, 3),
    "2": torch.tensor(3.25, dtype=torch.float32),
    "B": torch.tensor([1, 2], dtype=torch.int32),
    "a.ü": torch.tensor([4], dtype=torch.int32),
}
save_file(tensors, os.path.join(OUT, "mixed.safetensors"), metadata={"format": "pt"})
expected = {
    name: {
        "dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
                  torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}[t.dtype],
        "shape": list(t.shape),
        "values": f32_list(t) if t.is_floating_point() else [int(v) for v in t.flatten().tolist()],
    }
    for name, t in tensors.items()
}
with open(os.path.join(OUT, "mixed.expected.json"), "w") as f:
    json.dump({"metadata": {"format": "pt"}, "tensors": expected}, f, indent=1, ensure_ascii=False)
    f.write("\n")

# Encoder rounding: random float32 values plus ties / overflow / subnormal edge cases.
g = torch.Generator().manual_seed(7)
vals = torch.cat([
    torch.randn(200, generator=g) * 10,
    torch.randn(50, generator=g) * 1e-5,
    torch.tensor([65519.0, 65520.0, 1e9, -1e9, 2.0 ** -25, 2.0 ** -24 * 1.5, 2.0 ** -24 * 2.5, 1 + 2.0 ** -11,
                  1 + 3 * 2.0 ** -11, 1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, 3.4e38, -0.0, 5.9604645e-8]),
]).to(torch.float32)
bits32 = [struct.unpack("<I", struct.pack("<f", v))[0] for v in vals.tolist()]
f16_bits = vals.to(torch.float16).view(torch.int16).tolist()
bf16_bits = vals.to(torch.bfloat16).view(torch.int16).tolist()
with open(os.path.join(OUT, "rounding.json"), "w") as f:
    json.dump({"f32_bits": bits32, "f16_bits": [b & 0xFFFF for b in f16_bits],
               "bf16_bits": [b & 0xFFFF for b in bf16_bits]}, f)
    f.write("\n")

# Sharded checkpoint, as transformers' save_pretrained(max_shard_size=...) lays it out.
shard_dir = os.path.join(OUT, "sharded")
os.makedirs(shard_dir, exist_ok=True)
shard1 = {"embed.weight": torch.arange(12, dtype=torch.float32).reshape(3, 4), "layer.0.w": torch.ones(2, 2)}
shard2 = {"layer.1.w": torch.full((2, 2), 2.0), "lm_head.weight": torch.arange(8, dtype=torch.float32).reshape(2, 4)}
names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
save_file(shard1, os.path.join(shard_dir, names[0]), metadata={"format": "pt"})
save_file(shard2, os.path.join(shard_dir, names[1]), metadata={"format": "pt"})
weight_map = {k: names[0] for k in shard1} | {k: names[1] for k in shard2}
total = sum(t.numel() * 4 for t in list(shard1.values()) + list(shard2.values()))
with open(os.path.join(shard_dir, "model.safetensors.index.json"), "w") as f:
    json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
    f.write("\n")
print("wrote", OUT)
