"""The canonical report: metadata plus one value per cell key. Every input and output converts through it.

A value is what was read, never repaired: an int or float for a number, a str for text (also text found
in a number cell, such as "3件"), None for a blank. Checking decides what is wrong with it.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from gkxl.form import spec as specmod
from gkxl.text.errors import GkxlError
from gkxl.text.invisible import visible

MODEL_ID = "gkxl-report/1"


@dataclass
class Report:
    format: str = specmod.DEFAULT_SPEC          # spec id, e.g. gk2021
    template_version: str | None = None
    unit: object = None
    unit_code: object = None
    year: object = None
    values: dict[str, object] = field(default_factory=dict)
    source: dict = field(default_factory=dict)  # where it came from: path, file_type, saved_at, metadata, ...
    spec: specmod.Spec = field(default=None, repr=False, compare=False)   # the form it is read in (not in JSON)

    def __post_init__(self):
        # the spec travels with the report; only a shipped form can be found by its id alone
        if self.spec is None:
            self.spec = specmod.load(self.format)
        elif self.spec.id != self.format:
            raise ValueError(f"report in {self.format} given the spec {self.spec.id}")

    def to_dict(self) -> dict:
        d = {"model": MODEL_ID, "format": self.format, "template_version": self.template_version,
             "unit": self.unit, "unit_code": self.unit_code, "year": self.year, "values": self.values}
        if self.source:
            d["source"] = self.source
        return d

    def to_json(self) -> str:
        from gkxl.text.jsonout import dumps
        return dumps(self.to_dict())

    @classmethod
    def from_dict(cls, d: dict, specs: tuple[specmod.Spec, ...] | None = None) -> Report:
        """A report from JSON, in one of `specs` (the shipped forms by default). Wrong types of values are kept
        for checking to report; a wrong shape is refused."""
        if not isinstance(d, dict) or d.get("model") != MODEL_ID:
            raise GkxlError("model.not_report")
        fmt = d.get("format") or specmod.DEFAULT_SPEC
        spec = next((s for s in specs or specmod.shipped() if s.id == fmt), None) if isinstance(fmt, str) else None
        if spec is None:
            raise GkxlError("model.unknown_format", format=fmt)
        values, source = d.get("values") or {}, d.get("source") or {}
        meta = [d.get(k) for k in ("template_version", "unit", "unit_code", "year")]
        if not isinstance(values, dict) or not isinstance(source, dict) \
                or not all(_scalar(v) for v in [*values.values(), *meta]):
            raise GkxlError("model.bad_shape")
        return cls(fmt, *meta, values=dict(values), source=source, spec=spec)

    @classmethod
    def from_json_file(cls, path: Path, specs: tuple[specmod.Spec, ...] | None = None) -> Report:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as e:
            raise GkxlError("model.bad_json", detail=e.strerror or str(e)) from None  # shown in English only
        except UnicodeDecodeError:
            raise GkxlError("model.bad_json", detail="not UTF-8") from None
        return cls.from_dict(loads(text), specs)

    @classmethod
    def blank(cls, spec: specmod.Spec, **meta) -> Report:
        """The figures of an untouched template: every number 0, texts empty."""
        values = {c.key: (0 if c.numeric else None) for c in spec.value_cells}
        return cls(spec.id, spec.version, values=values, spec=spec, **meta)


def _scalar(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def loads(text: str):
    """json.loads that refuses NaN/Infinity and pathological nesting with a clerk-readable error."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as e:
        raise GkxlError("model.bad_json", detail=str(e)[:200] or type(e).__name__) from None


_SEAL = ("(盖章)", "(公章)", "(章)")


def unit_key(name) -> str:
    """Unit names compare equal across full/half-width forms, spaces, invisible characters and a
    trailing "(盖章)" that some offices type after the name."""
    s = "".join(visible(unicodedata.normalize("NFKC", str(name or ""))).split())
    for seal in _SEAL:
        s = s.removesuffix(seal)
    return s


def _value_schema(cell: specmod.Cell, spec: specmod.Spec, nullable: bool = False) -> dict:
    """A cell's JSON Schema, from the limits of its type in the spec (the checks follow the same limits)."""
    title = f"{cell.where} {cell.label}"
    if not cell.numeric and cell.type != "year":
        return {"title": title, "type": ["string", "null"]}
    limits = spec.types[cell.type]
    json_type = "integer" if limits.get("integer") else "number"
    schema = {"title": title, "type": [json_type, "null"] if nullable else json_type}
    for name in ("minimum", "maximum"):
        if name in limits:
            schema[name] = limits[name]
    return schema


@cache
def json_schema(spec: specmod.Spec) -> dict:
    """JSON Schema of a complete, well-typed report in this format (balancing rules are checked apart).
    The value checks (gkxl.checks.values) follow the same limits of the spec's types; a test holds the two
    to the same verdicts."""
    props = {c.key: _value_schema(c, spec) for c in spec.value_cells}
    required = [c.key for c in spec.value_cells if c.numeric]
    values = {"type": "object", "properties": props, "required": required, "additionalProperties": False}
    rows_given = []
    for cell in spec.group_cells.values():
        # a group published as one row (（六）其他处理): its figure is optional; where it is given, its rows may be blank
        props[cell.key] = _value_schema(cell, spec, nullable=True)
        strict = {k: props[k] for k in cell.parts}
        props.update({k: _value_schema(spec.cells[k], spec, nullable=True) for k in cell.parts})
        rows_given.append({"if": {"properties": {cell.key: {"type": "null"}}},
                           "then": {"properties": strict, "required": list(cell.parts)}})
        required = [k for k in required if k not in strict]
    values["required"] = required
    if rows_given:
        values["allOf"] = rows_given
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{MODEL_ID}/{spec.id}",
        "title": f"{spec.name}（{spec.basis}）",
        "type": "object",
        "required": ["model", "format", "unit", "year", "values"],
        "properties": {
            "model": {"const": MODEL_ID},
            "format": {"const": spec.id},
            "template_version": {"type": ["string", "null"]},
            "unit": {"title": "单位名称", "type": "string", "minLength": 1, "pattern": r"\S"},
            "unit_code": {"title": "单位代码", "type": ["string", "null"]},
            "year": {"title": "报告年度", "type": "integer", "minimum": spec.years[0], "maximum": spec.years[1]},
            "values": values,
            "source": {"type": "object"},
        },
        "additionalProperties": False,
    }
