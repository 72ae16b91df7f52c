// The registry of `dept` subcommands: one line each.
import type { Command } from "../command.ts";
import { dataCommand } from "./data.ts";
import { generateCommand } from "./generate.ts";
import { metricsCommand } from "./metrics.ts";
import { reportCommand } from "./report.ts";
import { sweepCommand } from "./sweep.ts";
import { tokenizeCommand } from "./tokenize.ts";
import { trainCommand } from "./train.ts";

export const COMMANDS: readonly Command[] = [
  dataCommand,
  generateCommand,
  metricsCommand,
  reportCommand,
  sweepCommand,
  tokenizeCommand,
  trainCommand,
];
