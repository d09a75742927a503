"""The gkxl command line. Thin: parse options, call the module that does the work, print, exit."""
from __future__ import annotations

import csv
import functools
import io
import json
import sys
from pathlib import Path

import click

from . import __version__, spec as specmod
from .errors import GkxlError
from .fileio import os_error, refuse_overwrite, safe_filename, write_text
from .messages import register, text

register({
    "cli.done_files": ("已写入 {path}", "written {path}"),
    "cli.annotated": ("已写入标注副本 {path}", "annotated copy written: {path}"),
    "cli.annotate_failed": ("{path} 无法生成标注副本：{reason}", "could not annotate {path}: {reason}"),
    "cli.previous_unusable": ("--previous {path} 无法使用：{reason}", "--previous {path} cannot be used: {reason}"),
    "cli.no_inputs": ("没有找到要处理的文件", "no input files found"),
})


def _lang(ctx) -> str:
    return (ctx.obj or {}).get("lang", "zh")


def fail(ctx, err: GkxlError, code: int = 1):
    click.echo(err.render(_lang(ctx)), err=True)
    ctx.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="消息语言 / language of messages")
@click.version_option(__version__, prog_name="gkxl")
@click.pass_context
def main(ctx, lang):
    """gkxl：政府信息公开工作年度报告统计表——生成模板、校验、汇总、解析与生成报告。"""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = lang


@main.command()
@click.option("--spec", "spec_id", default=specmod.DEFAULT_SPEC, show_default=True, help="表格格式 / form spec")
@click.option("--year", type=int, help="报告年度，预填并锁定 / report year (pre-filled, locked)")
@click.option("--unit", help="单位名称，预填并锁定 / unit name (pre-filled, locked)")
@click.option("--unit-code", help="单位代码 / unit code")
@click.option("--units", "units_path", type=click.Path(dir_okay=False), help="单位名单 CSV/XLSX：每个单位一个文件")
@click.option("--password", help="工作表保护密码（默认无密码） / sheet protection password")
@click.option("-o", "--output", required=True, type=click.Path(), help="输出文件；用 --units 时为文件夹")
@click.pass_context
def template(ctx, spec_id, year, unit, unit_code, units_path, password, output):
    """生成空白模板（可预填单位和年度），或按单位名单每单位一个文件。

    \b
    gkxl template --year 2025 -o 年报模板.xlsx
    gkxl template --year 2025 --unit 卫滨区司法局 -o 卫滨区司法局.xlsx
    gkxl template --year 2025 --units samples/units.csv -o 模板/
    """
    from .model import Report
    from .write import write_workbook
    lang = _lang(ctx)
    try:
        spec = specmod.load(spec_id)
        if year is not None and not spec.years[0] <= year <= spec.years[1]:
            click.echo(text("cli.year_range", lang, year=year, lo=spec.years[0], hi=spec.years[1]), err=True)
            ctx.exit(2)
        if units_path:
            _template_batch(ctx, spec, year, Path(units_path), Path(output), password)
            return
        report = Report.blank(spec, unit=unit, unit_code=unit_code, year=year)
        write_workbook(Path(output), spec, report, password=password)
        click.echo(text("template.written", lang, path=output))
    except GkxlError as e:
        fail(ctx, e)
    except OSError as e:
        fail(ctx, os_error(e, output))


def _template_batch(ctx, spec, year, units_path: Path, out_dir: Path, password):
    from .parallel import map_ordered
    from .units import read_units
    from .write import TemplateStamper
    lang = _lang(ctx)
    if out_dir.suffix.lower() in (".xlsx", ".xls") or (out_dir.exists() and not out_dir.is_dir()):
        raise GkxlError("template.out_dir_needed")
    units, duplicates = read_units(units_path)
    for line, name, first in duplicates:
        click.echo(text("template.units_duplicate", lang, line=line, unit=name, first=first), err=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamper = TemplateStamper(spec, year, password).prepared({bool(u.code) for u in units})
    used: set[str] = set()
    jobs, rows = [], []
    for u in units:
        base = safe_filename(u.name)
        name, n = f"{base}.xlsx", 2
        while name.lower() in used:               # names that differ only in characters Windows refuses
            name, n = f"{base}_{n}.xlsx", n + 1
        used.add(name.lower())
        jobs.append((out_dir / name, u.name, u.code))
        rows.append([len(rows) + 1, u.name, u.code or "", name, year or ""])
    writing = map_ordered(stamper.write_job, jobs)
    with click.progressbar(writing, length=len(jobs), label="生成模板" if lang != "en" else "writing",
                           file=sys.stderr, show_pos=True, hidden=not sys.stderr.isatty()) as bar:
        for _ in bar:
            pass
    manifest = out_dir / "模板清单.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["序号", "单位名称", "单位代码", "文件名", "年度"])
    w.writerows(rows)
    write_text(manifest, buf.getvalue(), encoding="utf-8-sig")
    click.echo(text("template.batch_done", lang, count=len(rows), manifest=manifest))


@main.command()
@click.option("--spec", "spec_id", default=specmod.DEFAULT_SPEC, show_default=True)
@click.option("--form", is_flag=True, help="打印表格格式本身的 JSON Schema / print the schema of form specs")
def schema(spec_id, form):
    """打印报表数据（JSON）的 JSON Schema。

    \b
    gkxl schema > gk2021.schema.json
    """
    from .model import json_schema
    if form:
        doc = specmod._meta_schema()
    else:
        doc = json_schema(spec_id)
    click.echo(json.dumps(doc, ensure_ascii=False, indent=1))


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--year", type=int, help="要求的报告年度 / required report year")
@click.option("--previous", multiple=True, type=click.Path(),
              help="上年的报表或汇总表（文件或文件夹，可多次给出），按单位核对结转数 / last year's returns")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False), help="把有问题的文件标注后另存到此文件夹")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="报告写入文件（默认屏幕）")
@click.pass_context
def check(ctx, paths, fmt, year, previous, annotate_dir, output):
    """校验报送的报表：单位、年度、结构、每个数字、勾稽关系。

    \b
    gkxl check 报送/
    gkxl check 卫滨区司法局.xlsx --year 2024 --format json
    gkxl check 报送/ --annotate 退回/
    """
    from . import present
    from .check import check_path
    from .inputs import collect
    from .parallel import map_ordered
    from .read import read_report
    lang = _lang(ctx)
    last = []
    for path in collect(previous).files:
        try:
            last.append(read_report(path))
        except GkxlError as e:
            click.echo(text("cli.previous_unusable", lang, path=path, reason=e.render(lang)), err=True)
            ctx.exit(2)
    inputs = collect(paths)
    if not inputs.files:
        click.echo(text("cli.no_inputs", lang), err=True)
        ctx.exit(2)
    if output:
        try:
            refuse_overwrite(Path(output), [*inputs.files, *previous])
        except GkxlError as e:
            fail(ctx, e, 2)
    results = []
    show_bar = len(inputs.files) > 1 and sys.stderr.isatty()
    checking = map_ordered(functools.partial(check_path, year=year, previous=tuple(last), keep_report=bool(annotate_dir)),
                           inputs.files)
    with click.progressbar(checking, length=len(inputs.files), label="校验" if lang != "en" else "checking",
                           file=sys.stderr, show_pos=True, hidden=not show_bar) as bar:
        results.extend(bar)
    if annotate_dir:
        _annotate_all(results, Path(annotate_dir), lang)
    body = present.as_json(results, lang, inputs.skipped) if fmt == "json" else present.human(results, lang, inputs.skipped)
    if output:
        write_text(Path(output), body + "\n")
    else:
        click.echo(body)
    ctx.exit(0 if all(r.status == "ok" for r in results) else 1)


def _annotate_all(results, out_dir: Path, lang: str):
    from .annotate import annotate
    used: set[str] = set()
    for r in results:
        if r.report is None or not r.findings:    # unreadable files are already in the report
            continue
        base = safe_filename(Path(r.path).stem) + "_校验标注"
        name, n = f"{base}.xlsx", 2
        while name.lower() in used:               # x.xlsx and x.ods, or two folders with the same file name
            name, n = f"{base}_{n}.xlsx", n + 1
        used.add(name.lower())
        target = out_dir / name
        try:
            annotate(r, target)
            click.echo(text("cli.annotated", lang, path=target), err=True)
        except GkxlError as e:
            click.echo(text("cli.annotate_failed", lang, path=r.path, reason=e.render(lang)), err=True)
        except Exception as e:  # an annotated copy is a courtesy: never lose the check report for it
            click.echo(text("cli.annotate_failed", lang, path=r.path, reason=type(e).__name__), err=True)


from .cli_merge import export_cmd, merge_cmd  # noqa: E402  (commands defined beside their modules)
from .cli_published import parse_cmd, render_cmd  # noqa: E402

for _command in (merge_cmd, export_cmd, parse_cmd, render_cmd):
    main.add_command(_command)


def _set_lang(ctx, _param, value):
    if value:
        ctx.ensure_object(dict)["lang"] = value
    return value


# `gkxl check FILE --lang en` works as well as `gkxl --lang en check FILE`: every command takes it.
for _command in main.commands.values():
    _command.params.append(click.Option(["--lang"], type=click.Choice(["zh", "en"]), default=None,
                                        expose_value=False, is_eager=True, callback=_set_lang,
                                        help="消息语言 / language of messages"))


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
    """Entry point: usage errors in the clerk's language, and never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    lang = "en" if any(a == "--lang=en" or (a == "--lang" and args[i + 1:i + 2] == ["en"])
                       for i, a in enumerate(args)) else "zh"
    try:
        code = main.main(args=args, prog_name="gkxl", standalone_mode=False)
    except click.UsageError as e:
        command = e.ctx.command_path.split(" ", 1)[1] if e.ctx and " " in e.ctx.command_path else ""
        click.echo(text("cli.usage", lang, detail=_usage_detail(e, lang), command=command).replace("  ", " "), err=True)
        sys.exit(2)
    except (click.Abort, KeyboardInterrupt):
        sys.exit(130)
    except GkxlError as e:
        click.echo(e.render(lang), err=True)
        sys.exit(1)
    except Exception as e:  # a bug of ours: say so plainly, keep the clerk's screen clean
        click.echo(text("io.internal", lang, kind=type(e).__name__), err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    run()
