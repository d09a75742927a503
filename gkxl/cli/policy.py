"""What every gkxl command shares: the language, the common options, and how a command ends.

A command parses its options, calls one action (gkxl.actions) and renders the ActionReport it returns
(`finish`). One table turns an error's class into an exit code (EXIT_CODES): a UsageError is the command
given wrongly (2), any other GkxlError a problem found in the inputs (1); an internal error is 1 too, with a
sentence saying how to get the details (--debug).
"""
from __future__ import annotations

import contextlib
import itertools
import sys
from pathlib import Path

import click

from gkxl.text.errors import GkxlError, UsageError
from gkxl.text.messages import text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_CODES = ((UsageError, EXIT_USAGE), (GkxlError, EXIT_PROBLEMS))


def exit_code(err: GkxlError) -> int:
    return next(code for cls, code in EXIT_CODES if isinstance(err, cls))


def lang_of(ctx: click.Context | None) -> str:
    return (ctx.find_root().meta.get("gkxl.lang") if ctx else None) or "zh"


def _set_lang(ctx, _param, value):
    if value:
        ctx.find_root().meta["gkxl.lang"] = value
    return value


def lang_option(f):
    """--lang zh|en, accepted before the command name and after it alike."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None, expose_value=False, is_eager=True,
                        callback=_set_lang, help="消息语言 / language of messages (zh, en)")(f)


def lang_in_args(args: list[str]) -> str:
    """The --lang of a command line that did not parse (usage errors are said in the asked language too)."""
    for i, a in enumerate(args):
        if a == "--lang=en" or (a == "--lang" and args[i + 1:i + 2] == ["en"]):
            return "en"
    return "zh"


# --- the options commands share -------------------------------------------------------------------

def paths_argument(f):
    """The files and folders a command reads (folders are searched for workbooks)."""
    return click.argument("paths", nargs=-1, required=True)(f)


def spec_option(f):
    """--spec: a shipped format id or a spec file; resolved by `spec_of` inside the command."""
    from gkxl.form.spec import DEFAULT_SPEC
    return click.option("--spec", "spec_name", default=DEFAULT_SPEC, show_default=True,
                        help="表格格式（gk2021、gk2019 或定义文件路径） / form spec (an id or a .json file)")(f)


def spec_of(name: str):
    from gkxl.form.spec import resolve
    return resolve(name)


def year_option(required: bool = False, help: str = "要求的报告年度 / required report year"):
    return click.option("--year", type=int, required=required, help=help)


def units_option(help: str = "应报送单位名单（CSV 或表格），列出未报送的单位 / units list: say which units sent nothing"):
    return click.option("--units", "units_path", type=click.Path(dir_okay=False), help=help)


def previous_option(help: str = "上年的报表（文件或文件夹，可多次给出），按单位核对结转数 / last year's returns"):
    return click.option("--previous", multiple=True, type=click.Path(), help=help)


def password_option(f):
    return click.option("--password", help="工作表保护密码（默认无密码） / sheet protection password")(f)


def output_option(required: bool = True, help: str = "输出文件 / output file", dir_okay: bool = False):
    return click.option("-o", "--output", required=required, type=click.Path(dir_okay=dir_okay), help=help)


def format_option(f):
    """--format text|json: how the command says what it did (every command's JSON has the same shape)."""
    return click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                        help="报告格式：文字或 JSON / report as text or JSON")(f)


# --- how a command ends -----------------------------------------------------------------------------

def say(ctx, code: str, err: bool = False, **params) -> None:
    click.echo(text(code, lang_of(ctx), **params), err=err)


def fail(ctx, err: GkxlError):
    """End the command with the error's message, in the user's language, and its exit code."""
    click.echo(err.render(lang_of(ctx)), err=True)
    ctx.exit(exit_code(err))


@contextlib.contextmanager
def stops(ctx):
    """A GkxlError raised by the action ends the command with its message and its class's exit code."""
    try:
        yield
    except GkxlError as e:
        fail(ctx, e)


def progress(ctx, label_code: str):
    """What an action wraps its results in: a progress bar on a terminal (none in pipes, logs and tests)."""
    def wrap(items, length: int):
        show = length > 1 and sys.stderr.isatty()
        with click.progressbar(items, length=length, label=text(label_code, lang_of(ctx)), file=sys.stderr,
                               show_pos=True, hidden=not show) as bar:
            yield from bar
    return wrap


def finish(ctx, report, fmt: str = "text", output: str | None = None, text_to_stdout: bool = False):
    """Render the action's report and end with its exit code. JSON goes to standard output (or `output`);
    text goes to standard output when it is the command's product (check), else to standard error beside
    the progress bar, and the lines saying what was written to standard output."""
    from gkxl.io.files import write_text
    lang = lang_of(ctx)
    pieces = report.pieces(fmt, lang)
    with stops(ctx):
        if output:
            write_text(Path(output), itertools.chain(pieces, ["\n"]))
        else:
            err = fmt == "text" and not text_to_stdout
            said = False
            # on a terminal the progress bar comes first: the report is gathered, then shown
            for piece in list(pieces) if sys.stderr.isatty() else pieces:
                if piece:
                    click.echo(piece, nl=False, err=err)
                    said = True
            if said:
                click.echo(err=err)
    # what was written is the product of a command whose report is not: standard output then holds it
    product_out = fmt == "text" and not text_to_stdout and not output
    for _, sentence in report.written:
        click.echo(sentence.render(lang), err=not product_out)
    if not report.files and report.skipped and not report.written:
        ctx.exit(EXIT_USAGE)      # every file found was skipped (documents of a folder that are no reports)
    ctx.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)
