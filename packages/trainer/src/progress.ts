// Human and machine-readable progress of a run: every log entry (train/eval/summary) and message goes to a
// JSON-lines file (one object per line: {"type": "step"|"train"|"eval"|"summary"|"message", ...}); on a terminal a
// single progress line is redrawn each step (step, loss, lr, steps/s, ETA, last eval); otherwise a plain line is
// written at each logging step and each evaluation.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { LogEntry } from "./io/trainer-state.ts";
import type { StepInfo } from "./loop.ts";

export interface ProgressOptions {
  /** Writes text to the terminal / stderr (no newline added). */
  write: (text: string) => void;
  isTTY: boolean;
  /** JSON-lines log path (null: none). */
  logFile: string | null;
  now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

export class TrainProgress {
  private readonly now: () => number;
  private firstStepAt: number | null = null;
  private firstStep = 0;
  private lastEval = "";
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? (() => performance.now() / 1000);
    if (opts.logFile !== null) mkdirSync(dirname(opts.logFile), { recursive: true });
  }

  private record(obj: Record<string, unknown>): void {
    if (this.opts.logFile !== null) appendFileSync(this.opts.logFile, `${JSON.stringify(obj)}\n`);
  }

  private line(text: string): void {
    if (this.drawn) {
      this.opts.write("\n");
      this.drawn = false;
    }
    this.opts.write(`${text}\n`);
  }

  /** Steps per second since the first step this process ran (NaN until two steps were seen). */
  private rate(step: number): number {
    const t = this.now();
    if (this.firstStepAt === null) {
      this.firstStepAt = t;
      this.firstStep = step;
      return NaN;
    }
    return step === this.firstStep ? NaN : (step - this.firstStep) / Math.max(1e-9, t - this.firstStepAt);
  }

  onStep(info: StepInfo): void {
    // Full-precision per-step record (the HF-style "train" entries round the loss to 4 digits).
    this.record({ type: "step", step: info.step, loss: info.loss, learning_rates: info.lrs, grad_norm: info.gradNorm, clip_coef: info.clipCoef, epoch: info.epoch });
    const perS = this.rate(info.step);
    const eta = (info.maxSteps - info.step) / perS;
    if (!this.opts.isTTY) return;
    const t = this.now();
    if (t - this.lastDraw < 0.1 && info.step < info.maxSteps) return;
    this.lastDraw = t;
    const width = 24;
    const filled = Math.round((width * info.step) / info.maxSteps);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    const speed = Number.isFinite(perS) ? `${perS.toFixed(2)} steps/s` : "- steps/s";
    this.opts.write(
      `\r[${bar}] ${info.step}/${info.maxSteps} loss ${info.loss.toFixed(4)} lr ${(info.lrs[0] ?? 0).toExponential(3)} ${speed} ETA ${formatDuration(eta)}${this.lastEval}\x1b[K`,
    );
    this.drawn = true;
  }

  onLog(entry: LogEntry): void {
    const type = "loss" in entry ? "train" : Object.keys(entry).some((k) => k.startsWith("eval_")) ? "eval" : "summary";
    this.record({ type, ...entry });
    if (type === "eval") {
      const metrics = Object.entries(entry)
        .filter(([k]) => k.startsWith("eval_") && !/runtime|per_second/.test(k))
        .map(([k, v]) => `${k.slice(5)} ${Number.isInteger(v) ? v : v.toFixed(4)}`);
      this.lastEval = ` | eval@${entry.step}: ${metrics.join(", ")}`;
      this.line(`eval step ${entry.step}: ${metrics.join(", ")} (${entry.eval_runtime}s)`);
    } else if (type === "train") {
      const perS = this.firstStepAt === null || entry.step === this.firstStep ? NaN : ((entry.step ?? 0) - this.firstStep) / Math.max(1e-9, this.now() - this.firstStepAt);
      this.line(
        `step ${entry.step} | epoch ${entry.epoch} | loss ${entry.loss} | lr ${entry.learning_rate} | grad_norm ${entry.grad_norm?.toPrecision(6)}` +
          (Number.isFinite(perS) ? ` | ${perS.toFixed(2)} steps/s` : "") +
          this.lastEval,
      );
    } else {
      this.line(`done: ${Object.entries(entry).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    }
  }

  onMessage(text: string): void {
    this.record({ type: "message", text });
    this.line(text);
  }

  close(): void {
    if (this.drawn) this.opts.write("\n");
    this.drawn = false;
  }
}
