// The registry of `dept` subcommands: one line each.
import type { Command } from "../command.ts";
import { reportCommand } from "./report.ts";
import { sweepCommand } from "./sweep.ts";

export const COMMANDS: readonly Command[] = [
  sweepCommand,
  reportCommand,
];
