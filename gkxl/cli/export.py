"""gkxl export: the canonical data of many returns, one record per file, as JSON or CSV."""
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
    year_option,
)
from gkxl.text.errors import GkxlError


@click.command("export")
@paths_argument
@click.option("--to", "fmt", type=click.Choice(["json", "csv"]), required=True, help="输出格式 / output format")
@output_option()
@year_option(help="要求的报告年度（用于状态） / required report year (for the status)")
@spec_option
@lang_option
@click.pass_context
def export_cmd(ctx, paths, fmt, output, year, spec_id):
    """把多份报表的数据导出为 JSON 或 CSV（每个文件一条记录；CSV 可直接用 Excel 打开）。

    \b
    gkxl export 报送/ --to csv -o 报表数据.csv
    gkxl export 报送/ --to json -o 报表数据.json

    退出码：0 全部可读；1 有文件无法读取；2 用法错误。
    """
    from gkxl.batch.export import export
    from gkxl.text.messages import Message
    lang = lang_of(ctx)
    try:
        result = export(paths, Path(output), fmt, year=year, spec_id=spec_id,
                        progress=lambda items, n: progress(ctx, items, n, "export.progress"))
    except GkxlError as e:
        fail(ctx, e)
    for path, code in result.skipped:
        say(ctx, "out.skipped", err=True, path=path, reason=Message(code))
    for path, reason in result.failures(lang):
        say(ctx, "cli.export.unreadable", err=True, path=path, reason=reason)
    say(ctx, "cli.export.written", records=result.records, path=output)
    ctx.exit(EXIT_OK if not result.failures(lang) else EXIT_PROBLEMS)
