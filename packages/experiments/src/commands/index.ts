// The registry of `dept` subcommands: one line each.
import type { Command } from "../command.ts";
import { metricsCommand } from "./metrics.ts";
import { reportCommand } from "./report.ts";
import { sweepCommand } from "./sweep.ts";
import { tokenizeCommand } from "./tokenize.ts";

export const COMMANDS: readonly Command[] = [
  metricsCommand,
  tokenizeCommand,
  sweepCommand,
  reportCommand,
];
