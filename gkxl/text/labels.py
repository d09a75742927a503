"""Label normalisation and matching: the same label as printed by different offices compares equal.

A pure module (no gkxl imports but gkxl.text's own): the parser and the checker both match labels through
`normalise`.
"""
from __future__ import annotations

import difflib
import re
import unicodedata

from gkxl.text.invisible import IGNORABLE

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")",
                           "﹙": "(", "﹚": ")", "｛": "(", "｝": ")", "{": "(", "}": ")"})
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": '"', "’": '"', "'": '"', "「": '"', "」": '"', "『": '"', "』": '"',
                         "〝": '"', "〞": '"', "＂": '"'})
_WHITESPACE = re.compile(r"\s+")
# "1." "1．" "1、" "1," after a leading item number all mean the same numbering
_ITEM_NUMBER = re.compile(r"(?:^|(?<=[)\u4e00-\u9fff]))(\d{1,2})[.、,．](?=[\u4e00-\u9fff\"])")
_CN_NUMERAL = "一二三四五六七八九十"
_NUMBERING = re.compile(rf"^(?:[{_CN_NUMERAL}]+[、.]|\([{_CN_NUMERAL}\d]+\)[、.]?|\d{{1,2}}[.、)]|[①-⑳])")
_PARENTHETICAL = re.compile(r"\([^()]*\)")


def normalise(text) -> str:
    """Canonical form of a label: half-width, one kind of bracket and quote, "1." numbering, no spaces."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(IGNORABLE)
    s = s.translate(_BRACKETS).translate(_QUOTES)
    s = _WHITESPACE.sub("", s)
    s = _ITEM_NUMBER.sub(r"\1.", s)
    return s


def strip_numbering(label: str) -> str:
    """A normalised label without its leading numbering: "(三)不予公开" -> "不予公开"."""
    s = normalise(label)
    while True:
        stripped = _NUMBERING.sub("", s, count=1)
        if stripped == s:
            return s
        s = stripped


def core(label: str) -> str:
    """The wording that identifies a label: no numbering, no parenthetical remarks, no trailing colon."""
    s = _PARENTHETICAL.sub("", strip_numbering(label))
    return s.rstrip(":：")


def leading_numeral(label: str) -> str | None:
    """The Chinese section numeral of "三、收到和处理…" (None when the label does not start with one)."""
    m = re.match(rf"^([{_CN_NUMERAL}]+)、", normalise(label))
    return m.group(1) if m else None


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def best_match(text: str, candidates, cutoff: float = 0.8):
    """The candidate whose core wording is closest to `text`'s: (candidate, ratio), or (None, best ratio).

    Exact normalised equality wins outright (ratio 1.0); otherwise the best difflib ratio of the cores,
    which absorbs a missing or wrong character in a long label but not a different short one.
    """
    wanted, wanted_core = normalise(text), core(text)
    best, best_ratio = None, 0.0
    for cand in candidates:
        if normalise(cand) == wanted:
            return cand, 1.0
        ratio = similarity(wanted_core, core(cand))
        if ratio > best_ratio:
            best, best_ratio = cand, ratio
    return (best, best_ratio) if best_ratio >= cutoff else (None, best_ratio)
