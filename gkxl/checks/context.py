"""What a check may know besides the report: one signature for every check, `(report, context) -> findings`.

The context is made by whoever read the report (gkxl.actions.check): the form as this report gives it, the
year asked for, last year's returns, and what the reader could not place. Checks never read files and never
read each other's findings; what two of them need alike is computed once, from the report, by `once`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gkxl.findings.finding import Finding
from gkxl.form import groups
from gkxl.form.model import Report
from gkxl.form.spec import RuleInstance, Spec


@dataclass
class Context:
    spec: Spec                                  # the form as the report gives it (a row group as one row)
    year: int | None = None                     # the report year asked for (--year)
    previous: tuple[Report, ...] = ()           # last year's returns, any units (matched by unit)
    recompute: bool = False                     # totals are the template's formulas: recomputed from the inputs
    formulas: tuple[RuleInstance, ...] = ()     # totals that are formulas in the file, how each is computed
    skipped_sheets: frozenset[str] = frozenset()   # sheets the reader could not read: not checked
    unread: frozenset[str] = frozenset()        # keys the reader could not place: not checked
    said: frozenset[str] = frozenset()          # finding types the reader has said already (ID-unit, ID-year)
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def via(self) -> tuple[RuleInstance, ...]:
        """How the totals that follow their parts are computed, in the order they can be: every total of a
        gkxl template (its formulas are the spec's rules); those a foreign workbook computes by a formula of
        the spec's sum; none in published figures (JSON, a parsed report), where a total is a figure."""
        return tuple(self.spec.derive_order) if self.recompute else self.formulas

    @classmethod
    def of(cls, report: Report, **known) -> Context:
        return cls(groups.view(report.spec, report.values), **known)

    def once(self, compute: Callable, report: Report):
        """compute(report, self), computed once per report and context."""
        if compute not in self._memo:
            self._memo[compute] = compute(report, self)
        return self._memo[compute]


@dataclass(frozen=True)
class Check:
    """One concern, the finding types it may raise, and how it runs. `types` are catalogue ids, or a
    function of the spec for types that are the spec's own rules."""
    name: str
    run: Callable[[Report, Context], list[Finding]]
    types: tuple[str, ...] | Callable[[Spec], tuple[str, ...]]

    def types_for(self, spec: Spec) -> tuple[str, ...]:
        return self.types(spec) if callable(self.types) else self.types
