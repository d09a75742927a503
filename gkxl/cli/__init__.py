"""The gkxl command line: the group, its commands (one module each), and the entry point.

Commands parse options and call the modules that do the work; they hold no logic of their own.
Nothing heavy is imported here, so `gkxl --help` answers at once.
"""
from __future__ import annotations

import sys
import traceback

import click

from gkxl import __version__
from gkxl.cli.policy import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    exit_code,
    lang_in_args,
    lang_option,
)
from gkxl.text.errors import GkxlError
from gkxl.text.messages import text


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@lang_option
@click.option("--debug", is_flag=True, help="内部出错时显示详细信息 / show the traceback of an internal error")
@click.version_option(__version__, prog_name="gkxl")
@click.pass_context
def main(ctx, debug):
    """gkxl：政府信息公开工作年度报告统计表——生成模板、校验、汇总、解析与生成报告。"""
    ctx.find_root().meta["gkxl.debug"] = debug


def _register():
    from gkxl.cli import audit, check, export, merge, published, schema, serve, template
    for command in (template.template, check.check, merge.merge_cmd, export.export_cmd,
                    published.parse_cmd, published.render_cmd, audit.audit_cmd, schema.schema, serve.serve_cmd):
        main.add_command(command)


_register()


def _usage_detail(e: click.UsageError, lang: str) -> str:
    param = getattr(e, "param", None)
    name = (param.opts[0] if getattr(param, "opts", None) else getattr(param, "name", "")) if param else ""
    if isinstance(e, click.MissingParameter):
        what = text("cli.usage.argument" if isinstance(param, click.Argument) else "cli.usage.option", lang)
        return text("cli.usage.missing", lang, what=what, name=name.upper() if isinstance(param, click.Argument) else name)
    if isinstance(e, click.NoSuchOption):
        return text("cli.usage.no_option", lang, name=e.option_name)
    if isinstance(e, click.BadParameter) and name:
        value = e.message.split("'")[1] if e.message.count("'") >= 2 else e.message
        return text("cli.usage.bad_value", lang, name=name, value=value)
    message = e.format_message()
    if message.startswith("No such command"):
        return text("cli.usage.no_command", lang, name=message.split("'")[1] if "'" in message else message)
    return message


def run(argv: list[str] | None = None):
    """Entry point: every error in the user's language with its exit code; a traceback only with --debug."""
    args = sys.argv[1:] if argv is None else argv
    lang = lang_in_args(args)
    try:
        code = main.main(args=args, prog_name="gkxl", standalone_mode=False)
    except click.UsageError as e:
        command = e.ctx.command_path.split(" ", 1)[1] if e.ctx and " " in e.ctx.command_path else ""
        click.echo(text("cli.usage", lang, detail=_usage_detail(e, lang), command=command).replace("  ", " "), err=True)
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt):
        sys.exit(130)
    except GkxlError as e:
        click.echo(e.render(lang), err=True)
        sys.exit(exit_code(e))
    except Exception as e:  # a bug of ours: a plain sentence, and the way to the details
        if "--debug" in args:
            traceback.print_exc()
        detail = str(e).splitlines()[0][:200] if str(e) else ""
        click.echo(text("cli.internal", lang, kind=type(e).__name__, detail=detail), err=True)
        sys.exit(EXIT_PROBLEMS)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    run()
