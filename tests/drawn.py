"""Workbooks in the published layout of the 2021 format, drawn the way offices draw them.

Nothing here comes from gkxl: the figures are worked out from FORMAT.md's rules (T3-a, T3-b, T3-c, T4-a),
the tables are laid out from FORMAT.md's description of the published tables (and the sample report
samples/卫滨区司法局_2024年报.txt), and the files are written with openpyxl or xlsxwriter directly. Only the
names of the figures (keys such as "t3.granted.natural") are gkxl's, so that its output can be compared.

Every workbook is made from one integer seed: `draw(seed, variant, folder)` gives the same file, the same
figures and the same record of where each figure was put (sheet name, A1 cell) every time.

    python tests/drawn.py SEED [balanced|changed|typed] [FOLDER]     # writes one workbook, prints its record

This module is plain Python (no pytest); `resave` borrows tests/conftest.py's LibreOffice helper lazily.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

YEAR = 2025

# ---------------------------------------------------------------------------------------------------
# The figures (2021 format), from FORMAT.md
# ---------------------------------------------------------------------------------------------------

APPLICANTS = ["natural", "business", "research", "public_interest", "legal_service", "other"]
T3_COLS = APPLICANTS + ["total"]
LEAVES = [
    "granted", "partial",
    "withheld_secret", "withheld_law", "withheld_security", "withheld_third_party", "withheld_internal",
    "withheld_process", "withheld_enforcement", "withheld_inquiry",
    "unable_not_held", "unable_need_create", "unable_unclear",
    "unhandled_petition", "unhandled_repeated", "unhandled_publication", "unhandled_mass", "unhandled_confirm",
    "otherwise_no_correction", "otherwise_no_fee", "otherwise_other",
]
T3_ROWS = ["new", "carried", *LEAVES, "total", "carry_next"]
T4_ROWS = ["review", "suit_direct", "suit_after_review"]
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]
T2_KEYS = ["t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force",
           "t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force",
           "t2.license.decisions", "t2.penalty.decisions", "t2.coercion.decisions", "t2.fees.amount"]

#: every total: 表三's 总计 column, its （七）总计 row, 表四's three 总计
T3_TOTALS = [f"t3.{r}.total" for r in T3_ROWS] + [f"t3.total.{c}" for c in APPLICANTS]
T4_TOTALS = [f"t4.{r}.total" for r in T4_ROWS]
TOTALS = T3_TOTALS + T4_TOTALS
#: 表三's inputs: 24 rows x 6 applicant columns
T3_INPUTS = [f"t3.{r}.{c}" for r in T3_ROWS if r != "total" for c in APPLICANTS]


def all_keys() -> list[str]:
    return (T2_KEYS + [f"t3.{r}.{c}" for r in T3_ROWS for c in T3_COLS]
            + [f"t4.{r}.{c}" for r in T4_ROWS for c in T4_COLS])


def _count(rng: random.Random, profile: str, high: int) -> int:
    if profile == "zeros":
        return 0
    if profile == "sparse":
        return rng.randint(1, 6) if rng.random() < 0.15 else 0
    if profile == "large":
        return rng.randint(0, 5000) if rng.random() < 0.6 else rng.randint(0, 9)
    return rng.randint(0, high)          # dense


def _fee(rng: random.Random, profile: str) -> float | int:
    if profile == "zeros" or rng.random() < 0.25:
        return 0
    decimals = rng.choice([0, 2, 4, 6, 6])
    whole = rng.choice([10, 1000, 100000])
    if decimals == 0:
        return rng.randint(1, whole)
    n = rng.randint(1, whole * 10 ** decimals)
    return round(n / 10 ** decimals, decimals)


def balanced_figures(rng: random.Random, profile: str | None = None, high: int = 40) -> dict:
    """A balanced set of 2021-format figures, {gkxl key: value}: T3-a, T3-b, T3-c and T4-a hold exactly,
    every count is a whole number >= 0, the fee is in 万元 with up to 6 decimals."""
    profile = profile or rng.choices(["zeros", "sparse", "dense", "large"], [1, 4, 10, 3])[0]
    v: dict = {}
    # Table 2: no arithmetic
    for key in T2_KEYS[:-1]:
        v[key] = _count(rng, profile, high)
    v["t2.fees.amount"] = _fee(rng, profile)
    # Table 3, one applicant column at a time
    for col in APPLICANTS:
        for leaf in LEAVES:
            v[f"t3.{leaf}.{col}"] = _count(rng, profile, high)
        done = sum(v[f"t3.{leaf}.{col}"] for leaf in LEAVES)           # T3-b
        v[f"t3.total.{col}"] = done
        v[f"t3.carry_next.{col}"] = _count(rng, profile, high)
        owed = done + v[f"t3.carry_next.{col}"]                           # 一 + 二 = （七） + 四  (T3-c)
        carried = 0 if profile == "zeros" else rng.randint(0, owed)
        v[f"t3.carried.{col}"] = carried
        v[f"t3.new.{col}"] = owed - carried
    for row in T3_ROWS:                                                   # T3-a
        v[f"t3.{row}.total"] = sum(v[f"t3.{row}.{c}"] for c in APPLICANTS)
    # Table 4: T4-a per block
    for row in T4_ROWS:
        parts = [_count(rng, profile, high) for _ in range(4)]
        for col, n in zip(T4_COLS[:4], parts):
            v[f"t4.{row}.{col}"] = n
        v[f"t4.{row}.total"] = sum(parts)
    return v


def rule_breaks(v: dict) -> list[str]:
    """The rules a set of figures breaks (empty for balanced figures): FORMAT.md's equations, by hand."""
    out = []
    for row in T3_ROWS:
        if v[f"t3.{row}.total"] != sum(v[f"t3.{row}.{c}"] for c in APPLICANTS):
            out.append(f"T3-a[{row}]")
    for col in T3_COLS:
        if v[f"t3.total.{col}"] != sum(v[f"t3.{leaf}.{col}"] for leaf in LEAVES):
            out.append(f"T3-b[{col}]")
        if v[f"t3.new.{col}"] + v[f"t3.carried.{col}"] != v[f"t3.total.{col}"] + v[f"t3.carry_next.{col}"]:
            out.append(f"T3-c[{col}]")
    for row in T4_ROWS:
        if v[f"t4.{row}.total"] != sum(v[f"t4.{row}.{c}"] for c in T4_COLS[:4]):
            out.append(f"T4-a[{row}]")
    bad = [k for k, x in v.items() if k.startswith(("t3.", "t4.")) and (not isinstance(x, int) or x < 0)]
    return out + [f"negative-or-fraction[{k}]" for k in bad]


# ---------------------------------------------------------------------------------------------------
# The labels, typed from FORMAT.md
# ---------------------------------------------------------------------------------------------------

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
L1_DONE = "三、本年度办理结果"
# (key, level 1, level 2, level 3)
T3_LABELS = [
    ("new", "一、本年新收政府信息公开申请数量", None, None),
    ("carried", "二、上年结转政府信息公开申请数量", None, None),
    ("granted", L1_DONE, "（一）予以公开", None),
    ("partial", L1_DONE, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("withheld_secret", L1_DONE, "（三）不予公开", "1.属于国家秘密"),
    ("withheld_law", L1_DONE, "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("withheld_security", L1_DONE, "（三）不予公开", "3.危及“三安全一稳定”"),
    ("withheld_third_party", L1_DONE, "（三）不予公开", "4.保护第三方合法权益"),
    ("withheld_internal", L1_DONE, "（三）不予公开", "5.属于三类内部事务信息"),
    ("withheld_process", L1_DONE, "（三）不予公开", "6.属于四类过程性信息"),
    ("withheld_enforcement", L1_DONE, "（三）不予公开", "7.属于行政执法案卷"),
    ("withheld_inquiry", L1_DONE, "（三）不予公开", "8.属于行政查询事项"),
    ("unable_not_held", L1_DONE, "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unable_need_create", L1_DONE, "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unable_unclear", L1_DONE, "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("unhandled_petition", L1_DONE, "（五）不予处理", "1.信访举报投诉类申请"),
    ("unhandled_repeated", L1_DONE, "（五）不予处理", "2.重复申请"),
    ("unhandled_publication", L1_DONE, "（五）不予处理", "3.要求提供公开出版物"),
    ("unhandled_mass", L1_DONE, "（五）不予处理", "4.无正当理由大量反复申请"),
    ("unhandled_confirm", L1_DONE, "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    ("otherwise_no_correction", L1_DONE, "（六）其他处理",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("otherwise_no_fee", L1_DONE, "（六）其他处理",
     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("otherwise_other", L1_DONE, "（六）其他处理", "3.其他"),
    ("total", L1_DONE, "（七）总计", None),
    ("carry_next", "四、结转下年度继续办理", None, None),
]
assert [t[0] for t in T3_LABELS] == T3_ROWS
T3_LEGAL = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
T4_LEAVES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
# (block title, column headers, [(row label, row key)], column keys)
T2_BLOCKS = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
     [("规章", "rules"), ("行政规范性文件", "normative")], ["issued", "repealed", "in_force"]),
    ("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", "license")], ["decisions"]),
    ("第二十条第（六）项", ["本年处理决定数量"], [("行政处罚", "penalty"), ("行政强制", "coercion")], ["decisions"]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", "fees")], ["amount"]),
]
CAPTIONS = {2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
            4: "四、政府信息公开行政复议、行政诉讼情况"}
NOTES = {
    2: ["注：本表统计时限为2025年1月1日至2025年12月31日。", "注：收费金额单位为万元，保留到分。"],
    3: ["注：1.申请人情况按申请人类型分别统计；2.同一申请只计一次。", "注：本表数据截至2025年12月31日。"],
    4: ["注：本表填写以本机关为被申请人、被告的案件数量。", "注：表中数据单位为件。"],
}
UNITS = ["卫滨区司法局", "红旗区教育局", "新乡市自然资源和规划局", "牧野区人民政府办公室", "辉县市卫生健康委员会",
         "获嘉县市场监督管理局", "长垣市财政局", "新乡市生态环境局", "凤泉区农业农村局", "原阳县交通运输局",
         "封丘县人力资源和社会保障局", "卫辉市住房和城乡建设局", "卫滨区胜利路街道办事处", "延津县民政局"]
SHEET_NAMES = [("表1", "表2", "表3"), ("Sheet1", "Sheet2", "Sheet3"), ("表二", "表三", "表四")]
ONE_SHEET_NAMES = ["Sheet1", "统计表", "2025年报表", "表格"]

FULL_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
LABEL_VARIANTS = ["half_brackets", "dun_numbering", "full_digits", "spaced_numbering", "line_breaks",
                  "inner_spaces", "straight_quotes", "ascii_commas"]


class Labeller:
    """Turns an official label into the way this office typed it (the variants chosen for the workbook)."""

    def __init__(self, variants: list[str], rng: random.Random):
        self.v = set(variants)
        self.rng = rng

    def __call__(self, text: str | None, kind: str = "row") -> str | None:
        if text is None:
            return None
        t = text
        if "ascii_commas" in self.v:
            t = t.replace("，", ", ")
        if "straight_quotes" in self.v:
            t = t.replace("“", '"').replace("”", '"')
        m = re.match(r"^(\d)\.(.*)$", t)
        if m:
            digit, rest = m.groups()
            dot = "."
            if "full_digits" in self.v:
                digit, dot = digit.translate(FULL_DIGITS), self.rng.choice([".", "．"])
            if "dun_numbering" in self.v:
                dot = "、"
            if "spaced_numbering" in self.v and dot != "、":
                dot += " "
            t = digit + dot + rest
        if "half_brackets" in self.v:
            t = t.replace("（", "(").replace("）", ")")
        if "spaced_numbering" in self.v:
            t = re.sub(r"^([（(][一二三四五六七八][)）])", r"\1 ", t)
        if kind == "header" and len(t) >= 3:
            mid = len(t) // 2
            if "line_breaks" in self.v and self.rng.random() < 0.6:
                t = t[:mid] + "\n" + t[mid:]
            elif "inner_spaces" in self.v and self.rng.random() < 0.6:
                t = t[:mid] + " " + t[mid:]
        elif kind == "row" and len(t) >= 8:
            if "line_breaks" in self.v and self.rng.random() < 0.35:
                at = self.rng.randint(3, len(t) - 2)
                t = t[:at] + "\n" + t[at:]
            elif "inner_spaces" in self.v and self.rng.random() < 0.2:
                at = self.rng.randint(3, len(t) - 2)
                t = t[:at] + " " + t[at:]
        return t


# ---------------------------------------------------------------------------------------------------
# A sheet being drawn, and the two writers
# ---------------------------------------------------------------------------------------------------

def col_letter(c: int) -> str:
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def a1(r: int, c: int) -> str:
    return f"{col_letter(c)}{r}"


@dataclass
class Formula:
    expr: str                  # without "="
    value: float | int         # what a spreadsheet computes from the cells as written


@dataclass
class Canvas:
    name: str
    cells: dict = field(default_factory=dict)        # (row, col) 1-based -> str | int | float | Formula
    merges: list = field(default_factory=list)       # (r0, c0, r1, c1)

    def put(self, r: int, c: int, value) -> None:
        if value is not None:
            self.cells[(r, c)] = value

    def span(self, r0: int, c0: int, r1: int, c1: int, text, style: str) -> None:
        """A label over rows r0..r1, columns c0..c1: merged, repeated in every cell, or once in the first."""
        if style == "repeated":
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self.put(r, c, text)
            return
        self.put(r0, c0, text)
        if style == "merged" and (r0, c0) != (r1, c1):
            self.merges.append((r0, c0, r1, c1))


def _write_openpyxl(path: Path, canvases: list[Canvas]) -> None:
    import openpyxl
    from openpyxl.styles import Alignment
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wrap = Alignment(wrap_text=True, vertical="center")
    for cv in canvases:
        ws = wb.create_sheet(cv.name)
        for (r, c), v in sorted(cv.cells.items()):
            cell = ws.cell(r, c)
            if isinstance(v, Formula):
                cell.value = "=" + v.expr        # openpyxl stores no value for it
            else:
                cell.value = v
                if isinstance(v, str) and "\n" in v:
                    cell.alignment = wrap
                if isinstance(v, float):
                    cell.number_format = "0.00####"
        for r0, c0, r1, c1 in cv.merges:
            ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    wb.save(path)


def _write_xlsxwriter(path: Path, canvases: list[Canvas]) -> None:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    wrap = wb.add_format({"text_wrap": True, "valign": "vcenter"})
    money = wb.add_format({"num_format": "0.00####"})
    for cv in canvases:
        ws = wb.add_worksheet(cv.name)
        anchors = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in cv.merges}
        covered = {(r, c) for r0, c0, r1, c1 in cv.merges
                   for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(anchors)

        def write(r, c, v, fmt=None, ws=ws):
            if isinstance(v, Formula):
                ws.write_formula(r - 1, c - 1, "=" + v.expr, fmt, v.value)
            elif isinstance(v, str):
                ws.write_string(r - 1, c - 1, v, fmt or (wrap if "\n" in v else None))
            elif isinstance(v, (int, float)):
                ws.write_number(r - 1, c - 1, v, fmt or (money if isinstance(v, float) else None))
        for (r0, c0), (r1, c1) in anchors.items():
            v = cv.cells.get((r0, c0), "")
            ws.merge_range(r0 - 1, c0 - 1, r1 - 1, c1 - 1, "", wrap)
            if v != "":
                write(r0, c0, v, wrap if isinstance(v, str) else None)
        for (r, c), v in sorted(cv.cells.items()):
            if (r, c) in anchors or (r, c) in covered:
                continue
            write(r, c, v)
    wb.close()


# ---------------------------------------------------------------------------------------------------
# The drawing options
# ---------------------------------------------------------------------------------------------------

def draw_options(rng: random.Random) -> dict:
    """How one office draws its workbook: every choice FORMAT.md's "How offices draw the tables" allows."""
    o: dict = {}
    o["totals"] = rng.choice(["typed", "formula_cached", "formula_nocache"])
    o["writer"] = {"formula_cached": "xlsxwriter", "formula_nocache": "openpyxl"}.get(
        o["totals"], rng.choice(["openpyxl", "xlsxwriter"]))
    o["formula_style"] = rng.choice(["SUM", "plus"])
    o["grand_total_by"] = rng.choice(["row", "column"])
    o["header"] = rng.choice(["merged", "repeated", "first"])
    # 表二's single value under a header spread over the three value columns
    o["t2_value"] = rng.choice({"merged": ["merged", "first"], "repeated": ["repeated", "first"],
                                "first": ["first"]}[o["header"]])
    o["t3_label_cols"] = rng.choice([3, 3, 1])
    # 表三's three label columns: merged only in a drawing that merges; a drawing without merges has none at all
    o["t3_labels"] = ("leaf" if o["t3_label_cols"] == 1 else
                      rng.choice(["merged", "repeated", "first"] if o["header"] == "merged" else ["repeated", "first"]))
    o["t3_note"] = rng.random() < 0.7
    o["t3_natural_span"] = rng.choice([2, 3])
    o["t3_total_span"] = rng.choice([2, 3])
    o["t4_review"] = rng.choice(["published", "leaves_high"])
    o["serial"] = rng.random() < 0.35
    o["remarks"] = rng.random() < 0.3
    o["notes"] = rng.random() < 0.35
    o["captions"] = rng.random() < 0.5
    o["layout"] = rng.choice(["one_sheet", "three_sheets"])
    o["sheets"] = ([rng.choice(ONE_SHEET_NAMES)] if o["layout"] == "one_sheet"
                   else list(rng.choice(SHEET_NAMES)))
    o["identity"] = rng.choices(["title", "block", "block+title", "inline", "info_sheet"], [4, 4, 2, 1, 1])[0]
    o["info_sheet_name"] = rng.choice(["封面", "基本情况", "单位信息"])
    o["title_text"] = rng.choice(["{unit}{year}年政府信息公开工作年度报告统计表", "{unit}{year}年政府信息公开工作年度报告"])
    o["block_unit_label"] = rng.choice(["单位名称", "填报单位"])
    o["block_year_text"] = rng.choice(["{year}", "{year}年", "{year}年度", "int"])
    o["unit"] = rng.choice(UNITS)
    o["offsets"] = [(rng.randint(1, 6), rng.randint(1, 4)) for _ in range(3)]
    o["gaps"] = [rng.randint(1, 3) for _ in range(2)]
    o["labels"] = sorted(v for v in LABEL_VARIANTS if rng.random() < (0.1 if v == "ascii_commas" else 0.3))
    o["profile"] = rng.choices(["zeros", "sparse", "dense", "large"], [1, 4, 10, 3])[0]
    return o


def describe(o: dict) -> str:
    keys = ["totals", "writer", "header", "t2_value", "t3_label_cols", "t3_labels", "t3_note", "t3_natural_span",
            "t3_total_span", "t4_review", "serial", "remarks", "notes", "captions", "layout", "sheets",
            "identity", "offsets", "labels", "profile"]
    return ", ".join(f"{k}={o[k]}" for k in keys if k in o)


# ---------------------------------------------------------------------------------------------------
# Drawing the three tables
# ---------------------------------------------------------------------------------------------------

class Drawer:
    def __init__(self, o: dict, written: dict, lab: Labeller, rng: random.Random):
        self.o, self.v, self.lab, self.rng = o, written, lab, rng
        self.cells: dict[str, tuple[str, str]] = {}
        self.typed: set[str] = set()           # totals forced to typed numbers (changed/typed variants)

    # the value of a figure as written: a number, or a formula over the cells as written
    def total_cell(self, key: str, refs: list[tuple[int, int]], cv: Canvas):
        if self.o["totals"] == "typed" or key in self.typed:
            return self.v[key]
        return Formula(self.formula(refs), self.v["_formula_values"][key])

    def formula(self, refs: list[tuple[int, int]]) -> str:
        rows = {r for r, _ in refs}
        cols = {c for _, c in refs}
        contiguous = (len(rows) == 1 and max(cols) - min(cols) + 1 == len(refs)) or \
                     (len(cols) == 1 and max(rows) - min(rows) + 1 == len(refs))
        if self.o["formula_style"] == "SUM" and contiguous:
            return f"SUM({a1(*refs[0])}:{a1(*refs[-1])})"
        return "+".join(a1(r, c) for r, c in refs)

    def record(self, key: str, cv: Canvas, r: int, c: int) -> None:
        self.cells[key] = (cv.name, a1(r, c))

    def notes_and_serial_cols(self, left: int) -> tuple[int | None, int]:
        if self.o["serial"]:
            return left, left + 1
        return None, left

    def caption(self, cv: Canvas, n: int, top: int, left: int, width: int) -> int:
        if self.o["captions"]:
            cv.span(top, left, top, left + width - 1, CAPTIONS[n], "merged" if self.o["header"] == "merged"
                    else "first")
            return top + 1
        return top

    def notes(self, cv: Canvas, n: int, top: int, left: int, width: int) -> int:
        if not self.o["notes"]:
            return top
        lines = NOTES[n][: self.rng.randint(1, 2)]
        for line in lines:
            cv.span(top, left, top, left + width - 1, line, "merged" if self.o["header"] == "merged" else "first")
            top += 1
        return top

    # --- Table 2 -------------------------------------------------------------------------------------
    def table2(self, cv: Canvas, top: int, left: int) -> int:
        o, hs = self.o, self.o["header"]
        width = 4 + o["serial"] + o["remarks"]
        r = self.caption(cv, 2, top, left, width)
        serial, lc = self.notes_and_serial_cols(left)
        vc = [lc + 1, lc + 2, lc + 3]
        rc = lc + 4 if o["remarks"] else None
        n = 0
        for title, heads, rows, cols in T2_BLOCKS:
            cv.span(r, lc, r, lc + 3, self.lab(title, "block"), hs)
            r += 1
            cv.put(r, lc, self.lab("信息内容", "header"))
            if serial:
                cv.put(r, serial, "序号")
            if rc:
                cv.put(r, rc, "备注")
            if len(heads) == 3:
                for c, h in zip(vc, heads):
                    cv.put(r, c, self.lab(h, "header"))
            else:
                cv.span(r, vc[0], r, vc[2], self.lab(heads[0], "header"), hs)
            r += 1
            for label, rk in rows:
                n += 1
                if serial:
                    cv.put(r, serial, n)
                cv.put(r, lc, self.lab(label, "row"))
                for c, ck in zip(vc, cols):
                    key = f"t2.{rk}.{ck}"
                    cv.put(r, c, self.v[key])
                    self.record(key, cv, r, c)
                if len(cols) == 1 and o["t2_value"] == "merged":
                    cv.merges.append((r, vc[0], r, vc[2]))
                elif len(cols) == 1 and o["t2_value"] == "repeated":
                    cv.put(r, vc[1], self.v[key])
                    cv.put(r, vc[2], self.v[key])
                r += 1
        return self.notes(cv, 2, r, left, width)

    # --- Table 3 -------------------------------------------------------------------------------------
    def table3(self, cv: Canvas, top: int, left: int) -> int:
        o, hs = self.o, self.o["header"]
        nl = o["t3_label_cols"]
        width = nl + 7 + o["serial"] + o["remarks"]
        h0 = self.caption(cv, 3, top, left, width)
        h1, h2, d0 = h0 + 1, h0 + 2, h0 + 3
        serial, c = self.notes_and_serial_cols(left)
        lc = list(range(c, c + nl))
        vc = list(range(c + nl, c + nl + 7))
        rc = vc[-1] + 1 if o["remarks"] else None
        # header
        if serial:
            cv.span(h0, serial, h2, serial, "序号", hs)
        if rc:
            cv.span(h0, rc, h2, rc, "备注", hs)
        note = self.lab(T3_NOTE, "row") if o["t3_note"] else None
        if note is not None or hs == "merged":
            cv.span(h0, lc[0], h2, lc[-1], note, hs if note is not None else "merged")
        nat_top = h1 if o["t3_natural_span"] == 2 else h0
        tot_top = h1 if o["t3_total_span"] == 2 else h0
        first = vc[0] if o["t3_natural_span"] == 2 else vc[1]
        last = vc[6] if o["t3_total_span"] == 2 else vc[5]
        cv.span(h0, first, h0, last, self.lab("申请人情况", "header"), hs)
        cv.span(nat_top, vc[0], h2, vc[0], self.lab("自然人", "header"), hs)
        cv.span(h1, vc[1], h1, vc[5], self.lab("法人或其他组织", "header"), hs)
        for col, text in zip(vc[1:6], T3_LEGAL):
            cv.put(h2, col, self.lab(text, "header"))
        cv.span(tot_top, vc[6], h2, vc[6], self.lab("总计", "header"), hs)
        # row labels
        rows = {key: d0 + i for i, key in enumerate(T3_ROWS)}
        if nl == 1:
            for key, l1, l2, l3 in T3_LABELS:
                cv.put(rows[key], lc[0], self.lab(l3 or l2 or l1, "row"))
        else:
            self._t3_label_columns(cv, rows, lc)
        if serial:
            for i, key in enumerate(T3_ROWS, start=1):
                cv.put(rows[key], serial, i)
        # figures
        for key in T3_ROWS:
            r = rows[key]
            for j, col in enumerate(T3_COLS):
                k = f"t3.{key}.{col}"
                if col == "total" and key == "total":
                    refs = ([(r, c) for c in vc[:6]] if o["grand_total_by"] == "row"
                            else [(rows[leaf], vc[6]) for leaf in LEAVES])
                    value = self.total_cell(k, refs, cv)
                elif col == "total":
                    value = self.total_cell(k, [(r, c) for c in vc[:6]], cv)
                elif key == "total":
                    value = self.total_cell(k, [(rows[leaf], vc[j]) for leaf in LEAVES], cv)
                else:
                    value = self.v[k]
                cv.put(r, vc[j], value)
                self.record(k, cv, r, vc[j])
        return self.notes(cv, 3, d0 + len(T3_ROWS), left, width)

    def _t3_label_columns(self, cv: Canvas, rows: dict, lc: list[int]) -> None:
        style = self.o["t3_labels"]
        seen_l1, seen_l2 = set(), set()
        for key, l1, l2, l3 in T3_LABELS:
            r = rows[key]
            if l2 is None:                                  # 一, 二, 四: over all three label columns
                cv.span(r, lc[0], r, lc[2], self.lab(l1, "row"), style)
                continue
            if l1 not in seen_l1:                           # 三、本年度办理结果 down rows 3–24
                seen_l1.add(l1)
                span = [rows[k] for k, a, _, _ in T3_LABELS if a == l1]
                cv.span(min(span), lc[0], max(span), lc[0], self.lab(l1, "row"), style)
            if l3 is None:                                  # （一）（二）（七）: over label columns 2–3
                cv.span(r, lc[1], r, lc[2], self.lab(l2, "row"), style)
                continue
            if l2 not in seen_l2:
                seen_l2.add(l2)
                span = [rows[k] for k, _, b, _ in T3_LABELS if b == l2]
                cv.span(min(span), lc[1], max(span), lc[1], self.lab(l2, "row"), style)
            cv.put(r, lc[2], self.lab(l3, "row"))

    # --- Table 4 -------------------------------------------------------------------------------------
    def table4(self, cv: Canvas, top: int, left: int) -> int:
        o, hs = self.o, self.o["header"]
        width = 15 + o["serial"] + o["remarks"]
        h0 = self.caption(cv, 4, top, left, width)
        h1, h2, d = h0 + 1, h0 + 2, h0 + 3
        serial, c = self.notes_and_serial_cols(left)
        vc = list(range(c, c + 15))
        rc = vc[-1] + 1 if o["remarks"] else None
        if serial:
            cv.span(h0, serial, h2, serial, "序号", hs)
            cv.put(d, serial, 1)
        if rc:
            cv.span(h0, rc, h2, rc, "备注", hs)
        leaves = [self.lab(t, "header") for t in T4_LEAVES]
        if o["t4_review"] == "published":
            cv.span(h0, vc[0], h1, vc[4], self.lab("行政复议", "header"), hs)
            for col, t in zip(vc[:5], leaves):
                cv.put(h2, col, t)
        else:
            cv.span(h0, vc[0], h0, vc[4], self.lab("行政复议", "header"), hs)
            for col, t in zip(vc[:5], leaves):
                cv.span(h1, col, h2, col, t, hs)
        cv.span(h0, vc[5], h0, vc[14], self.lab("行政诉讼", "header"), hs)
        cv.span(h1, vc[5], h1, vc[9], self.lab("未经复议直接起诉", "header"), hs)
        cv.span(h1, vc[10], h1, vc[14], self.lab("复议后起诉", "header"), hs)
        for col, t in zip(vc[5:], leaves * 2):
            cv.put(h2, col, t)
        for b, row in enumerate(T4_ROWS):
            cols = vc[5 * b: 5 * b + 5]
            for col, ck in zip(cols, T4_COLS):
                k = f"t4.{row}.{ck}"
                value = (self.total_cell(k, [(d, x) for x in cols[:4]], cv) if ck == "total" else self.v[k])
                cv.put(d, col, value)
                self.record(k, cv, d, col)
        return self.notes(cv, 4, d + 1, left, width)

    # --- identity ------------------------------------------------------------------------------------
    def identity(self, cv: Canvas, top: int, left: int) -> int:
        o = self.o
        unit = o["unit"]
        title = o["title_text"].format(unit=unit, year=YEAR)
        kind = o["identity"]
        hs = "merged" if o["header"] == "merged" else "first"
        if kind in ("title", "block+title"):
            cv.span(top, left, top, left + 7, title, hs)
            top += 2 if kind == "title" else 1
        if kind in ("block", "block+title", "info_sheet"):
            year = YEAR if o["block_year_text"] == "int" else o["block_year_text"].format(year=YEAR)
            cv.put(top, left, o["block_unit_label"])
            cv.put(top, left + 1, unit)
            cv.put(top + 1, left, "报告年度")
            cv.put(top + 1, left + 1, year)
            top += 3
        if kind == "inline":
            cv.put(top, left, f"填报单位：{unit}    报告年度：{YEAR}年")
            top += 2
        return top


def compute_formula_values(w: dict, grand_total_by: str) -> dict:
    """What each total's formula gives over the figures as written (as Excel would store it)."""
    out = {}
    for row in T3_ROWS:
        if row != "total":
            out[f"t3.{row}.total"] = sum(w[f"t3.{row}.{c}"] for c in APPLICANTS)
    for col in APPLICANTS:
        out[f"t3.total.{col}"] = sum(w[f"t3.{leaf}.{col}"] for leaf in LEAVES)
    out["t3.total.total"] = (sum(w[f"t3.total.{c}"] for c in APPLICANTS) if grand_total_by == "row"
                             else sum(w[f"t3.{leaf}.total"] for leaf in LEAVES))
    for row in T4_ROWS:
        out[f"t4.{row}.total"] = sum(w[f"t4.{row}.{c}"] for c in T4_COLS[:4])
    return out


# ---------------------------------------------------------------------------------------------------
# One workbook
# ---------------------------------------------------------------------------------------------------

VARIANTS = ("balanced", "changed", "typed")


@dataclass
class Drawn:
    path: Path
    seed: int
    variant: str
    options: dict
    figures: dict                     # the balanced figures the workbook was made from
    written: dict                     # what the sender's cells say (figures, with the mutation applied)
    cells: dict                       # key -> (sheet name, A1)
    mutation: dict | None = None      # {"key", "from", "to", "sheet", "cell"}

    def where(self, key: str) -> str:
        s, c = self.cells[key]
        return f"{s}!{c}"

    def explain(self) -> str:
        m = ""
        if self.mutation:
            mu = self.mutation
            m = f"; {self.variant}: {mu['key']} at {mu['sheet']}!{mu['cell']} {mu['from']} -> {mu['to']}"
            if mu.get("feeds"):
                m += (f" (the formula total {mu['feeds']} at {self.where(mu['feeds'])} sums it, so it follows to "
                      f"{self.written[mu['feeds']]})")
        return (f"seed={self.seed} variant={self.variant} file={self.path.name}{m}\n  options: "
                f"{describe(self.options)}\n  reproduce: python tests/drawn.py {self.seed} {self.variant} /tmp/x")


def draw(seed: int, variant: str, folder: Path, name: str | None = None) -> Drawn:
    """Draw workbook `seed` (balanced, one changed 表三 input, or one typed-over total) into `folder`."""
    assert variant in VARIANTS, variant
    o = draw_options(random.Random(f"{seed}:options"))
    figures = balanced_figures(random.Random(f"{seed}:figures"), o["profile"])
    assert not rule_breaks(figures), rule_breaks(figures)
    written = dict(figures)
    mrng = random.Random(f"{seed}:mutation")
    mutation = None
    forced_typed: set[str] = set()
    if variant == "changed":
        # one 表三 input changed; totals left as they were, so they are typed (a formula would follow it)
        o["totals"] = "typed"
        key = mrng.choice(T3_INPUTS)
        delta = mrng.choice([1, 2, 3, 5, 10])
        new = written[key] - delta if written[key] >= delta and mrng.random() < 0.5 else written[key] + delta
        mutation = {"key": key, "from": written[key], "to": new}
        written[key] = new
    elif variant == "typed":
        key = mrng.choice(TOTALS)
        delta = mrng.choice([1, 2, 4, 7, 10])
        new = written[key] - delta if written[key] >= delta and mrng.random() < 0.5 else written[key] + delta
        mutation = {"key": key, "from": written[key], "to": new}
        written[key] = new
        forced_typed.add(key)
        # the formula total that sums this one, when there is one: it follows the typed-over number
        by = o["grand_total_by"]
        if o["totals"] != "typed" and key != "t3.total.total" and key.startswith("t3.") and (
                (by == "row" and key.startswith("t3.total.")) or
                (by == "column" and key.split(".")[1] in LEAVES)):
            mutation["feeds"] = "t3.total.total"
    formula_values = compute_formula_values(written, o["grand_total_by"])
    if o["totals"] != "typed":        # what the sender's cells say: a formula says what it computes
        written.update({k: x for k, x in formula_values.items() if k not in forced_typed})
    written["_formula_values"] = formula_values
    lab = Labeller(o["labels"], random.Random(f"{seed}:labels"))
    d = Drawer(o, written, lab, random.Random(f"{seed}:layout"))
    d.typed = forced_typed

    canvases: list[Canvas] = []
    if o["identity"] == "info_sheet":
        info = Canvas(o["info_sheet_name"])
        d.identity(info, 1, 1)
        canvases.append(info)
    ident_done = o["identity"] == "info_sheet"
    if o["layout"] == "one_sheet":
        cv = Canvas(o["sheets"][0])
        r, c = o["offsets"][0]
        if not ident_done:
            r = d.identity(cv, r, c)
        r = d.table2(cv, r, c) + o["gaps"][0]
        r = d.table3(cv, r, c) + o["gaps"][1]
        d.table4(cv, r, c)
        canvases.append(cv)
    else:
        for i, (fn, name_) in enumerate(zip((d.table2, d.table3, d.table4), o["sheets"])):
            cv = Canvas(name_)
            r, c = o["offsets"][i]
            if i == 0 and not ident_done:
                r = d.identity(cv, r, c)
            fn(cv, r, c)
            canvases.append(cv)

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"w{seed}_{variant}.xlsx")
    (_write_openpyxl if o["writer"] == "openpyxl" else _write_xlsxwriter)(path, canvases)
    written.pop("_formula_values")
    if mutation:
        mutation["sheet"], mutation["cell"] = d.cells[mutation["key"]]
    assert set(d.cells) == set(all_keys()), set(all_keys()) ^ set(d.cells)
    return Drawn(path, seed, variant, o, figures, written, d.cells, mutation)


_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _cells_of(expr: str) -> list[str]:
    m = re.fullmatch(r"SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", expr)
    if not m:
        return expr.split("+")

    def rc(ref):
        letters, digits = _REF.match(ref).groups()
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        return int(digits), n
    (r0, c0), (r1, c1) = rc(m.group(1)), rc(m.group(2))
    return [a1(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def verify(dr: Drawn) -> list[str]:
    """Read the drawn file back with openpyxl (no gkxl) and say where it does not hold what the record says:
    every figure at its recorded cell, a formula computing it, a cached value only where one was given."""
    import openpyxl
    wb = openpyxl.load_workbook(dr.path)
    cached = openpyxl.load_workbook(dr.path, data_only=True)
    problems = []

    def value(sheet: str, ref: str, depth: int = 0):
        v = wb[sheet][ref].value
        if isinstance(v, str) and v.startswith("=") and depth < 3:
            return sum(value(sheet, x, depth + 1) or 0 for x in _cells_of(v[1:]))
        return v
    for key in all_keys():
        sheet, ref = dr.cells[key]
        got = value(sheet, ref)
        want = dr.written[key]
        if got != want:
            problems.append(f"{key} at {sheet}!{ref}: holds {got!r}, record says {want!r}")
        raw = wb[sheet][ref].value
        if isinstance(raw, str) and raw.startswith("="):
            stored = cached[sheet][ref].value
            expect = want if dr.options["totals"] == "formula_cached" else None
            if stored != expect:
                problems.append(f"{key} at {sheet}!{ref}: cached {stored!r}, expected {expect!r}")
        elif key in TOTALS and dr.options["totals"] != "typed" and not (dr.mutation and dr.mutation["key"] == key):
            problems.append(f"{key} at {sheet}!{ref}: a number where a formula was drawn")
    return problems


def corpus_plan(base_seed: int, balanced: int, changed: int, typed: int) -> list[tuple[int, str]]:
    """(seed, variant) for a corpus: distinct seeds, so every workbook has its own drawing."""
    plan = [(base_seed * 10_000 + i, "balanced") for i in range(balanced)]
    plan += [(base_seed * 10_000 + 3000 + i, "changed") for i in range(changed)]
    plan += [(base_seed * 10_000 + 6000 + i, "typed") for i in range(typed)]
    return plan


def resave(files: list[Path], out_dir: Path, formats=("xls", "ods", "xlsx"), convert=None) -> dict[str, list[Path]]:
    """Re-save `files` with LibreOffice headless in each format, recalculating on load: {format: paths}, each
    format in its own folder out_dir/FORMAT holding nothing else (LibreOffice's profile stays outside)."""
    import shutil
    if convert is None:
        from conftest import libreoffice_convert as convert  # tests/conftest.py
    staging = Path(out_dir) / "_libreoffice"
    out = {}
    for fmt in formats:
        made = convert(list(files), staging, fmt, recalc=True)
        target = Path(out_dir) / fmt
        target.mkdir(parents=True, exist_ok=True)
        out[fmt] = [Path(shutil.move(str(m), str(target / m.name))) for m in made]
    return out


if __name__ == "__main__":
    seed = int(sys.argv[1])
    variant = sys.argv[2] if len(sys.argv) > 2 else "balanced"
    folder = Path(sys.argv[3] if len(sys.argv) > 3 else "/tmp/drawn")
    dr = draw(seed, variant, folder)
    print(dr.explain())
    print(dr.path)
    print(json.dumps({k: [*dr.cells[k], dr.written[k]] for k in all_keys()}, ensure_ascii=False, indent=0))
