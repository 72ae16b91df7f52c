"""Regenerates packages/metrics/test/fixtures/python-crosscheck.json: seeded random inputs scored the way DePT
scores them (src/metrics.py, src/qa_utils.py of github.com/ZhengxiangShi/DePT: Python float(), str.lower(),
string.punctuation, the `regex` module's Unicode \\b, numpy means, sklearn and scipy), to cross-check the
TypeScript port beyond the hand-written goldens: Unicode-heavy SQuAD normalisation, Python float() parsing,
and metrics on evaluation-sized inputs (pairwise numpy sums past 128 values, many ties, many invalid strings).

Usage (CI never runs this; the JSON is committed):
    python -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy scikit-learn regex
    /tmp/venv/bin/python tools/metrics/python_crosscheck.py
"""
import collections
import json
import math
import pathlib
import random
import string
import sys

import numpy as np
import regex
import scipy
import scipy.stats
import sklearn
import sklearn.metrics

OUT = pathlib.Path(__file__).resolve().parents[2] / "packages/metrics/test/fixtures/python-crosscheck.json"
rng = random.Random(20240410)


# --- DePT's behaviour, written out from the reference's documented semantics ---------------------------
def normalize_squad(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = regex.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def squad_f1(gold, pred):
    p, g = pred.split(), gold.split()
    common = collections.Counter(p) & collections.Counter(g)
    same = sum(common.values())
    if same == 0:
        return 0
    precision, recall = 1.0 * same / len(p), 1.0 * same / len(g)
    return (2 * precision * recall) / (precision + recall)


def squad(predictions, golds):
    golds = [[normalize_squad(t) for t in u] for u in golds]
    preds = [normalize_squad(p) for p in predictions]
    em = np.mean([max(float(g == p) for g in gs) for p, gs in zip(preds, golds)]) * 100
    f1 = np.mean([max(squad_f1(g, p) for g in gs) for p, gs in zip(preds, golds)]) * 100
    return {"em": float(em), "f1": float(f1)}


def string_to_float(s, default=-1.0):
    try:
        return float(s)
    except ValueError:
        return default


def nan0(v):
    return 0 if math.isnan(v) else float(v)


def f1_with_invalid(predictions, targets):
    t, p = np.asarray(targets), np.asarray(predictions).astype(object)
    mask = np.logical_and(p != "0", p != "1")
    p[mask] = ["0" if x == "1" else "1" for x in t[mask]]
    return float(100 * sklearn.metrics.f1_score(t.astype(np.int32), p.astype(str).astype(np.int32)))


# --- random inputs --------------------------------------------------------------------------------------
POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list(string.punctuation)
    + [" ", " ", " ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u0085", "\u001f", "\ufeff", "\u200b"]
    + list("éèüßçñøÆŒİıΣσςΟΔΑЖж中文日本語한국어") + ["\u0301", "\u0308", "\u200d"]
    + ["“", "”", "‘", "’", "«", "»", "…", "–", "—", "·", "¿", "¡", "٣", "５", "_"]
)
WORDS = ["a", "an", "the", "The", "A", "AN", "THE", "théa", "a1", "1a", "an_", "_the", "the-", "a.", "ΣΑΣ", "Άα"]


def random_text(max_len=12):
    parts = []
    for _ in range(rng.randint(0, max_len)):
        parts.append(rng.choice(WORDS) if rng.random() < 0.35 else "".join(rng.choice(POOL) for _ in range(rng.randint(1, 4))))
        parts.append(rng.choice([" ", " ", "", "\t", ",", " . ", "\u00a0"]))
    return "".join(parts)


def random_float_string():
    r = rng.random()
    if r < 0.45:
        v = rng.choice([rng.uniform(0, 5), rng.uniform(-10, 10), rng.randint(0, 5), rng.uniform(0, 1e-3)])
        s = rng.choice(["{:.1f}", "{:.2f}", "{:g}", "{:.3e}", "{}", "{:.0f}"]).format(v)
    else:
        alphabet = "0123456789._eE+- \tnaifty_x,٣５"
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))
    if rng.random() < 0.2:
        s = rng.choice([" ", "\u00a0", "\u2003", "\n"]) + s + rng.choice([" ", "\u3000", ""])
    return s


def labels(n, classes, invalid, p_correct, gold=None):
    gold = gold or [rng.choice(classes) for _ in range(n)]
    preds = []
    for g in gold:
        r = rng.random()
        preds.append(g if r < p_correct else rng.choice(invalid) if r < p_correct + 0.05 else rng.choice(classes))
    return preds, gold


def main():
    out = {
        "generator": "tools/metrics/python_crosscheck.py",
        "generated_with": {
            "python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
            "sklearn": sklearn.__version__, "regex": regex.__version__,
        },
        "normalize_squad": [], "python_float": [], "squad": [], "f1_invalid": [], "macro_f1_cb": [],
        "matthews": [], "stsb": [], "accuracy": [], "numpy_mean": [],
    }
    for n in (1, 7, 8, 9, 16, 127, 128, 129, 136, 255, 256, 257, 1000):
        xs = [rng.choice([rng.random(), rng.uniform(-1e3, 1e3), 1 / rng.randint(1, 97), rng.gauss(0, 1e-3)]) for _ in range(n)]
        out["numpy_mean"].append({"values": xs, "sum": float(np.sum(np.array(xs))), "mean": float(np.mean(np.array(xs)))})
    for _ in range(400):
        t = random_text()
        out["normalize_squad"].append([t, normalize_squad(t)])
    for _ in range(400):
        s = random_float_string()
        v = string_to_float(s, None)
        out["python_float"].append([s, None if v is None else ("NaN" if math.isnan(v) else ("Infinity" if v == math.inf else ("-Infinity" if v == -math.inf else v)))])
    for n in (9, 130, 400):
        preds = [random_text(5) for _ in range(n)]
        golds = [[rng.choice([preds[i], random_text(5)]) if rng.random() < 0.6 else random_text(5) for _ in range(rng.randint(1, 3))] for i in range(n)]
        out["squad"].append({"predictions": preds, "golds": golds, "dept_output": squad(preds, golds)})
    for n in (137, 1000):
        p, t = labels(n, ["0", "1"], ["", "yes", "2", " 1", "1.0"], 0.8)
        out["f1_invalid"].append({"predictions": p, "targets": t, "dept_output": {"f1": f1_with_invalid(p, t)},
                                  "accuracy": float(100 * (np.array(p) == np.array(t)).mean())})
        p, t = labels(n, ["0", "1", "2"], ["", "3", "entailment"], 0.7)
        out["macro_f1_cb"].append({"predictions": p, "targets": t, "dept_output": {"f1_multiclass": float(100 * sklearn.metrics.fbeta_score(t, p, beta=1, labels=range(3), average="macro"))}})
        p, t = labels(n, ["0", "1"], ["", "x", "acceptable", "2"], 0.75)
        out["matthews"].append({"predictions": p, "targets": t, "dept_output": {"matthews_correlation": float(100 * sklearn.metrics.matthews_corrcoef(t, p))}})
    for n in (129, 800):
        t = [str(np.round(rng.uniform(0, 5), 1)) for _ in range(n)]
        p = [rng.choice([str(np.round(min(5, max(0, float(x) + rng.gauss(0, 0.8))), 1)), str(round(float(x) + rng.gauss(0, 1), 3))]) if rng.random() > 0.03 else rng.choice(["", "abc", "3..2"]) for x in t]
        tf, pf = [string_to_float(x) for x in t], [string_to_float(x) for x in p]
        out["stsb"].append({"predictions": p, "targets": t, "dept_output": {
            "pearson": nan0(100 * scipy.stats.pearsonr(tf, pf)[0]), "spearmanr": nan0(100 * scipy.stats.spearmanr(tf, pf)[0])}})
    for n in (200, 5463):  # 5463 = qnli validation size: exercises the recursive pairwise split
        p, t = labels(n, ["0", "1"], ["", "yes"], 0.9)
        out["accuracy"].append({"predictions": p, "targets": t, "dept_output": {"accuracy": float(100 * (np.array(p) == np.array(t)).mean())}})
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
