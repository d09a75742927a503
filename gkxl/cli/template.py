"""gkxl template: the blank workbook, pre-filled for one unit, or one per unit of a list."""
from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.policy import (
    finish,
    format_option,
    lang_option,
    output_option,
    password_option,
    progress,
    spec_of,
    spec_option,
    stops,
    units_option,
)


@click.command()
@spec_option
@click.option("--year", type=int, help="报告年度，预填并锁定 / report year (pre-filled, locked)")
@click.option("--unit", help="单位名称，预填并锁定 / unit name (pre-filled, locked)")
@click.option("--unit-code", help="单位代码（统一社会信用代码） / unit code")
@units_option(help="单位名单 CSV/XLSX：每个单位一个文件 / units list: one file per unit")
@password_option
@output_option(help="输出文件；用 --units 时为文件夹（或 .zip） / output file, a folder (or .zip) with --units", dir_okay=True)
@format_option
@lang_option
@click.pass_context
def template(ctx, spec_name, year, unit, unit_code, units_path, password, output, fmt):
    """生成空白模板（可预填单位和年度），或按单位名单每单位一个文件。

    \b
    gkxl template --year 2025 -o 年报模板.xlsx
    gkxl template --year 2025 --unit 卫滨区司法局 --unit-code 11410703MB1583512R -o 卫滨区司法局.xlsx
    gkxl template --year 2025 --units samples/units.csv -o 模板/
    """
    from gkxl.actions.templates import template as one
    from gkxl.actions.templates import templates
    with stops(ctx):
        spec = spec_of(spec_name)
        if units_path:
            report = templates(Path(units_path), Path(output), spec=spec, year=year, password=password,
                               progress=progress(ctx, "template.progress"))
        else:
            report = one(Path(output), spec=spec, year=year, unit=unit, unit_code=unit_code, password=password)
    finish(ctx, report, fmt)
