"""gkxl reads what the page shows. Word reports drawn by tests/published_drawn.py (python-docx) and then
tampered as a hostile sender would: the figure a person sees written with symbol characters (w:sym) and a
balancing figure hidden beside it (w:vanish, a hidden character style, white text); a PDF printed by
LibreOffice from a document whose figure is white on white. Each must end invalid with a finding that names
what is hidden, never 通过; and the honest look-alikes (white labels on a dark header) must still pass."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import published_drawn as pdw
import pytest
from conftest import ROOT, soffice

D = pdw.draw_report(901, year=2024, blanks=False, contradict=False)
KEY = next(k for k in (pdw.t3("granted", c) for c in pdw.APPLICANTS) if D.values[k] > 0)


def check(path: Path) -> dict:
    r = subprocess.run([sys.executable, "-m", "gkxl.cli", "check", str(path), "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    return json.loads(r.stdout)["files"][0]


def _cell(doc, key: str):
    grid = pdw.grids(D)["三"]
    gc = next(c for c in grid.cells if c.key == key)
    return doc.tables[1].cell(gc.r, gc.c)


def _symbol_run(paragraph, digits: str) -> None:
    """Digits a person sees, typed as symbols (Insert › Symbol): w:sym elements, no w:t."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    for ch in digits:
        run = paragraph.add_run()
        sym = OxmlElement("w:sym")
        sym.set(qn("w:font"), "Symbol")
        sym.set(qn("w:char"), f"F0{ord(ch):02X}")
        run._r.append(sym)


def tampered(tmp_path: Path, how: str) -> Path:
    """D's Word document with KEY's cell showing its figure + 5 and holding the true figure unseen."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import RGBColor
    src = pdw.to_docx(D, tmp_path / "original.docx")
    doc = Document(src)
    cell = _cell(doc, KEY)
    p = cell.paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    shown = str(D.values[KEY] + 5)
    if how == "white_only":                              # the page shows an empty cell
        p.add_run(str(D.values[KEY])).font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    else:
        hidden = p.add_run(str(D.values[KEY]))
        if how == "vanish":
            hidden.font.hidden = True
        elif how == "style":
            style = doc.styles.add_style("备注隐藏", WD_STYLE_TYPE.CHARACTER)
            style.font.hidden = True
            hidden.style = style
        elif how == "white":
            hidden.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _symbol_run(p, shown)
    out = tmp_path / f"{how}.docx"
    doc.save(out)
    return out


def test_the_untampered_document_passes_without_a_word_about_hidden_text(tmp_path):
    f = check(pdw.to_docx(D, tmp_path / "original.docx"))
    assert f["status"] == "ok", [(x["rule"], x["message"][:60]) for x in f["findings"] if x["severity"] == "error"]
    assert not [x for x in f["findings"] if x["rule"] == "P-unseen"]


@pytest.mark.parametrize("how", ["vanish", "style", "white"])
def test_a_hidden_figure_beside_the_one_shown_never_passes(tmp_path, how):
    f = check(tampered(tmp_path, how))
    assert f["status"] == "invalid"
    unseen = [x for x in f["findings"] if x["rule"] == "P-unseen"]
    assert unseen and str(D.values[KEY]) in unseen[0]["message"] and "第 2 个表格" in unseen[0].get("place", "")
    # the figure read is the one the page shows, and the table's balance fails on it
    assert any(x["rule"].startswith("T3") for x in f["findings"]), [x["rule"] for x in f["findings"]]


def test_white_labels_on_a_dark_header_are_read(tmp_path):
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor
    doc = Document(pdw.to_docx(D, tmp_path / "original.docx"))
    for table in doc.tables:
        for cell in table.rows[0].cells:
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:fill"), "1F4E79")
            cell._tc.get_or_add_tcPr().append(shd)
            for p in cell.paragraphs:
                for r in p.runs:
                    r.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    out = tmp_path / "dark_header.docx"
    doc.save(out)
    f = check(out)
    assert f["status"] == "ok" and not [x for x in f["findings"] if x["rule"] == "P-unseen"], f["findings"]


def test_a_white_figure_in_a_printed_pdf_never_passes(tmp_path):
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    pdf, = pdw.to_pdf([tampered(tmp_path, "white_only")], tmp_path / "pdf", exe)
    f = check(pdf)
    assert f["status"] == "invalid"
    unseen = [x for x in f["findings"] if x["rule"] == "P-unseen"]
    assert unseen and str(D.values[KEY]) in unseen[0]["message"] and "第" in unseen[0].get("place", "")


# --- workbooks: a figure shown otherwise than held ---------------------------------------------------------

def _filled_template(tmp_path: Path, unit: str = "卫滨区司法局", seed: int = 5) -> tuple[Path, dict]:
    """gkxl's own template (the scenario is a bureau tampering with it), typed into with openpyxl."""
    import random

    import openpyxl
    from conftest import consistent_values

    from gkxl.form import spec as specmod
    spec = specmod.load()
    template = tmp_path / "template.xlsx"
    subprocess.run([sys.executable, "-m", "gkxl.cli", "template", "--year", "2025", "--unit", unit, "-o", template],
                   check=True, capture_output=True, cwd=ROOT)
    values = consistent_values(spec, random.Random(seed))
    wb = openpyxl.load_workbook(template)
    for cell in spec.inputs:
        if values.get(cell.key) is not None:
            wb[cell.sheet][cell.ref] = values[cell.key]
    out = tmp_path / "filled.xlsx"
    wb.save(out)
    return out, values


def test_a_number_format_that_shows_another_figure_never_passes(tmp_path):
    import openpyxl

    from gkxl.form import spec as specmod
    spec = specmod.load()
    path, values = _filled_template(tmp_path)
    honest = check(path)
    assert honest["status"] == "ok", [(x["rule"], x["message"][:50]) for x in honest["findings"] if x["severity"] == "error"]
    wb = openpyxl.load_workbook(path)
    for key in ("t3.granted.natural", "t3.new.natural"):       # +500 on both sides of T3-c: the figures balance
        cell = spec.cells[key]
        shown = values[key]
        wb[cell.sheet][cell.ref] = shown + 500
        wb[cell.sheet][cell.ref].number_format = f'"{shown}"'
    zero = spec.cells["t3.withheld_secret.business"]
    wb[zero.sheet][zero.ref] = 0
    wb[zero.sheet][zero.ref].number_format = '0;-0;"-"'        # a zero shown as a dash: the same figure
    out = tmp_path / "formatted.xlsx"
    wb.save(out)
    f = check(out)
    assert f["status"] == "invalid"
    shown = {x["key"]: x for x in f["findings"] if x["rule"] == "V-shown"}
    assert set(shown) == {"t3.granted.natural", "t3.new.natural"}, shown
    assert str(values["t3.granted.natural"] + 500) in shown["t3.granted.natural"]["message"]
    assert f"“{values['t3.granted.natural']}”" in shown["t3.granted.natural"]["message"]


def test_figures_from_a_hidden_sheet_beside_a_look_alike_never_pass(tmp_path):
    import openpyxl
    path, values = _filled_template(tmp_path)
    wb = openpyxl.load_workbook(path)
    official = wb["表三"]
    copy = wb.copy_worksheet(official)
    copy.title = "表三\u200b"
    copy["D6"] = (copy["D6"].value or 0) + 9              # the copy everyone sees says something else
    official.sheet_state = "hidden"
    out = tmp_path / "lookalike.xlsx"
    wb.save(out)
    f = check(out)
    assert f["status"] == "invalid"
    rules = {x["rule"] for x in f["findings"]}
    assert {"STRUCT-hidden", "STRUCT-lookalike"} <= rules, rules
    hidden = next(x for x in f["findings"] if x["rule"] == "STRUCT-hidden")
    assert "表三" in hidden["message"]


def test_figures_from_hidden_rows_of_a_foreign_workbook_never_pass(tmp_path):
    import drawn
    import openpyxl
    d = drawn.draw(7, "balanced", tmp_path / "drawn")
    before = check(d.path)
    assert before["status"] == "ok", [(x["rule"], x["message"][:50]) for x in before["findings"] if x["severity"] == "error"]
    sheet, ref = d.cells["t3.granted.natural"]
    wb = openpyxl.load_workbook(d.path)
    row = int("".join(ch for ch in ref if ch.isdigit()))
    wb[sheet].row_dimensions[row].hidden = True
    out = tmp_path / "hidden_row.xlsx"
    wb.save(out)
    f = check(out)
    assert f["status"] == "invalid"
    hidden = [x for x in f["findings"] if x["rule"] == "STRUCT-hidden"]
    assert hidden and all(f"第 {row} 行" in x["message"] for x in hidden)
    assert "t3.granted.natural" in {x["key"] for x in hidden}


def test_one_unit_under_invisible_name_variants_is_summed_once(tmp_path):
    first, _ = _filled_template(tmp_path / "a", "卫滨区司法局", 5)
    second, _ = _filled_template(tmp_path / "b", "卫滨区\u00ad司法局\u2061", 6)
    r = subprocess.run([sys.executable, "-m", "gkxl.cli", "merge", first, second, "-o", tmp_path / "汇总.xlsx",
                        "--year", "2025", "--unit", "卫滨区政务公开办", "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    report = json.loads(r.stdout)
    assert sum(1 for f in report["files"] if f["included"]) == 1, report["files"]


def _saved(src: Path, dst: Path, when: str) -> Path:
    import re
    import zipfile
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+<", rb"\g<1>" + when.encode() + b"<", data)
            zout.writestr(item, data)
    return dst


def test_a_saved_time_in_the_future_does_not_outrank_the_correction(tmp_path):
    import datetime as dt
    import os
    wrong, _ = _filled_template(tmp_path / "a", "卫滨区司法局", 5)
    right, _ = _filled_template(tmp_path / "b", "卫滨区司法局", 6)
    boast = _saved(wrong, tmp_path / "第一版.xlsx", "2031-01-01T00:00:00Z")
    os.utime(boast, (1e9, 1e9))
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    fixed = _saved(right, tmp_path / "改正版.xlsx", now)
    r = subprocess.run([sys.executable, "-m", "gkxl.cli", "merge", boast, fixed, "-o", tmp_path / "汇总.xlsx",
                        "--year", "2025", "--unit", "卫滨区政务公开办", "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    included = [Path(f["path"]).name for f in json.loads(r.stdout)["files"] if f["included"]]
    assert included == ["改正版.xlsx"]


def test_render_of_a_return_saved_without_cached_totals_prints_the_totals(tmp_path):
    """openpyxl saves the template's total formulas without their values (as any program that does not
    calculate): the rendered report must print the totals as the workbook would show them."""
    path, values = _filled_template(tmp_path)
    import openpyxl
    cached = openpyxl.load_workbook(path, data_only=True)
    from gkxl.form import spec as specmod
    total = specmod.load().cells["t3.total.total"]
    assert cached[total.sheet][total.ref].value is None          # the premise: no cached total
    html = tmp_path / "report.html"
    subprocess.run([sys.executable, "-m", "gkxl.cli", "render", path, "--to", "html", "-o", html],
                   check=True, capture_output=True, cwd=ROOT)
    f = check(html)
    assert f["status"] == "ok", [(x["rule"], x["message"][:60]) for x in f["findings"] if x["severity"] == "error"]
