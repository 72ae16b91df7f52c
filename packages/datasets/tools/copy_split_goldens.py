"""Copies the split goldens the tests need from shared/golden/splits (see its README) into
test/fixtures/splits/, so a clone without shared/ still tests: every small task's validation permutation,
sst2.train and winogrande.train (the large-task split of real size), the plain small sizes, and numpy
permutations for n in {10, 250, 2490}. Same safetensors format, same values (int32)."""
import json
import os
import struct
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/golden/splits"
DST = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "splits")


def read(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    body = b[8 + n:]
    return {k: (v, body[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items() if k != "__metadata__"}, header.get("__metadata__", {})


def write(path, tensors, meta):
    header, offset, blobs = {"__metadata__": meta}, 0, []
    for k, (v, data) in tensors.items():
        header[k] = {"dtype": v["dtype"], "shape": v["shape"], "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


torch, tmeta = read(os.path.join(SRC, "torch-randperm-seed42.safetensors"))
keep = {k: v for k, v in torch.items() if k.endswith(".validation") or k.startswith(("small.", "medium.")) or k in ("sst2.train", "winogrande.train")}
write(os.path.join(DST, "torch-randperm-seed42.subset.safetensors"), keep, tmeta)
npy, nmeta = read(os.path.join(SRC, "numpy-permutation.safetensors"))
keep = {k: v for k, v in npy.items() if k.split(".")[1] in ("n10", "n250", "n2490")}
write(os.path.join(DST, "numpy-permutation.subset.safetensors"), keep, nmeta)
print(sorted(os.listdir(DST)))
