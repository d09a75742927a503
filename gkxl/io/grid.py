"""A sheet's values by zero-based position, as python-calamine gives them."""
from __future__ import annotations


class Cells:
    """Rows of values from to_python(skip_empty_area=False), which starts at A1 whatever the sheet's first
    used cell, so positions need no offset. Outside the rows a cell reads as ""."""

    def __init__(self, rows: list[list]):
        self.rows = rows

    def get(self, row: int, col: int):
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return ""
