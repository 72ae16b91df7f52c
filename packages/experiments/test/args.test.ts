import { describe, expect, it } from "vitest";
import { parseOptions, UsageError, type OptionSpec } from "../src/args.ts";
import { main } from "../src/main.ts";
import type { Command } from "../src/command.ts";

const specs: OptionSpec[] = [
  { name: "task_name", type: "string", help: "task", required: true },
  { name: "max_steps", type: "number", help: "steps", default: 10 },
  { name: "do_train", type: "boolean", help: "train" },
  { name: "text", type: "string[]", help: "texts" },
  { name: "k_shot_example", type: "number", help: "k", aliases: ["k_shot_examples"] },
];

describe("parseOptions", () => {
  it("parses values, booleans, lists, aliases and defaults", () => {
    const o = parseOptions(
      ["--task_name", "cola", "--do_train", "--text", "a", "--text=b", "--k_shot_examples", "16"],
      specs,
      "x",
    );
    expect(o).toEqual({ task_name: "cola", max_steps: 10, do_train: true, text: ["a", "b"], k_shot_example: 16 });
    expect(parseOptions(["--task_name", "x", "--do_train", "false"], specs, "x").do_train).toBe(false);
  });
  it("rejects unknown flags, missing values, bad numbers and missing required options", () => {
    expect(() => parseOptions(["--task_name", "a", "--nope", "1"], specs, "x")).toThrow(/unknown option --nope/);
    expect(() => parseOptions(["--task_name"], specs, "x")).toThrow(/--task_name needs a value/);
    expect(() => parseOptions(["--task_name", "a", "--max_steps", "ten"], specs, "x")).toThrow(/expects a number, got 'ten'/);
    expect(() => parseOptions([], specs, "x")).toThrow(UsageError);
  });
});

describe("positional arguments", () => {
  const pos: OptionSpec[] = [
    { name: "recipe", type: "string", help: "r", positional: true, required: true },
    { name: "dirs", type: "string[]", help: "d", positional: true },
    { name: "dry-run", type: "boolean", help: "x" },
  ];
  it("fills positional options in order, the list one takes the rest", () => {
    expect(parseOptions(["a.json", "--dry-run", "d1", "d2"], pos, "x")).toEqual({ recipe: "a.json", "dry-run": true, dirs: ["d1", "d2"] });
    expect(parseOptions(["--recipe", "b.json"], pos, "x")).toEqual({ recipe: "b.json" });
  });
  it("names a missing positional argument and rejects extras", () => {
    expect(() => parseOptions([], pos, "x")).toThrow("dept x: missing RECIPE argument (or --recipe)");
    expect(() => parseOptions(["a"], specs, "x")).toThrow(/unexpected argument 'a'/);
  });
});

describe("main", () => {
  const echo: Command = {
    name: "echo",
    summary: "prints its task",
    options: specs,
    run: (options, io) => {
      io.stdout(String(options.task_name));
      return Promise.resolve(0);
    },
  };
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) } };
  }
  it("lists commands in --help and dispatches", async () => {
    const c = capture();
    expect(await main(["--help"], c.io, [echo])).toBe(0);
    expect(c.out.join("\n")).toMatch(/echo\s+prints its task/);
    const d = capture();
    expect(await main(["echo", "--task_name", "rte"], d.io, [echo])).toBe(0);
    expect(d.out).toEqual(["rte"]);
  });
  it("exits 2 with a message for unknown commands and bad options", async () => {
    const c = capture();
    expect(await main(["nope"], c.io, [echo])).toBe(2);
    expect(c.err[0]).toMatch(/unknown command 'nope'/);
    const d = capture();
    expect(await main(["echo", "--bogus"], d.io, [echo])).toBe(2);
    expect(d.out).toEqual([]);
  });
});
