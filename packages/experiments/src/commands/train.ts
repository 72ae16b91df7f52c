// `dept train`: DePT's train.py command line on @dept/trainer. The flags are src/train-flags.ts's TRAIN_FLAGS (every
// flag of the seed README command with its name and meaning, plus HF TrainingArguments flags); alternatively one
// JSON file argument (`dept train config.json`, HF parse_json_file style) holds the whole configuration.
// @dept/trainer's resolveTrainingArguments validates either form. Progress goes to stderr (a redrawn bar on a
// terminal, plain lines otherwise) and to <output_dir>/train_log.jsonl; stdout gets one JSON line with the results.
// Bad flags/values/files: exit 2. A diverged run (NaN/Inf loss): exit 1 with the message, the best checkpoint kept.
import { NonFiniteLossError, readTrainingArgumentsFile, resolveTrainingArguments, train, type TrainingArguments } from "@dept/trainer";
import { UsageError, type ParsedOptions } from "../args.ts";
import type { Command } from "../command.ts";
import { TRAIN_CONFIG_ARGUMENT, TRAIN_FLAGS } from "../train-flags.ts";

async function resolveArgs(options: ParsedOptions): Promise<TrainingArguments> {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (k !== TRAIN_CONFIG_ARGUMENT.name && v !== undefined) raw[k] = v;
  const configFile = options[TRAIN_CONFIG_ARGUMENT.name];
  if (typeof configFile === "string") {
    // The parser filled in flag defaults; anything else means flags were mixed with the config file.
    const extra = TRAIN_FLAGS.filter((f) => raw[f.name] !== undefined && raw[f.name] !== f.default).map((f) => `--${f.name}`);
    if (extra.length > 0) throw new UsageError(`dept train: ${configFile} holds the whole configuration; do not also pass ${extra.join(", ")}`);
    return readTrainingArgumentsFile(configFile);
  }
  return resolveTrainingArguments(raw, "dept train");
}

export const trainCommand: Command = {
  name: "train",
  summary: "train a DePT / prompt-tuning adapter (train.py flags, or one JSON config file)",
  // Required flags are checked by resolveTrainingArguments (not the parser), so a config file alone is accepted.
  options: [TRAIN_CONFIG_ARGUMENT, ...TRAIN_FLAGS.map(({ required, ...f }) => (required === true ? { ...f, help: `${f.help} (required unless a config file is given)` } : f))],
  async run(options, io) {
    const args = await resolveArgs(options);
    const tty = process.stderr.isTTY;
    let pending = "";
    const write = tty
      ? (text: string) => void process.stderr.write(text)
      : (text: string) => {
          pending += text;
          const lines = pending.split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines) io.stderr(line);
        };
    try {
      const r = await train(args, { write, isTTY: tty });
      io.stdout(JSON.stringify({ output_dir: r.outputDir, global_step: r.loop?.globalStep ?? 0, best_model_checkpoint: r.loop?.bestCheckpoint ?? null, ...r.results }));
      return 0;
    } catch (error) {
      if (error instanceof NonFiniteLossError) {
        io.stderr(`dept train: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
