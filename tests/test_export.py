"""gkxl export: JSON and CSV of many real returns; CSV safe to open in Excel."""
from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

from click.testing import CliRunner
from test_merge import consistent_values

from gkxl.cli import main
from gkxl.form.model import Report
from gkxl.io.write import write_workbook

YEAR = 2025


def write_return(spec, path: Path, unit: str, values: dict) -> Path:
    write_workbook(path, spec, Report(spec.id, spec.version, unit=unit, unit_code="C-" + unit, year=YEAR, values=values))
    return path


def run_export(*args):
    return CliRunner().invoke(main, ["export", *[str(a) for a in args]], catch_exceptions=False)


def folder_of_returns(spec, tmp_path) -> tuple[Path, dict]:
    folder = tmp_path / "报送"
    folder.mkdir()
    written = {}
    for i in range(4):
        values = consistent_values(spec, random.Random(i))
        write_return(spec, folder / f"单位{i}.xlsx", f"单位{i}", values)
        written[f"单位{i}"] = values
    return folder, written


def test_json_has_one_record_per_file_with_the_values(spec, tmp_path):
    folder, written = folder_of_returns(spec, tmp_path)
    (folder / "坏文件.xlsx").write_bytes(b"junk")
    out = tmp_path / "data.json"
    result = run_export(folder, "--to", "json", "-o", out)
    assert result.exit_code == 1                                    # one file could not be read
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["model"] == "gkxl-export/1" and doc["format"] == "gk2021"
    records = {Path(r["path"]).name: r for r in doc["records"]}
    assert set(records) == {*(f"{u}.xlsx" for u in written), "坏文件.xlsx"}
    assert records["坏文件.xlsx"]["status"] == "unreadable" and records["坏文件.xlsx"]["error"]
    for unit, values in written.items():
        record = records[f"{unit}.xlsx"]
        assert record["status"] == "ok" and record["errors"] == 0
        assert record["unit"] == unit and record["year"] == YEAR
        for key, value in values.items():
            assert record["values"][key] == value, key


def test_csv_opens_in_excel_and_neutralises_formulas(spec, tmp_path):
    folder, written = folder_of_returns(spec, tmp_path)
    values = consistent_values(spec, random.Random(50))
    values["info.contact"] = "=HYPERLINK(\"http://x\",\"点我\")"
    values["info.phone"] = "+86 391 1234567"
    values["text.overview"] = "@SUM(A1)"
    values["text.problems"] = "-1 件"
    values["text.other"] = "\tTAB"
    values["t2.rules.issued"] = -3                                   # a negative number stays a number
    write_return(spec, folder / "怪单位.xlsx", "怪单位", values)
    out = tmp_path / "data.csv"
    result = run_export(folder, "--to", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:5] == ["文件", "单位名称", "单位代码", "年度", "状态"]
    assert "表三 · 一、本年新收政府信息公开申请数量 · 自然人" in header
    by_unit = {r[1]: dict(zip(header, r)) for r in rows[1:]}
    assert set(by_unit) == {*written, "怪单位"}
    odd = by_unit["怪单位"]
    assert odd["基本信息 · 填报人"] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert odd["基本信息 · 联系电话"] == "'+86 391 1234567"
    assert odd["文字部分 · 一、总体情况"] == "'@SUM(A1)"
    assert odd["文字部分 · 五、存在的主要问题及改进情况"] == "'-1 件"
    assert all(not v.startswith(("=", "+", "@", "\t")) for v in odd.values())
    assert odd["表二 · 规章 · 本年制发件数"] == "-3"
    assert odd["状态"] == "有错误"
    for unit, vals in written.items():
        row = by_unit[unit]
        assert row["年度"] == str(YEAR) and row["状态"] == "通过"
        assert row["表三 · 一、本年新收政府信息公开申请数量 · 自然人"] == str(vals["t3.new.natural"])
        assert float(row["表二 · 行政事业性收费 · 本年收费金额（万元）"]) == vals["t2.fees.amount"]


def test_export_refuses_to_overwrite_an_input(spec, tmp_path):
    folder, _ = folder_of_returns(spec, tmp_path)
    victim = folder / "单位0.xlsx"
    before = victim.read_bytes()
    result = run_export(victim, folder / "单位1.xlsx", "--to", "csv", "-o", victim)
    assert result.exit_code == 2
    assert victim.read_bytes() == before
