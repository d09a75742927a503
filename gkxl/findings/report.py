"""What an action found, for people (Chinese or English text) and machines (JSON): one object, one content.

`FileResult` is what became of one input; `ActionReport` gathers them for check, parse, export (and the
desk), with the files that were skipped and why. Both renderings are made from the same object.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from gkxl.findings.finding import Finding
from gkxl.text.jsonout import dumps
from gkxl.text.messages import Message, text

STATUSES = ("ok", "invalid", "unreadable")


@dataclass
class FileResult:
    path: str
    status: str                      # ok | invalid | unreadable
    unit: object = None
    year: object = None
    findings: list[Finding] = field(default_factory=list)
    error: Message | None = None     # why unreadable
    report: object = None            # the canonical report read (gkxl.form.model.Report), when kept

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def summarised(self) -> FileResult:
        """What a report's summary and the units not sent need of this result, once it has been written."""
        return FileResult(self.path, self.status, self.unit, self.year)

    def to_dict(self, lang: str = "zh") -> dict:
        d = {"path": self.path, "unit": self.unit, "year": self.year, "status": self.status,
             "errors": self.errors, "warnings": self.warnings,
             "findings": [f.to_dict(lang) for f in self.findings]}
        if self.error:
            d["error"] = self.error.render(lang)
        return d


@dataclass
class ActionReport:
    action: str                                           # check | parse | export
    files: list[FileResult] = field(default_factory=list)
    skipped: list[tuple[str, Message]] = field(default_factory=list)   # inputs not read, and why
    units_path: str | None = None                          # the units list the returns were compared with
    missing: list[tuple[str, str | None]] = field(default_factory=list)   # (unit, code) of the list that sent nothing

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.files) and not self.missing

    def summary(self) -> dict:
        doc = {"files": len(self.files), **{s: sum(r.status == s for r in self.files) for s in STATUSES}}
        if self.units_path is not None:
            doc["missing_units"] = len(self.missing)
        return doc

    def _after_files(self, lang: str) -> dict:
        doc = {"summary": self.summary()}
        if self.skipped:
            doc["skipped"] = [{"path": p, "reason": m.render(lang)} for p, m in self.skipped]
        if self.units_path is not None:
            doc["units"] = {"path": self.units_path,
                            "missing": [{"unit": unit, "unit_code": code} for unit, code in self.missing]}
        return doc

    def pieces(self, fmt: str, lang: str = "zh", arriving: Iterable[FileResult] = (),
               settle: Callable[[ActionReport], None] | None = None) -> Iterator[str]:
        """The report (`fmt` json or text) a file at a time. Results still `arriving` are rendered as they
        come and kept in `files` only as much as the summary needs, so that a batch of 10,000 returns is
        written without being held whole; `settle(self)` is called once they are all in (the units not sent).
        The JSON is dumps({"action", "files", "summary", …}) piece by piece (JSON strings hold no raw line
        breaks, so indenting a piece is adding spaces after each one)."""
        def each_file():
            yield from self.files
            for r in arriving:
                yield r
                self.files.append(r.summarised())
        if fmt == "json":
            yield '{\n "action": ' + dumps(self.action) + ',\n "files": ['
            n = -1
            for n, r in enumerate(each_file()):
                yield ("," if n else "") + "\n  " + dumps(r.to_dict(lang)).replace("\n", "\n  ")
            yield "\n ]" if n >= 0 else "]"
            if settle:
                settle(self)
            for key, value in self._after_files(lang).items():
                yield ",\n " + dumps(key) + ": " + dumps(value).replace("\n", "\n ")
            yield "\n}"
            return
        for r in each_file():
            yield file_block(r, lang) + "\n"
        if settle:
            settle(self)
        blocks = [text("out.skipped", lang, path=p, reason=m) for p, m in self.skipped]
        if self.missing:
            blocks.append(text("out.missing_head", lang, path=self.units_path, count=len(self.missing)))
            blocks += [text("out.missing_unit", lang, unit=unit, unit_code=Message("out.missing_code", value=code) if code else "")
                       for unit, code in self.missing]
        yield "\n".join([*blocks, text("out.summary", lang, **self.summary())])


def finding_line(f: Finding, lang: str) -> str:
    where = f.where
    if f.place is not None:
        where = text("out.place", lang, place=f.place, where=where).strip()
    elif f.line is not None:
        where = text("out.line", lang, line=f.line, where=where)
    labels = " · ".join(x for x in (f.row_label, f.col_label) if x)
    if labels:
        where = f"{where}（{labels}）" if lang != "en" else f"{where} ({labels})"
    sev = text(f"out.severity.{f.severity}", lang)
    head = f"  [{sev}] {f.rule} {where}".rstrip()
    line = f"{head}{'：' if lang != 'en' else ': '}{f.message.render(lang)}"
    if f.hint:
        line += "\n      " + text("out.hint", lang, hint=f.hint)
    return line


def file_block(r: FileResult, lang: str, display_name: str | None = None) -> str:
    name = display_name or r.path
    if r.status == "unreadable":
        return text("out.file_unreadable", lang, name=name, reason=r.error)
    counts = text("out.counts", lang, errors=r.errors, warnings=r.warnings) if r.findings else ""
    blank = text("out.unknown", lang)
    lines = [text("out.file_line", lang, name=name, unit=r.unit or blank, year=r.year or blank,
                  status=text(f"out.status.{r.status}", lang), counts=counts)]
    lines += [finding_line(f, lang) for f in r.findings]
    return "\n".join(lines)
