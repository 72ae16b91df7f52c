// Typed errors of @dept/datasets. Every problem a user can cause (unknown task, missing split, missing
// column, unreadable file) is a DatasetError: the CLI prints its message and exits with code 2.

export class DatasetError extends Error {
  override readonly name = "DatasetError";
  readonly exitCode = 2 as const;
  /** The file, folder, task or flag the message is about. */
  readonly subject: string;
  constructor(subject: string, problem: string) {
    super(`${subject}: ${problem}`);
    this.subject = subject;
  }
}
