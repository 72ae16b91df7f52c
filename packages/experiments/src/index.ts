export { main, topLevelHelp, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from "./main.ts";
export { parseOptions, formatHelp, UsageError, type OptionSpec, type ParsedOptions } from "./args.ts";
export { InputError, type Command, type CommandIO } from "./command.ts";
export { COMMANDS } from "./commands/index.ts";
export {
  TRAIN_FLAGS,
  TRAIN_CONFIG_ARGUMENT,
  README_TASKS,
  trainFlag,
  parseTrainConfig,
  trainConfigToArgv,
  TrainConfigError,
  type TrainFlagSpec,
  type TrainConfig,
  type TrainFlagValue,
} from "./train-flags.ts";
export { loadRecipe, validateRecipe, expandRecipe, RecipeError, type Recipe, type PlannedRun } from "./recipes/recipe.ts";
export { readRunDir, findRunDirs, RUN_CONFIG_FILE, type RunRecord } from "./report/run-dir.ts";
export { releasedReference, type ReleasedReference, type ReleasedRun } from "./reference/released.ts";
