"""gkxl audit: every published report of the bodies under an office, checked, linked across years, and held
against the bodies' returns."""
from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.policy import (
    finish,
    format_option,
    lang_of,
    lang_option,
    paths_argument,
    progress,
    spec_of,
    spec_option,
    stops,
    units_option,
    year_option,
)
from gkxl.text.errors import UsageError


@click.command("audit")
@paths_argument
@click.option("--returns", "returns", multiple=True, type=click.Path(),
              help="同一批单位报送的报表（文件、文件夹或收件台的收件夹，可多次给出），与公开报告逐格对照 / the bodies' returned workbooks (files, folders or a desk collection)")
@units_option(help="单位名单：按名单认单位，列出没有公开报告的单位 / units list: the bodies, and who published nothing")
@year_option(help="只审查这一年度 / audit this report year only")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="审查结果写入 .xlsx、.html 或 .json / write the audit as .xlsx, .html or .json")
@spec_option
@format_option
@lang_option
@click.pass_context
def audit_cmd(ctx, paths, returns, units_path, year, output, spec_name, fmt):
    """审查各单位公开的政府信息公开工作年度报告：逐份校验，前后年度衔接，与报送的报表对照。

    \b
    gkxl audit 年报/ -o 审查结果.xlsx
    gkxl audit 年报/ 年报2023.zip --units samples/units.csv --returns 报送/ -o 审查结果.html
    gkxl audit 年报/ --format json > 审查结果.json

    退出码：0 没有错误；1 有报告有错误、无法读取，或报告之间有错误（结转不衔接、与报表不符）；2 用法错误。
    """
    from gkxl.actions import audit_files
    from gkxl.actions.audit import audit
    with stops(ctx):
        if output and Path(output).suffix.lower() not in audit_files.OUTPUTS:
            raise UsageError("published.bad_output", allowed=" / ".join(audit_files.OUTPUTS), path=output)
        spec = spec_of(spec_name)
        from gkxl.desk.service import is_collection, latest_returns
        kept = [(k.path, k.sent_as) for p in returns if is_collection(p) for k in latest_returns(Path(p))]
        returns = [p for p in returns if not is_collection(p)]
        report = audit(paths, returns=returns, kept_returns=kept, units_path=Path(units_path) if units_path else None, year=year,
                       spec=spec, progress=progress(ctx, "audit.progress"), hold=bool(output))
        if output:
            audit_files.write(report, Path(output), spec, lang_of(ctx))
    finish(ctx, report, fmt)
