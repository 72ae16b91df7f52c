// Command-line option parsing for the `dept` CLI, HF-argparse style: `--name value`, `--name=value`,
// boolean flags given bare (`--do_train`) or with an explicit true/false, repeatable list options
// (`--text a --text b`), and bare positional arguments for options marked `positional` (`dept sweep RECIPE`,
// `dept report DIR...`). Unknown flags, missing values and bad numbers are UsageErrors (exit code 2).

export type OptionType = "string" | "number" | "boolean" | "string[]";

export interface OptionSpec {
  readonly name: string;
  readonly type: OptionType;
  readonly help: string;
  readonly required?: boolean;
  readonly default?: string | number | boolean | readonly string[];
  /** Other spellings accepted for this option (e.g. the seed README's `--k_shot_examples`). */
  readonly aliases?: readonly string[];
  /** Also filled from bare arguments, in declaration order; a "string[]" positional takes all the rest. */
  readonly positional?: boolean;
}

export type ParsedValue = string | number | boolean | string[] | undefined;
export type ParsedOptions = Record<string, ParsedValue>;

/** A problem with what the user typed: printed on stderr, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, "1": true, "0": false, yes: true, no: false };

export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedOptions {
  const byFlag = new Map<string, OptionSpec>();
  for (const spec of specs) {
    byFlag.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) byFlag.set(alias, spec);
  }
  const out: ParsedOptions = {};
  const positionals = specs.filter((s) => s.positional === true);
  let nextPositional = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      const spec = positionals[nextPositional];
      if (spec === undefined) throw new UsageError(`dept ${command}: unexpected argument '${arg}' (options start with --)`);
      if (spec.type === "string[]") {
        const list = out[spec.name];
        out[spec.name] = Array.isArray(list) ? [...list, arg] : [arg];
      } else {
        out[spec.name] = spec.type === "number" ? parseNumber(arg, spec.name, command) : arg;
        nextPositional++;
      }
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const spec = byFlag.get(flag);
    if (spec === undefined) throw new UsageError(`dept ${command}: unknown option --${flag} (see dept ${command} --help)`);
    if (spec.type === "boolean") {
      let raw = inline;
      const next = argv[i + 1];
      if (raw === undefined && next !== undefined && next.toLowerCase() in BOOLEAN_WORDS) {
        raw = next;
        i++;
      }
      if (raw === undefined) {
        out[spec.name] = true;
      } else {
        const value = BOOLEAN_WORDS[raw.toLowerCase()];
        if (value === undefined) throw new UsageError(`dept ${command}: --${flag} expects true or false, got '${raw}'`);
        out[spec.name] = value;
      }
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`dept ${command}: --${flag} needs a value`);
      }
      raw = next;
      i++;
    }
    if (spec.type === "number") {
      out[spec.name] = parseNumber(raw, flag, command);
    } else if (spec.type === "string[]") {
      const list = out[spec.name];
      out[spec.name] = Array.isArray(list) ? [...list, raw] : [raw];
    } else {
      out[spec.name] = raw;
    }
  }
  for (const spec of specs) {
    if (out[spec.name] !== undefined) continue;
    if (spec.default !== undefined) {
      out[spec.name] = Array.isArray(spec.default) ? [...(spec.default as readonly string[])] : (spec.default as string | number | boolean);
    } else if (spec.required === true) {
      throw new UsageError(
        spec.positional === true
          ? `dept ${command}: missing ${spec.name.toUpperCase()} argument (or --${spec.name})`
          : `dept ${command}: missing required option --${spec.name}`,
      );
    }
  }
  return out;
}

function parseNumber(raw: string, flag: string, command: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) {
    throw new UsageError(`dept ${command}: --${flag} expects a number, got '${raw}'`);
  }
  return value;
}

/** Typed accessors: the parser already checked types, these narrow for the compiler. */
export function str(options: ParsedOptions, name: string): string {
  const v = options[name];
  if (typeof v !== "string") throw new UsageError(`missing option --${name}`);
  return v;
}
export function optStr(options: ParsedOptions, name: string): string | undefined {
  const v = options[name];
  return typeof v === "string" ? v : undefined;
}
export function num(options: ParsedOptions, name: string): number {
  const v = options[name];
  if (typeof v !== "number") throw new UsageError(`missing option --${name}`);
  return v;
}
export function optNum(options: ParsedOptions, name: string): number | undefined {
  const v = options[name];
  return typeof v === "number" ? v : undefined;
}
export function bool(options: ParsedOptions, name: string): boolean {
  return options[name] === true;
}
export function list(options: ParsedOptions, name: string): string[] {
  const v = options[name];
  return Array.isArray(v) ? v : [];
}

export function formatHelp(command: string, summary: string, specs: readonly OptionSpec[]): string {
  const positionals = specs.filter((s) => s.positional === true);
  const usage = positionals.map((s) => (s.type === "string[]" ? `${s.name.toUpperCase()}...` : s.name.toUpperCase()));
  const lines = [`dept ${command}: ${summary}`, ...(usage.length > 0 ? ["", `Usage: dept ${command} ${usage.join(" ")} [options]`] : []), "", "Options:"];
  const width = Math.max(...specs.map((s) => s.name.length + (s.type === "boolean" ? 0 : s.type.length + 3)), 10);
  for (const spec of specs) {
    const left = spec.type === "boolean" ? `--${spec.name}` : `--${spec.name} <${spec.type}>`;
    const extras: string[] = [];
    if (spec.required === true) extras.push("required");
    if (spec.default !== undefined) extras.push(`default ${JSON.stringify(spec.default)}`);
    if (spec.positional === true) extras.push("also positional");
    if (spec.aliases !== undefined && spec.aliases.length > 0) extras.push(`alias ${spec.aliases.map((a) => `--${a}`).join(", ")}`);
    lines.push(`  ${left.padEnd(width + 4)} ${spec.help}${extras.length > 0 ? ` (${extras.join("; ")})` : ""}`);
  }
  return lines.join("\n");
}
