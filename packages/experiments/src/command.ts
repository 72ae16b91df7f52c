// The shape of one `dept` subcommand. Each lives in src/commands/<name>.ts and is registered with one
// line in src/commands/index.ts.
import type { OptionSpec, ParsedOptions } from "./args.ts";

export interface CommandIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** Runs with parsed options; returns the process exit code. Throw UsageError / InputError for exit 2. */
  run(options: ParsedOptions, io: CommandIO): Promise<number>;
}

/** Bad input data (missing file, malformed line, unknown task): message on stderr, exit code 2. */
export class InputError extends Error {
  override readonly name = "InputError";
}
