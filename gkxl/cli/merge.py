"""gkxl merge: check every return, then sum the good ones into a summary that is itself a valid return."""
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
    paths_argument,
    progress,
    say,
    spec_option,
)
from gkxl.text.errors import GkxlError


@click.command("merge")
@paths_argument
@output_option(help="汇总表文件 / summary workbook")
@click.option("--year", type=int, required=True, help="汇总的报告年度 / report year")
@click.option("--unit", required=True, help="汇总单位名称（如 某市政务公开办） / the collecting office")
@click.option("--unit-code", help="汇总单位代码 / its code")
@click.option("--units", "units_path", type=click.Path(dir_okay=False), help="应报送单位名单，用于列出未报送单位")
@spec_option
@click.option("--include-invalid", is_flag=True, help="有错误的报表也计入汇总（在报送情况中注明）")
@click.option("--on-duplicate", type=click.Choice(["newer", "error"]), default="newer", show_default=True,
              help="同一单位多个文件：取保存时间最新的（newer），或报错不汇总（error）")
@click.option("--password", help="工作表保护密码（默认无密码） / sheet protection password")
@lang_option
@click.pass_context
def merge_cmd(ctx, paths, output, year, unit, unit_code, units_path, spec_id, include_invalid, on_duplicate, password):
    """校验全部报送的报表，并汇总成一张汇总表（含“明细”和“报送情况”工作表）。

    \b
    gkxl merge 报送/ -o 汇总.xlsx --year 2025 --unit 某市政务公开办
    gkxl merge 报送/ -o 汇总.xlsx --year 2025 --unit 某市政务公开办 --units samples/units.csv
    gkxl merge 甲县汇总.xlsx 乙县汇总.xlsx -o 全市汇总.xlsx --year 2025 --unit 某市政务公开办

    退出码：0 全部计入；1 有文件未计入、有错误、有单位未报送或重复；2 用法错误。
    """
    from gkxl.batch.merge import merge
    if not unit.strip():
        fail(ctx, GkxlError("cli.office_missing"))
    try:
        result = merge(paths, Path(output), year=year, unit=unit.strip(), unit_code=unit_code, spec_id=spec_id,
                       units_path=Path(units_path) if units_path else None, include_invalid=include_invalid,
                       on_duplicate=on_duplicate, password=password,
                       progress=lambda items, n: progress(ctx, items, n, "check.progress"))
    except GkxlError as e:
        fail(ctx, e)
    _report(ctx, result, output)
    ctx.exit(EXIT_OK if result.written and result.complete else EXIT_PROBLEMS)


def _report(ctx, result, output) -> None:
    from gkxl.text.messages import text
    lang = lang_of(ctx)
    blank = text("out.unknown", lang)
    for group in result.duplicates.values():
        say(ctx, "merge.duplicates", err=True, unit=group[0].unit, count=len(group), paths=[e.path for e in group])
    for e in result.entries:
        if e.status == "missing":
            say(ctx, "cli.merge.missing", err=True, unit=e.unit)
        elif not e.included:
            say(ctx, "cli.merge.left_out", err=True, path=e.path, unit=e.unit or blank, reason=e.reason(lang))
        elif e.status != "ok":
            say(ctx, "cli.merge.marked", err=True, path=e.path, unit=e.unit or blank, reason=e.reason(lang))
        if e.included and e.unlisted:
            say(ctx, "cli.merge.unlisted", err=True, path=e.path, unit=e.unit)
        if e.included and e.untouched:
            say(ctx, "cli.merge.untouched", err=True, path=e.path, unit=e.unit or blank)
    if any(e.status == "invalid" and not e.included for e in result.entries):
        say(ctx, "cli.merge.include_invalid", err=True)
    files = [e for e in result.entries if e.status != "missing"]
    included = sum(e.included for e in files)
    say(ctx, "cli.merge.totals", err=True, files=len(files), included=included, left_out=len(files) - included,
        missing=sum(e.status == "missing" for e in result.entries))
    if result.written:
        say(ctx, "cli.merge.written", path=output, included=included)
    else:
        say(ctx, "merge.duplicates_refused", err=True)
