// Every reference task formats hand-made rows into exactly the source/target strings of the spec
// (shared/spec/dept-reference.md §4): "key: value" pieces joined by single spaces, digit-string labels,
// no task prefix; quirks by default, fixes with fixQuirks.
import { describe, expect, it } from "vitest";
import { getTask, TASK_NAMES, type Formatted } from "../src/index.ts";
import type { Row } from "../src/readers/table.ts";

const fmt = (task: string, row: Row, fixQuirks = false): Formatted => getTask(task).format(row, { fixQuirks });

describe("task registry", () => {
  it("has the 21 reference tasks", () => {
    expect(TASK_NAMES).toEqual([
      "cola", "mrpc", "mnli", "qnli", "qqp", "rte", "sst2", "stsb", "superglue-multirc", "superglue-wic", "superglue-wsc.fixed",
      "superglue-cb", "superglue-boolq", "newsqa", "searchqa", "hotpotqa", "nq", "winogrande", "yelp_polarity", "scitail", "paws",
    ]);
  });
  it("maps reference ids to current hub ids and configs", () => {
    const ids = Object.fromEntries(TASK_NAMES.map((t) => [t, `${getTask(t).dataset.hubId}:${getTask(t).dataset.config}`]));
    expect(ids).toMatchObject({
      cola: "nyu-mll/glue:cola", mnli: "nyu-mll/glue:mnli", "superglue-wsc.fixed": "aps/super_glue:wsc.fixed",
      nq: "lucadiliello/naturalquestionsshortqa:default", winogrande: "allenai/winogrande:winogrande_xl",
      yelp_polarity: "fancyzhx/yelp_polarity:plain_text", scitail: "allenai/scitail:snli_format", paws: "google-research-datasets/paws:labeled_final",
    });
    expect(getTask("superglue-cb").dataset.referenceId).toBe("super_glue");
  });
  it("split policies and split maps follow tasks.py", () => {
    const policy = (p: string) => TASK_NAMES.filter((t) => getTask(t).splitPolicy === p);
    expect(policy("small")).toEqual(["cola", "mrpc", "rte", "stsb", "superglue-multirc", "superglue-wic", "superglue-wsc.fixed", "superglue-cb", "superglue-boolq", "scitail"]);
    expect(policy("large")).toEqual(["qnli", "qqp", "sst2", "newsqa", "searchqa", "hotpotqa", "nq", "winogrande", "yelp_polarity"]);
    expect(policy("neither")).toEqual(["mnli", "paws"]);
    expect(getTask("mnli").splitToDataSplit).toEqual({ train: "train", validation: "validation_mismatched", test: "validation_matched" });
    expect(getTask("yelp_polarity").splitToDataSplit.test).toBe("test");
    expect(getTask("qqp").splitToDataSplit.test).toBe("validation");
    expect(getTask("yelp_polarity").trainCap).toBe(100_000);
    expect(TASK_NAMES.filter((t) => getTask(t).kShotClasses !== null)).toEqual([
      "cola", "mrpc", "mnli", "qnli", "qqp", "rte", "sst2", "stsb", "superglue-multirc", "superglue-wic", "superglue-wsc.fixed", "superglue-cb", "superglue-boolq", "scitail",
    ]);
    expect(getTask("mnli").kShotClasses).toEqual(["0", "1", "2"]);
    expect(getTask("stsb").kShotClasses).toEqual(["0", "1"]);
  });
  it("unknown task -> error listing the tasks", () => {
    expect(() => getTask("glue")).toThrow(/--task_name glue: unknown task; expected one of cola, mrpc/);
  });
});

describe("formatting, one task at a time", () => {
  const cases: [string, Row, string, string][] = [
    ["cola", { sentence: "The book was read.", label: 1, idx: 0 }, "sentence: The book was read.", "1"],
    ["sst2", { sentence: "a gorgeous film ", label: 1 }, "sentence: a gorgeous film ", "1"],
    ["mrpc", { sentence1: "A b.", sentence2: "C d.", label: 0 }, "sentence1: A b. sentence2: C d.", "0"],
    ["qqp", { question1: "Why?", question2: "How?", label: 1 }, "question1: Why? question2: How?", "1"],
    ["stsb", { sentence1: "A man.", sentence2: "A dog.", label: 3.75 }, "sentence1: A man. sentence2: A dog.", "3.8"],
    ["mnli", { premise: "P.", hypothesis: "H.", label: 2 }, "premise: P. hypothesis: H.", "2"],
    ["qnli", { question: "Q?", sentence: "S.", label: 1 }, "question: Q? sentence: S.", "1"],
    ["rte", { sentence1: "S1.", sentence2: "S2.", label: 0 }, "sentence1: S1. sentence2: S2.", "0"],
    ["superglue-boolq", { question: "is it", passage: "It is.", label: 1 }, "question: is it passage: It is.", "1"],
    ["superglue-cb", { premise: "P.", hypothesis: "H.", label: 2 }, "premise: P. hypothesis: H.", "2"],
    ["superglue-wic", { sentence1: "A bat flew.", sentence2: "He swung the bat.", word: "bat", label: 0 }, "sentence1: A bat flew. sentence2: He swung the bat. word: bat", "0"],
    ["superglue-wsc.fixed", { text: "This is a test sentence .", span1_text: "test", span1_index: 3, span2_text: "This", span2_index: 0, label: 0 }, "text: # This # is a * test * sentence .", "0"],
    ["scitail", { sentence1: "Premise.", sentence2: "Hyp.", gold_label: "neutral" }, "premise: Premise. hypothesis: Hyp.", "1"],
    ["paws", { sentence1: "A.", sentence2: "B.", label: 1 }, "sentence1: A. sentence2: B.", "1"],
    ["yelp_polarity", { text: "Great tacos!", label: 0 }, "sentence: Great tacos!", "0"],
  ];
  it.each(cases)("%s", (task, row, source, target) => {
    expect(fmt(task, row)).toEqual({ source, target });
    expect(fmt(task, row, true).source).toBe(source);
  });

  it("superglue-multirc strips <br>/<b> in every piece and keeps the question group", () => {
    const row = { paragraph: "<b>Sent 1: </b>Hi.<br>Bye.", question: "Who<br>?", answer: "<b>Ann</b>", label: 1, idx: { paragraph: 0, question: 7, answer: 2 } };
    expect(fmt("superglue-multirc", row)).toEqual({ source: "question: Who ? answer: Ann paragraph: Sent 1: Hi. Bye.", target: "1", group: 7 });
  });

  it("winogrande prints option1 twice (reference) or option1/option2 (fixQuirks); target answer-1", () => {
    const row = { sentence: "Ian hid from _ .", option1: "Ann", option2: "Bob", answer: "2" };
    expect(fmt("winogrande", row)).toEqual({ source: "sentence: Ian hid from _ . option0: Ann option1: Ann", target: "1" });
    expect(fmt("winogrande", row, true)).toEqual({ source: "sentence: Ian hid from _ . option0: Ann option1: Bob", target: "1" });
    expect(fmt("winogrande", { ...row, answer: "1" }).target).toBe("0");
    expect(() => fmt("winogrande", { ...row, answer: "" })).toThrow(/column 'answer'/);
  });

  for (const task of ["newsqa", "searchqa", "hotpotqa", "nq"]) {
    it(`${task}: pad_punctuation everywhere, first answer only (all answers with fixQuirks)`, () => {
      const row = { question: "Who's the U.S. envoy?", context: "Ann-Marie,  the U.S.\tenvoy.", answers: ["Ann-Marie", "Ann"], key: "k", labels: [] };
      expect(fmt(task, row)).toEqual({
        source: "question: Who ' s the U . S . envoy ?  context: Ann - Marie , the U . S . envoy . ",
        target: "Ann - Marie",
        answers: ["Ann - Marie"],
      });
      expect(fmt(task, row, true).answers).toEqual(["Ann - Marie", "Ann"]);
      expect(fmt(task, row, true).target).toBe("Ann - Marie");
    });
  }

  it("stsb: one-decimal half-to-even by default, nearest 0.2 with fixQuirks", () => {
    const row = { sentence1: "a", sentence2: "b" };
    expect([2.25, 2.4, 0.0, 5.0, 1.3].map((label) => fmt("stsb", { ...row, label }).target)).toEqual(["2.2", "2.4", "0.0", "5.0", "1.3"]);
    expect([2.25, 2.4, 1.3].map((label) => fmt("stsb", { ...row, label }, true).target)).toEqual(["2.2", "2.4", "1.2"]);
  });

  it("bad values name the column", () => {
    expect(() => fmt("cola", { sentence: null, label: 1 })).toThrow(/column 'sentence': expected a string, got null/);
    expect(() => fmt("scitail", { sentence1: "a", sentence2: "b", gold_label: "contradiction" })).toThrow(/column 'gold_label'/);
    expect(() => fmt("nq", { question: "q", context: "c", answers: [] })).toThrow(/column 'answers'/);
    expect(() => fmt("superglue-multirc", { paragraph: "p", question: "q", answer: "a", label: 0, idx: 3 })).toThrow(/column 'idx'/);
  });
});
