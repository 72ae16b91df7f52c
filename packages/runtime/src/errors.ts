// Typed errors of @dept/runtime. Both carry exitCode 2 so the `dept` CLI reports them as bad input
// (message on stderr, exit status 2) instead of a crash with a stack trace.

/** A backend could not be selected or initialised; the message names the npm package(s) to install. */
export class BackendError extends Error {
  override readonly name = "BackendError";
  readonly exitCode = 2 as const;
}

/** A .safetensors file (or a sharded checkpoint index) is malformed or cannot be written. */
export class SafetensorsError extends Error {
  override readonly name = "SafetensorsError";
  readonly exitCode = 2 as const;
  /** The file (or directory, for a checkpoint) the problem was found in. */
  readonly file: string;
  /** The problem alone, without the file name. */
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
    this.problem = problem;
  }
}
