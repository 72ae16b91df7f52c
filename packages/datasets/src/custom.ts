// Custom tasks: a small JSON file declares a data set the reference does not know, so it runs through
// exactly the same reader/layout/split/collation path as the built-in tasks. Example (the shipped
// data/amazon-sentiment/task.json):
//   { "name": "amazon-sentiment", "config": "default",
//     "source": "sentence: {sentence}", "target": "{label}", "labels": ["0", "1"],
//     "splitPolicy": "neither", "splits": { "train": "train", "validation": "validation", "test": "test" },
//     "kShot": true, "metrics": ["accuracy"] }
// Templates substitute {column} with Python str() of the value; "labelMap" maps the target text
// (e.g. {"entailment": "0"}); "columns" defaults to the template's columns.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatasetError } from "./errors.ts";
import type { Row } from "./readers/table.ts";
import { FieldError, SPLIT_NAMES, type SplitName, type SplitPolicy, type TaskSpec } from "./tasks.ts";
import { pyStr } from "./text.ts";

/** File name a --data_dir may hold to declare its task. */
export const CUSTOM_TASK_FILE = "task.json";

const KEYS = new Set(["name", "description", "hubId", "config", "columns", "source", "target", "labels", "labelMap", "splitPolicy", "splits", "trainCap", "kShot", "metrics"]);
const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

export interface CustomTaskJson {
  name: string;
  description?: string;
  hubId?: string;
  config?: string;
  columns?: string[];
  source: string;
  target: string;
  labels?: string[] | null;
  labelMap?: Record<string, string>;
  splitPolicy?: SplitPolicy;
  splits?: Partial<Record<SplitName, string>>;
  trainCap?: number | null;
  kShot?: boolean;
  metrics?: string[];
}

function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function fill(template: string, row: Row): string {
  return template.replace(PLACEHOLDER, (_m, column: string) => {
    const v = row[column];
    if (v === null || v === undefined) throw new FieldError(column, "is null");
    if (typeof v === "object") throw new FieldError(column, `expected a scalar, got ${JSON.stringify(v).slice(0, 60)}`);
    return pyStr(v);
  });
}

/** Validates a parsed task JSON (`where` names the file in errors) and builds its TaskSpec. */
export function customTask(json: unknown, where: string): TaskSpec {
  const bad = (problem: string): never => {
    throw new DatasetError(where, problem);
  };
  if (json === null || typeof json !== "object" || Array.isArray(json)) bad("expected a JSON object");
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KEYS.has(key)) bad(`unknown key '${key}' (allowed: ${[...KEYS].join(", ")})`);
  const str = (key: string, required: boolean): string | undefined => {
    const v = o[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || v === "") bad(`'${key}' must be a non-empty string`);
    return v as string;
  };
  const strList = (key: string): string[] | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) bad(`'${key}' must be a list of strings`);
    return v as string[];
  };
  const name = str("name", true)!;
  const source = str("source", true)!;
  const target = str("target", true)!;
  const config = str("config", false) ?? "default";
  const declaredHubId = str("hubId", false);
  const hubId = declaredHubId ?? name;
  const labels = strList("labels") ?? null;
  const metrics = strList("metrics");
  const used = [...new Set([...placeholders(source), ...placeholders(target)])];
  if (used.length === 0) bad("'source'/'target' use no {column} placeholder");
  const columns = strList("columns") ?? used;
  for (const c of used) if (!columns.includes(c)) bad(`template column '${c}' is not in 'columns'`);
  const policyRaw = o.splitPolicy ?? "neither";
  if (policyRaw !== "small" && policyRaw !== "large" && policyRaw !== "neither") bad(`'splitPolicy' must be small, large or neither, got ${JSON.stringify(policyRaw)}`);
  const policy = policyRaw as SplitPolicy;
  const splits: Partial<Record<SplitName, string>> = { train: "train", validation: "validation", test: "test" };
  if (o.splits !== undefined) {
    if (o.splits === null || typeof o.splits !== "object") bad("'splits' must map train/validation/test to file split names");
    for (const [k, v] of Object.entries(o.splits as object)) {
      if (!SPLIT_NAMES.includes(k as SplitName) || typeof v !== "string") bad(`'splits' key '${k}' must be train/validation/test with a string value`);
      splits[k as SplitName] = v as string;
    }
  }
  let labelMap: Record<string, string> | undefined;
  if (o.labelMap !== undefined) {
    if (o.labelMap === null || typeof o.labelMap !== "object" || !Object.values(o.labelMap).every((v) => typeof v === "string")) bad("'labelMap' must map strings to strings");
    labelMap = o.labelMap as Record<string, string>;
  }
  const trainCap = o.trainCap ?? null;
  if (trainCap !== null && (typeof trainCap !== "number" || !Number.isInteger(trainCap) || trainCap < 0)) bad("'trainCap' must be a non-negative integer or null");
  const kShot = o.kShot ?? false;
  if (typeof kShot !== "boolean") bad("'kShot' must be true or false");
  if (kShot && labels === null) bad("'kShot' needs 'labels' (the classes to balance)");
  return {
    name,
    dataset: { hubId, referenceId: hubId, config, ...(declaredHubId === undefined ? { local: true } : {}) },
    columns,
    labelsList: labels,
    splitPolicy: policy,
    splitToDataSplit: splits,
    trainCap: trainCap as number | null,
    kShotClasses: kShot ? labels : null,
    ...(metrics ? { metrics } : {}),
    quirks: [],
    format(row: Row) {
      let t = fill(target, row);
      if (labelMap !== undefined) {
        const mapped = labelMap[t];
        if (mapped === undefined) throw new FieldError(placeholders(target).join(","), `target ${JSON.stringify(t)} is not in labelMap`);
        t = mapped;
      }
      return { source: fill(source, row), target: t };
    },
  };
}

export function loadCustomTask(path: string): TaskSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new DatasetError(path, `cannot read the task file (${error instanceof Error ? error.message : String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(path, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return customTask(json, path);
}

/** `<dataDir>/task.json` when it declares `name`, else null. */
export function customTaskInDir(dataDir: string, name: string): TaskSpec | null {
  const path = join(dataDir, CUSTOM_TASK_FILE);
  if (!existsSync(path)) return null;
  const task = loadCustomTask(path);
  return task.name === name ? task : null;
}
