"""The catalogue of finding types: every kind of thing gkxl can say about a return or a document.

Each type has a stable id, a severity, and a description in Chinese and English. The balancing rules
and the cross-year rules are not listed here: they are data in the form spec (templates/*.json) and
join the catalogue through `types_of(spec)`. README's table of checks is generated from this module
(`markdown_table`), and a test fails when the two differ.
"""
from __future__ import annotations

from dataclasses import dataclass

from gkxl.text.messages import text

# The one policy of severities: what they are, in the order they are counted and shown, and their words
# (the message catalogue's out.severity.*), for the CLI, the annotated copy, the desk and README alike.
SEVERITIES = ("error", "warning", "info")


def severity_word(severity: str, lang: str = "zh") -> str:
    return text(f"out.severity.{severity}", lang)


@dataclass(frozen=True)
class FindingType:
    id: str
    severity: str                 # error | warning | info
    zh: str                       # what it means, for the README and the desk
    en: str
    origin: str = "check"         # check | parse | audit


_CHECKS = [
    FindingType("V-blank", "error", "应填数字的格子是空的（没有发生的要填 0）", "a number cell is blank (enter 0 when there was none)"),
    FindingType("V-unpublished", "warning", "公开报告中应有数字的格子没有数字（空白或“-”“/”“—”“无”）：不当作 0，涉及的等式不核对",
                "a published report gives no figure in a cell (blank, “-”, “/”, “—”, “无”): not read as 0, its equations not checked"),
    FindingType("V-text", "error", "数字格里是文字，如“无”“—”“3件”“251000元”、全角数字；从不当作 0，只提示可能想填的数",
                "text in a number cell (“无”, “—”, “3件”, full-width digits); never read as 0, only a hint of the number meant"),
    FindingType("V-negative", "error", "负数（2019 年版的“本年增/减”除外）", "a negative number (except the 2019 format's 本年增/减)"),
    FindingType("V-decimal", "error", "件数有小数", "a count with decimals"),
    FindingType("V-decimals", "warning", "金额（万元）超过 6 位小数（公开报告精确到分，即 6 位）",
                "an amount in 万元 with more than 6 decimals (reports are exact to the fen: 6 decimals)"),
    FindingType("V-finite", "error", "数字不是有限的数或大得不合理（NaN、无穷大、超过 10 亿）",
                "a number that is not finite or absurdly large (NaN, infinity, over 10^9)"),
    FindingType("V-type", "error", "文字格或年度格里的值类型不对（如单位名称是数字）", "a value of the wrong type in a text or year cell"),
    FindingType("V-formula", "error", "合计等格子是没有保存计算结果的公式，且超出 gkxl 能计算的范围（SUM、加减、数字、单元格引用），或循环引用、引用了错误值",
                "a formula without a stored result that gkxl cannot evaluate (beyond SUM, + and −, numbers and cell references; circular; an error value)"),
    FindingType("V-key", "error", "数据（JSON）中有本格式没有的项目", "the data (JSON) has an item this format does not have"),
    FindingType("ID-unit", "error", "单位名称未填", "the unit name is blank"),
    FindingType("ID-year", "error", "报告年度未填、不是年份，或与 --year 要求的年度不符", "the report year is blank, not a year, or not the one --year asks for"),
    FindingType("ID-code", "warning", "单位代码不是有效的统一社会信用代码（18 位，校验位按 GB 32100-2015）",
                "the unit code is not a valid unified social credit code (18 characters, GB 32100-2015 check character)"),
    FindingType("ID-version", "error", "用的是旧版本模板", "an old template version"),
    FindingType("ID-renamed", "warning", "表内单位名称与下发模板不同（按下发模板的单位认定，名称改动请核实）",
                "the unit name in the table differs from the issued template's (the issued unit is taken; check the change)"),
    FindingType("ID-untouched", "warning", "所有数字都是 0，填报人等联系信息也空着：像是原样退回的空白模板",
                "every figure is 0 and the contact fields are blank: a blank template sent back untouched?"),
    FindingType("STRUCT-title", "warning", "表格标题被改动或清除（按行列标题照常读取）",
                "a table's title changed or cleared (read by its row and column labels all the same)"),
    FindingType("STRUCT-hidden", "error", "表格的数字读自隐藏的工作表、行或列：页面上看不到，请取消隐藏后核对",
                "a table's figures were read from a hidden sheet, row or column: not seen on the page; unhide and check"),
    FindingType("STRUCT-lookalike", "error", "工作表名与官方表名只差看不见的字符（如零宽空格）：可能是为冒充而复制的表",
                "a sheet named like an official one but for characters no one sees (a zero-width space): a look-alike copy?"),
    FindingType("V-shown", "error", "单元格的数字格式使它显示的不是它的数（如格式“\"4\"”、“;;;”、日期、百分比）",
                "the cell's number format shows something other than its figure (a format of \"4\", ;;;, a date, a percentage)"),
    FindingType("STRUCT-sheet", "error", "工作表被删除或改名", "a sheet was deleted or renamed"),
    FindingType("STRUCT-label", "error", "gkxl 模板的表格文字被改动（此时该表的数字不再校验；只是插入或删除了行列的按 STRUCT-moved 读取）",
                "a label of a gkxl template was changed (that table's figures are then not checked; inserted or deleted rows are read as STRUCT-moved)"),
    # workbooks in the official layout not made from a gkxl template, read by their labels (issue 9)
    FindingType("STRUCT-table", "error", "按表格文字没有找到某张表，或同一张表出现了两份（此时该表的数字不读取）",
                "a table was not found by its labels, or it appears twice (its figures are then not read)"),
    FindingType("STRUCT-row", "error", "表格缺少统一格式中的某一行或某一列，或它出现在多处不能确定（这一行或列不读取）",
                "an official row or column is missing, or stands in several places (it is then not read)"),
    FindingType("STRUCT-extra", "warning", "表格中多出不在统一格式中的行或列（如序号列、本地增加的行），未读取",
                "a row or column not in the official format (a 序号 column, a local row); not read"),
    FindingType("STRUCT-moved", "warning", "gkxl 模板的行列被插入或删除过，已按表格文字读取",
                "rows or columns of a gkxl template were inserted or deleted; read by its labels"),
    FindingType("STRUCT-located", "info", "不是 gkxl 模板生成的工作簿：各表按表格文字找到并读取（说明在哪里找到）",
                "a workbook not made from a gkxl template: each table found and read by its labels (where is said)"),
    FindingType("ID-source", "info", "单位名称或年度不在表格的基本信息中，取自标题或文件名",
                "the unit or year is not in an info block of the workbook: taken from a title or the file name"),
    FindingType("ID-format", "warning", "没有区分 2019 年版与 2021 年版的标志文字，按年度或默认格式读取",
                "no marker of the 2019 or 2021 format: read by the year or as the default format"),
    FindingType("ID-format-recognised", "info", "按标志文字识别出格式版本（2021 年版或 2019 年版），不是 gkxl 模板时说明",
                "the format version told by its marker words (said for files that are not gkxl templates)"),
    FindingType("Y-prev", "warning", "（`--previous`）给出的上年报表中没有本单位上一年度的报表，未核对",
                "(`--previous`) no return of this unit for the year before among last year's files: not compared"),
    FindingType("N-six-group", "warning", "公开报告的（六）其他处理只公布了一行，三个子项未知；按该行核对总计",
                "the published report gives （六）其他处理 as one row; its three sub-rows are unknown, the row counts in the totals"),
    FindingType("N-copied", "warning", "（`--previous`）表格数字与上年的报表完全相同（至少 3 个非零）：可能照搬了上年的表格",
                "(`--previous`) every table figure is the same as last year's (3 or more not zero): a copied table?"),
]

_AUDIT = [
    FindingType("X-carry", "error", "（`gkxl audit`）本年 二、上年结转 与上年报告的 四、结转下年度继续办理 不等（逐列）",
                "(`gkxl audit`) this year's 二、上年结转 differs from last year's report's 四、结转下年度继续办理 (per column)", "audit"),
    FindingType("X-stock", "warning", "（`gkxl audit`）现行有效件数 ≠ 上年 + 本年制发 − 本年废止（规章、规范性文件；修订、失效常有，列出四个数）",
                "(`gkxl audit`) documents in force ≠ last year's + issued − repealed (amendments are common: all four figures given)", "audit"),
    FindingType("X-copy", "warning", "（`gkxl audit`）表二至表四与上年的报告完全相同，或两个单位的报告完全相同",
                "(`gkxl audit`) tables 2 to 4 the same as last year's report, or two bodies' reports the same", "audit"),
    FindingType("X-return", "error", "（`gkxl audit`）公开报告中的数与本单位报送的该年度报表不同（每格一条，两处的位置和数）",
                "(`gkxl audit`) a figure of the published report differs from the body's returned workbook (one per cell, both places)", "audit"),
    FindingType("X-missing", "warning", "（`gkxl audit`）单位名单中的单位没有公开报告，或报告没有对应的报表",
                "(`gkxl audit`) a body of the units list with no report, or a report with no return", "audit"),
    FindingType("X-unlisted", "warning", "（`gkxl audit`）报告的发布机关不在单位名单中，未与其他文件对照",
                "(`gkxl audit`) the report's issuer is not on the units list: not linked", "audit"),
]

_PARSE = [
    ("no-title", "warning", "没有找到报告标题", "no report title found"),
    ("unseen", "error", "文档中有页面上看不见的数字（隐藏、白色或在页面之外），未读取；读的是页面上显示的，请核对原文件",
     "the document holds figures its page does not show (hidden, white, off the page): not read; what the page shows is read"),
    ("no-year", "warning", "标题中没有年度", "no year in the title"),
    ("no-unit", "warning", "标题中没有单位名称", "no unit name in the title"),
    ("section-missing", "error", "缺少第一至第六部分中的某一部分", "one of sections 一 to 六 is missing"),
    ("section-reworded", "info", "部分标题与标准文字不同，按标准部分读取", "a section title is reworded; read as the standard one"),
    ("table-missing", "error", "没有找到某张表的数据", "no data found for a table"),
    ("table-outside-section", "warning", "表格数据不在其部分之内，按行文字读取", "a table's rows were found outside its section"),
    ("row-missing", "error", "表格缺少一行", "a table row is missing"),
    ("row-repeated", "error", "同一行出现两次，第二次未读取", "a row appears twice; the second is not read"),
    ("unplaced", "warning", "一行放不进任何表格位置", "a line could not be placed in any table"),
    ("unplaced-text", "warning", "一行文字不属于任何部分", "a line of text outside any section"),
    ("value-count", "error", "一行的数字个数不对，未读取", "a row has the wrong number of figures; not read"),
    ("ambiguous-alignment", "warning", "一行有空白格且位置不能确定", "a row with blanks whose position is uncertain"),
    ("label-fuzzy", "info", "行名与标准文字不完全一致，按最接近的读取", "a row label differs slightly; read as the closest"),
    ("blank", "info", "公布为“-”“/”“无”等，作空白处理（空白不是 0）", "published as “-”, “/”, “无”: read as blank (not 0)"),
    ("unit-removed", "info", "数字带单位或千分位，去掉后读取", "a figure with a unit or thousands separators, read without them"),
    ("yuan-converted", "warning", "金额以元公布，换算为万元", "an amount published in yuan, converted to 万元"),
    ("note-removed", "info", "数字后的括号说明未计入", "a remark in brackets after a figure left out"),
    ("not-number", "error", "公布的值不是数字，留空", "a published value is not a number; left blank"),
    ("total-mismatch", "warning", "公布的合计与明细之和不符", "a published total differs from the sum of its parts"),
    ("group-row", "warning", "某一组只公布了一行，未分子项", "a group published as one row without its sub-rows"),
    ("values-without-label", "error", "一行只有数字、没有行名", "figures without a row label"),
    ("label-without-values", "error", "一行有行名、没有数字", "a row label without figures"),
]

TYPES: dict[str, FindingType] = {t.id: t for t in [*_CHECKS, *_AUDIT]}
TYPES.update({f"P-{name}": FindingType(f"P-{name}", sev, zh, en, "parse") for name, sev, zh, en in _PARSE})


def parse_type(code: str) -> FindingType:
    """The finding type of a parse note code: parse.row_missing -> P-row-missing."""
    return TYPES["P-" + code.split(".", 1)[1].replace("_", "-")]


def types_of(spec) -> list[FindingType]:
    """Every finding type that can be reported for returns in this format, in README order."""
    rules = [FindingType(r.id, r.severity, f"{r.expression}。{r.message['zh']}", r.message["en"]) for r in spec.rules]
    years = {y.id: FindingType(y.id, y.severity, f"（`--previous`）{y.expression}：{y.message['zh']}",
                               f"(`--previous`) {y.message['en']}") for y in spec.year_rules}
    narrative = [FindingType(n.id, "warning", f"（文字与表格）{n.expression}：{n.message['zh']}",
                             f"(text and tables) {n.message['en']}") for n in spec.narrative]
    checks = [t for t in _CHECKS]
    at = next(i for i, t in enumerate(checks) if t.id == "Y-prev")
    return rules + checks[:at] + list(years.values()) + checks[at:] + narrative


HEADERS = {"zh": "| 编号 | 级别 | 含义 |", "en": "| id | severity | meaning |"}


def markdown_table(spec, lang: str = "zh") -> str:
    """The table of checks (docs/checks.md), one line per finding id as the tool prints it."""
    lines = [HEADERS[lang], "|---|---|---|"]
    for t in types_of(spec):
        lines.append(f"| {t.id} | {severity_word(t.severity, lang)} | {t.en if lang == 'en' else t.zh} |")
    return "\n".join(lines)


def parse_markdown_table(lang: str = "zh", origin: str = "parse") -> str:
    lines = [HEADERS[lang], "|---|---|---|"]
    for t in TYPES.values():
        if t.origin == origin:
            lines.append(f"| {t.id} | {severity_word(t.severity, lang)} | {t.en if lang == 'en' else t.zh} |")
    return "\n".join(lines)
