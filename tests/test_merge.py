"""gkxl merge: real returns written by gkxl, summed here independently, compared cell by cell."""
from __future__ import annotations

import functools
import hashlib
import os
import random
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
from click.testing import CliRunner
from conftest import consistent_values as balanced
from conftest import libreoffice_convert

from gkxl.actions.check import check_path
from gkxl.cli import main
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.write import write_workbook

YEAR = 2025


def consistent_values(spec, rng: random.Random) -> dict:
    """Balanced figures (conftest), plus a contact person: texts must not reach the summary."""
    values = balanced(spec, rng)
    values["info.contact"] = "张三"
    return values


OLD = "2020-09-13T12:26:40+00:00"      # when an "older" return was saved (its document properties)


def write_return(spec, path: Path, unit: str, values: dict, year=YEAR, role="template", saved=None) -> Path:
    write_workbook(path, spec, Report(spec.id, spec.version, unit=unit, unit_code=None, year=year, values=values),
                   role=role, generated_at=saved)
    return path


@pytest.fixture
def returns(spec, tmp_path):
    """Twelve balanced returns of distinct units in one folder, and the values written into each."""
    folder = tmp_path / "报送"
    folder.mkdir()
    written = {}
    for i in range(12):
        values = consistent_values(spec, random.Random(100 + i))
        unit = f"第{i:02d}单位"
        write_return(spec, folder / f"{unit}.xlsx", unit, values)
        written[unit] = values
    return folder, written


def run_merge(*args, lang="zh"):
    return CliRunner().invoke(main, ["--lang", lang, "merge", *[str(a) for a in args]], catch_exceptions=False)


def merged(inputs, output: Path, *extra):
    result = run_merge(*inputs, "-o", output, "--year", YEAR, "--unit", "某市政务公开办", *extra)
    return result


def independent_sums(spec, value_dicts) -> dict:
    """Expected summary figures: every numeric cell, totals included, summed here (Decimal for amounts)."""
    out = {}
    for cell in spec.value_cells:
        if not cell.numeric:
            continue
        if cell.type == "amount":
            out[cell.key] = float(sum(Decimal(str(v[cell.key])) for v in value_dicts))
        else:
            out[cell.key] = sum(v[cell.key] for v in value_dicts)
    return out


def cached_cells(spec, path: Path) -> dict:
    """What a spreadsheet shows in every value cell of the summary: cached values, formulas included."""
    wb = pc.CalamineWorkbook.from_path(str(path))
    grids = {s.name: wb.get_sheet_by_name(s.name).to_python(skip_empty_area=False) for s in spec.sheets}
    out = {}
    for cell in spec.value_cells:
        rows = grids[cell.sheet]
        v = rows[cell.row][cell.col] if cell.row < len(rows) and cell.col < len(rows[cell.row]) else ""
        out[cell.key] = None if v == "" else v
    return out


def sheet_rows(path: Path, name: str) -> list[dict]:
    ws = openpyxl.load_workbook(path, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_every_summed_cell_equals_independent_sums(spec, returns, tmp_path):
    folder, written = returns
    out = tmp_path / "汇总.xlsx"
    result = merged([folder], out)
    assert result.exit_code == 0, result.output
    expected = independent_sums(spec, written.values())
    shown = cached_cells(spec, out)
    for key, value in expected.items():
        assert shown[key] == pytest.approx(value, abs=1e-9), key
    for cell in spec.value_cells:
        if not cell.numeric:
            assert shown[cell.key] is None, f"text {cell.key} must be left for the office to write"


def test_summary_is_a_valid_return(spec, returns, tmp_path):
    folder, _ = returns
    out = tmp_path / "汇总.xlsx"
    assert merged([folder], out, "--unit-code", "11410000XX").exit_code == 0
    result = check_path(out, year=YEAR)
    assert result.status == "ok", [f.message for f in result.findings]
    assert result.report.unit == "某市政务公开办"
    assert result.report.unit_code == "11410000XX"
    assert result.report.source["metadata"]["role"] == "summary"


def test_two_partial_summaries_merge_to_the_same_figures(spec, returns, tmp_path):
    folder, written = returns
    county_a, county_b = tmp_path / "甲县", tmp_path / "乙县"
    county_a.mkdir()
    county_b.mkdir()
    for i, f in enumerate(sorted(folder.iterdir())):
        shutil.copy2(f, (county_a if i % 3 else county_b) / f.name)
    sum_a, sum_b = tmp_path / "甲县汇总.xlsx", tmp_path / "乙县汇总.xlsx"
    assert run_merge(county_a, "-o", sum_a, "--year", YEAR, "--unit", "甲县政务公开办").exit_code == 0
    assert run_merge(county_b, "-o", sum_b, "--year", YEAR, "--unit", "乙县政务公开办").exit_code == 0
    city_in_steps, city_at_once = tmp_path / "市汇总_分级.xlsx", tmp_path / "市汇总_一次.xlsx"
    assert merged([sum_a, sum_b], city_in_steps).exit_code == 0
    assert merged([folder], city_at_once).exit_code == 0

    in_steps, at_once = cached_cells(spec, city_in_steps), cached_cells(spec, city_at_once)
    assert in_steps == at_once
    expected = independent_sums(spec, written.values())
    for key, value in expected.items():
        assert in_steps[key] == pytest.approx(value, abs=1e-9), key
    detail = sheet_rows(city_in_steps, "明细")
    assert sorted(d["单位名称"] for d in detail) == sorted(["甲县政务公开办", "乙县政务公开办"])
    assert {d["文件类型"] for d in detail} == {"汇总表"}
    assert check_path(city_in_steps, year=YEAR).status == "ok"


def test_detail_has_one_row_per_unit_and_one_column_per_input(spec, returns, tmp_path):
    folder, written = returns
    out = tmp_path / "汇总.xlsx"
    assert merged([folder], out).exit_code == 0
    detail = sheet_rows(out, "明细")
    assert sorted(d["单位名称"] for d in detail) == sorted(written)
    for row in detail:
        values = written[row["单位名称"]]
        for cell in spec.numeric_inputs:
            assert row[f"{cell.sheet} · {cell.label}"] == pytest.approx(values[cell.key]), cell.key


def test_every_input_is_listed_with_what_became_of_it(spec, returns, tmp_path):
    folder, written = returns
    # a return with errors, one of another year, one of another format, an unreadable file, an older
    # duplicate, a lock file; and a units list naming one unit that sent nothing
    bad = consistent_values(spec, random.Random(7))
    bad["t3.new.natural"] += 1
    write_return(spec, folder / "有错误.xlsx", "错误单位", bad)
    write_return(spec, folder / "往年.xlsx", "往年单位", consistent_values(spec, random.Random(8)), year=YEAR - 1)
    old_format = specmod.load("gk2019")
    write_workbook(folder / "旧格式.xlsx", old_format, Report.blank(old_format, unit="旧格式单位", year=YEAR))
    (folder / "坏文件.xlsx").write_bytes(b"not a workbook")
    older = write_return(spec, folder / "第00单位_早先.xlsx", "第00单位", consistent_values(spec, random.Random(9)),
                         saved=OLD)
    os.utime(older, (1_600_000_000, 1_600_000_000))
    (folder / "~$第01单位.xlsx").write_bytes(b"lock")
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n" + "\n".join([*written, "没有报送的单位"]) + "\n", encoding="utf-8-sig")
    out = tmp_path / "汇总.xlsx"

    result = merged([folder], out, "--units", units)
    assert result.exit_code == 1, result.output          # something was left out
    status = sheet_rows(out, "报送情况")
    by_path = {Path(r["文件"]).name: r for r in status if r["文件"]}
    on_disk = sorted(p.name for p in folder.iterdir())
    assert sorted(by_path) == on_disk
    assert len([r for r in status if r["文件"]]) == len(on_disk)
    for name, row in by_path.items():
        assert row["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    expectations = {
        "有错误.xlsx": ("有错误", "否", "错误"),
        "往年.xlsx": ("有错误", "否", "年度"),
        "旧格式.xlsx": (None, "否", "格式"),
        "坏文件.xlsx": ("无法读取", "否", "无法读取"),
        "第00单位_早先.xlsx": ("通过", "否", "修改时间"),
        "~$第01单位.xlsx": ("跳过", "否", "临时文件"),
        "第00单位.xlsx": ("通过", "是", "修改时间"),
        "第05单位.xlsx": ("通过", "是", "已计入"),
    }
    for name, (state, included, reason_part) in expectations.items():
        row = by_path[name]
        if state:
            assert row["状态"] == state, name
        assert row["是否计入汇总"] == included, name
        assert reason_part in row["原因"], (name, row["原因"])
    missing = [r for r in status if not r["文件"]]
    assert [(r["单位名称"], r["状态"]) for r in missing] == [("没有报送的单位", "未报送")]
    # what was left out is not in the sums
    expected = independent_sums(spec, written.values())
    shown = cached_cells(spec, out)
    assert all(shown[k] == pytest.approx(v, abs=1e-9) for k, v in expected.items())
    assert "没有报送的单位" in result.output and "坏文件.xlsx" in result.output
    assert "有错误的报表也要计入时，加 --include-invalid" in result.output      # a hint for the terminal only
    assert "--include-invalid" not in by_path["有错误.xlsx"]["原因"]           # the desk has no such option


def test_include_invalid_adds_the_return_and_marks_it(spec, returns, tmp_path):
    folder, written = returns
    bad = consistent_values(spec, random.Random(7))
    bad["t3.new.natural"] += 1
    bad["t2.rules.issued"] = "3件"                        # text in a number cell counts as 0
    write_return(spec, folder / "有错误.xlsx", "错误单位", bad)
    out = tmp_path / "汇总.xlsx"
    result = merged([folder], out, "--include-invalid")
    assert result.exit_code == 1
    row = next(r for r in sheet_rows(out, "报送情况") if r["单位名称"] == "错误单位")
    assert row["是否计入汇总"].startswith("是") and "有错误" in row["是否计入汇总"]
    shown = cached_cells(spec, out)
    everything = list(written.values())
    assert shown["t3.new.natural"] == sum(v["t3.new.natural"] for v in everything) + bad["t3.new.natural"]
    assert shown["t2.rules.issued"] == sum(v["t2.rules.issued"] for v in everything)
    assert "错误单位" in result.output


def test_newer_by_document_properties_wins_over_file_time(spec, returns, tmp_path):
    """A return copied or e-mailed gets a new file time; the time its application saved it does not change."""
    folder, written = returns
    stale = write_return(spec, folder / "第04单位_旧.xlsx", "第04单位", consistent_values(spec, random.Random(5)), saved=OLD)
    os.utime(folder / "第04单位.xlsx", (1_600_000_000, 1_600_000_000))   # the newer one, copied long ago
    result = merged([folder], tmp_path / "汇总.xlsx")
    assert result.exit_code == 1
    rows = {Path(r["文件"]).name: r for r in sheet_rows(tmp_path / "汇总.xlsx", "报送情况")}
    assert rows["第04单位_旧.xlsx"]["是否计入汇总"] == "否" and rows["第04单位.xlsx"]["是否计入汇总"] == "是"
    assert stale.exists()


def test_newer_duplicate_wins(spec, returns, tmp_path):
    folder, written = returns
    newer_values = consistent_values(spec, random.Random(999))
    write_return(spec, folder / "第03单位_更正.xlsx", " 第03 单位", newer_values)   # spaces do not make it another unit
    os.utime(folder / "第03单位.xlsx", (1_600_000_000, 1_600_000_000))
    out = tmp_path / "汇总.xlsx"
    result = merged([folder], out)
    assert result.exit_code == 1
    expected = independent_sums(spec, [*(v for u, v in written.items() if u != "第03单位"), newer_values])
    shown = cached_cells(spec, out)
    assert all(shown[k] == pytest.approx(v, abs=1e-9) for k, v in expected.items())
    rows = {Path(r["文件"]).name: r for r in sheet_rows(out, "报送情况")}
    assert rows["第03单位.xlsx"]["是否计入汇总"] == "否"
    assert rows["第03单位_更正.xlsx"]["是否计入汇总"] == "是"


def test_on_duplicate_error_writes_nothing(spec, returns, tmp_path):
    folder, _ = returns
    shutil.copy2(folder / "第01单位.xlsx", folder / "第01单位_副本.xlsx")
    out = tmp_path / "汇总.xlsx"
    result = merged([folder], out, "--on-duplicate", "error")
    assert result.exit_code == 1
    assert not out.exists()
    assert "第01单位" in result.output


def test_output_among_inputs_is_refused(spec, returns, tmp_path):
    folder, _ = returns
    victim = folder / "第02单位.xlsx"
    before = victim.read_bytes()
    result = merged([folder], victim)
    assert result.exit_code == 2
    assert victim.read_bytes() == before
    assert "拒绝覆盖" in result.output


def test_amounts_sum_to_four_decimals(spec, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    amounts = ["0.1", "0.2", "1.0001", "2.3333", "0.0007"]
    for i, a in enumerate(amounts):
        values = consistent_values(spec, random.Random(i))
        values["t2.fees.amount"] = float(a)
        write_return(spec, folder / f"{i}.xlsx", f"单位{i}", values)
    out = tmp_path / "汇总.xlsx"
    assert merged([folder], out).exit_code == 0
    assert cached_cells(spec, out)["t2.fees.amount"] == float(sum(Decimal(a) for a in amounts))
    assert check_path(out, year=YEAR).status == "ok"


def test_no_inputs_and_english_messages(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_merge(empty, "-o", tmp_path / "o.xlsx", "--year", YEAR, "--unit", "x", lang="en")
    assert result.exit_code == 2
    assert "no input files" in result.output
    assert "Traceback" not in result.output


def test_own_previous_summary_in_the_folder_is_not_counted_twice(spec, returns, tmp_path):
    folder, written = returns
    assert merged([folder], folder / "汇总_第一次.xlsx").exit_code == 0
    out = tmp_path / "汇总_第二次.xlsx"
    result = merged([folder], out)
    assert result.exit_code == 1                          # the old summary is listed as left out
    row = next(r for r in sheet_rows(out, "报送情况") if r["文件"].endswith("汇总_第一次.xlsx"))
    assert row["是否计入汇总"] == "否" and "本级的汇总表" in row["原因"]
    expected = independent_sums(spec, written.values())
    shown = cached_cells(spec, out)
    assert all(shown[k] == pytest.approx(v, abs=1e-9) for k, v in expected.items())


def test_the_summary_model_holds_its_totals_as_its_workbook_shows_them(spec, returns, tmp_path):
    # the desk renders its Word and web report from the model, never from the workbook
    from gkxl.actions.merge import merge
    from gkxl.published.render import render
    folder, _ = returns
    out = tmp_path / "汇总.xlsx"
    result = merge([folder], out, year=YEAR, office="某市政务公开办")
    shown = cached_cells(spec, out)
    totals = [c.key for c in spec.value_cells if c.defined_by is not None]
    assert totals and all(result.product.values[k] == shown[k] is not None for k in totals)
    render(result.product, "html", tmp_path / "报告.html")
    page = (tmp_path / "报告.html").read_text(encoding="utf-8")
    assert f">{int(shown['t3.total.total'])}<" in page


def test_unreadable_units_list_is_a_usage_error(returns, tmp_path):
    folder, _ = returns
    result = merged([folder], tmp_path / "o.xlsx", "--units", tmp_path / "没有这个名单.csv")
    assert result.exit_code == 2
    assert "单位名单" in result.output and not (tmp_path / "o.xlsx").exists()


def test_sheets_list_units_in_the_order_of_the_units_list_then_by_name(returns, tmp_path):
    folder, written = returns
    listed = ["第07单位", "第99单位", "第02单位", "第10单位"]          # 第99单位 sent nothing
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n" + "\n".join(listed) + "\n", encoding="utf-8-sig")
    out = tmp_path / "汇总.xlsx"
    run_merge(folder, "-o", out, "--year", YEAR, "--unit", "某市政务公开办", "--units", units)
    rest = sorted(set(written) - set(listed))
    status = sheet_rows(out, "报送情况")
    assert [r["单位名称"] for r in status] == listed + rest
    assert [r["序号"] for r in status] == list(range(1, len(status) + 1))
    assert [r["单位名称"] for r in sheet_rows(out, "明细")] == [u for u in listed if u in written] + rest
    assert list(status[0])[-1] == "sha256"                      # last: on screen, left out of the print area
    ws = openpyxl.load_workbook(out)["报送情况"]
    assert ws.print_area == "'报送情况'!$A$1:$M$14" and ws.freeze_panes == "C2" and ws.auto_filter.ref


def test_a_list_keeps_every_value_as_it_was_given(spec, tmp_path):
    """明细 and 报送情况 are written as plain rows (not cell by cell through xlsxwriter): texts that look
    like markup or escapes, surrounding spaces, control characters, undecodable bytes, odd numbers."""
    given = ["a&b<c>\"d\"", "  两端空格 ", "_x0041_ 字面", "响铃\x07之后", "未知\udcb1字节", "回车\r换行\n", "长" * 40000,
             True]
    figures = [0, 7, 1.5, 0.1 + 0.2, 12345678901234567, -3.25, -0.0, float("inf")]
    rows = [["文字", "数字"], *([t, f] for t, f in zip(given, figures)), [None, ""]]
    out = tmp_path / "列表.xlsx"
    write_workbook(out, spec, extra_sheets=[("列表", rows)])
    texts = ["a&b<c>\"d\"", "  两端空格 ", "_x0041_ 字面", "响铃之后", "未知\ufffd字节", "回车\r换行\n", "长" * 32767,
             "True"]                                                        # cut where Excel cuts a text
    numbers = [0, 7, 1.5, 0.1 + 0.2, 12345678901234567, -3.25, 0]
    read = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("列表").to_python()
    assert [r[0] for r in read[1:9]] == texts and read[9:] in ([], [["", ""]])
    assert [r[1] for r in read[1:8]] == pytest.approx(numbers) and read[8][1] == "inf"     # not a figure: text
    ws = openpyxl.load_workbook(out)["列表"]
    escapes = {"_x0041_": "_x005F_x0041_", "\r": "_x000D_"}        # openpyxl leaves Excel's escapes as they are
    literal = [functools.reduce(lambda t, e: t.replace(*e), escapes.items(), t) for t in texts]
    assert [c.value for c in ws["A"]][1:10] == literal + [None] and ws["A1"].font.b
    assert ws.dimensions == "A1:B10" and ws.auto_filter.ref == "A1:B10"
    (resaved,) = libreoffice_convert([out], tmp_path / "lo", recalc=False)
    shown = pc.CalamineWorkbook.from_path(str(resaved)).get_sheet_by_name("列表").to_python()
    assert [r[0] for r in shown[1:9]] == [t.replace("\r", "\n") for t in texts]     # LibreOffice's own line breaks
    assert [r[1] for r in shown[1:8]] == pytest.approx(numbers)


def test_a_list_without_rows_is_an_empty_sheet(spec, tmp_path):
    out = tmp_path / "空.xlsx"
    write_workbook(out, spec, extra_sheets=[("空表", [])])
    assert openpyxl.load_workbook(out)["空表"].max_row == 1 and not openpyxl.load_workbook(out)["空表"]["A1"].value
