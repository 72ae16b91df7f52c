"""Regenerates test/fixtures/splits/* from the golden split files (CI never runs this).

    pip install torch numpy safetensors
    python tools/make_split_fixtures.py [/work/shared/golden/splits]

The goldens hold torch.randperm(n, generator=torch.Generator().manual_seed(42)) per DePT split and
numpy.random.default_rng(S).permutation(n) per (S, n); 4.7 MB together. The test fixtures keep
- splits-small.safetensors: every golden array with n <= 5000, verbatim (element-wise diagnostics), and
- splits-digests.json: sha256 of the int32 little-endian bytes of EVERY golden array (all sizes), plus
  two arrays computed here with the libraries directly at n = 560000 (the size the benchmark uses).
"""
import hashlib
import json
import os
import sys

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/golden/splits"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "splits")
os.makedirs(OUT, exist_ok=True)
SMALL = 5000


def digest(arr):
    return hashlib.sha256(np.ascontiguousarray(arr, dtype="<i4").tobytes()).hexdigest()


entries = []
small = {}
for fname, kind in [("torch-randperm-seed42.safetensors", "torch"), ("numpy-permutation.safetensors", "numpy")]:
    arrays = load_file(os.path.join(SRC, fname))
    for key, arr in sorted(arrays.items()):
        if kind == "torch":
            seed, n = 42, int(arr.shape[0])
            assert np.array_equal(arr, torch.randperm(n, generator=torch.Generator().manual_seed(42)).numpy()), key
        else:
            seed, n = int(key.split(".")[0][4:]), int(key.split(".")[1][1:])
            assert np.array_equal(arr, np.random.default_rng(seed).permutation(n)), key
        entries.append({"source": fname, "key": key, "kind": kind, "seed": seed, "n": n, "sha256": digest(arr)})
        if n <= SMALL:
            small[f"{kind}.{key}"] = arr.astype(np.int32)

n = 560000
entries.append({"source": f"torch {torch.__version__}", "key": f"n{n}", "kind": "torch", "seed": 42, "n": n,
                "sha256": digest(torch.randperm(n, generator=torch.Generator().manual_seed(42)).numpy())})
entries.append({"source": f"numpy {np.__version__}", "key": f"seed42.n{n}", "kind": "numpy", "seed": 42, "n": n,
                "sha256": digest(np.random.default_rng(42).permutation(n))})

save_file(small, os.path.join(OUT, "splits-small.safetensors"), metadata={"source": "golden/splits, n <= %d" % SMALL})
with open(os.path.join(OUT, "splits-digests.json"), "w") as f:
    json.dump(entries, f, indent=1)
    f.write("\n")
print(len(entries), "digests,", len(small), "small arrays")
