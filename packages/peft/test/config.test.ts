import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  loraConfig,
  parsePeftConfig,
  promptTuningConfig,
  promptTuningLoRAConfig,
  pythonFloatRepr,
  pythonJsonDumps,
  PyFloat,
  serializePeftConfig,
  PeftConfigError,
  DEPT_INIT_TEXT,
  deptScaling,
} from "../src/index.ts";

const GOLDEN = join(import.meta.dirname, "fixtures", "golden");
const CHECKPOINTS = join(import.meta.dirname, "fixtures", "dept-checkpoints");

function goldenConfigs(): string[] {
  const out: string[] = [];
  for (const model of readdirSync(GOLDEN)) {
    for (const c of readdirSync(join(GOLDEN, model))) {
      for (const a of readdirSync(join(GOLDEN, model, c))) {
        const p = join(GOLDEN, model, c, a, "adapter_config.json");
        if (existsSync(p)) out.push(p);
      }
    }
  }
  return out;
}

describe("adapter_config.json round trip", () => {
  const files = goldenConfigs();
  it("finds the 12 golden adapter configs", () => {
    expect(files.length).toBe(12);
  });
  it.each(files.map((f) => [f.slice(GOLDEN.length + 1), f]))("%s: parse -> serialize is byte-identical", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const config = parsePeftConfig(JSON.parse(text), file);
    expect(serializePeftConfig(config)).toBe(text);
  });
});

describe("released DePT configs", () => {
  it.each(["cola", "sst2", "superglue-wic"])("%s parses; token_dim read, hidden_size dead", (task) => {
    const file = join(CHECKPOINTS, task, "adapter_config.json");
    const config = parsePeftConfig(JSON.parse(readFileSync(file, "utf8")), file);
    expect(config.peftType).toBe("PROMPT_TUNING_LORA");
    if (config.peftType !== "PROMPT_TUNING_LORA") return;
    expect(config.tokenDim).toBe(768);
    expect(config.promptTuningInitText).toBe(DEPT_INIT_TEXT);
    expect(config.loadLoraEmbeddings).toBe(true);
    expect(config.maxLength).toBe(256);
  });
  it("cola's config is written back byte-identically (it carries every fork field)", () => {
    const file = join(CHECKPOINTS, "cola", "adapter_config.json");
    const text = readFileSync(file, "utf8");
    expect(serializePeftConfig(parsePeftConfig(JSON.parse(text), file))).toBe(text);
  });
});

describe("factories and validation", () => {
  it("DePT factory output equals the golden t5-tiny c_dept config", () => {
    const config = promptTuningLoRAConfig({
      taskType: "SEQ_2_SEQ_LM",
      numVirtualTokens: 5,
      r: 4,
      maxLength: 20,
      tokenDim: 32,
      numAttentionHeads: 4,
      numLayers: 2,
      baseModelNameOrPath: "t5-tiny",
      tokenizerNameOrPath: "t5-tiny",
      inferenceMode: true,
    });
    expect(serializePeftConfig(config)).toBe(readFileSync(join(GOLDEN, "t5-tiny", "c_dept", "adapter", "adapter_config.json"), "utf8"));
    expect(deptScaling(config)).toBe(4);
  });
  it("PT factory writes num_transformer_submodules = 1 explicitly", () => {
    const config = promptTuningConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 100, tokenDim: 768 });
    const json = JSON.parse(serializePeftConfig(config)) as Record<string, unknown>;
    expect(json.num_transformer_submodules).toBe(1);
    expect(json.peft_type).toBe("PROMPT_TUNING");
  });
  it("LoRA factory writes lora_dropout as a Python float and sorted target_modules", () => {
    const text = serializePeftConfig(loraConfig({ taskType: "CAUSAL_LM", targetModules: ["v_proj", "q_proj"], loraDropout: 0.05 }));
    expect(text).toContain('"lora_dropout": 0.05,');
    expect(text).toContain('"target_modules": [\n    "q_proj",\n    "v_proj"\n  ],');
    expect(serializePeftConfig(loraConfig({ taskType: "CAUSAL_LM" }))).toContain('"lora_dropout": 0.0,');
  });

  const base = JSON.parse(readFileSync(join(GOLDEN, "t5-tiny", "c_dept", "adapter", "adapter_config.json"), "utf8")) as Record<string, unknown>;
  it.each([
    ["peft_type", "PREFIX_TUNING", /peft_type: got "PREFIX_TUNING"; expected one of "PROMPT_TUNING_LORA", "PROMPT_TUNING", "LORA"/],
    ["task_type", "SEQ_CLS", /task_type: got "SEQ_CLS"; expected one of "SEQ_2_SEQ_LM", "CAUSAL_LM"/],
    ["r", 2.5, /r: got 2.5; expected an integer >= 0/],
    ["max_length", "256", /max_length: got "256"; expected an integer >= 1/],
    ["prompt_tuning_init", "SAMPLE_VOCAB", /prompt_tuning_init: got "SAMPLE_VOCAB"; expected one of "TEXT", "RANDOM"/],
    ["num_transformer_submodules", 2, /num_transformer_submodules: got 2; expected 1/],
    ["num_transformer_submodules", null, /null would make upstream peft use 2/],
    ["bias", "all", /bias: got "all"; expected one of "none"/],
    ["num_virtual_tokens", undefined, /num_virtual_tokens: missing/],
  ])("bad %s = %j -> PeftConfigError naming key and value", (key, value, pattern) => {
    const raw = { ...base, [key]: value };
    if (value === undefined) delete raw[key];
    expect(() => parsePeftConfig(raw, "x/adapter_config.json")).toThrow(PeftConfigError);
    expect(() => parsePeftConfig(raw, "x/adapter_config.json")).toThrow(pattern);
  });
  it("TEXT init without text is refused", () => {
    expect(() => parsePeftConfig({ ...base, prompt_tuning_init: "TEXT" }, "f")).toThrow(/prompt_tuning_init_text: got null; expected a non-empty string/);
  });
  it("LoRA features that are not implemented are refused by name", () => {
    const lora = JSON.parse(readFileSync(join(GOLDEN, "t5-tiny", "d_lora", "adapter", "adapter_config.json"), "utf8")) as Record<string, unknown>;
    expect(() => parsePeftConfig({ ...lora, use_dora: true }, "f")).toThrow(/use_dora: got true; @dept\/peft supports only false/);
    expect(() => parsePeftConfig({ ...lora, rank_pattern: { q: 2 } }, "f")).toThrow(/rank_pattern/);
    expect(() => parsePeftConfig({ ...lora, lora_dropout: 1.5 }, "f")).toThrow(/lora_dropout: got 1.5; expected a number >= 0 <= 1/);
  });
  it("unknown keys are ignored on read and never written", () => {
    const config = parsePeftConfig({ ...base, some_future_field: 3 }, "f");
    expect(serializePeftConfig(config)).not.toContain("some_future_field");
  });
  it("unknown factory options are refused", () => {
    expect(() => promptTuningLoRAConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 4, ...({ hidden: 3 } as object) })).toThrow(/hidden: unknown option/);
  });
});

describe("python json", () => {
  it("float repr matches Python", () => {
    const cases: Array<[number, string]> = [
      [0, "0.0"], [0.05, "0.05"], [1e-5, "1e-05"], [0.0001, "0.0001"], [100, "100.0"], [1e16, "1e+16"], [123456.789, "123456.789"], [-2.5e-7, "-2.5e-07"], [1.5e300, "1.5e+300"],
    ];
    for (const [x, s] of cases) expect(pythonFloatRepr(x)).toBe(s);
  });
  it("ensure_ascii escaping and nesting", () => {
    expect(pythonJsonDumps({ b: [1, new PyFloat(2)], a: "é\n\"", c: {}, d: [] })).toBe('{\n  "a": "\\u00e9\\n\\"",\n  "b": [\n    1,\n    2.0\n  ],\n  "c": {},\n  "d": []\n}');
  });
});
