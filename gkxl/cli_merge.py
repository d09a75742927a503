"""The `merge` and `export` commands (registered on the main group in gkxl/cli.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import spec as specmod
from .errors import GkxlError
from .fileio import os_error
from .messages import register, text

USAGE_ERRORS = ("merge.no_inputs", "export.no_inputs", "io.output_is_input", "spec.not_found", "spec.invalid",
                "spec.unreadable", "template.units_missing_column", "template.units_empty",
                "template.units_unreadable")

register({
    "cli.merge.written": ("已写入汇总表 {path}：计入 {included} 个单位", "summary written to {path}: {included} units included"),
    "cli.merge.left_out": ("未计入：{path}（{unit}）—— {reason}", "left out: {path} ({unit}) — {reason}"),
    "cli.merge.marked": ("有错误但已计入：{path}（{unit}）—— {reason}", "included despite errors: {path} ({unit}) — {reason}"),
    "cli.merge.missing": ("未报送：{unit}", "not sent: {unit}"),
    "cli.merge.totals": ("共 {files} 个输入文件：计入 {included}，未计入 {left_out}；名单中未报送 {missing}",
                         "{files} input files: {included} included, {left_out} left out; {missing} listed units sent nothing"),
    "cli.export.written": ("已导出 {records} 份报表到 {path}", "exported {records} returns to {path}"),
    "cli.export.unreadable": ("无法读取：{path} —— {reason}", "unreadable: {path} — {reason}"),
})


def _lang(ctx) -> str:
    return (ctx.obj or {}).get("lang", "zh")


def _progress(lang: str, label_zh: str, label_en: str):
    def wrap(results, length: int):
        show = length > 1 and sys.stderr.isatty()
        with click.progressbar(results, length=length, label=label_zh if lang != "en" else label_en,
                               file=sys.stderr, show_pos=True, hidden=not show) as bar:
            yield from bar
    return wrap


def _fail(ctx, message: str, code: int):
    click.echo(message, err=True)
    ctx.exit(code)


def _os_message(lang: str, e: OSError) -> str:
    return os_error(e, e.filename or "").render(lang)


@click.command("merge")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="汇总表文件 / summary workbook")
@click.option("--year", type=int, required=True, help="汇总的报告年度 / report year")
@click.option("--unit", required=True, help="汇总单位名称（如 某市政务公开办） / the collecting office")
@click.option("--unit-code", help="汇总单位代码 / its code")
@click.option("--units", "units_path", type=click.Path(dir_okay=False), help="应报送单位名单，用于列出未报送单位")
@click.option("--spec", "spec_id", default=specmod.DEFAULT_SPEC, show_default=True, help="表格格式 / form spec")
@click.option("--include-invalid", is_flag=True, help="有错误的报表也计入汇总（在报送情况中注明）")
@click.option("--on-duplicate", type=click.Choice(["newer", "error"]), default="newer", show_default=True,
              help="同一单位多个文件：取修改时间最新的（newer），或报错不汇总（error）")
@click.option("--password", help="工作表保护密码（默认无密码） / sheet protection password")
@click.pass_context
def merge_cmd(ctx, paths, output, year, unit, unit_code, units_path, spec_id, include_invalid, on_duplicate, password):
    """校验全部报送的报表，并汇总成一张汇总表（含“明细”和“报送情况”工作表）。

    \b
    gkxl merge 报送/ -o 汇总.xlsx --year 2025 --unit 某市政务公开办
    gkxl merge 报送/ -o 汇总.xlsx --year 2025 --unit 某市政务公开办 --units 单位名单.csv
    gkxl merge 甲县汇总.xlsx 乙县汇总.xlsx -o 全市汇总.xlsx --year 2025 --unit 某市政务公开办

    退出码：0 全部计入；1 有文件未计入、有错误、有单位未报送或重复；2 用法错误。
    """
    from .merge import merge
    lang = _lang(ctx)
    if not unit.strip():
        _fail(ctx, text("chk.unit_missing", lang), 2)
    try:
        result = merge(paths, Path(output), year=year, unit=unit.strip(), unit_code=unit_code, spec_id=spec_id,
                       units_path=Path(units_path) if units_path else None, include_invalid=include_invalid,
                       on_duplicate=on_duplicate, password=password,
                       progress=_progress(lang, "校验", "checking"))
    except GkxlError as e:
        _fail(ctx, e.render(lang), 2 if e.code in USAGE_ERRORS else 1)
    except OSError as e:
        _fail(ctx, _os_message(lang, e), 1)
    _report_merge(result, lang, output)
    ctx.exit(0 if result.written and result.complete else 1)


def _report_merge(result, lang: str, output) -> None:
    blank = text("out.unknown", lang)
    for group in result.duplicates.values():
        click.echo(text("merge.duplicates", lang, unit=group[0].unit, count=len(group),
                        paths="、".join(e.path for e in group) if lang != "en" else ", ".join(e.path for e in group)),
                   err=True)
    for e in result.entries:
        if e.status == "missing":
            click.echo(text("cli.merge.missing", lang, unit=e.unit), err=True)
        elif not e.included:
            click.echo(text("cli.merge.left_out", lang, path=e.path, unit=e.unit or blank, reason=e.reason(lang)), err=True)
        elif e.status != "ok":
            click.echo(text("cli.merge.marked", lang, path=e.path, unit=e.unit or blank, reason=e.reason(lang)), err=True)
    files = [e for e in result.entries if e.status != "missing"]
    included = sum(e.included for e in files)
    click.echo(text("cli.merge.totals", lang, files=len(files), included=included, left_out=len(files) - included,
                    missing=sum(e.status == "missing" for e in result.entries)), err=True)
    if result.written:
        click.echo(text("cli.merge.written", lang, path=output, included=included))
    else:
        click.echo(text("merge.duplicates_refused", lang), err=True)


@click.command("export")
@click.argument("paths", nargs=-1, required=True)
@click.option("--to", "fmt", type=click.Choice(["json", "csv"]), required=True, help="输出格式 / output format")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件 / output file")
@click.option("--year", type=int, help="要求的报告年度（用于状态） / required report year (for the status)")
@click.option("--spec", "spec_id", default=specmod.DEFAULT_SPEC, show_default=True,
              help="CSV 列所依据的表格格式 / form spec of the CSV columns")
@click.pass_context
def export_cmd(ctx, paths, fmt, output, year, spec_id):
    """把多份报表的数据导出为 JSON 或 CSV（每个文件一条记录；CSV 可直接用 Excel 打开）。

    \b
    gkxl export 报送/ --to csv -o 报表数据.csv
    gkxl export 报送/ --to json -o 报表数据.json

    退出码：0 全部可读；1 有文件无法读取；2 用法错误。
    """
    from .export import export
    lang = _lang(ctx)
    try:
        result = export(paths, Path(output), fmt, year=year, spec_id=spec_id,
                        progress=_progress(lang, "读取", "reading"))
    except GkxlError as e:
        _fail(ctx, e.render(lang), 2 if e.code in USAGE_ERRORS else 1)
    except OSError as e:
        _fail(ctx, _os_message(lang, e), 1)
    for path, code in result.skipped:
        click.echo(text("out.skipped", lang, path=path, reason=text(code, lang)), err=True)
    for path, reason in result.failures(lang):
        click.echo(text("cli.export.unreadable", lang, path=path, reason=reason), err=True)
    click.echo(text("cli.export.written", lang, records=result.records, path=output))
    ctx.exit(0 if not result.failures(lang) else 1)
