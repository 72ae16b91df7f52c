// Minimal read-only ZIP reader for PyTorch's torch.save archives (PKWARE APPNOTE 4.3.x: end of central
// directory, central directory, local headers; ZIP64 records; stored or deflated members). torch writes
// members uncompressed (stored), but deflate is accepted so that re-zipped files still load.
import { inflateRawSync } from "node:zlib";
import { TorchPickleError } from "../errors.ts";

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError("64-bit zip field too large");
  return Number(v);
}

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      this.readCentralDirectory();
    } catch (error) {
      if (error instanceof TorchPickleError) throw error;
      throw new TorchPickleError(file, `malformed zip archive (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private fail(problem: string): never {
    throw new TorchPickleError(this.file, problem);
  }

  private readCentralDirectory(): void {
    const v = this.view;
    let eocd = -1;
    for (let i = this.bytes.length - 22; i >= Math.max(0, this.bytes.length - 22 - 0xffff); i--) {
      if (v.getUint32(i, true) === SIG_EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) this.fail("not a zip archive (no end-of-central-directory record); expected a torch.save file (PyTorch >= 1.6 zip format)");
    let count = v.getUint16(eocd + 10, true);
    let cdOffset = v.getUint32(eocd + 16, true);
    if ((count === 0xffff || cdOffset === U32_MAX) && eocd >= 20 && v.getUint32(eocd - 20, true) === SIG_ZIP64_LOCATOR) {
      const z64 = u64(v, eocd - 20 + 8);
      if (v.getUint32(z64, true) !== SIG_ZIP64_EOCD) this.fail("bad ZIP64 end-of-central-directory record");
      count = u64(v, z64 + 32);
      cdOffset = u64(v, z64 + 48);
    }
    let p = cdOffset;
    for (let n = 0; n < count; n++) {
      if (v.getUint32(p, true) !== SIG_CENTRAL) this.fail(`bad central directory entry ${n} at offset ${p}`);
      const method = v.getUint16(p + 10, true);
      let compressedSize = v.getUint32(p + 20, true);
      let size = v.getUint32(p + 24, true);
      const nameLen = v.getUint16(p + 28, true);
      const extraLen = v.getUint16(p + 30, true);
      const commentLen = v.getUint16(p + 32, true);
      let localHeaderOffset = v.getUint32(p + 42, true);
      const name = new TextDecoder().decode(this.bytes.subarray(p + 46, p + 46 + nameLen));
      // ZIP64 extended information (header id 1): the 64-bit values of the fields that hold 0xFFFFFFFF, in order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = v.getUint16(e, true);
        const len = v.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          if (size === U32_MAX) {
            size = u64(v, q);
            q += 8;
          }
          if (compressedSize === U32_MAX) {
            compressedSize = u64(v, q);
            q += 8;
          }
          if (localHeaderOffset === U32_MAX) localHeaderOffset = u64(v, q);
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      p = extraEnd + commentLen;
    }
  }

  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (entry === undefined) this.fail(`archive member '${name}' is missing`);
    const v = this.view;
    const at = entry.localHeaderOffset;
    if (v.getUint32(at, true) !== SIG_LOCAL) this.fail(`bad local header for '${name}'`);
    const start = at + 30 + v.getUint16(at + 26, true) + v.getUint16(at + 28, true);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) this.fail(`archive member '${name}' is truncated (needs bytes up to ${end}, file has ${this.bytes.length})`);
    const raw = this.bytes.subarray(start, end);
    if (entry.method === 0) return raw;
    if (entry.method === 8) return new Uint8Array(inflateRawSync(raw));
    this.fail(`archive member '${name}' uses compression method ${entry.method}; expected 0 (stored) or 8 (deflate)`);
  }
}
