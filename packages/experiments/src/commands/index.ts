// The registry of `dept` subcommands: one line each.
import type { Command } from "../command.ts";
import { tokenizeCommand } from "./tokenize.ts";

export const COMMANDS: readonly Command[] = [
  tokenizeCommand,
];
