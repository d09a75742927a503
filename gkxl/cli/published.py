"""gkxl parse and gkxl render: published reports in, published reports out."""
from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.policy import finish, format_option, lang_option, output_option, spec_of, spec_option, stops


@click.command("parse")
@click.argument("file", type=click.Path(dir_okay=False))
@output_option(help="输出 .json（原样数据）或 .xlsx（gkxl 工作簿） / output .json or .xlsx")
@spec_option
@format_option
@lang_option
@click.pass_context
def parse_cmd(ctx, file, output, spec_name, fmt):
    """解析已公开的年度报告（网页文字、HTML、Word .docx 或 PDF） / parse a published report (text, HTML, DOCX, PDF).

    \b
    gkxl parse samples/卫滨区司法局_2024年报.txt -o 卫滨区司法局_2024.json
    gkxl parse samples/卫滨区司法局_2024年报.txt -o 卫滨区司法局_2024.xlsx
    gkxl parse 卫滨区司法局_2024年报.docx -o 卫滨区司法局_2024.json
    """
    from gkxl.actions.published import parse
    with stops(ctx):
        report = parse(file, Path(output), spec=spec_of(spec_name))
    finish(ctx, report, fmt)


@click.command("render")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--to", "to", type=click.Choice(["md", "html", "docx", "pdf"]),
              help="输出格式（默认按 -o 的扩展名；pdf 需要 LibreOffice） / output format (pdf needs LibreOffice)")
@output_option()
@spec_option
@format_option
@lang_option
@click.pass_context
def render_cmd(ctx, file, to, output, spec_name, fmt):
    """把报表生成已公开年度报告的样式（Markdown、HTML、Word、PDF） / render a report as the published document.

    \b
    gkxl render samples/卫滨区司法局_2024.xlsx -o 卫滨区司法局_2024.md
    gkxl render samples/卫滨区司法局_2024.json --to html -o 卫滨区司法局_2024.html
    gkxl render samples/卫滨区司法局_2024.json -o 卫滨区司法局_2024.pdf
    """
    from gkxl.actions.published import render
    with stops(ctx):
        report = render(file, Path(output), to, spec=spec_of(spec_name))
    finish(ctx, report, fmt)
