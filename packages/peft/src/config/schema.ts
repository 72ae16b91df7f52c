// One table per config class maps the camelCase TS field to the snake_case adapter_config.json key, with its
// type, default and allowed values. Parsing (file -> TS) and writing (TS -> file) both go through the table,
// so a config has exactly one mapping. Python fields this port does not implement are listed as `fixed`:
// they are always written with peft's default and a file that sets them to anything else is refused.
import { describeValue, PeftConfigError } from "../errors.ts";
import { PyFloat, pythonJsonDumps, type PyJson } from "./python-json.ts";

export type FieldType =
  | { readonly kind: "int"; readonly min?: number; readonly nullable?: boolean }
  | { readonly kind: "number"; readonly min?: number; readonly max?: number; readonly pyFloat?: boolean }
  | { readonly kind: "bool" }
  | { readonly kind: "string"; readonly nullable?: boolean }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "stringOrList"; readonly nullable?: boolean };

export interface FieldSpec {
  /** camelCase name in TS. */
  readonly key: string;
  /** snake_case key in adapter_config.json. */
  readonly disk: string;
  readonly type: FieldType;
  /** Value when the key is absent; `undefined` = required. */
  readonly default: unknown;
}

export interface FixedSpec {
  readonly disk: string;
  /** Written as-is. */
  readonly value: PyJson;
  /** "equal": a file must hold this value (or omit the key); "any": informational, any value accepted. */
  readonly check: "equal" | "any";
}

export interface ConfigSchema {
  /** The Python class this mirrors (for messages). */
  readonly className: string;
  readonly peftType: string;
  readonly fields: readonly FieldSpec[];
  readonly fixed: readonly FixedSpec[];
  /** peft >= 0.x ends the file with "\n"; the DePT fork writes none. */
  readonly trailingNewline: boolean;
}

function expected(type: FieldType): string {
  switch (type.kind) {
    case "int":
      return `an integer${type.min !== undefined ? ` >= ${type.min}` : ""}${type.nullable === true ? " or null" : ""}`;
    case "number":
      return `a number${type.min !== undefined ? ` >= ${type.min}` : ""}${type.max !== undefined ? ` <= ${type.max}` : ""}`;
    case "bool":
      return "true or false";
    case "string":
      return `a string${type.nullable === true ? " or null" : ""}`;
    case "enum":
      return `one of ${type.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "stringOrList":
      return `a string (regex), a list of strings${type.nullable === true ? " or null" : ""}`;
  }
}

function valid(type: FieldType, v: unknown): boolean {
  switch (type.kind) {
    case "int":
      return (v === null && type.nullable === true) || (typeof v === "number" && Number.isInteger(v) && (type.min === undefined || v >= type.min));
    case "number":
      return typeof v === "number" && Number.isFinite(v) && (type.min === undefined || v >= type.min) && (type.max === undefined || v <= type.max);
    case "bool":
      return typeof v === "boolean";
    case "string":
      return (v === null && type.nullable === true) || typeof v === "string";
    case "enum":
      return typeof v === "string" && type.values.includes(v);
    case "stringOrList":
      return (v === null && type.nullable === true) || typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Reads a parsed adapter_config.json object into a camelCase record. Unknown keys are ignored, as the
 * Python from_pretrained does (`if hasattr(config, key)`); absent keys take the default.
 */
export function parseWithSchema(schema: ConfigSchema, raw: unknown, source: string): Record<string, unknown> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PeftConfigError(source, "(root)", `expected a JSON object, got ${describeValue(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  if (obj.peft_type !== schema.peftType) {
    throw new PeftConfigError(source, "peft_type", `expected ${JSON.stringify(schema.peftType)} for ${schema.className}, got ${describeValue(obj.peft_type)}`);
  }
  const out: Record<string, unknown> = { peftType: schema.peftType };
  for (const f of schema.fields) {
    const has = Object.prototype.hasOwnProperty.call(obj, f.disk);
    const v = has ? obj[f.disk] : f.default;
    if (v === undefined) throw new PeftConfigError(source, f.disk, `missing; expected ${expected(f.type)}`);
    if (!valid(f.type, v)) throw new PeftConfigError(source, f.disk, `got ${describeValue(v)}; expected ${expected(f.type)}`);
    out[f.key] = Array.isArray(v) ? [...(v as string[])] : v;
  }
  for (const f of schema.fixed) {
    if (f.check === "any" || !Object.prototype.hasOwnProperty.call(obj, f.disk)) continue;
    if (!sameJson(obj[f.disk], f.value)) {
      throw new PeftConfigError(
        source,
        f.disk,
        `got ${describeValue(obj[f.disk])}; @dept/peft supports only ${describeValue(f.value)} (${schema.className} feature not implemented)`,
      );
    }
  }
  return out;
}

/** Validates an in-memory camelCase config (e.g. built by a factory) against the table. */
export function validateWithSchema(schema: ConfigSchema, config: Readonly<Record<string, unknown>>, source: string): void {
  if (config.peftType !== schema.peftType) {
    throw new PeftConfigError(source, "peftType", `expected ${JSON.stringify(schema.peftType)}, got ${describeValue(config.peftType)}`);
  }
  for (const f of schema.fields) {
    const v = config[f.key];
    if (!valid(f.type, v)) throw new PeftConfigError(source, `${f.key} (${f.disk})`, `got ${describeValue(v)}; expected ${expected(f.type)}`);
  }
}

/** Fills defaults for absent camelCase fields (required ones stay absent and fail validation). */
export function withDefaults(schema: ConfigSchema, partial: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { peftType: schema.peftType };
  for (const f of schema.fields) {
    const v = partial[f.key];
    out[f.key] = v === undefined ? f.default : v;
  }
  for (const k of Object.keys(partial)) {
    if (k !== "peftType" && !schema.fields.some((f) => f.key === k)) {
      throw new PeftConfigError(schema.className, k, `unknown option; known: ${schema.fields.map((f) => f.key).join(", ")}`);
    }
  }
  return out;
}

/** adapter_config.json text: only the keys the Python class has, sorted, indent 2 (Python json.dumps form). */
export function serializeWithSchema(schema: ConfigSchema, config: Readonly<Record<string, unknown>>): string {
  validateWithSchema(schema, config, schema.className);
  const out: Record<string, PyJson> = { peft_type: schema.peftType };
  for (const f of schema.fields) {
    const v = config[f.key];
    if (f.type.kind === "number" && f.type.pyFloat === true) out[f.disk] = new PyFloat(v as number);
    else if (f.type.kind === "stringOrList" && Array.isArray(v)) out[f.disk] = [...(v as string[])].sort();
    else out[f.disk] = v as PyJson;
  }
  for (const f of schema.fixed) out[f.disk] = f.value;
  return pythonJsonDumps(out) + (schema.trailingNewline ? "\n" : "");
}
