"""gkxl template: the blank workbook, pre-filled for one unit, or one per unit of a list."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from gkxl.cli.policy import fail, lang_option, output_option, progress, say, spec_option
from gkxl.text.errors import GkxlError


@click.command()
@spec_option
@click.option("--year", type=int, help="报告年度，预填并锁定 / report year (pre-filled, locked)")
@click.option("--unit", help="单位名称，预填并锁定 / unit name (pre-filled, locked)")
@click.option("--unit-code", help="单位代码（统一社会信用代码） / unit code")
@click.option("--units", "units_path", type=click.Path(dir_okay=False), help="单位名单 CSV/XLSX：每个单位一个文件")
@click.option("--password", help="工作表保护密码（默认无密码） / sheet protection password")
@output_option(help="输出文件；用 --units 时为文件夹 / output file, a folder with --units", dir_okay=True)
@lang_option
@click.pass_context
def template(ctx, spec_id, year, unit, unit_code, units_path, password, output):
    """生成空白模板（可预填单位和年度），或按单位名单每单位一个文件。

    \b
    gkxl template --year 2025 -o 年报模板.xlsx
    gkxl template --year 2025 --unit 卫滨区司法局 --unit-code 11410703MB1583512R -o 卫滨区司法局.xlsx
    gkxl template --year 2025 --units samples/units.csv -o 模板/
    """
    from gkxl.form import spec as specmod
    from gkxl.form.model import Report
    from gkxl.form.unit_code import problem
    from gkxl.io.write import write_workbook
    try:
        spec = specmod.load(spec_id)
        if year is not None and not spec.years[0] <= year <= spec.years[1]:
            raise GkxlError("cli.year_range", year=year, lo=spec.years[0], hi=spec.years[1])
        if unit_code and problem(unit_code):
            raise GkxlError("cli.bad_unit_code", reason=GkxlError(problem(unit_code), value=unit_code).message)
        if units_path:
            _batch(ctx, spec, year, Path(units_path), Path(output), password)
            return
        report = Report.blank(spec, unit=unit, unit_code=unit_code, year=year)
        write_workbook(Path(output), spec, report, password=password)
        say(ctx, "template.written", path=output)
    except GkxlError as e:
        fail(ctx, e)


def _batch(ctx, spec, year, units_path: Path, out_dir: Path, password):
    from gkxl.batch.parallel import map_ordered
    from gkxl.io.cells import neutralise
    from gkxl.io.files import safe_filename, unique_name, write_text
    from gkxl.io.units import read_units
    from gkxl.io.write import TemplateStamper
    if out_dir.suffix.lower() in (".xlsx", ".xls") or (out_dir.exists() and not out_dir.is_dir()):
        raise GkxlError("template.out_dir_needed")
    units, duplicates = read_units(units_path)
    for line, name, first in duplicates:
        say(ctx, "template.units_duplicate", err=True, line=line, unit=name, first=first)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamper = TemplateStamper(spec, year, password).prepared({bool(u.code) for u in units})
    used: set[str] = set()
    jobs, rows = [], []
    for u in units:
        name = unique_name(safe_filename(u.name), ".xlsx", used)
        jobs.append((out_dir / name, u.name, u.code))
        rows.append([len(rows) + 1, u.name, u.code or "", name, year or ""])
    for _ in progress(ctx, map_ordered(stamper.write_job, jobs), len(jobs), "template.progress"):
        pass
    manifest = out_dir / "模板清单.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["序号", "单位名称", "单位代码", "文件名", "年度"])
    w.writerows([[neutralise(v) for v in row] for row in rows])
    write_text(manifest, buf.getvalue(), encoding="utf-8-sig")
    say(ctx, "template.batch_done", count=len(rows), manifest=manifest)
