// `dept metrics`: scores a predictions file against a references file with the task's DePT metrics
// (@dept/metrics computeTaskMetrics) and prints one JSON object, e.g. {"accuracy": 90.69, "f1": 93.29}.
//
// File format: UTF-8 text, one example per line. Lines end with "\n" (a "\r\n" ending counts the same);
// the newline after the last line is optional, so a file ending in "\n" has no extra empty example, while
// an empty line in the middle, or a final "\n\n", is an empty-string example. A leading UTF-8 BOM is
// dropped. Lines are otherwise taken verbatim: the metrics compare strings exactly, as DePT does after its
// post-processor has stripped the decoded text (strip your predictions the same way if you decode yourself).
// QA tasks (nq, hotpotqa, searchqa, newsqa): each reference line is JSON, an array of gold answer strings
// (or one JSON string, taken as a single answer).
import { readFile } from "node:fs/promises";
import { computeTaskMetrics, isKnownTask, isQaTask, METRIC_TASKS } from "@dept/metrics";
import { str, UsageError } from "../args.ts";
import { InputError, type Command } from "../command.ts";

const SCALES = ["percent", "fraction"] as const;
type Scale = (typeof SCALES)[number];

async function readLines(path: string, flag: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(code ?? error);
    throw new InputError(`dept metrics: cannot read ${flag} file ${path}: ${why}`);
  }
  if (text.startsWith("\ufeff")) text = text.slice(1);
  if (text === "") return [];
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (text.endsWith("\n")) lines.pop(); // the newline terminates the last line; it does not start another
  return lines;
}

function parseGoldAnswers(line: string, path: string, lineNo: number): string[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InputError(
      `dept metrics: ${path}:${lineNo}: malformed JSON (${(error as Error).message}); ` +
        `each reference line of a QA task is a JSON array of gold answers, e.g. ["Denver Broncos", "Broncos"]`,
    );
  }
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) return value;
  throw new InputError(
    `dept metrics: ${path}:${lineNo}: expected a non-empty JSON array of gold answer strings, got ${line.length > 80 ? `${line.slice(0, 77)}...` : line}`,
  );
}

/** Python-style JSON object ("key": value, ", " between entries); numbers at full double precision. */
function formatResult(result: Record<string, number>): string {
  return `{${Object.entries(result)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(", ")}}`;
}

export const metricsCommand: Command = {
  name: "metrics",
  summary: "score a predictions file against references with the task's DePT metrics (prints JSON)",
  options: [
    { name: "task_name", type: "string", required: true, help: `task whose metrics to compute (${METRIC_TASKS.join(", ")})` },
    { name: "predictions", type: "string", required: true, help: "text file, one prediction per line" },
    {
      name: "references",
      type: "string",
      required: true,
      help: "text file, one reference label per line (QA tasks: one JSON array of gold answers per line)",
    },
    { name: "scale", type: "string", default: "percent", help: "percent (x100, as DePT reports) or fraction (0-1)" },
  ],
  async run(options, io) {
    const task = str(options, "task_name");
    if (!isKnownTask(task)) {
      throw new UsageError(`dept metrics: unknown --task_name '${task}'; expected one of ${METRIC_TASKS.join(", ")}`);
    }
    const scale = str(options, "scale");
    if (!(SCALES as readonly string[]).includes(scale)) {
      throw new UsageError(`dept metrics: --scale must be percent or fraction, got '${scale}'`);
    }
    const predictionsPath = str(options, "predictions");
    const referencesPath = str(options, "references");
    const predictions = await readLines(predictionsPath, "--predictions");
    const referenceLines = await readLines(referencesPath, "--references");
    if (predictions.length !== referenceLines.length) {
      throw new InputError(
        `dept metrics: ${predictionsPath} has ${predictions.length} lines but ${referencesPath} has ${referenceLines.length}; ` +
          `they must pair up one example per line`,
      );
    }
    if (predictions.length === 0) {
      throw new InputError(`dept metrics: ${predictionsPath} and ${referencesPath} are empty; nothing to score`);
    }
    const references = isQaTask(task)
      ? referenceLines.map((line, i) => parseGoldAnswers(line, referencesPath, i + 1))
      : referenceLines;
    // MetricInputError (e.g. an mrpc reference that is not "0"/"1") carries exitCode 2; main() maps it.
    const result = computeTaskMetrics(task, predictions, references, { scale: scale as Scale });
    io.stdout(formatResult(result));
    return 0;
  },
};
