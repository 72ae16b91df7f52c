// @dept/trainer public surface.
export { AdamW, OPTIM_NAMES, DEFAULT_BETAS, DEFAULT_EPS, type OptimName, type ParamGroup, type AdamWOptions, type AdamWState } from "./optim/adamw.ts";
export { LinearWarmupSchedule, linearWarmupMultiplier, type SchedulerState } from "./schedule.ts";
export { clipGradNorm, globalGradNorm, CLIP_EPSILON, type ClipResult } from "./clip.ts";
export { GradientAccumulator } from "./accumulate.ts";
export { TrainerConfigError, CheckpointError, NonFiniteLossError } from "./errors.ts";
