"""The `parse` and `render` commands: published reports in, published reports out."""
from __future__ import annotations

from pathlib import Path

import click

from . import parse as _parse  # noqa: F401  (registers the parse.* messages)
from . import spec as specmod
from .errors import GkxlError
from .fileio import refuse_overwrite, write_text
from .messages import register, text
from .model import Report

register({
    "published.written": ("已写入 {path}", "written {path}"),
    "published.bad_output": ("输出文件应以 {allowed} 结尾：{path}", "the output must end in {allowed}: {path}"),
    "published.bad_target": ("无法从 {path} 判断输出格式，请用 --to 指定 md、html 或 docx",
                             "cannot tell the output format from {path}; use --to md, html or docx"),
    "published.summary": ("{path}：{errors} 个错误，{warnings} 个警告，{infos} 个提示",
                          "{path}: {errors} errors, {warnings} warnings, {infos} notes"),
    "published.no_reader": ("读取工作簿需要 gkxl.read 模块，当前版本中没有", "reading workbooks needs gkxl.read, missing here"),
})

SEVERITY_WORD = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
                 "en": {"error": "error", "warning": "warning", "info": "info"}}
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".xhtml", ".mht"}


def _lang(ctx) -> str:
    return (ctx.obj or {}).get("lang", "zh")


def _print_notes(path: str, result, lang: str) -> None:
    words = SEVERITY_WORD["en" if lang == "en" else "zh"]
    for note in result.notes:
        where = f"{path}:{note.line}" if note.line else path
        click.echo(f"{where}: {words[note.severity]}: {note.message(lang)}")
    counts = {s: sum(1 for n in result.notes if n.severity == s) for s in ("error", "warning", "info")}
    click.echo(text("published.summary", lang, path=path, errors=counts["error"], warnings=counts["warning"],
                    infos=counts["info"]), err=True)


def _fail(ctx, message: str, code: int = 1):
    click.echo(message, err=True)
    ctx.exit(code)


@click.command("parse")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="输出 .json（原样数据）或 .xlsx（gkxl 工作簿） / output .json or .xlsx")
@click.pass_context
def parse_cmd(ctx, file, output):
    """解析已公开的年度报告（网页文字、PDF 文字或 HTML） / parse a published report."""
    from .parse import parse_path
    lang = _lang(ctx)
    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in (".json", ".xlsx"):
        _fail(ctx, text("published.bad_output", lang, allowed=".json / .xlsx", path=output), 2)
    try:
        refuse_overwrite(out, [file])
        result = parse_path(file)
        _print_notes(file, result, lang)
        if suffix == ".json":
            write_text(out, result.report.to_json() + "\n")
        else:
            from .write import write_workbook
            write_workbook(out, specmod.load(result.report.format), result.report, kind="parsed")
    except GkxlError as e:
        _fail(ctx, e.render(lang))
    except (OSError, UnicodeError) as e:
        _fail(ctx, text("parse.unreadable", lang, path=file, detail=str(e)))
    click.echo(text("published.written", lang, path=output), err=True)
    ctx.exit(1 if result.has_errors else 0)


def load_any(path: Path, lang: str) -> Report:
    """A report from canonical JSON, a published text/HTML report, or a gkxl workbook."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return Report.from_json_file(path)
    if suffix in TEXT_SUFFIXES:
        from .parse import parse_path
        result = parse_path(path)
        _print_notes(str(path), result, lang)
        return result.report
    try:
        from .read import read_report
    except ImportError:
        raise GkxlError("published.no_reader") from None
    return read_report(path)


@click.command("render")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--to", "to", type=click.Choice(["md", "html", "docx"]), help="输出格式（默认按 -o 的扩展名） / output format")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件 / output file")
@click.pass_context
def render_cmd(ctx, file, to, output):
    """把报表生成已公开年度报告的样式（Markdown、HTML、Word） / render a report as the published document."""
    from .render import FORMATS, render
    lang = _lang(ctx)
    out = Path(output)
    if to is None:
        to = {".htm": "html", ".markdown": "md"}.get(out.suffix.lower(), out.suffix.lower().lstrip("."))
        if to not in FORMATS:
            _fail(ctx, text("published.bad_target", lang, path=output), 2)
    try:
        refuse_overwrite(out, [file])
        report = load_any(Path(file), lang)
        render(report, to, out)
    except GkxlError as e:
        _fail(ctx, e.render(lang))
    except (OSError, UnicodeError) as e:
        _fail(ctx, text("parse.unreadable", lang, path=file, detail=str(e)))
    click.echo(text("published.written", lang, path=output), err=True)
    ctx.exit(0)
