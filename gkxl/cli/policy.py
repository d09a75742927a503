"""What every gkxl command shares: the language, the common options, and how a command ends.

One table says which errors are the user's usage (exit 2) and which are problems found in the inputs
(exit 1); an internal error is exit 1 too, with a sentence saying how to get the details (--debug).
"""
from __future__ import annotations

import sys

import click

from gkxl.text.errors import GkxlError
from gkxl.text.messages import text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

# message-code prefixes of errors that mean "the command was given wrongly": exit 2
USAGE_ERRORS = ("cli.", "spec.", "template.units_", "template.out_dir_needed", "io.output_is_input",
                "merge.no_inputs", "export.no_inputs", "published.bad_output", "published.bad_target",
                "desk.")


def exit_code(err: GkxlError) -> int:
    return EXIT_USAGE if err.code.startswith(USAGE_ERRORS) else EXIT_PROBLEMS


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


def paths_argument(f):
    """The files and folders a command reads (folders are searched for workbooks)."""
    return click.argument("paths", nargs=-1, required=True)(f)


def spec_option(f):
    from gkxl.form.spec import DEFAULT_SPEC
    return click.option("--spec", "spec_id", default=DEFAULT_SPEC, show_default=True,
                        help="表格格式（gk2021、gk2019 或定义文件路径） / form spec")(f)


def year_option(required: bool = False, help: str = "要求的报告年度 / required report year"):
    return click.option("--year", type=int, required=required, help=help)


def output_option(required: bool = True, help: str = "输出文件 / output file", dir_okay: bool = False):
    return click.option("-o", "--output", required=required, type=click.Path(dir_okay=dir_okay), help=help)


def say(ctx, code: str, err: bool = False, **params) -> None:
    click.echo(text(code, lang_of(ctx), **params), err=err)


def fail(ctx, err: GkxlError, code: int | None = None):
    """End the command with the error's message, in the user's language, and its exit code."""
    click.echo(err.render(lang_of(ctx)), err=True)
    ctx.exit(exit_code(err) if code is None else code)


def progress(ctx, items, length: int, label_code: str):
    """Results as they come, with a progress bar on a terminal (none in pipes, logs and tests)."""
    show = length > 1 and sys.stderr.isatty()
    with click.progressbar(items, length=length, label=text(label_code, lang_of(ctx)), file=sys.stderr,
                           show_pos=True, hidden=not show) as bar:
        yield from bar
