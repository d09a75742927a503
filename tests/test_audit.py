"""gkxl audit on published reports it did not make (tests/published_drawn.py: Word by python-docx, a PDF
printed from it by LibreOffice, saved HTML, text copied from a web page) and returns written by openpyxl:
bodies over two and three years, with and without a carry or stock break, tables copied from last year
and from another body, one return that agrees and one that differs in one cell, a units list with a body
that published nothing. The links expected are worked out here from FORMAT.md's arithmetic on the figures
the documents were drawn from, never from gkxl."""
from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import published_drawn as pdw
import pytest
from click.testing import CliRunner
from conftest import soffice
from python_calamine import CalamineWorkbook

from gkxl.cli import main

YEAR = 2024
A = pdw.draw_series(601, [2022, 2023, 2024], blanks=False)                       # continuous, returns for 2023 and 2024
B = pdw.draw_series(602, [2023, 2024], carry_break="natural", in_force_break="rules")
C0 = pdw.draw_series(604, [2023], blanks=False)[0]
C1 = pdw.draw_report(6041, unit=C0.unit, year=2024, figures=dict(C0.values), blanks=False)    # last year's tables copied
SHARED = pdw.balanced_figures(__import__("random").Random("shared"), profile="medium")
D = pdw.draw_report(701, year=YEAR, figures=dict(SHARED), blanks=False)
E = pdw.draw_report(705, year=YEAR, figures=dict(SHARED), blanks=False)        # the same tables as D
G = pdw.draw_report(703, year=YEAR)                                             # not on the units list
H = pdw.draw_report(609, unit="鹤壁市教育局", year=YEAR, title_form="annual")     # its title names no issuer
F = "卫辉市民政局"                                                               # on the list, published nothing
BODIES = {"A": A[0].unit, "B": B[0].unit, "C": C0.unit, "D": D.unit, "E": E.unit, "G": G.unit, "H": H.unit}
# the units list spells some bodies as offices do: 人民政府 as 政府, a bracketed remark
LISTED = [A[0].unit, B[0].unit.replace("人民政府", "政府"), C0.unit + "（本级）", D.unit, E.unit, H.unit, F]


def run(*args) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [str(a) for a in args] + ["--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> dict:
    """The office's folders: reports (of every shape, a zip, a duplicate, a note), returns, a units list."""
    root = tmp_path_factory.mktemp("audit")
    reports, returns, scratch = root / "年报", root / "报表", root / "scratch"
    for p in (reports, returns, scratch):
        p.mkdir()
    files = {}
    files["A2022docx"] = pdw.to_docx(A[0], reports / "A_2022.docx")
    files["A2023"] = reports / "A_2023.html"
    files["A2023"].write_text(pdw.to_html(A[1]), encoding="utf-8")
    files["A2024"] = reports / "A_2024.txt"
    files["A2024"].write_text(pdw.to_text(A[2]), encoding="utf-8")
    shutil.copy(files["A2024"], reports / "A_2024 (1).txt")                 # downloaded twice
    files["B2023"] = pdw.to_docx(B[0], reports / "B_2023.docx")
    files["B2024"] = pdw.to_docx(B[1], reports / "B_2024.docx")
    (reports / "B_2024.html").write_text(pdw.to_html(B[1]), encoding="utf-8")  # the same report, as its page
    (reports / "C_2023.txt").write_text(pdw.to_text(C0), encoding="utf-8")
    pdw.to_docx(C1, reports / "C_2024.docx")
    (reports / "D_2024.html").write_text(pdw.to_html(D), encoding="utf-8")
    with zipfile.ZipFile(reports / "E.zip", "w") as z:
        z.writestr("E_2024.html", pdw.to_html(E))
    (reports / "G_2024.txt").write_text(pdw.to_text(G), encoding="utf-8")
    untitled = pdw.to_text(H).replace(H.title[0], f"{YEAR}年政府信息公开工作年度报告", 1)
    assert untitled.count(H.unit) == 0 or H.title[0] not in untitled
    (reports / f"{H.unit}{YEAR}年度报告.txt").write_text(untitled, encoding="utf-8")
    (reports / "说明.txt").write_text("各单位年报已下载，请审查。\n", encoding="utf-8")
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    pdf = pdw.to_pdf([files["A2022docx"]], scratch)[0]
    files["A2022pdf"] = shutil.copy(pdf, reports / "A_2022.pdf")
    made = {y: pdw.write_return(A[i], returns / f"A_{y}.xlsx", differ=y == 2024, seed=i)
            for i, y in ((1, 2023), (2, 2024))}
    units = root / "单位名单.csv"
    with open(units, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["单位名称"], *([u] for u in LISTED)])
    code, report = run("audit", reports, "--returns", returns, "--units", units, "--year", YEAR,
                       "-o", root / "审查结果.xlsx")
    return {"root": root, "reports": reports, "files": files, "made": made, "units": units, "code": code,
            "report": report}


# --- what FORMAT.md's arithmetic says must be linked ----------------------------------------------------

def year_links(before: pdw.Drawn, now: pdw.Drawn) -> list[str]:
    """X-carry per applicant column (the 总计 only when no applicant column differs), X-stock per row: only
    where both documents print every figure involved."""
    last, this = before.expected(), now.expected()
    out = []
    carry = [c for c in pdw.APPLICANTS if None not in (this[pdw.t3("carried", c)], last[pdw.t3("carry_next", c)])
             and this[pdw.t3("carried", c)] != last[pdw.t3("carry_next", c)]]
    total = pdw.t3("carried", "total"), pdw.t3("carry_next", "total")
    if not carry and this[total[0]] != last[total[1]]:
        carry = ["total"]
    out += ["X-carry"] * len(carry)
    for r in ("rules", "normative"):
        figures = (this[f"t2.{r}.in_force"], last[f"t2.{r}.in_force"], this[f"t2.{r}.issued"], this[f"t2.{r}.repealed"])
        if None not in figures and figures[0] != figures[1] + figures[2] - figures[3]:
            out.append("X-stock")
    return out


def expected_links() -> Counter:
    want = Counter()
    for series in (A, B, [C0, C1]):
        for before, now in zip(series, series[1:]):
            for rule in year_links(before, now):
                want[(rule, now.unit, (before.year, now.year))] += 1
    want[("X-copy", C1.unit, (2023, 2024))] += 1
    want[("X-copy", "、".join(sorted([D.unit, E.unit])), (YEAR,))] += 1
    want[("X-return", A[2].unit, (YEAR,))] += 1
    want[("X-missing", F, (YEAR,))] += 1                                   # listed, published nothing
    for d in (B[1], C1, D, E, H):                                          # published, returned nothing
        want[("X-missing", d.unit, (YEAR,))] += 1
    return want


def got_links(report: dict) -> Counter:
    out = Counter()
    for link in report["links"]:
        unit = "、".join(sorted(link["unit"].split("、"))) if link["rule"] == "X-copy" and len(link["years"]) == 1 \
            else link["unit"]
        out[(link["rule"], unit, tuple(link["years"]))] += 1
    return out


def test_the_drawn_bodies_are_distinct_and_the_breaks_are_there():
    assert len(set(BODIES.values())) == len(BODIES)
    assert B[1].breaks["carry"]["col"] == "natural" and B[1].breaks["in_force"]["row"] == "rules"
    assert year_links(B[0], B[1]).count("X-carry") == 1 and "X-stock" in year_links(B[0], B[1])
    assert year_links(A[0], A[1]) == [] and year_links(A[1], A[2]) == []


def test_every_link_and_no_other(office):
    assert got_links(office["report"]) == expected_links()


def test_correct_reports_pass_and_every_file_is_listed(office):
    report = office["report"]
    names = sorted(Path(f["path"]).name for f in report["files"])
    assert names == sorted(["A_2022.docx", "A_2022.pdf", "A_2023.html", "A_2024.txt", "B_2023.docx", "B_2024.docx",
                            "B_2024.html", "C_2023.txt", "C_2024.docx", "D_2024.html", "E.zip › E_2024.html",
                            "G_2024.txt", f"{H.unit}{YEAR}年度报告.txt"]), names
    bad = [(f["path"], [(x["rule"], x["message"][:50]) for x in f["findings"] if x["severity"] == "error"])
           for f in report["files"] if f["status"] != "ok"]
    assert not bad                              # every report balances: a false alarm would be a bug
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert "说明.txt" in skipped and "不是年度报告" in skipped["说明.txt"]
    assert office["code"] == 1                  # X-carry and X-return are errors
    notes = [n["message"] for n in report["notes"]]
    assert any("A_2024 (1).txt" in n and "只读取一次" in n for n in notes), notes
    assert any("B_2024.docx" in n and "B_2024.html" in n and "按一份报告" in n for n in notes), notes
    assert any("A_2022.docx" in n and "A_2022.pdf" in n and "按一份报告" in n for n in notes), notes
    assert report["summary"]["files"] == 13 and report["summary"]["ok"] == 13


def test_each_report_is_identified_by_its_own_title(office):
    by_file = {Path(f["path"]).name: f for f in office["report"]["files"]}
    want = {"A_2022.pdf": A[0], "A_2023.html": A[1], "B_2024.docx": B[1], "C_2024.docx": C1, "D_2024.html": D,
            "E.zip › E_2024.html": E, "G_2024.txt": G}
    for name, d in want.items():
        assert (by_file[name]["unit"], by_file[name]["year"]) == (d.unit, d.year), name
    h = by_file[f"{H.unit}{YEAR}年度报告.txt"]
    assert (h["unit"], h["year"]) == (H.unit, YEAR)
    assert any(x["rule"] == "ID-source" and "文件名" in x["message"] for x in h["findings"]), h["findings"]
    g = by_file["G_2024.txt"]
    assert [x["rule"] for x in g["findings"] if x["rule"].startswith("X-")] == ["X-unlisted"]


def test_a_return_differing_in_one_cell_names_both_values_and_both_places(office):
    made = office["made"][YEAR]["differ"]
    link = next(x for x in office["report"]["links"] if x["rule"] == "X-return")
    report_file, workbook = link["paths"]
    assert Path(report_file).name == "A_2024.txt" and Path(workbook).name == "A_2024.xlsx"
    assert f"公布为 {made['report']}" in link["message"] and f"为 {made['return']}" in link["message"]
    sheet, cell = link["places"][1].split("!")
    wb = openpyxl.load_workbook(workbook)
    assert wb[sheet][cell].value == made["return"]                   # the workbook cell named holds the figure
    text = office["files"]["A2024"].read_text(encoding="utf-8").splitlines()
    line = int(re.search(r"第 (\d+) 行", link["places"][0]).group(1))
    assert str(made["report"]) in text[line - 1]                     # so does the report's line named
    assert not [x for x in office["report"]["links"] if x["rule"] == "X-return" and "A_2023" in x["paths"][0]]


def test_a_carry_break_names_both_years_and_the_column(office):
    carry = [x for x in office["report"]["links"] if x["rule"] == "X-carry" and x["unit"] == B[1].unit]
    assert len(carry) == 1 and carry[0]["severity"] == "error"
    brk = B[1].breaks["carry"]
    assert "自然人" in carry[0]["message"] and f"为 {brk['this']}" in carry[0]["message"] \
        and f"为 {brk['last']}" in carry[0]["message"]
    assert [Path(p).name for p in carry[0]["paths"]] == ["B_2023.docx", "B_2024.docx"]
    stock = next(x for x in office["report"]["links"] if x["rule"] == "X-stock" and x["unit"] == B[1].unit)
    assert stock["severity"] == "warning" and str(B[1].breaks["in_force"]["this"]) in stock["message"] \
        and str(B[1].breaks["in_force"]["follows"]) in stock["message"]


def test_the_workbook_lists_bodies_findings_and_links(office):
    book = CalamineWorkbook.from_path(str(office["root"] / "审查结果.xlsx"))
    assert book.sheet_names == ["总表", "问题", "年度衔接"]
    rows = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    head = next(i for i, r in enumerate(rows["总表"]) if r and r[0] == "序号")
    overview = [r for r in rows["总表"][head + 1:] if r and r[0] != ""]
    by = {(r[1], int(r[2])): r for r in overview}
    # one row a body and year: B's report in two files is one row; F, who published nothing, has one too
    assert by[(B[1].unit, YEAR)][3] == "有错误" and "X-carry" in by[(B[1].unit, YEAR)][7]
    assert by[(F, YEAR)][3] == "没有公开报告"
    assert by[(A[1].unit, 2023)][3] == "通过" and by[(A[2].unit, YEAR)][3] == "有错误"
    assert len(overview) == len({(f["unit"], f["year"]) for f in office["report"]["files"]}) + 1
    links = [r for r in rows["年度衔接"] if r and isinstance(r[0], float)]
    assert len(links) == len(office["report"]["links"])
    findings = [r for r in rows["问题"] if r and isinstance(r[0], float)]
    assert len(findings) == sum(len(f["findings"]) for f in office["report"]["files"])


def test_the_web_page_is_offline_sortable_and_filterable(office, tmp_path):
    from playwright.sync_api import sync_playwright
    page_path = tmp_path / "审查结果.html"
    code, report = run("audit", office["reports"], "--units", office["units"], "--year", YEAR, "-o", page_path)
    html = page_path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)        # nothing from the network
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        page = browser.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        sections = page.locator("section")
        assert sections.count() == 3
        links = sections.nth(2)
        rows = links.locator("tbody tr")
        assert rows.count() == len(report["links"])
        links.locator("input").fill("X-carry")
        visible = [r for r in rows.all() if r.is_visible()]
        assert len(visible) == sum(1 for x in report["links"] if x["rule"] == "X-carry") >= 1
        links.locator("input").fill("")
        overview = sections.nth(0)
        overview.locator("th").nth(2).click()                                 # 年度, ascending
        years = [overview.locator("tbody tr").nth(i).locator("td").nth(2).inner_text()
                 for i in range(overview.locator("tbody tr").count())]
        assert years == sorted(years)
        overview.locator("th").nth(2).click()                                 # and descending
        again = [overview.locator("tbody tr").nth(i).locator("td").nth(2).inner_text()
                 for i in range(overview.locator("tbody tr").count())]
        assert again == sorted(years, reverse=True)
        page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
        browser.close()
    assert all(u.startswith("file:") for u in requests), requests


def test_english_and_text_say_the_same(office):
    result = CliRunner().invoke(main, ["--lang", "en", "audit", str(office["reports"]), "--units", str(office["units"]),
                                       "--year", str(YEAR)])
    assert result.exit_code == 1
    out = result.output
    assert "X-carry" in out and "X-missing" in out and "has no published report for 2024" in out
    assert "reports (" in out and "（" not in out.splitlines()[-1]
    for f in office["report"]["files"]:
        assert Path(f["path"]).name in out


def test_a_broken_report_is_listed_never_dropped(tmp_path):
    (tmp_path / "坏.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "A_2024.txt").write_text(pdw.to_text(A[2]), encoding="utf-8")
    code, report = run("audit", tmp_path / "坏.docx", tmp_path / "A_2024.txt")
    assert code == 1
    status = {Path(f["path"]).name: f["status"] for f in report["files"]}
    assert status == {"坏.docx": "unreadable", "A_2024.txt": "ok"}


def test_an_unreadable_return_is_said(tmp_path):
    reports, returns = tmp_path / "r", tmp_path / "w"
    reports.mkdir()
    returns.mkdir()
    (reports / "A_2024.txt").write_text(pdw.to_text(A[2]), encoding="utf-8")
    (returns / "A_2024.xlsx").write_bytes(b"not a workbook")
    code, report = run("audit", reports, "--returns", returns)
    assert any("A_2024.xlsx" in n["message"] and "无法读取" in n["message"] for n in report["notes"]), report["notes"]
    assert [x["rule"] for x in report["links"]] == ["X-missing"]        # and the report has no return to compare


def test_returns_kept_by_the_desk_are_compared(tmp_path):
    from gkxl.desk.intake import Upload
    from gkxl.desk.service import Desk
    sent = pdw.write_return(A[2], tmp_path / "A_2024.xlsx", differ="t2.rules.issued")
    desk = Desk.open(tmp_path / "收件夹", year=YEAR, processes=1)
    try:
        with open(sent["path"], "rb") as f:
            outcome, = desk.intake.receive([Upload("司法局报表.xlsx", f)])
        assert outcome.result == "stored"
    finally:
        desk.close()
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "A_2024.txt").write_text(pdw.to_text(A[2]), encoding="utf-8")
    code, report = run("audit", tmp_path / "r", "--returns", tmp_path / "收件夹")
    link, = report["links"]
    assert code == 1 and link["rule"] == "X-return" and link["paths"][1] == "司法局报表.xlsx"
    assert f"公布为 {sent['differ']['report']}" in link["message"] and f"为 {sent['differ']['return']}" in link["message"]
