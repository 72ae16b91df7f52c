// SQuAD v1.1 exact match and token F1 for the QA tasks (nq, hotpotqa, searchqa, newsqa). Follows DePT
// src/metrics.py `squad` -> src/qa_utils.py (T5's copy of the official evaluate-v1.1.py logic):
// - normalisation: `lower()` -> drop every character of Python's `string.punctuation` (ASCII only; curly
//   quotes, accents, guillemets stay) -> `regex.sub(r"\b(a|an|the)\b", " ", s)` -> `" ".join(s.split())`;
// - EM: the normalised strings are equal; F1: token F1 over `split()` tokens with multiset (Counter)
//   overlap, and 0 whenever the overlap is 0, even if both sides normalise to "" (so "the" vs "a" has
//   EM 1 but F1 0; transformers' SQuAD-v2 `compute_f1` would give 1);
// - each example takes the max over its gold answers; EM and F1 are `np.mean` over examples, x100.
// A reference may be one string (DePT passes one decoded label per example: wrapped as a one-answer list)
// or a list of gold answers.
//
// `\b` in the `regex` module is Unicode-aware: a word character is any of \p{Alphabetic}, \p{M}, \p{Nd},
// \p{Pc} or \p{Join_Control} (its Unicode \w). JavaScript's `\b` is ASCII-only even with the `u` flag
// ("théa" would lose its "a"), so the boundary is spelled out with look-arounds on that class.
import { checkNonEmpty, checkPaired, numpyMean, scaleValue, type MetricOptions } from "./common.ts";
import { MetricInputError } from "./errors.ts";
import { pythonSplit } from "./python-text.ts";

/** Python's `string.punctuation`. */
const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
const WORD_CHAR = "[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]";
const ARTICLE = new RegExp(`(?<!${WORD_CHAR})(?:a|an|the)(?!${WORD_CHAR})`, "gu");

/** DePT's `normalize_squad` (= the official SQuAD `normalize_answer`). */
export function normalizeSquad(s: string): string {
  const lowered = s.toLowerCase(); // full Unicode lowercasing with Final_Sigma, like Python's str.lower()
  const noPunctuation = lowered.replace(ASCII_PUNCTUATION, "");
  const noArticles = noPunctuation.replace(ARTICLE, " ");
  return pythonSplit(noArticles).join(" ");
}

/** EM of two already-normalised strings. */
function exactMatchScore(gold: string, prediction: string): number {
  return gold === prediction ? 1 : 0;
}

/** Token F1 of two already-normalised strings (0 when no token overlaps). */
function f1Score(gold: string, prediction: string): number {
  const predictionTokens = pythonSplit(prediction);
  const goldTokens = pythonSplit(gold);
  const goldCounts = new Map<string, number>();
  for (const t of goldTokens) goldCounts.set(t, (goldCounts.get(t) ?? 0) + 1);
  let numSame = 0;
  for (const t of predictionTokens) {
    const left = goldCounts.get(t) ?? 0;
    if (left > 0) {
      numSame++;
      goldCounts.set(t, left - 1);
    }
  }
  if (numSame === 0) return 0;
  const precision = numSame / predictionTokens.length;
  const recall = numSame / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

export interface SquadExampleScore {
  readonly em: number;
  readonly f1: number;
}

/** EM and F1 of one prediction against its gold answers (max over the golds), on the 0-1 scale. */
export function squadExampleScore(prediction: string, golds: string | readonly string[]): SquadExampleScore {
  const goldList = typeof golds === "string" ? [golds] : golds;
  if (goldList.length === 0) throw new MetricInputError("squad: an example has an empty list of gold answers");
  const p = normalizeSquad(prediction);
  let em = 0;
  let f1 = 0;
  for (const gold of goldList) {
    const g = normalizeSquad(gold);
    em = Math.max(em, exactMatchScore(g, p));
    f1 = Math.max(f1, f1Score(g, p));
  }
  return { em, f1 };
}

export function squad(
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  opts?: MetricOptions,
): { em: number; f1: number } {
  checkPaired("squad", predictions, references);
  checkNonEmpty("squad", references.length);
  const scores = predictions.map((p, i) => squadExampleScore(p, references[i]!));
  return {
    em: scaleValue(numpyMean(scores.map((s) => s.em)), opts),
    f1: scaleValue(numpyMean(scores.map((s) => s.f1)), opts),
  };
}
