"""Where sections 一 to 六 of a published report start, and its title (unit and year)."""
from __future__ import annotations

from gkxl.form import spec as specmod
from gkxl.published.lines import Line, join_text
from gkxl.published.notes import Notes
from gkxl.text.labels import best_match, core, leading_numeral, normalise, similarity
from gkxl.text.titles import UNIT_END, title_identity, year_in

MAX_TITLE_LINES = 3


class SectionFinder:
    def __init__(self, spec: specmod.Spec, lines: list[Line], notes: Notes, html_title: str = ""):
        self.spec, self.lines, self.notes, self.html_title = spec, lines, notes, html_title
        self.numerals = [s.numeral for s in spec.sections]
        self.keywords = {s.numeral: s.keywords for s in spec.sections}

    def note(self, line, code: str, **params) -> None:
        self.notes.add(line, code, **params)

    def find_sections(self, titles: dict[str, str], tables: dict):
        row_labels = [c for t in tables.values() for target in t.rows for c in target.candidates]
        starts: list[tuple[str, int]] = []
        last = -1
        for i, line in enumerate(self.lines):
            numeral = self.heading_numeral(line, titles, row_labels, last)
            if numeral:
                starts.append((numeral, i))
                last = self.numerals.index(numeral)
        sections = {}
        for n, (numeral, i) in enumerate(starts):
            end = starts[n + 1][1] if n + 1 < len(starts) else len(self.lines)
            sections[numeral] = self.lines[i + 1:end]
        for numeral in self.numerals:
            if numeral in titles and numeral not in sections:
                self.note(None, "parse.section_missing", numeral=numeral, title=titles[numeral])
        return sections, (starts[0][1] if starts else len(self.lines))

    def heading_numeral(self, line: Line, titles, row_labels, last: int) -> str | None:
        if line.from_table or len(line.filled) != 1:
            return None
        heading = line.filled[0].lstrip("#").strip()
        numeral = leading_numeral(heading)
        if numeral not in titles or self.numerals.index(numeral) <= last or len(core(heading)) > 40:
            return None
        if best_match(heading, row_labels, 0.85)[0] is not None:
            return None                                   # a table-3 row such as 四、结转下年度继续办理
        title = titles[numeral]
        ratio = similarity(core(heading), core(title))
        if ratio < 0.4 and not any(k in heading for k in self.keywords.get(numeral, ())):
            return None
        if normalise(heading) != normalise(title) and ratio < 0.9:
            self.note(line.number, "parse.section_reworded", numeral=numeral, found=heading, title=title)
        return numeral

    def read_title(self, first_heading: int) -> tuple[Line | None, str]:
        """The best title-like line before section 一 (a page's navigation text also says 报告), with the
        line(s) it wrapped onto: a long title set large breaks anywhere, before 报告 as well."""
        before = [l for l in self.lines[:first_heading] if l.raw.strip()]
        runs = [before[i:j] for i in range(len(before)) for j in range(i + 1, min(i + MAX_TITLE_LINES, len(before)) + 1)
                if j == i + 1 or _wrapped_title(before[i:j])]
        runs += [[Line(0, self.html_title, [self.html_title])]] if self.html_title else []
        scored = [(_title_score(_joined(run).raw), -len(run), -i, run) for i, run in enumerate(runs)]
        best = max(scored, key=lambda t: t[:3], default=None)
        if best and best[0] > 0:
            run = best[3]
        else:
            run = before[:1]
        title = _joined(run) if run else None
        preamble = "\n".join(" ".join(l.raw.split()) for l in before
                             if not any(l is r for r in run) and not _is_breadcrumb(l.raw))
        return title, preamble

    def unit_and_year(self, title: Line | None):
        if title is None:
            self.note(None, "parse.no_title")
            return None, None
        raw = " ".join(title.raw.split()).lstrip("#").strip()
        line = title.number or None
        unit, year = title_identity(raw)
        if year is None:
            self.note(line, "parse.no_year", title=raw)
        if unit is None:
            self.note(line, "parse.no_unit", title=raw)
        return unit, year

    @staticmethod
    def narrative(lines: list[Line]) -> str:
        return "\n".join(" ".join(l.raw.split()) for l in lines if l.raw.strip())


def _is_breadcrumb(raw: str) -> bool:
    return "首页" in raw and (">" in raw or "》" in raw or "/" in raw)


_SENTENCE_START = ("根据", "按照", "依据", "本报告", "为", "现将", "现就")


def _title_score(raw: str) -> int:
    """How much a line reads as the report's title: a short line ending in 报告 (or 年报) that names 政府信息公开
    and a year, not a sentence of the preamble (根据《条例》…特发布本年度报告。) nor a page's breadcrumbs."""
    s = normalise(raw)
    c = _compact(raw).rstrip("#*")
    score = 3 * c.endswith(("报告", "年报")) + ("政府信息公开" in s) + (year_in(raw) is not None) + ("年度" in s)
    score += 2 * ("年度报告" in s) + (title_identity(raw)[0] is not None)     # one that names its body
    if c.startswith(_SENTENCE_START) or "《" in c or c.endswith(("。", "；", ";")) or len(c) > 60:
        score -= 6                  # a sentence: the preamble, whatever it says of the report
    if ">" in s or "首页" in s:
        score -= 2
    return score


def _wrapped_title(run: list[Line]) -> bool:
    """Lines that may be one title wrapped: paragraphs, not ended (报告, 年报) before the last line, no
    continuation longer than the first line (a wrapped line fills the width); or a short line of the unit's
    name alone above the rest of the title ("XX局" / "2022年政府信息公开工作年度报告")."""
    if any(l.from_table for l in run):
        return False
    if len(run) == 2 and _unit_line(run[0].raw) and year_in(run[1].raw) is not None:
        return True
    width = len(_compact(run[0].raw))
    return not any(_compact(l.raw).endswith(("报告", "年报")) for l in run[:-1]) \
        and all(len(_compact(l.raw)) <= width for l in run[1:])


def _unit_line(raw: str) -> bool:
    """A line that is a body's name and nothing else."""
    c = _compact(raw)
    return 2 <= len(c) <= 30 and UNIT_END.search(c) is not None and year_in(c) is None \
        and not any(ch in c for ch in "，。：:；;、《》")


def _joined(run: list[Line]) -> Line:
    if len(run) == 1:
        return run[0]
    raw = ""
    for line in run:
        raw = join_text(raw, " ".join(line.raw.split()))
    return Line(run[0].number, raw, [raw])


def _compact(raw: str) -> str:
    return "".join(raw.split())
