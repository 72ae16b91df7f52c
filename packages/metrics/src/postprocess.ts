// DePT's post-processing between generation and the metrics. Follows src/postprocessors.py
// `PostProcessor.process`: predictions and labels are decoded with `tokenizer.batch_decode(...,
// skip_special_tokens=True)` (labels after -100 -> pad id) and each decoded string is `.strip()`ped
// (Python's whitespace set). `AutoPostProcessor` maps no task in our 21 to a special post-processor (only
// superglue-record, which behaves the same), so this is the whole rule. Decoding itself belongs to the
// tokenizer (@dept/models); this module applies the strip and pairs the lists.
import { checkPaired } from "./common.ts";
import { pythonStrip } from "./python-text.ts";

/** Python `str.strip()` of one decoded string. */
export function postprocessText(decoded: string): string {
  return pythonStrip(decoded);
}

/** Strips decoded predictions and labels as DePT's PostProcessor does; the lists must pair up. */
export function postprocessDecoded(
  decodedPredictions: readonly string[],
  decodedLabels: readonly string[],
): { predictions: string[]; labels: string[] } {
  checkPaired("postprocess", decodedPredictions, decodedLabels);
  return { predictions: decodedPredictions.map(pythonStrip), labels: decodedLabels.map(pythonStrip) };
}
