"""Parse and render: a published report (text, HTML, Word, PDF) into the model, and any report out as the
published document (Markdown, HTML, Word, PDF). Every file is read in a limited worker.
"""
from __future__ import annotations

import functools
from pathlib import Path

from gkxl.actions.parallel import run_isolated
from gkxl.findings.report import ActionReport, FileResult
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.files import refuse_overwrite, write_text
from gkxl.published.parse import ParseResult, parse_path
from gkxl.published.reading import read_any
from gkxl.text.errors import UsageError

PARSE_OUTPUTS = (".json", ".xlsx")
RENDER_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}


def _parsed(result: ParseResult, path) -> FileResult:
    status = "invalid" if result.has_errors else "ok"
    return FileResult(str(path), status, result.report.unit, result.report.year, list(result.notes), report=result.report)


def parse(file, output: Path, *, spec: specmod.Spec | None = None) -> ActionReport:
    """A published report into the model, written as gkxl JSON (figures as published) or a gkxl workbook."""
    output = Path(output)
    if output.suffix.lower() not in PARSE_OUTPUTS:
        raise UsageError("published.bad_output", allowed=" / ".join(PARSE_OUTPUTS), path=str(output))
    refuse_overwrite(output, [file])
    result = run_isolated(functools.partial(parse_path, specs=specmod.known(spec)), file)
    report = ActionReport("parse", [_parsed(result, file)], product=result.report, summary_code="")
    if output.suffix.lower() == ".json":
        write_text(output, result.report.to_json() + "\n")
    else:
        from gkxl.io.write import write_workbook
        write_workbook(output, result.report.spec, result.report, role="parsed")
    report.wrote(output, "published.written")
    return report


def load_report(path: Path, specs: tuple[specmod.Spec, ...] | None = None) -> FileResult:
    """The report in any input, read in a limited worker: canonical JSON, a gkxl or official workbook, or a
    published report (text, HTML, Word, PDF), with what its reading said."""
    read = run_isolated(functools.partial(read_any, specs=specs), Path(path))
    return FileResult(str(path), "ok", read.report.unit, read.report.year, list(read.findings), report=read.report)


def render(file, output: Path, to: str | None = None, *, spec: specmod.Spec | None = None) -> ActionReport:
    """Any report as the published document, in the format `to` (else told by the output's extension)."""
    from gkxl.published.render import render as draw
    output = Path(output)
    to = to or RENDER_SUFFIXES.get(output.suffix.lower())
    if to is None:
        raise UsageError("published.bad_target", path=str(output))
    refuse_overwrite(output, [file])
    read = load_report(Path(file), specmod.known(spec))
    draw(with_totals(read.report), to, output)
    report = ActionReport("render", [read], product=read.report, shown="problems", fails_on=(), summary_code="")
    report.wrote(output, "published.written")
    return report


def with_totals(report: Report) -> Report:
    """The report as a spreadsheet shows it once it calculates: a total saved without its value (a file
    written by a script, never opened in a spreadsheet) is the sum of what was entered. Published figures
    are printed as they are."""
    from gkxl.form import rules
    missing = {k: v for k, v in rules.derive(report.spec, report.values).items() if report.values.get(k) is None}
    if not missing or report.source.get("published"):
        return report
    import dataclasses
    return dataclasses.replace(report, values={**report.values, **missing})
