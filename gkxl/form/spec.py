"""The form spec: one JSON file per format version (templates/*.json), loaded into plain objects.

Everything else in gkxl (writer, reader, checker, merger, parser, renderer) is driven by what this
module returns; nothing else knows where a cell is or what a rule says.
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from gkxl.form.a1 import a1, col_index, parse_a1, parse_range
from gkxl.text.errors import UsageError

DEFAULT_SPEC = "gk2021"
META_SHEET = "_gkxl"          # the very hidden sheet of a gkxl workbook: template id, version, unit, year
NUMERIC = ("count", "delta", "amount")


@dataclass(frozen=True)
class Label:
    sheet: str
    row: int
    col: int
    text: str
    style: str = "header"
    merge: tuple[int, int, int, int] | None = None

    @property
    def ref(self) -> str:
        return a1(self.row, self.col)


@dataclass(frozen=True)
class Cell:
    key: str
    sheet: str
    row: int
    col: int
    type: str
    label: str                      # full human label, row and column together
    row_label: str = ""
    col_label: str = ""
    merge: tuple[int, int, int, int] | None = None
    meta: str | None = None         # this cell holds report metadata (unit, unit_code, year)
    label_cell: tuple[int, int] | None = None
    height: float | None = None
    defined_by: RuleInstance | None = None   # a total: its value is a formula

    @property
    def ref(self) -> str:
        return a1(self.row, self.col)

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.ref}"

    @property
    def is_input(self) -> bool:
        return self.defined_by is None

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC


@dataclass(frozen=True)
class GroupCell(Cell):
    """One column of a row group published as one row (（六）其他处理 in the 2019 layout): it has no place of
    its own in the workbook and stands for the cells of the group's rows in its column."""
    parts: tuple[str, ...] = ()
    last_row: int = 0

    @property
    def ref(self) -> str:
        return f"{a1(self.row, self.col)}:{a1(self.last_row, self.col)}"


@dataclass(frozen=True)
class RowGroup:
    """Grid rows a published report may give as one row of their sum (the spec's grid `groups`)."""
    key: str                        # the group's row key: its cells are the grid key with {row} = key
    label: str
    finding: str                    # the finding type that says it was published as one row
    rows: list[str]
    cells: list[GroupCell]          # one per grid column, in column order

    @property
    def parts(self) -> list[str]:
        return [k for c in self.cells for k in c.parts]


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    severity: str
    expression: str
    message: dict
    defines: bool = False


@dataclass(frozen=True, eq=False)
class RuleInstance:
    """One equation of a rule, its template variable bound: sum(lhs) == sum(rhs)."""
    rule: Rule
    binding: str          # the value of the rule's `for` variable, '' when it has none
    lhs: list[str]
    rhs: list[str]
    label: str = ""       # row or column label of the binding, for messages
    anchor: str = ""      # the key a failure is reported on

    @property
    def id(self) -> str:
        return f"{self.rule.id}[{self.binding}]" if self.binding else self.rule.id

    @property
    def keys(self) -> list[str]:
        return self.lhs + self.rhs


@dataclass(frozen=True)
class YearRule:
    id: str
    severity: str
    expression: str
    message: dict
    binding: str
    this: str
    last: list[str]
    plus: list[str] = field(default_factory=list)
    minus: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NarrativeRule:
    """Phrases of the narrative sections that state a figure the tables also hold.

    `patterns` capture the number as group `n`; `zero_patterns` are phrases that mean none ("未发生…");
    the number must equal one of `equals`, each a list of cell keys summed (alternatives for wordings
    that offices use in two senses)."""
    id: str
    patterns: list[re.Pattern]
    zero_patterns: list[re.Pattern]
    equals: list[list[str]]
    expression: str
    message: dict


@dataclass(frozen=True, eq=False)
class Sheet:
    name: str
    holds: str                      # info | table | text (the spec file's "kind")
    landscape: bool
    header_rows: tuple[int, int] | None
    freeze: tuple[int, int] | None
    widths: dict[int, float]
    labels: list[Label]
    cells: list[Cell]
    print_setup: dict = field(default_factory=dict)    # the spec's "print": pages_tall (0: as many as needed)


@dataclass(frozen=True)
class Section:
    """One of the six sections of a published report, and where its content lives in the workbook."""
    numeral: str                  # 一 … 六
    title: str                    # 总体情况
    sheet: str | None             # the table sheet of 二, 三, 四
    text: str | None              # the text cell key of 一, 五, 六
    keywords: tuple[str, ...]     # words that identify a reworded heading

    @property
    def heading(self) -> str:
        return f"{self.numeral}、{self.title}"


@dataclass(frozen=True, eq=False)
class Spec:
    id: str
    version: str
    edition: str                               # 2021 or 2019: the notice that fixed this format
    name: str
    basis: str
    years: tuple[int, int]
    recognise: list[str]
    sheets: list[Sheet]
    rules: list[Rule]
    instances: list[RuleInstance]
    year_rules: list[YearRule]
    cells: dict[str, Cell]                     # every cell by key, in sheet order
    types: dict[str, dict]                     # type -> limits, number format, input and refusal texts
    guide: list[tuple[str, str]]               # the template's 填报说明, (heading, text) lines
    sections: list[Section]                  # sections 一 to 六 of a published report
    derive_order: list[RuleInstance] = field(default_factory=list)
    groups: list[RowGroup] = field(default_factory=list)     # row groups (only in published figures)
    narrative: list[NarrativeRule] = field(default_factory=list)   # figures of the text checked against the tables

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    # cached: a spec does not change once built, and the checks ask for these per file
    @cached_property
    def value_cells(self) -> list[Cell]:
        """Cells whose value belongs in Report.values (everything but the metadata cells)."""
        return [c for c in self.cells.values() if c.meta is None]

    @cached_property
    def inputs(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.is_input and c.meta is None]

    @cached_property
    def numeric_inputs(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.is_input and c.numeric]

    @cached_property
    def totals(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.defined_by is not None]

    @cached_property
    def group_cells(self) -> dict[str, GroupCell]:
        return {c.key: c for g in self.groups for c in g.cells}

    def meta_cell(self, name: str) -> Cell | None:
        return next((c for c in self.cells.values() if c.meta == name), None)


def _expand(template: str, var: str, value: str) -> str:
    return template.replace("{" + var + "}", value)


def _build(raw: dict) -> Spec:
    sheets: list[Sheet] = []
    cells: dict[str, Cell] = {}
    groups: list[RowGroup] = []
    for s in raw["sheets"]:
        name = s["name"]
        labels = [Label(name, *parse_a1(l["cell"]), l["text"], l.get("style", "header"),
                        parse_range(l["merge"]) if "merge" in l else None) for l in s["labels"]]
        sheet_cells: list[Cell] = []
        for c in s.get("cells", []):
            row, col = parse_a1(c["cell"])
            sheet_cells.append(Cell(c["key"], name, row, col, c["type"], c["label"], c["label"], "",
                                    parse_range(c["merge"]) if "merge" in c else None, c.get("meta"),
                                    parse_a1(c["label_cell"]) if "label_cell" in c else None, c.get("height")))
        grid = s.get("grid")
        if grid:
            for r in grid["rows"]:
                for k in grid["cols"]:
                    key = grid["key"].replace("{row}", r["key"]).replace("{col}", k["key"])
                    col = col_index(k["col"]) + r.get("offset", 0)
                    sheet_cells.append(Cell(key, name, r["row"] - 1, col, grid["type"],
                                            f"{r['label']} · {k['label']}", r["label"], k["label"]))
            groups += [_row_group(grid, g, name) for g in grid.get("groups", [])]
        for c in sheet_cells:
            if c.key in cells:
                raise UsageError("spec.duplicate_key", key=c.key)
            cells[c.key] = c
        hr = s.get("header_rows")
        sheets.append(Sheet(name, s["kind"], s.get("landscape", False), tuple(hr) if hr else None,
                            parse_a1(s["freeze"]) if "freeze" in s else None,
                            {col_index(k): v for k, v in s.get("widths", {}).items()}, labels, sheet_cells,
                            dict(s.get("print", {}))))

    rules, instances = [], []
    definers: dict[str, RuleInstance] = {}
    for r in raw["rules"]:
        rule = Rule(r["id"], r["severity"], r["expression"], r["message"], r.get("defines", False))
        rules.append(rule)
        var, values = next(iter(r.get("for", {"": [""]}).items()))
        for v in values:
            lhs = [_expand(t, var, v) for t in r["lhs"]]
            rhs = [_expand(t, var, v) for t in r["rhs"]]
            for key in lhs + rhs:
                if key not in cells:
                    raise UsageError("spec.unknown_key", key=key, rule=rule.id)
            first = cells[lhs[0]]
            label = first.row_label if var == "row" else first.col_label if var == "col" else ""
            anchor = _expand(r.get("anchor", r["lhs"][0]), var, v)
            if anchor not in lhs + rhs:
                raise UsageError("spec.unknown_key", key=anchor, rule=rule.id)
            inst = RuleInstance(rule, v, lhs, rhs, label, anchor)
            instances.append(inst)
            if rule.defines and len(lhs) == 1:
                definers.setdefault(lhs[0], inst)

    year_rules = []
    for r in raw.get("previous_year", []):
        var, values = next(iter(r.get("for", {"": [""]}).items()))
        for v in values:
            year_rules.append(YearRule(r["id"], r["severity"], r["expression"], r["message"], v,
                                       _expand(r["this"], var, v), [_expand(t, var, v) for t in r["last"]],
                                       [_expand(t, var, v) for t in r.get("plus", [])],
                                       [_expand(t, var, v) for t in r.get("minus", [])]))

    years = tuple(raw.get("years", (2000, 2100)))
    types = {name: dict(t) for name, t in raw["types"].items()}
    types["year"].setdefault("minimum", years[0])
    types["year"].setdefault("maximum", years[1])
    sections = [Section(x["numeral"], x["title"], x.get("sheet"), x.get("text"), tuple(x.get("keywords", ())))
                for x in raw["sections"]]
    # a total's cell knows the rule that defines it (its formula); the cells are frozen, so it is made anew
    cells = {k: dataclasses.replace(c, defined_by=definers[k]) if k in definers else c for k, c in cells.items()}
    sheets = [dataclasses.replace(sh, cells=[cells[c.key] for c in sh.cells]) for sh in sheets]
    return Spec(raw["id"], raw["version"], raw["edition"], raw["name"], raw.get("basis", ""),
                years, raw.get("recognise", []), sheets, rules, instances,
                year_rules, cells, types, [tuple(g) for g in raw.get("guide", [])], sections,
                derive_order=derive_order(cells), groups=groups,
                narrative=[_narrative_rule(r, cells) for r in raw.get("narrative", [])])


def _row_group(grid: dict, g: dict, sheet: str) -> RowGroup:
    rows = {r["key"]: r for r in grid["rows"]}
    unknown = [r for r in g["rows"] if r not in rows]
    if unknown or g["key"] in rows:
        raise UsageError("spec.unknown_key", key=", ".join(unknown) or g["key"], rule=g["key"])
    first, last = min(rows[r]["row"] for r in g["rows"]), max(rows[r]["row"] for r in g["rows"])

    def key(row: str, col: str) -> str:
        return grid["key"].replace("{row}", row).replace("{col}", col)
    cells = [GroupCell(key(g["key"], k["key"]), sheet, first - 1, col_index(k["col"]), grid["type"],
                       f"{g['label']} · {k['label']}", g["label"], k["label"],
                       parts=tuple(key(r, k["key"]) for r in g["rows"]), last_row=last - 1)
             for k in grid["cols"]]
    return RowGroup(g["key"], g["label"], g["finding"], list(g["rows"]), cells)


def _narrative_rule(r: dict, cells: dict[str, Cell]) -> NarrativeRule:
    for keys in r["equals"]:
        for key in keys:
            if key not in cells:
                raise UsageError("spec.unknown_key", key=key, rule=r["id"])

    def compiled(patterns: list[str], where: str) -> list[re.Pattern]:
        out = []
        for pattern in patterns:
            try:
                out.append(re.compile(pattern))
            except re.error as e:
                raise UsageError("spec.invalid", path=r["id"], where=where, detail=f"{pattern}: {e}") from None
        return out

    patterns = compiled(r.get("patterns", []), "patterns")
    if any("n" not in p.groupindex for p in patterns):     # the schema checks the text; this, the regex
        raise UsageError("spec.invalid", path=r["id"], where="patterns", detail="every pattern needs a group (?P<n>...)")
    return NarrativeRule(r["id"], patterns, compiled(r.get("zero_patterns", []), "zero_patterns"),
                         [list(k) for k in r["equals"]], r.get("expression", ""), r["message"])


def derive_order(cells: dict[str, Cell]) -> list[RuleInstance]:
    """Defining instances in an order where every total is computed after the totals it sums."""
    pending = [c.defined_by for c in cells.values() if c.defined_by is not None]
    done: set[str] = {c.key for c in cells.values() if c.defined_by is None}
    order = []
    while pending:
        ready = [i for i in pending if all(k in done for k in i.rhs)]
        if not ready:
            raise UsageError("spec.cyclic_totals", keys=", ".join(i.lhs[0] for i in pending))
        for i in ready:
            order.append(i)
            done.add(i.lhs[0])
            pending.remove(i)
    return order


def _shipped():
    """The form specs shipped with gkxl: templates/ of the project, packaged as gkxl.templates."""
    return resources.files("gkxl.templates")


@cache
def meta_schema() -> dict:
    return json.loads(_shipped().joinpath("spec.schema.json").read_text(encoding="utf-8"))


@cache
def available() -> tuple[str, ...]:
    return tuple(sorted(p.name[:-5] for p in _shipped().iterdir() if p.name.startswith("gk") and p.name.endswith(".json")))


@cache
def load(spec_id: str = DEFAULT_SPEC) -> Spec:
    """A shipped spec by id (gk2021). A spec file given by the clerk is `load_file`d, and passed on as an
    object: nothing looks it up by id afterwards."""
    if spec_id not in available():
        raise UsageError("spec.not_found", name=spec_id, known="、".join(available()))
    # a shipped spec is held to the meta-schema by the tests (test_house), not at every start of a worker
    return _build(json.loads(_shipped().joinpath(f"{spec_id}.json").read_text(encoding="utf-8")))


@cache
def shipped() -> tuple[Spec, ...]:
    """Every shipped spec, the default first."""
    return tuple(load(i) for i in sorted(available(), key=lambda i: i != DEFAULT_SPEC))


def resolve(name: str) -> Spec:
    """What `--spec` names: a shipped id, or the path of a spec file (….json)."""
    return load_file(Path(name)) if name.endswith(".json") else load(name)


def known(chosen: Spec | None = None) -> tuple[Spec, ...]:
    """The forms a file may be in: `chosen` first (a spec file given with --spec), then the shipped ones
    (one given with a shipped id replaces that shipped one)."""
    if chosen is None:
        return shipped()
    return (chosen, *(s for s in shipped() if s.id != chosen.id))


def load_file(path: Path) -> Spec:
    """A spec file given by path: held to the meta-schema before it is used."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError) as e:
        raise UsageError("spec.unreadable", path=str(path), detail=str(e)) from None
    return _load_text(text, str(path))


def _load_text(text: str, path: str) -> Spec:
    import jsonschema
    try:
        raw = json.loads(text)
    except ValueError as e:
        raise UsageError("spec.unreadable", path=path, detail=str(e)) from None
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(meta_schema()).iter_errors(raw))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise UsageError("spec.invalid", path=str(path), where=where, detail=error.message)
    return _build(raw)
