"""One unit everywhere: a return is the unit its template was issued to, else the one its 单位代码 names,
else the one its name names. A bureau that edits the unit name in its template (same code), a return the
clerk assigned by hand, last year's return of a renamed unit: each appears once, under the units list's name,
with the name in the file as a note; 报送情况 has exactly one row per listed unit."""
from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from pathlib import Path

import openpyxl
from conftest import ROOT, consistent_values
from test_desk_browser import browser, page  # noqa: F401  (fixtures)

YEAR = 2025
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(first17: str) -> str:
    """A unified social credit code with its check character (GB 32100-2015), computed here."""
    total = sum(_ALPHABET.index(ch) * w for ch, w in zip(first17, _WEIGHTS))
    return first17 + _ALPHABET[(31 - total % 31) % 31]


CODES = {"卫滨区司法局": credit_code("11410703MB1234567"), "卫滨区财政局": credit_code("11410703005528888"),
         "卫滨区教育局": credit_code("11410703005529999")}


def gkxl(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gkxl.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def units_list(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位名称", "统一社会信用代码"])
        w.writerows(CODES.items())
    return path


def filled(template: Path, target: Path, spec, seed: int, **cells) -> Path:
    """A bureau's return: its template typed into with openpyxl; `cells` (key=value) typed over besides."""
    values = consistent_values(spec, random.Random(seed))
    wb = openpyxl.load_workbook(template)
    for cell in spec.inputs:
        if values.get(cell.key) is not None:
            wb[cell.sheet][cell.ref] = values[cell.key]
    for key, value in cells.items():
        cell = spec.cells[key.replace("__", ".")]
        wb[cell.sheet][cell.ref] = value
    wb.save(target)
    return target


def templates(tmp_path: Path, year: int = YEAR) -> dict[str, Path]:
    out = tmp_path / f"模板{year}"
    r = gkxl("template", "--year", year, "--units", units_list(tmp_path / "units.csv"), "-o", out)
    assert r.returncode == 0, r.stderr
    with open(out / "模板清单.csv", encoding="utf-8-sig") as f:
        return {row["单位名称"]: out / row["文件名"] for row in csv.DictReader(f)}


def status_rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path, read_only=True)["报送情况"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_a_unit_renamed_in_its_template_is_one_unit_in_check_and_merge(tmp_path, spec):
    t = templates(tmp_path)
    sent = tmp_path / "报送"
    sent.mkdir()
    filled(t["卫滨区司法局"], sent / "司法局.xlsx", spec, 1, info__unit="卫滨区司法局（行政复议办）")
    filled(t["卫滨区财政局"], sent / "财政局.xlsx", spec, 2)
    checked = json.loads(gkxl("check", sent / "司法局.xlsx", "--format", "json").stdout)["files"][0]
    assert checked["status"] == "ok"
    renamed = [f for f in checked["findings"] if f["rule"] == "ID-renamed"]
    assert len(renamed) == 1 and "卫滨区司法局（行政复议办）" in renamed[0]["message"] and renamed[0]["severity"] == "warning"

    out = tmp_path / "汇总.xlsx"
    r = gkxl("merge", sent, "--year", YEAR, "--unit", "卫滨区政务公开办", "--units", tmp_path / "units.csv", "-o", out)
    said = r.stdout + r.stderr
    assert r.returncode == 1 and "计入 2 个单位" in said and "1 个单位未报送" in said, said
    rows = status_rows(out)
    assert len(rows) == len(CODES), rows                      # one row per listed unit, no ghost
    by_unit = {row["单位名称"]: row for row in rows}
    assert set(by_unit) == set(CODES)
    assert by_unit["卫滨区司法局"]["是否计入汇总"] == "是"
    assert "卫滨区司法局（行政复议办）" in by_unit["卫滨区司法局"]["原因"]
    assert "不在单位名单" not in json.dumps(rows, ensure_ascii=False)
    assert by_unit["卫滨区教育局"]["状态"] == "未报送"


def test_a_foreign_workbook_is_matched_by_its_code(tmp_path, spec):
    """A return not made from the template (its own file, the unit's name written differently) whose
    单位代码 is on the list is that unit."""
    from gkxl.form.model import Report
    from gkxl.io.write import write_workbook
    units_list(tmp_path / "units.csv")
    path = tmp_path / "教育局自报.xlsx"
    values = consistent_values(spec, random.Random(4))
    write_workbook(path, spec, Report(spec.id, spec.version, unit="卫滨区教体局", unit_code=CODES["卫滨区教育局"],
                                      year=YEAR, values=values))
    out = tmp_path / "汇总.xlsx"
    r = gkxl("merge", path, "--year", YEAR, "--unit", "卫滨区政务公开办", "--units", tmp_path / "units.csv", "-o", out)
    said = r.stdout + r.stderr
    assert "计入 1 个单位" in said and "不在单位名单" not in said, said
    rows = status_rows(out)
    assert len(rows) == 3
    education = next(row for row in rows if row["单位名称"] == "卫滨区教育局")
    assert education["是否计入汇总"] == "是" and "卫滨区教体局" in education["原因"]


def test_last_years_return_of_a_renamed_unit_is_found_by_its_code(tmp_path, spec):
    from gkxl.form.model import Report
    from gkxl.io.write import write_workbook
    this = consistent_values(spec, random.Random(7))
    last = consistent_values(spec, random.Random(8))
    old = tmp_path / "2024.xlsx"
    write_workbook(old, spec, Report(spec.id, spec.version, unit="卫滨区教体局", unit_code=CODES["卫滨区教育局"],
                                     year=YEAR - 1, values=last))
    new = tmp_path / "2025.xlsx"
    write_workbook(new, spec, Report(spec.id, spec.version, unit="卫滨区教育局", unit_code=CODES["卫滨区教育局"],
                                     year=YEAR, values=this))
    f = json.loads(gkxl("check", new, "--previous", old, "--format", "json").stdout)["files"][0]
    rules = {x["rule"] for x in f["findings"]}
    assert "Y-prev" not in rules
    assert "Y-carry" in rules          # the carried-over figures are compared (seeded figures differ)


def test_the_desk_sums_each_unit_once_under_its_list_name(tmp_path, spec, page):  # noqa: F811
    """The ghost rows: a bureau's template with its name edited, and a foreign workbook the clerk assigns by
    hand, appear once each under the list's name; 总览, 汇总 and the workbook's 报送情况 agree."""
    from test_desk_browser import Server
    t = templates(tmp_path)
    renamed = filled(t["卫滨区司法局"], tmp_path / "司法局.xlsx", spec, 1, info__unit="卫滨区司法局（行政复议办）")
    foreign = tmp_path / "财政局自制.xlsx"
    from gkxl.form.model import Report
    from gkxl.io.write import write_workbook
    write_workbook(foreign, spec, Report(spec.id, spec.version, unit="区财政", unit_code=None, year=YEAR,
                                         values=consistent_values(spec, random.Random(2))), role="parsed")
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(tmp_path / "units.csv"), "--office", "卫滨区政务公开办")
    try:
        page.goto(server.url + "/receive")
        page.set_input_files("#files", [str(renamed), str(foreign)])
        page.locator("body[data-uploaded='2']").wait_for(timeout=60_000)
        pick = page.locator("#unmatched form.assign")
        assert pick.count() == 1
        pick.locator("select").select_option(label="卫滨区财政局")
        pick.get_by_role("button").click()
        page.goto(server.url + "/")
        assert page.locator("a.chip[data-state=missing] b").inner_text() == "1"
        page.goto(server.url + "/summary")
        rows = page.locator("#entries tbody tr")
        texts = rows.all_inner_texts()
        assert rows.count() == 3, texts
        assert not any("不在单位名单" in t for t in texts), texts
        justice = next(t for t in texts if "卫滨区司法局" in t)
        assert "卫滨区司法局（行政复议办）" in justice and "是" in justice
        with page.expect_download() as dl:
            page.locator("#dl-xlsx").click()
        workbook = tmp_path / "汇总.xlsx"
        dl.value.save_as(workbook)
        listed = status_rows(workbook)
        assert len(listed) == len(CODES) and {r["单位名称"] for r in listed} == set(CODES), listed
        with page.expect_download() as dl:
            page.locator("#dl-csv").click()
        data = tmp_path / "data.csv"
        dl.value.save_as(data)
        names = {r[1] for r in csv.reader(data.read_text(encoding="utf-8-sig").splitlines()[1:])}
        assert names == {"卫滨区司法局", "卫滨区财政局"}, names
    finally:
        server.stop()
