"""Who and which year, from a title or a file name: the one reading for workbooks and published reports.

A title reads "卫滨区司法局2024年政府信息公开工作年度报告", or in letter form "XX局关于2021年度政府信息公开工作的
报告"; a file name "卫滨区司法局_2025.xlsx". The unit is what stands before the year (or, without a year, before
政府信息公开 / 年度报告), with 关于 and the brackets of a title taken off.
"""
from __future__ import annotations

import re

YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
TITLE_WORDS = re.compile(r"政府信息公开|年度报告|统计表")
TITLE_MAX = 80             # a title is one line; a narrative that mentions a year is not a title
_TAIL = re.compile(r"(政府)?信息公开.*$|(工作)?年度?报告.*$|统计表.*$")
_EDGE = " 　:：-—_《》\"“”'‘’#*"
UNIT_END = re.compile(r"(局|委员会|委|办公室|办|院|政府|厅|署|部|会|所|站|队|中心|馆|处|室|镇|乡|街道|办事处|公司|学校|医院)$")
_FILE_NOISE = re.compile(r"(关于)|((政府)?信息公开.*$)|(年度?报告?.*$)|(统计表|报表|年报|数据|填报)")


def year_in(text) -> int | None:
    """The one year a text names (the first, when it names several)."""
    m = YEAR.search(str(text or ""))
    return int(m.group(1)) if m else None


def is_title(text: str) -> bool:
    """A line that reads as the title of a return or report: short, with a year and a title word."""
    return len(text) <= TITLE_MAX and YEAR.search(text) is not None and TITLE_WORDS.search(text) is not None


def title_identity(raw: str) -> tuple[str | None, int | None]:
    """(unit, year) a title states; None for what it does not."""
    s = " ".join(str(raw or "").split()).strip(_EDGE)
    m = YEAR.search(s)
    if m is None:
        return _unit(s), None
    after = re.sub(r"^\s*年度?", "", s[m.end():])
    return _unit(s[:m.start()]) or _unit(after), int(m.group(1))


def _unit(part: str) -> str | None:
    part = _TAIL.sub("", part).strip(_EDGE)
    part = re.sub(r"^关于|关于$", "", part).strip(_EDGE)
    if not part or any(ch in part for ch in "《》，。；;") or part.startswith(("根据", "按照", "依据", "本报告")):
        return None             # a sentence, not a body's name
    return part


def file_name_identity(name: str) -> tuple[str | None, int | None]:
    """A unit and a year the file's name states plainly (卫滨区司法局_2025.xlsx), or None for each."""
    stem = re.sub(r"\.[A-Za-z0-9]{2,5}$", "", name)
    years = set(YEAR.findall(stem))
    year = int(years.pop()) if len(years) == 1 else None
    unit = None
    for chunk in re.split(r"[_\-—\s.（）()【】\[\]]+", YEAR.sub(" ", stem)):
        chunk = _FILE_NOISE.sub("", chunk)
        if len(chunk) >= 3 and UNIT_END.search(chunk):
            unit = chunk
            break
    return unit, year
