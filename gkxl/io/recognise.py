"""Which format (form spec) a workbook or a published report is in, told the same way for both: by the
marker words of a format (FORMAT.md: "第二十条第（九）项" is the 2019 format, "逾期未按收费通知要求缴纳费用" the
2021 one); else by the report year; else the first of the forms given (the default). Each way is said as a
finding, so a guess is never silent."""
from __future__ import annotations

from gkxl.findings.finding import Finding
from gkxl.form.spec import Spec
from gkxl.text.labels import normalise


def marked(specs: tuple[Spec, ...], whole: str) -> list[Spec]:
    """The forms whose marker words stand in `whole` (text already normalised)."""
    return [s for s in specs if any(normalise(m) in whole for m in s.recognise)]


def recognise(specs: tuple[Spec, ...], whole: str, year: int | None) -> tuple[Spec, Finding]:
    """The form of a file whose normalised text is `whole` and whose report year (if known) is `year`."""
    found = marked(specs, whole)
    if len(found) == 1:
        return found[0], Finding.of("ID-format-recognised", "format.recognised", format=found[0].edition,
                                    basis=found[0].basis)
    by_year = [s for s in specs if year is not None and s.years[0] <= year <= s.years[1]]
    if len(by_year) == 1:
        return by_year[0], Finding.of("ID-format", "format.by_year", format=by_year[0].edition, year=year)
    return specs[0], Finding.of("ID-format", "format.assumed", format=specs[0].edition)
