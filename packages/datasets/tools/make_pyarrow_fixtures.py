"""Regenerates test/fixtures/pyarrow/: tiny files written by pyarrow the way Hugging Face writes them, to
check the JS readers against the reference writer: Parquet with every codec the hub uses (snappy, zstd,
gzip, brotli, lz4) and nested columns (MRQA's answers list<string>, MultiRC's idx struct, int64 labels),
several row groups; an Arrow IPC *stream* file as the `datasets` cache writes it (several record batches)
and the same table as an IPC *file*. Run: python tools/make_pyarrow_fixtures.py (needs pyarrow)."""
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "pyarrow")
os.makedirs(HERE, exist_ok=True)

rows = [
    {"question": f"Who is person {i}?", "context": f"Person {i} is called Ann-{i}, the U.S. envoy.",
     "answers": [f"Ann-{i}", f"Ann {i}"] if i % 2 else [f"Ann-{i}"],
     "label": i % 2, "score": [0.0, 1.25, 3.75, 2.25, 4.8, 5.0, 0.5][i % 7],
     "idx": {"paragraph": i // 3, "question": i // 2, "answer": i}}
    for i in range(7)
]
schema = pa.schema([
    ("question", pa.string()), ("context", pa.string()), ("answers", pa.list_(pa.string())),
    ("label", pa.int64()), ("score", pa.float32()),
    ("idx", pa.struct([("paragraph", pa.int32()), ("question", pa.int32()), ("answer", pa.int32())])),
])
table = pa.Table.from_pylist(rows, schema=schema)
for codec in ["snappy", "zstd", "gzip", "brotli", "lz4", "none"]:
    pq.write_table(table, os.path.join(HERE, f"nested-{codec}.parquet"), compression=codec, row_group_size=3)
with pa.OSFile(os.path.join(HERE, "nested-stream.arrow"), "wb") as sink:
    with pa.ipc.new_stream(sink, schema) as writer:
        for batch in table.to_batches(max_chunksize=3):
            writer.write_batch(batch)
with pa.OSFile(os.path.join(HERE, "nested-file.arrow"), "wb") as sink:
    with pa.ipc.new_file(sink, schema) as writer:
        for batch in table.to_batches(max_chunksize=3):
            writer.write_batch(batch)
expected = [{**r, "score": float(pa.scalar(r["score"], pa.float32()).as_py())} for r in rows]
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump({"rows": expected, "provenance": {"pyarrow": pa.__version__, "script": "packages/datasets/tools/make_pyarrow_fixtures.py"}}, f, indent=1)
    f.write("\n")
print("wrote", sorted(os.listdir(HERE)))
