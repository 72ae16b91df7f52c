// Typed errors of @dept/models. A ModelLoadError is bad input (a folder, config.json or checkpoint that does
// not describe a supported model): the CLI prints the message and exits with code 2.

export class ModelLoadError extends Error {
  override readonly name = "ModelLoadError";
  readonly exitCode = 2 as const;
  /** The file or folder the problem is about. */
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}
