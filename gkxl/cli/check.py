"""gkxl check: every return against the form's rules; a report in text or JSON; annotated copies."""
from __future__ import annotations

import functools
import itertools
import sys
from pathlib import Path

import click

from gkxl.cli.policy import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    fail,
    lang_of,
    lang_option,
    paths_argument,
    progress,
    say,
    year_option,
)
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message


@click.command()
@paths_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@year_option()
@click.option("--previous", multiple=True, type=click.Path(),
              help="上年的报表或汇总表（文件或文件夹，可多次给出），按单位核对结转数 / last year's returns")
@click.option("--units", "units_path", type=click.Path(dir_okay=False),
              help="应报送单位名单（CSV 或表格），列出未报送的单位 / units list: say which units sent nothing")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False), help="把有问题的文件标注后另存到此文件夹")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="报告写入文件（默认屏幕） / write the report to a file")
@lang_option
@click.pass_context
def check(ctx, paths, fmt, year, previous, units_path, annotate_dir, output):
    """校验报送的报表：单位、年度、结构、每个数字、勾稽关系。

    \b
    gkxl check 报送/
    gkxl check 卫滨区司法局.xlsx --year 2024 --format json
    gkxl check 报送/ --annotate 退回/
    gkxl check 报送/ --units 单位名单.csv

    退出码：0 全部通过（给了 --units 时还要全部报送）；1 有文件有错误或无法读取，或有单位未报送；2 用法错误。
    """
    from gkxl.batch.parallel import map_ordered
    from gkxl.batch.previous import read_previous
    from gkxl.checks import check_path, unreadable
    from gkxl.findings.report import ActionReport
    from gkxl.io.files import Claims, write_text
    from gkxl.io.inputs import collect
    from gkxl.io.units import not_sent, read_units
    lang = lang_of(ctx)
    last_files = collect(previous).files
    try:
        last = read_previous(last_files)
    except GkxlError as e:
        fail(ctx, e)
    inputs = collect(paths)
    if not inputs.files:
        say(ctx, "cli.no_inputs", err=True)
        ctx.exit(EXIT_USAGE)
    try:
        claims = None
        if output or annotate_dir:           # what must not be written over: only asked when writing
            claims = Claims([*inputs.files, *last_files, units_path])
        if output:
            claims.claim(Path(output))
        units = read_units(Path(units_path))[0] if units_path else None
    except GkxlError as e:
        fail(ctx, e)
    checking = map_ordered(functools.partial(check_path, year=year, previous=tuple(last), keep_report=bool(annotate_dir)),
                           inputs.files, unreadable)
    results = progress(ctx, checking, len(inputs.files), "check.progress")
    report = ActionReport("check", skipped=[(str(p), Message(code)) for p, code in inputs.skipped],
                          units_path=units_path if units is not None else None)

    def settle(done: ActionReport) -> None:
        if units is not None:
            done.missing = not_sent(units, done.files)
    if annotate_dir:             # annotated copies are made from whole results, once all are in
        report.files, results = list(results), ()
        _annotate_all(ctx, report.files, Path(annotate_dir), claims)
    # written as the results come in (10,000 returns are never held whole), except on a terminal,
    # where the progress bar comes first
    pieces = report.pieces(fmt, lang, results, settle)
    if output:
        try:
            write_text(Path(output), itertools.chain(pieces, ["\n"]))
        except GkxlError as e:
            fail(ctx, e)
    else:
        for piece in list(pieces) if sys.stdout.isatty() else pieces:
            click.echo(piece, nl=False)
        click.echo()
    ctx.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


def _annotate_all(ctx, results, out_dir: Path, claims):
    """An annotated copy of each file with findings, named after it (the source extension kept when two
    inputs share a name); never written over an input or another output (then named …_2). openpyxl reads
    the whole return to copy it: in a limited worker, like every reading of a return."""
    from gkxl.batch.parallel import map_ordered
    from gkxl.io.files import safe_filename
    stems: dict[str, int] = {}
    for r in results:
        stems[Path(r.path).stem.lower()] = stems.get(Path(r.path).stem.lower(), 0) + 1
    used: set[str] = set()
    jobs = []
    for r in results:
        if r.report is None or not r.findings:    # unreadable files are already in the report
            continue
        source = Path(r.path)
        base = safe_filename(source.stem)
        if stems[source.stem.lower()] > 1:        # a.xls and a.ods: say which is which
            base += "_" + source.suffix.lstrip(".").lower()
        jobs.append((r, claims.free(out_dir, base + "_校验标注", ".xlsx", used)))
    for (r, target), failed in zip(jobs, map_ordered(_annotate_one, jobs, _annotate_failed)):
        if failed is None:
            say(ctx, "cli.annotated", err=True, path=target)
        else:
            say(ctx, "cli.annotate_failed", err=True, path=r.path, reason=failed)


def _annotate_one(job) -> Message | None:
    """Write one annotated copy; None, or why it could not be written (an annotated copy is a courtesy:
    its failure never costs the check report)."""
    from gkxl.io.annotate import annotate
    result, target = job
    try:
        annotate(result, target)
    except GkxlError as e:
        return e.message
    except MemoryError:
        raise                   # the worker says which limit it reached
    except Exception as e:
        return Message("io.internal", kind=type(e).__name__)
    return None


def _annotate_failed(_job, reason: Message) -> Message:
    return reason
