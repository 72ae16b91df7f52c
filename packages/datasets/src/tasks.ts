// The reference's tasks (src/tasks.py of ZhengxiangShi/DePT, classes COLA ... PAWS and AutoTask): data
// set, columns, source template, label strings, split policy. Spec: shared/spec/dept-reference.md §4.
// add_prefix is False in every reference run, so no task name is prepended; labels are digit strings.
// Data set ids: the reference loads ids that have since moved on the Hugging Face Hub (the old ids are
// redirects or script-based); `dataset.hubId` is where the same data lives now, `referenceId` what
// tasks.py names (both are searched in local caches).
import { DatasetError } from "./errors.ts";
import type { Row } from "./readers/table.ts";
import { markSpan, padPunctuation, pyStr, removeMultircMarkup, stsbTargetFixed, stsbTargetReference } from "./text.ts";

export type SplitName = "train" | "validation" | "test";
export const SPLIT_NAMES: readonly SplitName[] = ["train", "validation", "test"];

/**
 * small: train = the train split; validation/test = halves of the shuffled original validation split.
 * large: validation = first 1000 of the shuffled train split, train = the rest; test = splitToDataSplit.test.
 * neither: every split as splitToDataSplit maps it (mnli, paws, and custom tasks with published splits).
 */
export type SplitPolicy = "small" | "large" | "neither";

export interface DatasetRef {
  /** Current Hugging Face Hub data set repo, e.g. "nyu-mll/glue". */
  readonly hubId: string;
  /** The id the reference passes to datasets.load_dataset, e.g. "glue". */
  readonly referenceId: string;
  /** Config (subset) name; "default" for single-config repos. */
  readonly config: string;
  /** Only on disk (a custom task without a hub id): --data_dir is required. */
  readonly local?: boolean;
}

export interface Formatted {
  readonly source: string;
  readonly target: string;
  /** QA: the gold answers to score against (reference: only the first; fixQuirks: all). */
  readonly answers?: string[];
  /** MultiRC: idx.question, the question group (for per-question metrics). */
  readonly group?: number;
}

export interface FormatOptions {
  readonly fixQuirks: boolean;
}

export interface TaskSpec {
  readonly name: string;
  readonly dataset: DatasetRef;
  /** Columns the formatter reads; a split file without one of them is rejected up front. */
  readonly columns: readonly string[];
  /** labels_list: only used for the max target length; null = free text (QA, 20 target tokens). */
  readonly labelsList: readonly string[] | null;
  readonly splitPolicy: SplitPolicy;
  /** The reference's split_to_data_split: our split -> the HF split that holds it. */
  readonly splitToDataSplit: Readonly<Partial<Record<SplitName, string>>>;
  /** Rows kept of the (split) training set, after the split: yelp_polarity's 100,000 (train.py). */
  readonly trainCap: number | null;
  /** Keys of num_labels_mapping (tasks.py), i.e. the classes k-shot balances; null = k-shot unsupported. */
  readonly kShotClasses: readonly string[] | null;
  /** Metric names for custom tasks (built-in tasks: @dept/metrics TASK_TO_METRICS). */
  readonly metrics?: readonly string[];
  /** What fixQuirks changes for this task (empty: nothing). */
  readonly quirks: readonly string[];
  format(row: Row, opts: FormatOptions): Formatted;
}

/** generation_max_length (DynamicTrainingArguments): the target length of tasks without labels_list. */
export const QA_MAX_TARGET_LENGTH = 20;

/** train.py keeps this many examples of yelp_polarity's training remainder. */
export const YELP_TRAIN_CAP = 100_000;

/** Validation rows a "large" task takes from its shuffled train split (tasks.py get()). */
export const LARGE_VALIDATION_SIZE = 1000;

// --- helpers ---------------------------------------------------------------------------------------

/** A string column; anything else (null, number) is a data error naming the column. */
function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== "string") throw new FieldError(column, `expected a string, got ${describeValue(v)}`);
  return v;
}

function label(row: Row, column = "label"): string {
  const v = row[column];
  if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") {
    throw new FieldError(column, `expected a label, got ${describeValue(v)}`);
  }
  return pyStr(v);
}

function int(row: Row, column: string): number {
  const v = row[column];
  if (typeof v !== "number" || !Number.isInteger(v)) throw new FieldError(column, `expected an integer, got ${describeValue(v)}`);
  return v;
}

function describeValue(v: unknown): string {
  return v === null || v === undefined ? "null" : `${typeof v} ${JSON.stringify(v)?.slice(0, 60)}`;
}

/** A bad value in one column of one row; the loader adds the file and row number. */
export class FieldError extends Error {
  override readonly name = "FieldError";
  constructor(
    readonly column: string,
    readonly problem: string,
  ) {
    super(`column '${column}': ${problem}`);
  }
}

/** seq2seq_format: pieces joined with single spaces (pieces keep their own inner/edge spaces). */
function join(pieces: readonly string[]): string {
  return pieces.join(" ");
}

const GLUE = (config: string): DatasetRef => ({ hubId: "nyu-mll/glue", referenceId: "glue", config });
const SUPER_GLUE = (config: string): DatasetRef => ({ hubId: "aps/super_glue", referenceId: "super_glue", config });
const MRQA = (name: string): DatasetRef => ({ hubId: `lucadiliello/${name}`, referenceId: `lucadiliello/${name}`, config: "default" });

const VALIDATION_AS_TEST = { train: "train", validation: "validation", test: "validation" } as const;
const BINARY = ["0", "1"] as const;
const TERNARY = ["0", "1", "2"] as const;

interface TaskDef {
  dataset: DatasetRef;
  columns: readonly string[];
  labelsList: readonly string[] | null;
  splitPolicy: SplitPolicy;
  splitToDataSplit?: Partial<Record<SplitName, string>>;
  trainCap?: number;
  kShot?: boolean;
  quirks?: readonly string[];
  format: (row: Row, opts: FormatOptions) => Formatted;
}

/** A sentence-pair / single-sentence classification task: "k1: {c1} k2: {c2} ..." -> str(label). */
function keyed(pairs: readonly (readonly [string, string])[]) {
  return (row: Row): Formatted => ({
    source: join(pairs.flatMap(([key, column]) => [`${key}:`, text(row, column)])),
    target: label(row),
  });
}

function mrqaFormat(row: Row, opts: FormatOptions): Formatted {
  const answers = row.answers;
  if (!Array.isArray(answers) || answers.length === 0 || !answers.every((a) => typeof a === "string")) {
    throw new FieldError("answers", `expected a non-empty list of strings, got ${describeValue(answers)}`);
  }
  const padded = answers.map((a: string) => padPunctuation(a));
  // tasks.py: pad_punctuation(answers[0]).split("\t") -> a one-element list (tabs were already
  // collapsed to spaces), joined back with " ": the target is the first padded answer.
  const target = padded[0]!;
  return {
    source: join(["question:", padPunctuation(text(row, "question")), "context:", padPunctuation(text(row, "context"))]),
    target,
    answers: opts.fixQuirks ? padded : [target],
  };
}

const TASK_DEFS: Record<string, TaskDef> = {
  cola: {
    dataset: GLUE("cola"),
    columns: ["sentence", "label"],
    labelsList: BINARY,
    splitPolicy: "small",
    kShot: true,
    format: keyed([["sentence", "sentence"]]),
  },
  mrpc: {
    dataset: GLUE("mrpc"),
    columns: ["sentence1", "sentence2", "label"],
    labelsList: BINARY,
    splitPolicy: "small",
    kShot: true,
    format: keyed([["sentence1", "sentence1"], ["sentence2", "sentence2"]]),
  },
  mnli: {
    dataset: GLUE("mnli"),
    columns: ["premise", "hypothesis", "label"],
    labelsList: TERNARY,
    splitPolicy: "neither",
    splitToDataSplit: { train: "train", validation: "validation_mismatched", test: "validation_matched" },
    kShot: true,
    format: keyed([["premise", "premise"], ["hypothesis", "hypothesis"]]),
  },
  qnli: {
    dataset: GLUE("qnli"),
    columns: ["question", "sentence", "label"],
    labelsList: BINARY,
    splitPolicy: "large",
    kShot: true,
    format: keyed([["question", "question"], ["sentence", "sentence"]]),
  },
  qqp: {
    dataset: GLUE("qqp"),
    columns: ["question1", "question2", "label"],
    labelsList: BINARY,
    splitPolicy: "large",
    kShot: true,
    format: keyed([["question1", "question1"], ["question2", "question2"]]),
  },
  rte: {
    dataset: GLUE("rte"),
    columns: ["sentence1", "sentence2", "label"],
    labelsList: BINARY,
    splitPolicy: "small",
    kShot: true,
    format: keyed([["sentence1", "sentence1"], ["sentence2", "sentence2"]]),
  },
  sst2: {
    dataset: GLUE("sst2"),
    columns: ["sentence", "label"],
    labelsList: BINARY,
    splitPolicy: "large",
    kShot: true,
    format: keyed([["sentence", "sentence"]]),
  },
  stsb: {
    dataset: GLUE("stsb"),
    columns: ["sentence1", "sentence2", "label"],
    // [str(np.round(x, 1)) for x in np.arange(0, 5.2, 0.2)]: 26 strings "0.0" ... "5.0".
    labelsList: Array.from({ length: 26 }, (_, i) => (i / 5).toFixed(1)),
    splitPolicy: "small",
    kShot: true,
    quirks: ["target rounds to the nearest 0.2 (T5's documented intent) instead of to one decimal"],
    format: (row, opts) => {
      const v = row.label;
      if (typeof v !== "number") throw new FieldError("label", `expected a float similarity score, got ${describeValue(v)}`);
      return {
        source: join(["sentence1:", text(row, "sentence1"), "sentence2:", text(row, "sentence2")]),
        target: opts.fixQuirks ? stsbTargetFixed(v) : stsbTargetReference(v),
      };
    },
  },
  "superglue-multirc": {
    dataset: SUPER_GLUE("multirc"),
    columns: ["question", "answer", "paragraph", "label", "idx"],
    labelsList: BINARY,
    splitPolicy: "small",
    kShot: true,
    format: (row) => {
      const idx = row.idx;
      const group = idx !== null && typeof idx === "object" ? (idx as Row).question : undefined;
      if (typeof group !== "number") throw new FieldError("idx", `expected a struct with an integer 'question', got ${describeValue(idx)}`);
      return {
        source: join([
          "question:", removeMultircMarkup(text(row, "question")),
          "answer:", removeMultircMarkup(text(row, "answer")),
          "paragraph:", removeMultircMarkup(text(row, "paragraph")),
        ]),
        target: label(row),
        group,
      };
    },
  },
  "superglue-wic": {
    dataset: SUPER_GLUE("wic"),
    columns: ["sentence1", "sentence2", "word", "label"],
    labelsList: BINARY,
    splitPolicy: "small",
    kShot: true,
    format: keyed([["sentence1", "sentence1"], ["sentence2", "sentence2"], ["word", "word"]]),
  },
  "superglue-wsc.fixed": {
    dataset: SUPER_GLUE("wsc.fixed"),
    columns: ["text", "span1_index", "span2_index", "span1_text", "span2_text", "label"],
    labelsList: BINARY,
    splitPolicy: "small",
    kShot: true,
    quirks: ["span texts are matched literally (the reference pastes them into the regex unescaped)"],
    format: (row, opts) => {
      const i1 = int(row, "span1_index");
      const i2 = int(row, "span2_index");
      let marked = markSpan(text(row, "text"), text(row, "span1_text"), i1, "*", opts.fixQuirks);
      // Marking span1 added two words ("*" twice) before span2 when span1 comes first.
      marked = markSpan(marked, text(row, "span2_text"), i2 + (i1 < i2 ? 2 : 0), "#", opts.fixQuirks);
      return { source: join(["text:", marked]), target: label(row) };
    },
  },
  "superglue-cb": {
    dataset: SUPER_GLUE("cb"),
    columns: ["premise", "hypothesis", "label"],
    labelsList: TERNARY,
    splitPolicy: "small",
    kShot: true,
    format: keyed([["premise", "premise"], ["hypothesis", "hypothesis"]]),
  },
  "superglue-boolq": {
    dataset: SUPER_GLUE("boolq"),
    columns: ["question", "passage", "label"],
    labelsList: BINARY,
    splitPolicy: "small",
    kShot: true,
    format: keyed([["question", "question"], ["passage", "passage"]]),
  },
  newsqa: { dataset: MRQA("newsqa"), columns: ["question", "context", "answers"], labelsList: null, splitPolicy: "large", quirks: ["answers lists every gold answer, not only the first"], format: mrqaFormat },
  searchqa: { dataset: MRQA("searchqa"), columns: ["question", "context", "answers"], labelsList: null, splitPolicy: "large", quirks: ["answers lists every gold answer, not only the first"], format: mrqaFormat },
  hotpotqa: { dataset: MRQA("hotpotqa"), columns: ["question", "context", "answers"], labelsList: null, splitPolicy: "large", quirks: ["answers lists every gold answer, not only the first"], format: mrqaFormat },
  nq: { dataset: MRQA("naturalquestionsshortqa"), columns: ["question", "context", "answers"], labelsList: null, splitPolicy: "large", quirks: ["answers lists every gold answer, not only the first"], format: mrqaFormat },
  winogrande: {
    dataset: { hubId: "allenai/winogrande", referenceId: "winogrande", config: "winogrande_xl" },
    columns: ["sentence", "option1", "option2", "answer"],
    labelsList: BINARY,
    splitPolicy: "large",
    quirks: ["option1: shows option2 (the reference prints option1 twice and never option2)"],
    format: (row, opts) => {
      const answer = row.answer;
      // str(int(answer) - 1): answer is the string "1" or "2" ("" in the unlabelled test split).
      const n = typeof answer === "number" ? answer : typeof answer === "string" && /^\s*[+-]?\d+\s*$/.test(answer) ? Number(answer) : NaN;
      if (!Number.isInteger(n)) throw new FieldError("answer", `expected "1" or "2", got ${describeValue(answer)}`);
      return {
        source: join(["sentence:", text(row, "sentence"), "option0:", text(row, "option1"), "option1:", text(row, opts.fixQuirks ? "option2" : "option1")]),
        target: String(n - 1),
      };
    },
  },
  yelp_polarity: {
    dataset: { hubId: "fancyzhx/yelp_polarity", referenceId: "yelp_polarity", config: "plain_text" },
    columns: ["text", "label"],
    labelsList: BINARY,
    splitPolicy: "large",
    splitToDataSplit: { train: "train", test: "test" },
    trainCap: YELP_TRAIN_CAP,
    format: keyed([["sentence", "text"]]),
  },
  scitail: {
    dataset: { hubId: "allenai/scitail", referenceId: "scitail", config: "snli_format" },
    columns: ["sentence1", "sentence2", "gold_label"],
    labelsList: BINARY,
    splitPolicy: "small",
    splitToDataSplit: { train: "train", validation: "validation", test: "test" },
    kShot: true,
    format: (row) => {
      const gold = text(row, "gold_label");
      const target = SCITAIL_LABELS[gold];
      if (target === undefined) throw new FieldError("gold_label", `expected "entailment" or "neutral", got ${JSON.stringify(gold)}`);
      return { source: join(["premise:", text(row, "sentence1"), "hypothesis:", text(row, "sentence2")]), target };
    },
  },
  paws: {
    dataset: { hubId: "google-research-datasets/paws", referenceId: "paws", config: "labeled_final" },
    columns: ["sentence1", "sentence2", "label"],
    labelsList: BINARY,
    splitPolicy: "neither",
    splitToDataSplit: { train: "train", validation: "validation", test: "test" },
    format: keyed([["sentence1", "sentence1"], ["sentence2", "sentence2"]]),
  },
};

const SCITAIL_LABELS: Record<string, string> = { entailment: "0", neutral: "1" };

function build(name: string, def: TaskDef): TaskSpec {
  return {
    name,
    dataset: def.dataset,
    columns: def.columns,
    labelsList: def.labelsList,
    splitPolicy: def.splitPolicy,
    splitToDataSplit: def.splitToDataSplit ?? VALIDATION_AS_TEST,
    trainCap: def.trainCap ?? null,
    kShotClasses: def.kShot === true ? (def.labelsList === TERNARY ? TERNARY : BINARY) : null,
    quirks: def.quirks ?? [],
    format: def.format,
  };
}

const TASKS = new Map<string, TaskSpec>(Object.entries(TASK_DEFS).map(([name, def]) => [name, build(name, def)]));

/** The 21 reference tasks, in the README's order. */
export const TASK_NAMES: readonly string[] = [...TASKS.keys()];

export function isBuiltinTask(name: string): boolean {
  return TASKS.has(name);
}

/** A built-in task by its reference name. */
export function getTask(name: string): TaskSpec {
  const task = TASKS.get(name);
  if (task === undefined) {
    throw new DatasetError(`--task_name ${name}`, `unknown task; expected one of ${TASK_NAMES.join(", ")} or a custom task JSON file`);
  }
  return task;
}
