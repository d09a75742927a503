"""gkxl parse and gkxl render: published reports in, published reports out."""
from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.policy import (
    EXIT_OK,
    EXIT_PROBLEMS,
    fail,
    lang_of,
    lang_option,
    output_option,
    say,
)
from gkxl.text.errors import GkxlError

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".xhtml", ".mht"}
RENDER_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}


def _print_notes(ctx, path: str, notes) -> None:
    from gkxl.text.messages import text
    lang = lang_of(ctx)
    for note in notes:
        where = f"{path}:{note.place.render(lang)}" if note.place else f"{path}:{note.line}" if note.line else path
        click.echo(f"{where}: {text('out.severity.' + note.severity, lang)}: {note.message.render(lang)}")
    counts = {s: sum(1 for n in notes if n.severity == s) for s in ("error", "warning", "info")}
    say(ctx, "published.summary", err=True, path=path, errors=counts["error"], warnings=counts["warning"],
        infos=counts["info"])


@click.command("parse")
@click.argument("file", type=click.Path(dir_okay=False))
@output_option(help="输出 .json（原样数据）或 .xlsx（gkxl 工作簿） / output .json or .xlsx")
@lang_option
@click.pass_context
def parse_cmd(ctx, file, output):
    """解析已公开的年度报告（网页文字、HTML、Word .docx 或 PDF） / parse a published report (text, HTML, DOCX, PDF).

    \b
    gkxl parse samples/卫滨区司法局_2024年报.txt -o 卫滨区司法局_2024.json
    gkxl parse samples/卫滨区司法局_2024年报.txt -o 卫滨区司法局_2024.xlsx
    gkxl parse 卫滨区司法局_2024年报.docx -o 卫滨区司法局_2024.json
    """
    from gkxl.batch.parallel import run_isolated
    from gkxl.io.files import refuse_overwrite, write_text
    from gkxl.published.parse import parse_path
    out = Path(output)
    suffix = out.suffix.lower()
    try:
        if suffix not in (".json", ".xlsx"):
            raise GkxlError("published.bad_output", allowed=".json / .xlsx", path=output)
        refuse_overwrite(out, [file])
        result = run_isolated(parse_path, file)
        _print_notes(ctx, file, result.notes)
        if suffix == ".json":
            write_text(out, result.report.to_json() + "\n")
        else:
            from gkxl.io.write import write_workbook
            write_workbook(out, result.report.spec, result.report, kind="parsed")
    except GkxlError as e:
        fail(ctx, e)
    say(ctx, "published.written", err=True, path=output)
    ctx.exit(EXIT_PROBLEMS if result.has_errors else EXIT_OK)


def load_report(ctx, path: Path):
    """A report from canonical JSON, a gkxl or official workbook, or a published report (text, HTML, Word, PDF),
    read in a limited worker."""
    from gkxl.batch.parallel import run_isolated
    from gkxl.published.reading import read_any_report
    if path.suffix.lower() in TEXT_SUFFIXES:
        from gkxl.published.parse import parse_path
        result = run_isolated(parse_path, path)
        _print_notes(ctx, str(path), result.notes)
        return result.report
    return run_isolated(read_any_report, path)


@click.command("render")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--to", "to", type=click.Choice(["md", "html", "docx", "pdf"]),
              help="输出格式（默认按 -o 的扩展名；pdf 需要 LibreOffice） / output format (pdf needs LibreOffice)")
@output_option()
@lang_option
@click.pass_context
def render_cmd(ctx, file, to, output):
    """把报表生成已公开年度报告的样式（Markdown、HTML、Word、PDF） / render a report as the published document.

    \b
    gkxl render samples/卫滨区司法局_2024.xlsx -o 卫滨区司法局_2024.md
    gkxl render samples/卫滨区司法局_2024.json --to html -o 卫滨区司法局_2024.html
    gkxl render samples/卫滨区司法局_2024.json -o 卫滨区司法局_2024.pdf
    """
    from gkxl.io.files import refuse_overwrite
    from gkxl.published.render import render
    out = Path(output)
    to = to or RENDER_SUFFIXES.get(out.suffix.lower())
    try:
        if to is None:
            raise GkxlError("published.bad_target", path=output)
        refuse_overwrite(out, [file])
        render(load_report(ctx, Path(file)), to, out)
    except GkxlError as e:
        fail(ctx, e)
    say(ctx, "published.written", err=True, path=output)
    ctx.exit(EXIT_OK)
