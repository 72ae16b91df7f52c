// Dispatches `dept <command> [options]`: help, option parsing, exit codes (0 ok, 1 failure, 2 bad input).
import { formatHelp, parseOptions, UsageError } from "./args.ts";
import { InputError, type Command, type CommandIO } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function topLevelHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return [
    "dept: Decomposed Prompt Tuning (DePT) on TensorFlow.js",
    "",
    "Usage: dept <command> [--option value ...]    (dept <command> --help for its options)",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

export async function main(argv: readonly string[], io: CommandIO, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(topLevelHelp(commands));
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`dept: unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(", ")}`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(formatHelp(command.name, command.summary, command.options));
    return EXIT_OK;
  }
  try {
    const options = parseOptions(rest, command.options, command.name);
    return await command.run(options, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      io.stderr(error.message);
      return EXIT_USAGE;
    }
    // Typed errors from the libraries (e.g. SafetensorsError) carry their own exit code.
    if (error instanceof Error && (error as Error & { exitCode?: number }).exitCode === EXIT_USAGE) {
      io.stderr(error.message);
      return EXIT_USAGE;
    }
    io.stderr(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return EXIT_FAILURE;
  }
}
