"""The narrative sections checked against the tables: a figure stated in words must be the table's.

What to look for is data in the form spec (`narrative`: phrase patterns and the table cells each must
equal). This module only reads sentences, applies the patterns, and leaves out numbers whose meaning is
unsure: a number followed by "（含…）" that the pattern did not account for, a number in a clause about
another year ("上年…", "2023年…") or a cumulative one ("累计"). A figure left blank is not compared.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from gkxl.findings.finding import Finding
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import NarrativeRule, Spec
from gkxl.text.labels import leading_numeral
from gkxl.text.messages import Message

_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CLAUSE_END = re.compile(r"[,，:：;；]")
_OTHER_TIME = re.compile(r"上年|去年|上一年|同比|累计|以来|历年|近[一二三四五两\d]+年")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_INCLUDES_AFTER = re.compile(r"^(?:\((?:其中)?(?:含|包括|包含|不含|不包括|另)|,?(?:其中)?(?:含|包括|包含)(?:上年|去年|结转))")
_APPROXIMATE_BEFORE = re.compile(r"(?:约|近|逾|超过|大约|不到|不足)$")


@dataclass
class Mismatch:
    rule: NarrativeRule
    section: str                      # 一, 五 or 六
    sentence: str                     # as written
    number: int | float
    figures: list[tuple[list[str], object]]   # each alternative: its cells and the table's figure

    def finding(self, spec: Spec) -> Finding:
        """A warning on the table's first cell: which of the two is wrong, the text or the table, is for the
        office to say, so no expected value is stated."""
        figures = [Message("narrative.figure", cells="+".join(spec.cells[k].where for k in keys), value=value)
                   for keys, value in self.figures]
        shown = figures[0]
        for other in figures[1:]:
            shown = Message("narrative.either", first=shown, second=other)
        section = {"zh": self.section, "en": str("一二三四五六".index(self.section) + 1)}
        message = Message("narrative.mismatch", message=self.rule.message, section=section, number=self.number,
                          sentence=_excerpt(self.sentence), figures=shown)
        cell = spec.cells[self.figures[0][0][0]]
        return Finding(self.rule.id, "warning", message, cell.sheet, cell.ref, self.number, None,
                       cell.row_label, cell.col_label, key=cell.key)


def _excerpt(s: str, limit: int = 80) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[:limit] + "…"


def normalise(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def sentences(narrative: str) -> list[str]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(narrative):
        out.append(narrative[start:m.end()])
        start = m.end()
    out.append(narrative[start:])
    return [s.strip() for s in out if s.strip()]


def findings(report: Report) -> list[Finding]:
    """A warning for each figure of the narrative that differs from the tables."""
    return [m.finding(report.spec) for m in mismatches(report)]


def mismatches(report: Report, spec: Spec | None = None, values: dict | None = None) -> list[Mismatch]:
    """`values`: the figures to compare with (a workbook's totals recomputed), else the report's."""
    return [m for m, _ in statements(report, spec, values) if m is not None]


def statements(report: Report, spec: Spec | None = None, values: dict | None = None
               ) -> list[tuple[Mismatch | None, tuple[int | float, list[list[str]]]]]:
    """Every figure the text states that a rule reads: (its mismatch, or None when the tables agree;
    (the number, the cells each alternative sums))."""
    spec = spec or report.spec
    if not spec.narrative:
        return []
    values = report.values if values is None else values
    year = report.year if isinstance(report.year, int) else None
    out = []
    for cell in spec.value_cells:
        if cell.type != "text" or not isinstance(values.get(cell.key), str):
            continue
        section = leading_numeral(cell.label)
        if section is None:
            continue
        for sentence in sentences(values[cell.key]):
            out += _sentence_statements(sentence, section, spec, values, year)
    return out


def _sentence_statements(sentence: str, section: str, spec: Spec, values: dict, year: int | None) -> list:
    s = normalise(sentence)
    claimed: list[tuple[int, int]] = []
    out = []
    # a figure is digits: a sentence without any can only state a zero in words (most of a text's sentences)
    digits = _DIGIT.search(s) is not None
    for rule in spec.narrative if digits else [r for r in spec.narrative if r.zero_patterns]:
        stated = []
        for pattern in rule.patterns if digits else ():
            for m in pattern.finditer(s):
                span = m.span("n")
                if any(a < span[1] and span[0] < b for a, b in claimed):
                    continue                                  # an earlier, more specific rule read it
                claimed.append(span)
                if _unsure(s, m, span, year):
                    continue
                stated.append(_number(m.group("n"), s[span[1]:]))
        for pattern in rule.zero_patterns:
            for m in pattern.finditer(s):
                if not _unsure(s, m, m.span(), year):
                    stated.append((0, 0))
        for number, decimals in stated:
            figures = [(keys, rules.total(values, keys)) for keys in rule.equals]
            said = (number, [keys for keys in rule.equals])
            if any(f is None for _, f in figures):
                out.append((None, said))                     # a blank in the table: nothing to compare
            elif not any(_equal(number, f, decimals) for _, f in figures):
                out.append((Mismatch(rule, section, sentence, number, figures), said))
            else:
                out.append((None, said))
    return out


def _number(digits: str, after: str) -> tuple[int | float, int]:
    """The number and how many decimals it was written with; yuan become 10,000 yuan (万元) for fees."""
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value: int | float = float(digits) if decimals else int(digits)
    if after.startswith("元"):
        value, decimals = value / 10000, decimals + 4
    return value, decimals


def _equal(number, figure, decimals: int) -> bool:
    if decimals == 0 and isinstance(figure, int):
        return number == figure
    return abs(number - figure) <= 0.5 * 10 ** -decimals + 1e-9      # the text may round the table's figure


def _unsure(s: str, m: re.Match, span: tuple[int, int], year: int | None) -> bool:
    clause_start = max([c.end() for c in _CLAUSE_END.finditer(s, 0, m.start())], default=0)
    before = s[clause_start:m.start()]
    if _OTHER_TIME.search(before):
        return True
    if year is not None and any(int(y) != year for y in _YEAR.findall(before)):
        return True
    if _APPROXIMATE_BEFORE.search(s[:span[0]]):
        return True
    return bool(_INCLUDES_AFTER.match(s[m.end():]))
