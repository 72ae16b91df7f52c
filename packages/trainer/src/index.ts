// @dept/trainer public surface.
export { AdamW, OPTIM_NAMES, DEFAULT_BETAS, DEFAULT_EPS, type OptimName, type ParamGroup, type AdamWOptions, type AdamWState } from "./optim/adamw.ts";
export { LinearWarmupSchedule, linearWarmupMultiplier, type SchedulerState } from "./schedule.ts";
export { clipGradNorm, globalGradNorm, CLIP_EPSILON, type ClipResult } from "./clip.ts";
export { GradientAccumulator } from "./accumulate.ts";
export { TrainerConfigError, CheckpointError, NonFiniteLossError } from "./errors.ts";
export { saveCheckpoint, loadCheckpoint, type CheckpointContents, type RngState } from "./io/checkpoint.ts";
export { newTrainerState, loadTrainerState, saveTrainerState, trainerStateJson, pyRound, type TrainerStateData, type LogEntry } from "./io/trainer-state.ts";
export { saveMetrics, type ResultsSplit } from "./io/results.ts";
export { rotateCheckpoints, checkpointsToDelete, sortedCheckpoints, checkpointPath, checkpointDirName } from "./io/rotate.ts";
export { pyFloatRepr, pyJsonDumps, pyFloat, PyFloat } from "./io/pyjson.ts";
export { writeFileAtomic, writeDirAtomic } from "./io/atomic.ts";
export {
  runTrainingLoop,
  validateLoopConfig,
  dropoutSeed,
  LORA_EMBEDDING_PARAM,
  type LoopConfig,
  type TrainModel,
  type LoopData,
  type LoopHooks,
  type LoopResult,
  type EvalOutcome,
  type StepInfo,
  type IntervalStrategy,
} from "./loop.ts";
export {
  TRAIN_ARGS,
  PEFT_TYPES,
  STRATEGIES,
  BACKENDS,
  DEFAULT_PROMPT_INIT_TEXT,
  resolveTrainingArguments,
  readTrainingArgumentsFile,
  type TrainingArguments,
  type TrainArgSpec,
  type ArgKind,
} from "./args.ts";
export { TrainProgress, formatDuration, type ProgressOptions } from "./progress.ts";
export { train, loopConfigFromArgs, TRAIN_LOG_FILE, type TrainIO, type TrainRunResult } from "./train.ts";
