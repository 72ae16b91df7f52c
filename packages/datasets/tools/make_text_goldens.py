"""Regenerates test/fixtures/text-goldens.json: what the DePT reference's text helpers (src/tasks.py:
pad_punctuation, round_stsb_target, SuperGLUEWSCFixed._mark_span, SuperGLUEMultiRC.remove_markup) return
for tricky inputs, computed with the same libraries the reference uses (numpy, the third-party `regex`
module). Run: python tools/make_text_goldens.py  (needs numpy and regex; CI never runs it)."""
import json
import os

import numpy as np
import regex as re


def pad_punctuation(text):
    text = re.sub(r'([^_\s\p{N}\p{L}\p{M}])', r' \1 ', str(text))
    return re.sub(r'\s+', ' ', text)


def stsb(label):
    return str(np.round((label * 5) / 5, decimals=1))


def mark_span(text, span_str, span_idx, mark):
    pattern = re.sub('N', str(span_idx), r'^((?:\S+\s){N})(W)')
    pattern = re.sub('W', span_str, pattern)
    return re.sub(pattern, r'\1{0} \2 {0}'.format(mark), text)


def wsc(ex):
    text = mark_span(ex['text'], ex['span1_text'], ex['span1_index'], '*')
    span2_index = ex['span2_index'] + 2 * int(ex['span1_index'] < ex['span2_index'])
    return mark_span(text, ex['span2_text'], span2_index, '#')


def remove_markup(text):
    return re.sub('<(/)?b>', '', re.sub('<br>', ' ', text))


PAD_INPUTS = [
    "U.S.", "Who wrote \"Hamlet\"?", "François  Mitterrand's  term", "a\tb\nc", "  leading and trailing  ",
    "snake_case_name", "3.14 - 2,000", "e\u0301 combining", "tab\u00a0nbsp", "zero\u200bwidth", "bom\ufeffhere",
    "ctrl\x1cchar", "nel\x85line", "emoji 😀 ok", "中文，标点。", "(parens) [brackets] {braces}", "a--b", "", "$5 @home #tag",
]
# float32 values as `datasets` hands them to map(): Python floats holding the float32 value.
STSB_VALUES = sorted({float(np.float32(k / 1000 * 5)) for k in range(0, 1001)}
                     | {float(np.float32(v)) for v in [0.25, 0.75, 1.25, 2.25, 2.5, 3.75, 4.25, 4.75, 0.05, 0.15, 3.35, 4.999, 5.0, 0.0, 2.45, 1.05]})
WSC = [
    {"text": "This is a test sentence .", "span1_text": "test", "span1_index": 3, "span2_text": "This", "span2_index": 0},
    {"text": "Mark told Pete many lies about himself , which Pete included in his book .", "span1_text": "Mark", "span1_index": 0, "span2_text": "He", "span2_index": 13},
    {"text": "The city councilmen refused the demonstrators a permit because they feared violence .", "span1_text": "The city councilmen", "span1_index": 0, "span2_text": "they", "span2_index": 9},
    {"text": "Joan made sure to thank Susan for all the help she had given .", "span1_text": "Susan", "span1_index": 5, "span2_text": "she", "span2_index": 10},
    {"text": "Mr. Smith met Dr. Jones and he smiled .", "span1_text": "Mr. Smith", "span1_index": 0, "span2_text": "he", "span2_index": 6},
    {"text": "Mr X met MrsY and she left .", "span1_text": "Mr.", "span1_index": 0, "span2_text": "she", "span2_index": 5},
    {"text": "The trophy does n't fit into the brown suitcase because it is too large .", "span1_text": "the brown suitcase", "span1_index": 5, "span2_text": "it", "span2_index": 9},
]
MARKUP = ["Para one<br>Para two", "<b>Sent 1: </b>Hello<br><br><b>Sent 2: </b>World", "no markup", "<B>upper</B> <br/>"]

out = {
    "padPunctuation": [[s, pad_punctuation(s)] for s in PAD_INPUTS],
    "stsb": [[v, stsb(v)] for v in STSB_VALUES],
    "stsbLabelsList": [str(np.round(l, decimals=1)) for l in np.arange(0, 5.2, 0.2)],
    "wsc": [[ex, wsc(ex)] for ex in WSC],
    "multircMarkup": [[s, remove_markup(s)] for s in MARKUP],
    "provenance": {"numpy": np.__version__, "regex": re.__version__, "script": "packages/datasets/tools/make_text_goldens.py"},
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "text-goldens.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write("\n")
print("wrote", path, len(out["stsb"]), "stsb values")
