"""What gkxl's files look like on paper: each kind printed to PDF by LibreOffice headless, its pages
counted and measured (pypdf) and read back (pdftotext).

Figures measured when this was written (LibreOffice 7.4, fonts-noto-cjk): template 9 pages (表二, 表三,
表四 one each, 校验 3); summary of 50 units 明细 6 pages, 报送情况 2; annotated 校验结果 of 10 findings 1
page; the DOCX of the seed sample 4 pages, as many as its published layout (the HTML rendering printed on
A4 with 公文 margins: 4 pages).
"""
from __future__ import annotations

import html
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, consistent_values, libreoffice_convert, soffice

from gkxl.actions.check import check_path
from gkxl.cli import main
from gkxl.form.model import Report
from gkxl.io.annotate import annotate
from gkxl.io.write import write_workbook

pypdf = pytest.importorskip("pypdf")

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed"),
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")]

A4_PT = (595, 842)
PUBLISHED_PAGES = 4            # the seed report's published layout: its HTML printed on A4, 公文 margins
TITLES = {"填报说明": "填报说明", "基本信息": "政府信息公开工作年度报告基本信息", "表二": "二、主动公开政府信息情况",
          "表三": "三、收到和处理政府信息公开申请情况", "表四": "四、政府信息公开行政复议、行政诉讼情况",
          "文字部分": "报告文字部分", "校验": "校验结果（随填写自动更新"}


def pdf_of(path: Path, out: Path) -> Path:
    (pdf,) = libreoffice_convert([path], out, to="pdf", recalc=False)
    return pdf


def page_texts(pdf: Path) -> list[str]:
    """Each page's text with all white space removed (wrapped cells read back whole)."""
    n = len(pypdf.PdfReader(str(pdf)).pages)
    out = []
    for i in range(1, n + 1):
        raw = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                             check=True).stdout.decode("utf-8")
        out.append("".join(raw.split()))
    return out


LINE = re.compile(r"<line [^>]*>(.*?)</line>", re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>')
GAP_PT = 3          # words closer than this on a line belong to one cell


def column_texts(pdf: Path, page: int) -> list[str]:
    """The page's text gathered by the left edge it starts at, top to bottom: the text of a table column,
    a wrapped cell read back whole (pdftotext alone interleaves it with its neighbours)."""
    raw = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    columns: dict[int, list[tuple[float, str]]] = {}
    for line in LINE.findall(raw):
        segment, end = None, None
        for x0, y0, x1, word in WORD.findall(line):
            x0, x1 = float(x0), float(x1)
            if segment is None or x0 - end > GAP_PT:
                segment = [x0, float(y0), ""]
                columns.setdefault(round(x0 / 2), []).append(segment)
            segment[2] += html.unescape(word)
            end = x1
    return ["".join(t for _, _, t in sorted(segments, key=lambda s: s[1])) for segments in columns.values()]


def labels_missing(pdf: Path, page: int, labels: list[str]) -> list[str]:
    columns = column_texts(pdf, page)
    return [t for t in labels if not any("".join(t.split()) in c for c in columns)]


def pages_by_sheet(texts: list[str], markers: list[tuple[str, str]]) -> dict[str, list[int]]:
    """Page numbers (1-based) of each sheet, in order: a sheet starts on the page showing its marker."""
    current, pages = -1, {name: [] for name, _ in markers}
    for number, page in enumerate(texts, start=1):
        if current + 1 < len(markers) and markers[current + 1][1] in page:
            current += 1
        assert current >= 0, f"page {number} before the first sheet"
        pages[markers[current][0]].append(number)
    return pages


def page_sizes(pdf: Path) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pypdf.PdfReader(str(pdf)).pages]


def is_a4(size, landscape: bool) -> bool:
    return size == (A4_PT[::-1] if landscape else A4_PT)


@pytest.fixture(scope="module")
def filled(tmp_path_factory, spec):
    d = tmp_path_factory.mktemp("print")
    path = d / "卫滨区司法局.xlsx"
    values = consistent_values(spec, random.Random(5), 5000)
    write_workbook(path, spec, Report(spec.id, spec.version, unit="卫滨区司法局", unit_code="11410700MB00000004",
                                      year=2024, values=values))
    pdf = pdf_of(path, d / "pdf")
    return pdf, page_texts(pdf)


def test_every_sheet_of_a_return_on_its_stated_pages(filled, spec):
    pdf, texts = filled
    pages = pages_by_sheet(texts, list(TITLES.items()))
    sizes = page_sizes(pdf)
    for sheet in spec.sheets:
        stated = sheet.print_setup.get("pages_tall")
        if stated:
            assert len(pages[sheet.name]) == stated, (sheet.name, pages[sheet.name])
        for number in pages[sheet.name]:
            assert is_a4(sizes[number - 1], sheet.landscape or sheet.name == "文字部分"), (sheet.name, sizes[number - 1])
    assert len(pages["表三"]) == 1 and len(pages["校验"]) <= 3
    total = len(texts)
    for number, page in enumerate(texts, start=1):
        assert f"第{number}页共{total}页" in page and "卫滨区司法局" in page and "2024年度" in page


def row_labels(spec, sheet_name: str) -> list[str]:
    sheet = spec.sheet(sheet_name)
    data_rows = {c.row for c in sheet.cells}
    return [lab.text for lab in sheet.labels if lab.row in data_rows]


def test_every_row_label_of_table_three_on_the_page_of_its_row(filled, spec):
    pdf, texts = filled
    [page] = pages_by_sheet(texts, list(TITLES.items()))["表三"]
    labels = row_labels(spec, "表三")
    assert len(labels) >= 25
    assert labels_missing(pdf, page, labels) == []


def test_blank_template_prints_table_three_on_one_landscape_page(tmp_path, spec):
    path = tmp_path / "模板.xlsx"
    assert CliRunner().invoke(main, ["template", "--year", "2025", "-o", str(path)]).exit_code == 0
    pdf = pdf_of(path, tmp_path / "pdf")
    texts = page_texts(pdf)
    pages = pages_by_sheet(texts, list(TITLES.items()))
    [page] = pages["表三"]
    assert is_a4(page_sizes(pdf)[page - 1], landscape=True)
    assert "四、结转下年度继续办理" in texts[page - 1] and "（七）总计" in texts[page - 1]
    assert "填报单位：" in texts[page - 1]                   # the page header leaves room to write the unit


def test_summary_of_fifty_units_prints_its_lists_on_a_few_pages(tmp_path, spec, monkeypatch):
    monkeypatch.chdir(tmp_path)            # the office merges its folder by name, as in the README
    folder = Path("报送")
    folder.mkdir()
    names = [f"卫辉市第{i:02d}局" for i in range(1, 56)]
    for i, name in enumerate(names[:50]):
        write_workbook(folder / f"{name}.xlsx", spec, Report(spec.id, spec.version, unit=name, year=2024,
                                                             values=consistent_values(spec, random.Random(i))))
    units = Path("units.csv")
    units.write_text("单位名称\n" + "\n".join(reversed(names)) + "\n", encoding="utf-8-sig")
    out = Path("汇总.xlsx")
    result = CliRunner().invoke(main, ["merge", str(folder), "-o", str(out), "--year", "2024", "--unit", "卫辉市政务公开办",
                                       "--units", str(units)])
    assert result.exit_code == 1, result.output            # five units sent nothing
    pdf = pdf_of(out, tmp_path / "pdf")
    texts = page_texts(pdf)
    last_check = max(i for i, t in enumerate(texts) if "检查内容" in t)
    status = [i for i, t in enumerate(texts) if i > last_check and "是否计入汇总" in t]
    detail = [i for i in range(last_check + 1, len(texts)) if i not in status]
    assert 1 <= len(detail) <= 6 and 1 <= len(status) <= 2, (len(detail), len(status))
    sizes = page_sizes(pdf)
    assert all(is_a4(sizes[i], landscape=True) for i in detail + status)
    assert all("单位名称" in texts[i] for i in detail)      # the unit's columns repeat on every page
    listing = "".join(texts[i] for i in status)
    assert listing.index("卫辉市第55局") < listing.index("卫辉市第01局")     # the units list's order
    assert "卫辉市第49局" in "".join(texts[i] for i in detail)


def test_annotated_findings_sheet_of_ten_findings_on_at_most_two_pages(tmp_path, spec):
    values = consistent_values(spec, random.Random(3))
    values.update({"t3.granted.natural": "无", "t3.partial.business": "3件", "t2.rules.issued": "—",
                   "t4.review.upheld": None, "t3.new.research": 1.5, "t3.carry_next.other": -2, "t2.fees.amount": "100元",
                   "t4.suit_direct.other": "二", "t3.unable_unclear.legal_service": "x", "t2.penalty.decisions": None,
                   "t4.suit_after_review.pending": "一件"})
    path = tmp_path / "退回.xlsx"
    write_workbook(path, spec, Report(spec.id, spec.version, unit="卫滨区司法局", year=2024, values=values))
    result = check_path(path)
    assert len(result.findings) >= 10
    copy = tmp_path / "退回_校验标注.xlsx"
    annotate(result, copy)
    pdf = pdf_of(copy, tmp_path / "pdf")
    texts = page_texts(pdf)
    pages = pages_by_sheet(texts, [("校验结果", "校验结果："), *TITLES.items()])
    assert 1 <= len(pages["校验结果"]) <= 2
    assert all(is_a4(page_sizes(pdf)[n - 1], landscape=True) for n in pages["校验结果"])
    shown = "".join(texts[n - 1] for n in pages["校验结果"])
    for f in result.findings:                               # every 说明 whole, none cut mid-sentence
        assert "".join(f.message.zh.split()) in shown


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    d = tmp_path_factory.mktemp("render")
    out = d / "卫滨区司法局_2024.pdf"
    result = CliRunner().invoke(main, ["render", str(ROOT / "samples" / "卫滨区司法局_2024.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_rendered_pdf_of_the_seed_is_no_longer_than_the_published_layout(seed_pdf):
    sizes = page_sizes(seed_pdf)
    assert 1 <= len(sizes) <= PUBLISHED_PAGES
    assert all(is_a4(s, landscape=False) for s in sizes)


def test_rendered_table_three_on_one_page_with_all_its_row_labels(seed_pdf, spec):
    texts = page_texts(seed_pdf)
    [page] = [n for n, t in enumerate(texts, start=1) if "三、收到和处理政府信息公开申请情况" in t]
    assert labels_missing(seed_pdf, page, row_labels(spec, "表三")) == []
    assert "四、政府信息公开行政复议、行政诉讼情况" in "".join(texts)


def test_render_pdf_without_libreoffice_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))            # no soffice to be found
    out = tmp_path / "报告.pdf"
    result = CliRunner().invoke(main, ["render", str(ROOT / "samples" / "卫滨区司法局_2024.json"), "-o", str(out)])
    assert result.exit_code != 0 and "LibreOffice" in result.output and "Traceback" not in result.output
    assert not out.exists()
