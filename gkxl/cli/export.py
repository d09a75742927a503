"""gkxl export: the canonical data of many returns, one record per file, as JSON or CSV."""
from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.policy import (
    finish,
    format_option,
    lang_option,
    output_option,
    paths_argument,
    progress,
    spec_of,
    spec_option,
    stops,
    year_option,
)


@click.command("export")
@paths_argument
@click.option("--to", "to", type=click.Choice(["json", "csv"]), required=True, help="输出格式 / output format")
@output_option()
@year_option(help="要求的报告年度（用于状态） / required report year (for the status)")
@spec_option
@format_option
@lang_option
@click.pass_context
def export_cmd(ctx, paths, to, output, year, spec_name, fmt):
    """把多份报表的数据导出为 JSON 或 CSV（每个文件一条记录；CSV 可直接用 Excel 打开）。

    \b
    gkxl export 报送/ --to csv -o 报表数据.csv
    gkxl export 报送/ --to json -o 报表数据.json

    退出码：0 全部可读；1 有文件无法读取；2 用法错误。
    """
    from gkxl.actions.export import export
    with stops(ctx):
        report = export(paths, Path(output), to, year=year, spec=spec_of(spec_name),
                        progress=progress(ctx, "export.progress"))
    finish(ctx, report, fmt)
