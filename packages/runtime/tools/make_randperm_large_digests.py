"""Writes test/fixtures/splits/randperm-large-digests.json: sha256 of torch.randperm(n, seed 42) as int32
little-endian bytes for n on both sides of torch's algorithm switch (n < UINT32_MAX / 20 = 214748364 uses
32-bit draws; from 214748364 on, the inside-out shuffle with 64-bit draws). Needs ~4 GB RAM, ~1 minute.

    pip install torch numpy
    python tools/make_randperm_large_digests.py
"""
import hashlib
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "splits", "randperm-large-digests.json")
entries = []
for n in (214748363, 214748364):
    a = torch.randperm(n, generator=torch.Generator().manual_seed(42)).numpy().astype("<i4")
    entries.append({"n": n, "seed": 42, "torch": torch.__version__, "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
                    "head": a[:5].tolist(), "tail": a[-5:].tolist()})
    del a
with open(OUT, "w") as f:
    json.dump(entries, f, indent=1)
    f.write("\n")
print("wrote", OUT)
