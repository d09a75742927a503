"""What a clerk keeps and sends besides the summary: the 报送进度表 (总览 on paper, with the dates of receipt
and return), the city's copy of the summary (表二–四 and 报送情况, headed with the office and its code), and a
backup of the whole collection (a consistent copy of the database, and every file received)."""
from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter

from gkxl.io.cells import neutralise
from gkxl.io.printing import PageSetup, apply_xlsxwriter, landscape_by_width, page_header

PROGRESS_HEADERS = [("序号", 6), ("单位名称", 28), ("单位代码", 21), ("状态", 12), ("版本数", 7), ("首次收到", 17),
                    ("最近收到", 17), ("最近退回", 17), ("计入汇总的文件", 26), ("联系人及电话", 24)]


def write_progress(store, rows: list[tuple], state_text, office: str | None, year: int, target: Path) -> None:
    """总览 as a printable workbook: one row per unit of the list (then units off it that sent returns)."""
    dates = {r["unit_id"]: r for r in store.unit_dates()}
    wb = xlsxwriter.Workbook(str(target))
    ws = wb.add_worksheet("报送进度")
    title = wb.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#F0F3F7", "text_wrap": True, "valign": "vcenter",
                          "font_name": "宋体"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "宋体"})
    widths = [w for _, w in PROGRESS_HEADERS]
    ws.merge_range(0, 0, 0, len(widths) - 1, f"{office or ''}{year}年度政府信息公开工作年度报告报送进度", title)
    for c, (name, width) in enumerate(PROGRESS_HEADERS):
        ws.set_column(c, c, width)
        ws.write_string(2, c, name, head)
    for n, (row, state) in enumerate(rows, start=1):
        when = dates.get(row["id"])
        extra = json.loads(store.unit(row["id"])["extra"] or "{}")
        values = [n, row["name"], row["code"] or "", state_text(state), row["versions"] or 0,
                  _day(when["first_at"]) if when else "", _day(when["last_at"]) if when else "",
                  _day(when["returned_at"]) if when else "",
                  store.file(row["counted_id"])["original_name"] if row["counted_id"] else "",
                  " ".join(v for k, v in extra.items() if any(w in k for w in ("联系", "电话", "手机")))]
        for c, v in enumerate(values):
            if isinstance(v, int):
                ws.write_number(2 + n, c, v, cell)
            else:
                ws.write_string(2 + n, c, neutralise(v), cell)
    last = 2 + len(rows)
    apply_xlsxwriter(ws, PageSetup(landscape_by_width(widths), 0, (2, 2), page_header(office, year),
                                   (0, 0, last, len(widths) - 1)))
    ws.freeze_panes(3, 2)
    wb.close()


def _day(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


CITY_SHEETS = ("表二", "表三", "表四", "报送情况")


def write_city_copy(summary: Path, target: Path, office: str, code: str | None, year: int) -> None:
    """The summary as the level above wants it on paper: 表二–四 and 报送情况 only, each page headed with the
    office, its code and the title."""
    wb = openpyxl.load_workbook(summary)
    for ws in list(wb.worksheets):
        if ws.title not in CITY_SHEETS:
            wb.remove(ws)
    heading = f"{office}{year}年度政府信息公开工作年度报告（汇总）" + (f"　统一社会信用代码：{code}" if code else "")
    for ws in wb.worksheets:
        ws.sheet_state = "visible"
        ws.oddHeader.left.text = ws.oddHeader.right.text = None      # the unit's own header: this is the office's copy
        ws.oddHeader.center.text = heading.replace("&", "&&")
        ws.oddHeader.center.size = 10
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.active = 0
    wb.save(target)


def write_backup(store, target: Path, note: str) -> int:
    """A zip of the collection: desk.sqlite copied consistently (SQLite's backup, while the desk runs), every
    kept file, and 说明.txt. Returns how many files it holds."""
    snapshot = target.with_suffix(".sqlite")
    src = sqlite3.connect(store.db)
    dst = sqlite3.connect(snapshot)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.write(snapshot, "desk.sqlite")
        zf.writestr("说明.txt", note)
        for path in sorted(store.files.rglob("*")):
            if path.is_file() and store.staging not in path.parents:
                zf.write(path, str(Path("files") / path.relative_to(store.files)))
                count += 1
    snapshot.unlink()
    return count
