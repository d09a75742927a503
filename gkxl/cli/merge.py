"""gkxl merge: check every return, then sum the good ones into a summary that is itself a valid return."""
from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.policy import (
    finish,
    format_option,
    lang_option,
    output_option,
    password_option,
    paths_argument,
    progress,
    spec_of,
    spec_option,
    stops,
    units_option,
    year_option,
)


@click.command("merge")
@paths_argument
@output_option(help="汇总表文件 / summary workbook")
@year_option(required=True, help="汇总的报告年度 / report year")
@click.option("--unit", required=True, help="汇总单位名称（如 某市政务公开办） / the collecting office")
@click.option("--unit-code", help="汇总单位代码 / its code")
@units_option(help="应报送单位名单，用于列出未报送单位 / units list: say which units sent nothing")
@spec_option
@click.option("--include-invalid", is_flag=True, help="有错误的报表也计入汇总（在报送情况中注明）")
@click.option("--on-duplicate", type=click.Choice(["newer", "error"]), default="newer", show_default=True,
              help="同一单位多个文件：取保存时间最新的（newer），或报错不汇总（error）")
@password_option
@format_option
@lang_option
@click.pass_context
def merge_cmd(ctx, paths, output, year, unit, unit_code, units_path, spec_name, include_invalid, on_duplicate,
              password, fmt):
    """校验全部报送的报表，并汇总成一张汇总表（含“明细”和“报送情况”工作表）。

    \b
    gkxl merge 报送/ -o 汇总.xlsx --year 2025 --unit 某市政务公开办
    gkxl merge 报送/ -o 汇总.xlsx --year 2025 --unit 某市政务公开办 --units samples/units.csv
    gkxl merge 甲县汇总.xlsx 乙县汇总.xlsx -o 全市汇总.xlsx --year 2025 --unit 某市政务公开办

    退出码：0 全部计入；1 有文件未计入、有错误、有单位未报送或重复；2 用法错误。
    """
    from gkxl.actions.merge import merge
    with stops(ctx):
        report = merge(paths, Path(output), year=year, office=unit, office_code=unit_code, spec=spec_of(spec_name),
                       units_path=Path(units_path) if units_path else None, include_invalid=include_invalid,
                       on_duplicate=on_duplicate, password=password, progress=progress(ctx, "check.progress"))
    finish(ctx, report, fmt)
