"""Errors that reach a clerk: a message code and its parameters, rendered in Chinese or English."""
from __future__ import annotations

from .messages import text


class GkxlError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def render(self, lang: str = "zh") -> str:
        return text(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.render("zh")
