"""gkxl check: every return against the form's rules; a report in text or JSON; annotated copies."""
from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.policy import (
    finish,
    format_option,
    lang_option,
    paths_argument,
    previous_option,
    progress,
    spec_of,
    spec_option,
    stops,
    units_option,
    year_option,
)


@click.command()
@paths_argument
@format_option
@year_option()
@previous_option(help="上年的报表或汇总表（文件或文件夹，可多次给出），按单位核对结转数 / last year's returns")
@units_option()
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False), help="把有问题的文件标注后另存到此文件夹 / write an annotated copy of each file with findings here")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="报告写入文件（默认屏幕） / write the report to a file")
@spec_option
@lang_option
@click.pass_context
def check(ctx, paths, fmt, year, previous, units_path, annotate_dir, output, spec_name):
    """校验报送的报表：单位、年度、结构、每个数字、勾稽关系。

    \b
    gkxl check 报送/
    gkxl check 卫滨区司法局.xlsx --year 2024 --format json
    gkxl check 报送/ --annotate 退回/
    gkxl check 报送/ --units 单位名单.csv

    退出码：0 全部通过（给了 --units 时还要全部报送）；1 有文件有错误或无法读取，或有单位未报送；2 用法错误。
    """
    from gkxl.actions.check import check as check_action
    with stops(ctx):
        report = check_action(paths, year=year, previous=previous, units_path=Path(units_path) if units_path else None,
                              annotate_dir=Path(annotate_dir) if annotate_dir else None, output=output,
                              spec=spec_of(spec_name), progress=progress(ctx, "check.progress"))
    finish(ctx, report, fmt, output, text_to_stdout=True)
