export { main, topLevelHelp, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from "./main.ts";
export { parseOptions, formatHelp, UsageError, type OptionSpec, type ParsedOptions } from "./args.ts";
export { InputError, type Command, type CommandIO } from "./command.ts";
export { COMMANDS } from "./commands/index.ts";
