"""What an action did, for people (Chinese or English text) and machines (JSON): one object, one content.

Every action (check, merge, export, parse, render, templates, and the desk's calls of them) returns one
`ActionReport`: a `FileResult` for each input (its verdict, its findings, and for merge whether it was
counted), the inputs that were skipped and why, the units of a units list that sent nothing, what was
written, and the notes the action makes. Both renderings are made from the same object, one file at a time,
so that 10,000 results are never held whole (`pieces`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from gkxl.findings.catalogue import SEVERITIES, severity_word
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
    included: bool | None = None     # merge: counted in the summary (None: the action does not count)
    reasons: list[Message] = field(default_factory=list)   # merge: why it was, or was not, counted
    written: str | None = None       # what the action wrote for this file (an annotated copy)
    remarks: list[Message] = field(default_factory=list)   # what the action says of it besides (merge: a unit not listed)
    counted: dict[str, int] | None = None    # the findings' counts, kept when the findings themselves are not
    published: bool = False          # a published report (Word, PDF, web page, text), not a return

    def count(self, severity: str) -> int:
        if self.counted is not None:
            return self.counted.get(severity, 0)
        return sum(f.severity == severity for f in self.findings)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def infos(self) -> int:
        return self.count("info")

    def summarised(self) -> FileResult:
        """What a report's summary and the units not sent need of this result, once it has been written."""
        return FileResult(self.path, self.status, self.unit, self.year, included=self.included,
                          counted={s: self.count(s) for s in SEVERITIES}, published=self.published)

    def to_dict(self, lang: str = "zh") -> dict:
        d = {"path": self.path, "unit": self.unit, "year": self.year, "status": self.status,
             "errors": self.errors, "warnings": self.warnings, "infos": self.infos,
             "findings": [f.to_dict(lang) for f in self.findings]}
        if self.error:
            d["error"] = self.error.render(lang)
        if self.included is not None:
            d["included"] = self.included
            d["reason"] = ("; " if lang == "en" else "；").join(r.render(lang) for r in self.reasons)
        if self.written:
            d["written"] = self.written
        if self.published:
            d["published"] = True
        return d


@dataclass
class Link:
    """A finding between documents (gkxl audit): two years of one body, two bodies, a report and its
    return. It names both documents and both places."""
    rule: str                        # X-carry, X-stock, X-copy, X-return, X-missing
    severity: str
    unit: str | None
    years: tuple
    paths: tuple
    places: tuple                    # str, or Message where the place is said in words
    message: Message

    def places_in(self, lang: str) -> list[str]:
        return [p.render(lang) if isinstance(p, Message) else p for p in self.places]

    def to_dict(self, lang: str = "zh") -> dict:
        return {"rule": self.rule, "severity": self.severity, "unit": self.unit, "years": list(self.years),
                "paths": list(self.paths), "places": self.places_in(lang), "message": self.message.render(lang)}


def link_line(link: Link, lang: str) -> str:
    """One link as every command prints it: [severity] rule unit years：message."""
    years = "→".join(str(y) for y in link.years)
    head = f"  [{severity_word(link.severity, lang)}] {link.rule} {link.unit or ''} {years}".rstrip()
    return f"{head}{'：' if lang != 'en' else ': '}{link.message.render(lang)}"


@dataclass
class ActionReport:
    action: str                                            # check | merge | export | parse | render | template
    files: list[FileResult] = field(default_factory=list)
    skipped: list[tuple[str, Message]] = field(default_factory=list)   # inputs not read, and why
    units_path: str | None = None                          # the units list the inputs were compared with
    missing: list[tuple[str, str | None]] = field(default_factory=list)   # (unit, code) of the list that sent nothing
    written: list[tuple[str, Message]] = field(default_factory=list)   # what the action wrote, and the sentence saying so
    notes: list[tuple[str, Message]] = field(default_factory=list)     # (severity, what the action says besides)
    counts: dict[str, int] = field(default_factory=dict)   # the action's own counts (merge: included, …)
    shown: str = "findings"                                # text: each file with its findings; "status": a line a
                                                           # file; "problems": only the files that could not be read
    arriving: Iterable[FileResult] = ()                    # results still to come, rendered as they come
    settle: Callable[[ActionReport], None] | None = None   # called once they are all in (the units not sent)
    complete: bool = True                                  # the action did all it was asked (merge: written)
    summary_code: str = "out.summary"                      # the closing line of the text, from summary()
    product: object = None                                 # what the action made (merge: the summary's Report)
    fails_on: tuple[str, ...] = ("invalid", "unreadable")  # file states that make the action's exit code 1
    links: list[Link] = field(default_factory=list)        # audit: what stands between documents

    @property
    def ok(self) -> bool:
        """Exit 0: every file passed (and was counted, where the action counts), no unit is missing, nothing
        the action was asked for was left undone."""
        return self.complete and not self.missing and all(
            r.status not in self.fails_on and r.included is not False for r in self.files) \
            and not any(severity == "error" for severity, _ in self.notes) \
            and not any(link.severity == "error" for link in self.links)

    def note(self, code: str, severity: str = "warning", **params) -> None:
        self.notes.append((severity, Message(code, **params)))

    def wrote(self, path, code: str, **params) -> None:
        self.written.append((str(path), Message(code, path=str(path), **params)))

    def summary(self) -> dict:
        doc = {"files": len(self.files), **{s: sum(r.status == s for r in self.files) for s in STATUSES}}
        doc.update(self.counts)
        if self.units_path is not None:
            doc["missing_units"] = len(self.missing)
        return doc

    def _after_files(self, lang: str) -> dict:
        units = None
        if self.units_path is not None:
            units = {"path": self.units_path, "missing": [{"unit": unit, "unit_code": code} for unit, code in self.missing]}
        return {"summary": self.summary(),
                "skipped": [{"path": p, "reason": m.render(lang)} for p, m in self.skipped],
                "units": units,
                "written": [path for path, _ in self.written],
                "notes": [{"severity": s, "message": m.render(lang)} for s, m in self.notes],
                "links": [link.to_dict(lang) for link in self.links]}

    def _each_file(self) -> Iterator[FileResult]:
        yield from self.files
        arriving, self.arriving = self.arriving, ()
        for r in arriving:
            yield r
            self.files.append(r.summarised())
        if self.settle:
            settle, self.settle = self.settle, None
            settle(self)

    def pieces(self, fmt: str, lang: str = "zh") -> Iterator[str]:
        """The report (`fmt` json or text) a file at a time. Results still `arriving` are rendered as they
        come and kept in `files` only as much as the summary needs. The JSON is dumps({"action", "files",
        "summary", "skipped", "units", "written", "notes"}) piece by piece (JSON strings hold no raw line
        breaks, so indenting a piece is adding spaces after each one)."""
        if fmt == "json":
            yield '{\n "action": ' + dumps(self.action) + ',\n "files": ['
            n = -1
            for n, r in enumerate(self._each_file()):
                yield ("," if n else "") + "\n  " + dumps(r.to_dict(lang)).replace("\n", "\n  ")
            yield "\n ]" if n >= 0 else "]"
            for key, value in self._after_files(lang).items():
                yield ",\n " + dumps(key) + ": " + dumps(value).replace("\n", "\n ")
            yield "\n}"
            return
        for r in self._each_file():
            if r.included is not None:
                block = decision_lines(r, lang)
            elif self.shown != "problems" or r.status == "unreadable":
                block = file_block(r, lang, findings=self.shown == "findings")
            else:
                block = ""
            if block:
                yield block + "\n"
        yield "\n".join(self.closing_lines(lang))

    def closing_lines(self, lang: str) -> list[str]:
        lines = [text("out.skipped", lang, path=p, reason=m) for p, m in self.skipped]
        if self.missing:
            lines.append(text("out.missing_head", lang, path=self.units_path, count=len(self.missing)))
            lines += [text("out.missing_unit", lang, unit=unit, unit_code=Message("out.missing_code", value=code) if code else "")
                      for unit, code in self.missing]
        lines += [m.render(lang) for _, m in self.notes]
        lines += [link_line(link, lang) for link in self.links]
        if self.summary_code:
            lines.append(text(self.summary_code, lang, **{"missing_units": 0, **self.summary()}))
        return lines


def finding_line(f: Finding, lang: str) -> str:
    """One finding as every command prints it: [severity] rule place（labels）：message."""
    where = f.where
    if f.place is not None:
        where = text("out.place", lang, place=f.place, where=where).strip()
    elif f.line is not None:
        where = text("out.line", lang, line=f.line, where=where).strip()
    labels = " · ".join(x for x in (f.row_label, f.col_label) if x)
    if labels:
        where = f"{where}（{labels}）" if lang != "en" else f"{where} ({labels})"
    head = f"  [{severity_word(f.severity, lang)}] {f.rule} {where}".rstrip()
    line = f"{head}{'：' if lang != 'en' else ': '}{f.message.render(lang)}"
    if f.hint:
        line += "\n      " + text("out.hint", lang, hint=f.hint)
    return line


def counts_text(r: FileResult, lang: str) -> str:
    """（2 个错误，1 个警告，3 条提示）: every severity that occurs, the same words everywhere."""
    parts = [text(f"out.count.{s}", lang, count=r.count(s)) for s in SEVERITIES if r.count(s)]
    return text("out.counts", lang, counts=(", " if lang == "en" else "，").join(parts)) if parts else ""


def file_block(r: FileResult, lang: str, display_name: str | None = None, findings: bool = True) -> str:
    name = display_name or r.path
    if r.status == "unreadable":
        return text("out.file_unreadable", lang, name=name, reason=r.error)
    blank = text("out.unknown", lang)
    if r.published:
        name = text("out.published_name", lang, name=name)
    lines = [text("out.file_line", lang, name=name, unit=r.unit or blank, year=r.year or blank,
                  status=text(f"out.status.{r.status}", lang), counts=counts_text(r, lang))]
    if findings:
        lines += [finding_line(f, lang) for f in r.findings]
    return "\n".join(lines)


def decision_lines(r: FileResult, lang: str) -> str:
    """What a merge did with one input: left out, or counted with a remark; nothing for a clean inclusion."""
    blank = text("out.unknown", lang)
    reason = ("; " if lang == "en" else "；").join(m.render(lang) for m in r.reasons)
    if not r.included:
        return text("merge.left_out", lang, path=r.path, unit=r.unit or blank, reason=reason)
    lines = [text("merge.marked", lang, path=r.path, unit=r.unit or blank, reason=reason)] if r.status != "ok" else []
    return "\n".join(lines + [m.render(lang) for m in r.remarks])
