// The registry of `dept` subcommands: one line each.
import type { Command } from "../command.ts";

export const COMMANDS: readonly Command[] = [];
