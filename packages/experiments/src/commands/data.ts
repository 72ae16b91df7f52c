// `dept data`: prints the examples the trainer would get for --task_name/--split, one JSON line each
// ({"row", "source", "target", "task"}), in the trainer's order before its per-epoch shuffle: the
// reference's split policy (seed-42 torch.randperm), --limit as its max_*_samples, k-shot with --seed.
// Data comes from --data_dir (any layout @dept/datasets knows) or the HF caches / hub.
import { loadTaskExamples, SPLIT_NAMES, type SplitName } from "@dept/datasets";
import { bool, optNum, optStr, str, UsageError } from "../args.ts";
import type { Command } from "../command.ts";

export const dataCommand: Command = {
  name: "data",
  summary: "print a task split's examples as the trainer sees them (one JSON line each)",
  options: [
    { name: "task_name", type: "string", help: "reference task (cola, mnli, ..., paws), a task JSON file, or a task declared by <data_dir>/task.json", required: true },
    { name: "data_dir", type: "string", help: "folder with the data set files (hub snapshot, parquet conversion, jsonl, HF hub or datasets cache); default: HF caches, then download" },
    { name: "split", type: "string", help: "train, validation or test", required: true },
    { name: "limit", type: "number", help: "the reference's max_*_samples (n_obs): first N of the split (a seed-42 sample of a whole published split)" },
    { name: "k_shot_example", type: "number", help: "k-shot training subset of this size (train split only)", aliases: ["k_shot_examples"] },
    { name: "seed", type: "number", help: "seed of the k-shot shuffle", default: 42 },
    { name: "fix_quirks", type: "boolean", help: "fix the reference's documented data quirks (WinoGrande option2, STS-B 0.2 rounding, WSC literal spans, all QA answers)" },
  ],
  async run(options, io) {
    const split = str(options, "split");
    if (!SPLIT_NAMES.includes(split as SplitName)) throw new UsageError(`dept data: --split expects train, validation or test, got '${split}'`);
    const dataDir = optStr(options, "data_dir");
    const limit = optNum(options, "limit");
    const kShot = optNum(options, "k_shot_example");
    const examples = await loadTaskExamples(str(options, "task_name"), split as SplitName, {
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(kShot !== undefined ? { kShot } : {}),
      seed: optNum(options, "seed") ?? 42,
      fixQuirks: bool(options, "fix_quirks"),
    });
    for (const e of examples) io.stdout(JSON.stringify({ row: e.row, source: e.source, target: e.target, task: e.task }));
    return 0;
  },
};
