// Progress output: JSON-lines log, plain lines off a terminal, a redrawn bar on one.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDuration, TrainProgress } from "../src/index.ts";

describe("TrainProgress", () => {
  it("writes JSON lines and plain lines with step, loss, lr, speed and the last eval", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "dept-progress-")), "log", "train_log.jsonl");
    let out = "";
    let t = 0;
    const p = new TrainProgress({ write: (s) => (out += s), isTTY: false, logFile: file, now: () => t });
    for (let step = 1; step <= 4; step++) {
      t = step * 0.5;
      p.onStep({ step, maxSteps: 10, loss: 1 / step, lrs: [0.3, 0.005], gradNorm: 0.2, clipCoef: 1, epoch: step / 4 });
    }
    p.onLog({ eval_accuracy: 62.5, eval_loss: 0.4, eval_runtime: 1.5, eval_samples_per_second: 5.333, eval_steps_per_second: 1, epoch: 1, step: 4 });
    p.onLog({ loss: 0.3333, grad_norm: 0.25, learning_rate: 0.15, epoch: 1, step: 4 });
    p.onMessage("saved checkpoint-4");
    p.close();
    expect(out).toContain("eval step 4: accuracy 62.5000, loss 0.4000 (1.5s)");
    expect(out).toMatch(/step 4 \| epoch 1 \| loss 0\.3333 \| lr 0\.15 \| grad_norm 0\.250000 \| 2\.00 steps\/s \| eval@4: accuracy 62\.5000/);
    expect(out).toContain("saved checkpoint-4\n");
    const lines = (await readFile(file, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual(["step", "step", "step", "step", "eval", "train", "message"]);
    expect(lines[1]).toMatchObject({ type: "step", step: 2, loss: 0.5, learning_rates: [0.3, 0.005], grad_norm: 0.2 });
    expect(lines[5]).toMatchObject({ loss: 0.3333, step: 4 });
  });

  it("redraws one bar line on a terminal", () => {
    let out = "";
    let t = 0;
    const p = new TrainProgress({ write: (s) => (out += s), isTTY: true, logFile: null, now: () => t });
    for (let step = 1; step <= 3; step++) {
      t = step;
      p.onStep({ step, maxSteps: 3, loss: 0.5, lrs: [0.1], gradNorm: 1, clipCoef: 1, epoch: 1 });
    }
    p.close();
    expect(out.startsWith("\r[")).toBe(true);
    expect(out).toContain("3/3 loss 0.5000 lr 1.000e-1 1.00 steps/s ETA 0s");
    expect(out.endsWith("\n")).toBe(true);
    expect(formatDuration(3725)).toBe("1h02m");
    expect(formatDuration(65)).toBe("1m05s");
  });
});
