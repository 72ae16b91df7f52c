// Download progress on stderr: a redrawn bar on a TTY; otherwise (CI logs, pipes) one plain line every few seconds
// plus a final line, so logs stay readable.

export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Seconds between plain progress lines when stderr is not a TTY. */
export const PLAIN_LINE_INTERVAL_MS = 5_000;
/** Redraws of the TTY bar are throttled to this period. */
const TTY_REDRAW_MS = 100;

export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

export class DownloadProgress {
  private done: number;
  private lastDraw = 0;
  private readonly started: number;
  private readonly startBytes: number;

  constructor(
    private readonly stream: ProgressStream | null,
    private readonly label: string,
    private readonly total: number | null,
    initial: number,
    private readonly now: () => number = Date.now,
  ) {
    this.done = initial;
    this.startBytes = initial;
    this.started = now();
    this.lastDraw = this.started;
    if (stream !== null && stream.isTTY !== true) {
      const resumed = initial > 0 ? ` (resuming at ${formatBytes(initial)})` : "";
      stream.write(`downloading ${label}${this.total === null ? "" : ` (${formatBytes(this.total)})`}${resumed}\n`);
    }
  }

  add(bytes: number): void {
    this.done += bytes;
    if (this.stream === null) return;
    const t = this.now();
    if (this.stream.isTTY === true) {
      if (t - this.lastDraw >= TTY_REDRAW_MS) this.drawBar(t);
    } else if (t - this.lastDraw >= PLAIN_LINE_INTERVAL_MS) {
      this.lastDraw = t;
      this.stream.write(`${this.label}: ${this.summary(t)}\n`);
    }
  }

  finish(): void {
    if (this.stream === null) return;
    const t = this.now();
    if (this.stream.isTTY === true) {
      this.drawBar(t);
      this.stream.write("\n");
    } else {
      this.stream.write(`${this.label}: done, ${this.summary(t)}\n`);
    }
  }

  private summary(t: number): string {
    const seconds = Math.max((t - this.started) / 1000, 1e-3);
    const rate = (this.done - this.startBytes) / seconds;
    const of = this.total === null ? formatBytes(this.done) : `${formatBytes(this.done)} / ${formatBytes(this.total)}`;
    const pct = this.total === null || this.total === 0 ? "" : ` ${Math.floor((100 * this.done) / this.total)}%`;
    return `${of}${pct}, ${formatBytes(rate)}/s`;
  }

  private drawBar(t: number): void {
    if (this.stream === null) return;
    this.lastDraw = t;
    const width = 30;
    const frac = this.total === null || this.total === 0 ? 0 : Math.min(this.done / this.total, 1);
    const filled = Math.round(frac * width);
    const bar = this.total === null ? "" : `[${"#".repeat(filled)}${" ".repeat(width - filled)}] `;
    const line = `${this.label} ${bar}${this.summary(t)}`;
    const cols = this.stream.columns ?? 100;
    this.stream.write(`\r${line.length > cols - 1 ? line.slice(0, cols - 1) : line}\x1b[K`);
  }
}
