// Split policy against the golden seed-42 torch.randperm permutations for the real split sizes, and
// k-shot against the reference loop (tools/make_kshot_goldens.py).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getTask, kShotPositions, selectRows, sourceSplitOf } from "../src/index.ts";
import { FIXTURES, numpyGolden, torchGolden } from "./helpers.ts";

const TORCH = torchGolden();
/** randperm backed by the golden file: only the sizes it holds (a missing size fails the test). */
function goldenRandperm(n: number, seed: number): Int32Array {
  expect(seed).toBe(42);
  const hit = [...TORCH.values()].find((v) => v.length === n);
  if (hit === undefined) throw new Error(`no golden permutation of size ${n}`);
  return hit;
}

// Validation/test sizes of the released runs (spec §4) and the HF validation split sizes.
const SMALL: [string, number, number, number][] = [
  ["cola", 1043, 521, 522], ["rte", 277, 138, 139], ["mrpc", 408, 204, 204], ["stsb", 1500, 750, 750],
  ["superglue-cb", 56, 28, 28], ["superglue-wsc.fixed", 104, 52, 52], ["superglue-wic", 638, 319, 319],
  ["superglue-boolq", 3270, 1635, 1635], ["superglue-multirc", 4848, 2424, 2424], ["scitail", 1304, 652, 652],
];

describe("small tasks: halves of the shuffled validation split", () => {
  it.each(SMALL)("%s (validation %i rows -> %i / %i)", (name, n, nVal, nTest) => {
    const task = getTask(name);
    const golden = TORCH.get(`${name}.validation`)!;
    expect(golden.length).toBe(n);
    expect(sourceSplitOf(task, "validation")).toBe("validation");
    expect(sourceSplitOf(task, "test")).toBe("validation");
    expect(sourceSplitOf(task, "train")).toBe("train");
    const val = selectRows(task, "validation", n, goldenRandperm);
    const test = selectRows(task, "test", n, goldenRandperm);
    expect([val.count, test.count]).toEqual([nVal, nTest]);
    expect(Array.from(val.indices!)).toEqual(Array.from(golden.subarray(0, nVal)));
    expect(Array.from(test.indices!)).toEqual(Array.from(golden.subarray(nVal)));
    expect(selectRows(task, "train", 8551, goldenRandperm)).toEqual({ indices: null, count: 8551 });
  });
});

describe("large tasks: 1000 shuffled train rows -> validation, the rest -> train", () => {
  it.each([["sst2", 67349], ["winogrande", 40398]] as const)("%s (train %i rows)", (name, n) => {
    const task = getTask(name);
    const golden = TORCH.get(`${name}.train`)!;
    expect(golden.length).toBe(n);
    expect(sourceSplitOf(task, "validation")).toBe("train");
    expect(sourceSplitOf(task, "train")).toBe("train");
    expect(sourceSplitOf(task, "test")).toBe("validation");
    expect(Array.from(selectRows(task, "validation", n, goldenRandperm).indices!)).toEqual(Array.from(golden.subarray(0, 1000)));
    const train = selectRows(task, "train", n, goldenRandperm);
    expect(train.count).toBe(n - 1000);
    expect(Array.from(train.indices!)).toEqual(Array.from(golden.subarray(1000)));
    expect(selectRows(task, "test", 872, goldenRandperm)).toEqual({ indices: null, count: 872 });
  });
  it("yelp_polarity: test is its test split; train keeps the first 100,000 of the remainder", () => {
    const task = getTask("yelp_polarity");
    expect(sourceSplitOf(task, "test")).toBe("test");
    const identity = (n: number) => Int32Array.from({ length: n }, (_, i) => n - 1 - i);
    const train = selectRows(task, "train", 560_000, identity);
    expect(train.count).toBe(100_000);
    expect(train.indices![0]).toBe(560_000 - 1 - 1000);
    expect(selectRows(task, "validation", 560_000, identity).count).toBe(1000);
  });
});

describe("neither list and n_obs (limit)", () => {
  it("mnli: validation_mismatched / validation_matched as published", () => {
    const task = getTask("mnli");
    expect(["train", "validation", "test"].map((s) => sourceSplitOf(task, s as "train"))).toEqual(["train", "validation_mismatched", "validation_matched"]);
    expect(selectRows(task, "validation", 9832, goldenRandperm)).toEqual({ indices: null, count: 9832 });
    expect(sourceSplitOf(getTask("paws"), "test")).toBe("test");
  });
  it("limit takes the head of split indices, or a seed-42 subsample of a whole split", () => {
    const rte = getTask("rte");
    expect(Array.from(selectRows(rte, "validation", 277, goldenRandperm, 5).indices!)).toEqual(Array.from(TORCH.get("rte.validation")!.subarray(0, 5)));
    const paws = getTask("paws");
    expect(Array.from(selectRows(paws, "train", 1000, goldenRandperm, 3).indices!)).toEqual(Array.from(TORCH.get("medium.1000")!.subarray(0, 3)));
    expect(selectRows(paws, "train", 10, goldenRandperm, 50).count).toBe(10);
    expect(() => selectRows(paws, "train", 10, goldenRandperm, -1)).toThrow(/--limit/);
  });
  it("a missing split map entry is an error naming the task", () => {
    expect(() => sourceSplitOf({ ...getTask("paws"), splitToDataSplit: { train: "train" } }, "test")).toThrow(/task paws: has no test split/);
  });
});

describe("k-shot (train.py): numpy permutation walk, per-class quota, odd remainder", () => {
  const NUMPY = numpyGolden();
  const permutation = (n: number, seed: number) => {
    const hit = NUMPY.get(`seed${seed}.n${n}`);
    if (hit === undefined) throw new Error(`no golden numpy permutation seed ${seed} n ${n}`);
    return hit;
  };
  const G = JSON.parse(readFileSync(join(FIXTURES, "kshot-goldens.json"), "utf8")) as {
    targetsByTask: Record<string, Record<string, string[]>>;
    cases: { task: string; n: number; seed: number; k: number; picked: number[] }[];
  };
  it(`matches the reference loop on ${G.cases.length} cases`, () => {
    for (const c of G.cases) {
      const got = kShotPositions(getTask(c.task), G.targetsByTask[c.task]![String(c.n)]!, c.k, c.seed, permutation);
      expect(got, JSON.stringify({ ...c, picked: undefined })).toEqual(c.picked);
    }
  });
  it("rejects tasks outside num_labels_mapping and unknown classes", () => {
    expect(() => kShotPositions(getTask("paws"), ["0"], 4, 42, permutation)).toThrow(/--k_shot_example 4: task paws has no entry in num_labels_mapping/);
    expect(() => kShotPositions(getTask("rte"), Array.from({ length: 10 }, () => "7"), 4, 42, permutation)).toThrow(/target "7" is not one of the classes/);
  });
});
