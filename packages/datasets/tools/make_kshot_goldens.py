"""Regenerates test/fixtures/kshot-goldens.json: the reference's k-shot selection (train.py ~L530:
Dataset.shuffle(seed) = numpy.random.default_rng(seed).permutation(n), then the per-class walk) on
synthetic training sets whose targets are a fixed function of the row number. Run with numpy."""
import json
import os

import numpy as np


def targets(task, n):
    if task == "stsb":
        return [str(np.round(((i * 37) % 51) / 10, 1)) for i in range(n)]
    if task == "superglue-cb":
        return [str((i * 7 + i // 5) % 3) for i in range(n)]
    return [str(int((i * 13) % 7 < 2)) for i in range(n)]  # imbalanced binary (2/7 ones)


def kshot(task, tgts, k, seed):
    classes = {"superglue-cb": ["0", "1", "2"]}.get(task, ["0", "1"])
    counts = {c: 0 for c in classes}
    per_class = k // len(counts)
    perm = np.random.default_rng(seed).permutation(len(tgts))
    picked = []
    for i in range(len(tgts)):
        if sum(counts.values()) == k:
            break
        label = tgts[perm[i]]
        if task == "stsb":
            label = "0" if float(label) <= 2.5 else "1"
        if counts[label] < per_class or sum(counts.values()) == k - 1:
            counts[label] += 1
            picked.append(int(perm[i]))
    return picked


cases = []
for task in ["rte", "superglue-cb", "stsb"]:
    for n in [250, 2490]:
        for seed in [42, 13, 0]:
            for k in [4, 16, 17, 32]:
                cases.append({"task": task, "n": n, "seed": seed, "k": k, "targets": None, "picked": kshot(task, targets(task, n), k, seed)})
out = {"targetsByTask": {t: {str(n): targets(t, n) for n in [250, 2490]} for t in ["rte", "superglue-cb", "stsb"]}, "cases": cases}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "kshot-goldens.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print("wrote", len(cases), "cases", os.path.getsize(path), "bytes")
