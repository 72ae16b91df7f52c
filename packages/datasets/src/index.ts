// Public surface of @dept/datasets.
export { DatasetError } from "./errors.ts";
export { TASK_NAMES, getTask, isBuiltinTask, QA_MAX_TARGET_LENGTH, YELP_TRAIN_CAP, LARGE_VALIDATION_SIZE, SPLIT_NAMES, type TaskSpec, type DatasetRef, type SplitName, type SplitPolicy, type Formatted } from "./tasks.ts";
export { loadTaskExamples, resolveTask, sourceSplitSize, DEFAULT_SEED, type Example, type LoadOptions } from "./load.ts";
export { customTask, loadCustomTask, CUSTOM_TASK_FILE, type CustomTaskJson } from "./custom.ts";
export { selectRows, sourceSplitOf, SPLIT_SEED, type Selection } from "./splits.ts";
export { kShotPositions } from "./kshot.ts";
export { resolveSplitFiles, matchRepoFiles, type ResolvedSplit } from "./layout.ts";
export { openTable, ShardedTable, ParquetReader, ArrowReader, JsonlReader, type Row, type TableReader, type TableFormat } from "./readers/index.ts";
export { collateSeq2Seq, collateDecoderOnly, maxTargetLength, decoderPrompt, trainingBatches, evalBatches, IGNORE_INDEX, type TokenizerLike, type Seq2SeqBatch, type DecoderOnlyBatch } from "./collate.ts";
export { padPunctuation, stsbTargetReference, stsbTargetFixed } from "./text.ts";
