// A restricted unpickler for PyTorch state dicts (the data.pkl inside a torch.save zip). It is a small stack
// machine over the pickle opcodes (CPython Lib/pickletools.py documents each one) that builds plain data and
// NEVER executes anything: a GLOBAL is resolved only against a fixed allow-list of the callables torch state
// dicts use (collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter) and the storage
// type names that appear inside persistent ids (torch.FloatStorage, ...). Any other global, opcode or REDUCE
// target is refused with a TorchPickleError (the same policy as torch.load(weights_only=True), but stricter).
import { TorchPickleError } from "../errors.ts";
import type { RawDtype } from "./tensor.ts";

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}
export class PyDict {
  readonly map = new Map<string | number, PyValue>();
}
/** `('storage', torch.FloatStorage, key, location, numel)` persistent id: a reference into data/<key>. */
export class StorageRef {
  constructor(
    readonly dtype: StorageDtype,
    readonly key: string,
    readonly location: string,
    readonly numel: number,
  ) {}
}
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}
class StorageType {
  constructor(
    readonly name: string,
    readonly dtype: StorageDtype,
  ) {}
}
class Callable {
  constructor(readonly name: "OrderedDict" | "_rebuild_tensor_v2" | "_rebuild_parameter") {}
}
const MARK = Symbol("mark");
export type PyValue = null | boolean | number | string | PyValue[] | PyTuple | PyDict | StorageRef | TensorRef | StorageType | Callable;
type StackItem = PyValue | typeof MARK;

export interface StorageDtype {
  /** dtype as reported (safetensors spelling). */
  readonly dtype: RawDtype | "F64";
  readonly itemSize: number;
}

/** torch.<X>Storage -> element type (torch/storage.py legacy typed storages, still written by torch.save). */
const STORAGE_TYPES: Readonly<Record<string, StorageDtype>> = {
  FloatStorage: { dtype: "F32", itemSize: 4 },
  HalfStorage: { dtype: "F16", itemSize: 2 },
  BFloat16Storage: { dtype: "BF16", itemSize: 2 },
  DoubleStorage: { dtype: "F64", itemSize: 8 },
  LongStorage: { dtype: "I64", itemSize: 8 },
  IntStorage: { dtype: "I32", itemSize: 4 },
  ByteStorage: { dtype: "U8", itemSize: 1 },
  BoolStorage: { dtype: "BOOL", itemSize: 1 },
};

const CALLABLES: Readonly<Record<string, Callable>> = {
  "collections.OrderedDict": new Callable("OrderedDict"),
  "torch._utils._rebuild_tensor_v2": new Callable("_rebuild_tensor_v2"),
  "torch._utils._rebuild_parameter": new Callable("_rebuild_parameter"),
};

const ALLOWED_TEXT = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.<Float|Half|BFloat16|Double|Long|Int|Byte|Bool>Storage";

function resolveGlobal(module: string, name: string, fail: (p: string) => never): PyValue {
  const full = `${module}.${name}`;
  const callable = CALLABLES[full];
  if (callable !== undefined) return callable;
  if (module === "torch" && Object.prototype.hasOwnProperty.call(STORAGE_TYPES, name)) {
    return new StorageType(name, STORAGE_TYPES[name] as StorageDtype);
  }
  return fail(`refused pickle global '${full}': only ${ALLOWED_TEXT} are allowed (this reader never executes code)`);
}

function asInt(v: PyValue | undefined, what: string, fail: (p: string) => never): number {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(`${what}: expected an integer, got ${describe(v)}`);
  return v;
}

function intTuple(v: PyValue | undefined, what: string, fail: (p: string) => never): number[] {
  if (!(v instanceof PyTuple)) fail(`${what}: expected a tuple of integers, got ${describe(v)}`);
  return v.items.map((x, i) => asInt(x, `${what}[${i}]`, fail));
}

function describe(v: PyValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "None";
  if (v instanceof PyTuple) return `tuple(${v.items.length})`;
  if (v instanceof PyDict) return "dict";
  if (Array.isArray(v)) return "list";
  if (v instanceof Callable) return v.name;
  if (v instanceof StorageType) return `torch.${v.name}`;
  if (v instanceof StorageRef) return "storage";
  if (v instanceof TensorRef) return "tensor";
  return JSON.stringify(v);
}

function callAllowed(fn: Callable, args: PyTuple, fail: (p: string) => never): PyValue {
  const a = args.items;
  switch (fn.name) {
    case "OrderedDict": {
      const d = new PyDict();
      if (a.length === 0) return d;
      const pairs = a[0];
      if (a.length !== 1 || !Array.isArray(pairs)) fail("OrderedDict(...): expected no arguments or one list of pairs");
      for (const pair of pairs) {
        if (!(pair instanceof PyTuple) || pair.items.length !== 2) fail("OrderedDict(...): expected (key, value) pairs");
        const [k, v] = pair.items;
        if (typeof k !== "string" && typeof k !== "number") fail(`OrderedDict(...): unsupported key ${describe(k)}`);
        d.map.set(k, v ?? null);
      }
      return d;
    }
    case "_rebuild_tensor_v2": {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) — torch/_utils.py
      if (a.length < 6 || a.length > 7) fail(`_rebuild_tensor_v2: expected 6 or 7 arguments, got ${a.length}`);
      const storage = a[0];
      if (!(storage instanceof StorageRef)) fail(`_rebuild_tensor_v2: expected a storage, got ${describe(storage)}`);
      const shape = intTuple(a[2], "_rebuild_tensor_v2 size", fail);
      const stride = intTuple(a[3], "_rebuild_tensor_v2 stride", fail);
      if (shape.length !== stride.length) fail("_rebuild_tensor_v2: size and stride differ in length");
      return new TensorRef(storage, asInt(a[1], "_rebuild_tensor_v2 storage_offset", fail), shape, stride);
    }
    case "_rebuild_parameter": {
      // (data, requires_grad, backward_hooks) — a Parameter is its tensor here.
      if (!(a[0] instanceof TensorRef)) fail(`_rebuild_parameter: expected a tensor, got ${describe(a[0])}`);
      return a[0];
    }
  }
}

const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0x63: "GLOBAL", 0x69: "INST", 0x6f: "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX", 0x50: "PERSID", 0x82: "EXT1", 0x83: "EXT2",
  0x84: "EXT4", 0x93: "STACK_GLOBAL", 0x49: "INT", 0x4c: "LONG", 0x46: "FLOAT", 0x53: "STRING", 0x56: "UNICODE",
};

/**
 * Runs the restricted VM over `data` and returns the unpickled root object. `file` is used in messages.
 */
export function restrictedUnpickle(data: Uint8Array, file: string): PyValue {
  const fail: (problem: string) => never = (problem) => {
    throw new TorchPickleError(file, problem);
  };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > data.length) fail(`pickle truncated at byte ${pos} (needs ${n} more bytes)`);
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) return fail(`pickle stack underflow at byte ${pos}`);
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) return fail(`pickle stack underflow at byte ${pos}`);
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail(`pickle MARK missing at byte ${pos}`);
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail("pickle GLOBAL: unterminated line");
    const s = new TextDecoder().decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const str = (n: number): string => {
    need(n);
    const s = new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const setItems = (dict: PyValue, items: PyValue[]): void => {
    if (!(dict instanceof PyDict)) fail(`SETITEM(S) on ${describe(dict)}; expected a dict`);
    if (items.length % 2 !== 0) fail("SETITEMS: odd number of items");
    for (let i = 0; i < items.length; i += 2) {
      const k = items[i];
      if (typeof k !== "string" && typeof k !== "number") fail(`dict key ${describe(k)} is not a string or integer`);
      dict.map.set(k, items[i + 1] ?? null);
    }
  };

  for (;;) {
    need(1);
    const op = data[pos] as number;
    const at = pos;
    pos += 1;
    switch (op) {
      case 0x80: // PROTO
        need(1);
        if ((data[pos] as number) > 5) fail(`unsupported pickle protocol ${data[pos]}`);
        pos += 1;
        break;
      case 0x95: // FRAME (protocol 4): a length hint only
        need(8);
        pos += 8;
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`pickle ended with ${stack.length} items on the stack; expected 1`);
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        need(1);
        stack.push(data[pos] as number);
        pos += 1;
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(pos, true));
        pos += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x8a: {
        // LONG1: n-byte little-endian two's complement
        need(1);
        const n = data[pos] as number;
        pos += 1;
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[pos + i] as number);
        if (n > 0 && ((data[pos + n - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * n);
        pos += n;
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail(`integer ${v} out of range at byte ${at}`);
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: {
        // BINUNICODE
        need(4);
        const n = view.getUint32(pos, true);
        pos += 4;
        stack.push(str(n));
        break;
      }
      case 0x8c: {
        // SHORT_BINUNICODE
        need(1);
        const n = data[pos] as number;
        pos += 1;
        stack.push(str(n));
        break;
      }
      case 0x71: // BINPUT
        need(1);
        memo.set(data[pos] as number, top());
        pos += 1;
        break;
      case 0x72: // LONG_BINPUT
        need(4);
        memo.set(view.getUint32(pos, true), top());
        pos += 4;
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const short = op === 0x68;
        need(short ? 1 : 4);
        const idx = short ? (data[pos] as number) : view.getUint32(pos, true);
        pos += short ? 1 : 4;
        const v = memo.get(idx);
        if (v === undefined) fail(`pickle memo ${idx} unset at byte ${at}`);
        stack.push(v);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name, fail));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL: expected two strings");
        stack.push(resolveGlobal(module, name, fail));
        break;
      }
      case 0x51: {
        // BINPERSID: torch's persistent id for a storage
        const pid = pop();
        if (!(pid instanceof PyTuple) || pid.items[0] !== "storage" || pid.items.length !== 5) {
          fail(`persistent id ${describe(pid)} refused; expected ('storage', <StorageType>, key, location, numel)`);
        }
        const [, type, key, location, numel] = pid.items;
        if (!(type instanceof StorageType)) fail(`persistent id storage type ${describe(type)} refused`);
        if (typeof key !== "string" || typeof location !== "string") fail("persistent id: key and location must be strings");
        stack.push(new StorageRef(type.dtype, key, location, asInt(numel, "storage numel", fail)));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof Callable)) fail(`REDUCE on ${describe(fn)} refused; only ${Object.keys(CALLABLES).join(", ")} may be called`);
        if (!(args instanceof PyTuple)) fail(`REDUCE: arguments must be a tuple, got ${describe(args)}`);
        stack.push(callAllowed(fn, args, fail));
        break;
      }
      case 0x62: {
        // BUILD: only the `_metadata` attribute torch puts on state-dict OrderedDicts (ignored).
        pop();
        if (!(top() instanceof PyDict)) fail(`BUILD on ${describe(top())} refused; only dict state is accepted`);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail(`APPEND on ${describe(list)}`);
        list.push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail(`APPENDS on ${describe(list)}`);
        list.push(...items);
        break;
      }
      default: {
        const name = OPCODE_NAMES[op];
        fail(`refused pickle opcode 0x${op.toString(16).padStart(2, "0")}${name !== undefined ? ` (${name})` : ""} at byte ${at}; only the opcodes of plain torch state dicts are accepted`);
      }
    }
  }
}
