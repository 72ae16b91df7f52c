// Typed errors of @dept/peft. Every one of them is "bad input" for the CLI (exit code 2): a config value,
// an adapter file or a model that does not fit the adapter. Messages name the file/key, the value and
// what was expected.

/** A peft config value is missing, has the wrong type or an unsupported value. */
export class PeftConfigError extends Error {
  override readonly name = "PeftConfigError";
  readonly exitCode = 2 as const;
  constructor(
    /** Where the config came from (a file path, or "config" for an in-memory object). */
    readonly source: string,
    /** The snake_case key as written in adapter_config.json (or the camelCase option name). */
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${source}: ${key}: ${problem}`);
  }
}

/** An adapter folder/file cannot be read or does not fit the config or the model. */
export class AdapterLoadError extends Error {
  override readonly name = "AdapterLoadError";
  readonly exitCode = 2 as const;
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** A PyTorch .bin (zip + pickle) file is malformed or asks for something the restricted unpickler refuses. */
export class TorchPickleError extends Error {
  override readonly name = "TorchPickleError";
  readonly exitCode = 2 as const;
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** The model, batch or call does not fit the PEFT method (wrong input length, unsupported model kind...). */
export class PeftUsageError extends Error {
  override readonly name = "PeftUsageError";
  readonly exitCode = 2 as const;
}

/** Renders a value for an error message (strings quoted, objects as JSON, long values cut). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? typeof value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
