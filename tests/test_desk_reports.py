"""The desk's 年报 page in Chromium: published reports drawn independently of gkxl (tests/published_drawn.py:
Word by python-docx, saved HTML, copied text) uploaded beside the units' returns (openpyxl, the official
layout); each report matched to its unit by its title, its verdict shown, and every figure that differs from
the unit's return shown on the unit's page beside the return's own table."""
from __future__ import annotations

import csv
import zipfile

import published_drawn as pdw
import pytest
from test_desk_browser import Server, browser, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
YEAR = 2025
A = pdw.draw_report(801, unit="卫滨区司法局", year=YEAR, blanks=False)
B = pdw.draw_report(802, unit="卫滨区财政局", year=YEAR, blanks=False)
C = pdw.draw_report(803, unit="卫滨区教育局", year=YEAR)
STRANGER = pdw.draw_report(804, unit="某县农业农村局", year=YEAR)
DIFFER = "t2.normative.in_force"


def test_reports_at_the_desk(tmp_path, page):  # noqa: F811
    units = tmp_path / "units.csv"
    with open(units, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["单位名称"], [A.unit], [B.unit], [C.unit.replace("卫滨区", "卫滨区 ")]])
    sent = tmp_path / "sent"
    sent.mkdir()
    returns = [pdw.write_return(A, sent / "司法局.xlsx")["path"],
               pdw.write_return(B, sent / "财政局.xlsx", differ=DIFFER)["path"]]
    made_b = pdw.write_return(B, tmp_path / "check.xlsx", differ=DIFFER)
    reports = tmp_path / "reports"
    reports.mkdir()
    a_doc = pdw.to_docx(A, reports / "司法局2025年报.docx")
    b_page = reports / "财政局.html"
    b_page.write_text(pdw.to_html(B), encoding="utf-8")
    bundle = reports / "其他.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("教育局.txt", pdw.to_text(C))
        z.writestr("农业农村局.txt", pdw.to_text(STRANGER))
        z.writestr("说明.xlsx", b"not a report")
    broken = reports / "坏.pdf"
    broken.write_bytes(b"%PDF-1.4 broken")

    server = Server(tmp_path / "collection", "--year", str(YEAR), "--units", str(units))
    try:
        base = server.url
        page.goto(base + "/receive")
        page.set_input_files("#files", [str(p) for p in returns])
        page.locator("body[data-uploaded='2']").wait_for(timeout=60_000)

        page.get_by_role("link", name="年报", exact=True).click()
        assert page.locator("#reports").count() == 0
        page.set_input_files("#report-files", [str(a_doc), str(b_page), str(bundle), str(broken)])
        page.locator("#report-send").click()
        page.locator("#report-results").wait_for(timeout=60_000)
        results = {r.locator("td").nth(0).inner_text(): r for r in page.locator("#report-results tbody tr").all()}
        assert set(results) == {"司法局2025年报.docx", "财政局.html", "其他.zip › 教育局.txt", "其他.zip › 农业农村局.txt",
                                "其他.zip › 说明.xlsx", "坏.pdf"}
        assert results["其他.zip › 说明.xlsx"].locator("td").nth(1).inner_text() == "跳过"
        assert results["坏.pdf"].locator(".badge").inner_text() == "无法读取"
        assert results["司法局2025年报.docx"].locator("td").nth(2).inner_text() == A.unit
        assert results["其他.zip › 教育局.txt"].locator("td").nth(2).inner_text() == C.unit.replace("卫滨区", "卫滨区 ")  # as listed

        listed = {r.locator("td").nth(2).inner_text(): r for r in page.locator("#reports tbody tr").all()}
        assert listed["司法局2025年报.docx"].locator(".against").inner_text() == "一致"
        assert listed["财政局.html"].locator(".against").inner_text() == "1 格"
        assert "没有可对照的报表" in listed["其他.zip › 教育局.txt"].locator(".against").inner_text()
        assert listed["司法局2025年报.docx"].locator(".badge").first.inner_text() == "通过"
        page.screenshot(path=str(tmp_path / "reports.png"), full_page=True)

        # the stranger is not on the list: listed to be matched, never dropped
        pick = page.locator("#report-unmatched form.assign")
        assert pick.count() == 2                        # the stranger and the broken PDF
        row = page.locator("#report-unmatched tbody tr", has_text="农业农村局.txt")
        row.locator("select").select_option(label=C.unit.replace("卫滨区", "卫滨区 "))
        row.get_by_role("button").click()
        assert "农业农村局.txt" in page.locator(".flash.ok").inner_text()
        assert page.locator("#report-unmatched tbody tr").count() == 1

        # B's page: the report's verdict, the one figure that differs, and the return's cell marked
        page.goto(base + "/reports")
        page.locator("#reports tbody tr", has_text="财政局.html").get_by_role("link", name=B.unit).click()
        assert page.locator("#published-state").inner_text() == "通过"
        assert "1 处" in page.locator("#differs-banner").inner_text()
        diffs = page.locator("#differences tbody tr")
        assert diffs.count() == 1
        assert diffs.first.get_attribute("data-key") == DIFFER
        cells = diffs.first.locator("td")
        assert cells.nth(1).inner_text() == str(made_b["differ"]["report"])
        assert cells.nth(3).inner_text() == str(made_b["differ"]["return"])
        assert "第" in cells.nth(2).inner_text()                           # the report's table row
        marked = page.locator(f"table.official td[data-key='{DIFFER}']")
        assert marked.get_attribute("class") == "mark-error"
        assert str(made_b["differ"]["report"]) in marked.get_attribute("title")
        page.screenshot(path=str(tmp_path / "unit.png"), full_page=True)

        # A's page: agrees; and in English the same
        page.goto(base + "/reports")
        page.locator("#reports tbody tr", has_text="司法局2025年报.docx").get_by_role("link", name=A.unit).click()
        assert page.locator("#agrees").count() == 1
        page.get_by_role("link", name="English").click()
        assert page.locator("#published h2").inner_text() == "Published report"
        with page.expect_download() as dl:
            page.locator("#published a[href$='/original']").click()
        assert dl.value.suggested_filename == "司法局2025年报.docx"
    finally:
        server.stop()
