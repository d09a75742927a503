"""gkxl serve: the collecting office's desk, a local web page over a collection folder (gkxl.desk)."""
from __future__ import annotations

from pathlib import Path

import click

from gkxl.cli.policy import fail, lang_of, lang_option, stops
from gkxl.text.messages import text


@click.command("serve")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--year", type=int, help="报告年度（新建收件夹时必填） / report year (required for a new folder)")
@click.option("--units", "units_path", type=click.Path(dir_okay=False), help="单位名单 CSV/XLSX / units list")
@click.option("--previous", multiple=True, type=click.Path(),
              help="上年的收件夹、报表或文件夹，用于核对结转数 / last year's collection or returns")
@click.option("--office", help="汇总单位名称（汇总表上的单位） / the collecting office, for the summary")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--password", envvar="GKXL_DESK_PASSWORD", help="登录密码（非本机地址时必填） / login password")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器 / do not open a browser")
@click.option("--max-file-mb", type=click.IntRange(1, 30), default=30, show_default=True, help="每个文件的大小上限 / per file")
@click.option("--max-request-mb", type=click.IntRange(1, 4096), default=300, show_default=True,
              help="每次上传的大小上限 / per upload")
@click.option("--certfile", type=click.Path(dir_okay=False, exists=True),
              help="HTTPS 证书（PEM），与 --keyfile 一起使用 / TLS certificate (PEM), with --keyfile")
@click.option("--keyfile", type=click.Path(dir_okay=False, exists=True), help="HTTPS 私钥（PEM） / TLS private key (PEM)")
@lang_option
@click.pass_context
def serve_cmd(ctx, folder, year, units_path, previous, office, host, port, password, no_browser,
              max_file_mb, max_request_mb, certfile, keyfile):
    """在浏览器中使用的收件台：模板、收件、校验、退回、汇总，全部记在收件夹里。

    \b
    gkxl serve 2025年报/ --year 2025 --units samples/units.csv
    gkxl serve 2025年报/                                     # 再次打开，接着上次的工作
    gkxl serve 2025年报/ --host 0.0.0.0 --password 口令      # 在办公室局域网上使用
    gkxl serve 2025年报/ --host 0.0.0.0 --password 口令 --certfile desk.pem --keyfile desk.key   # HTTPS

    退出码：0 正常停止；1 无法打开收件夹；2 用法错误（如非本机地址未设密码）。
    """
    from gkxl.desk.server import Options, serve
    from gkxl.io.files import os_error
    lang = lang_of(ctx)
    options = Options(Path(folder), year, Path(units_path) if units_path else None, tuple(previous), office,
                      host, port, password, not no_browser, max_file_mb, max_request_mb, certfile, keyfile)

    def say(code, **params):
        click.echo(text(code, lang, **params), err=True)
    with stops(ctx):
        try:
            serve(options, say)
        except OSError as e:
            fail(ctx, os_error(e, e.filename or folder))
