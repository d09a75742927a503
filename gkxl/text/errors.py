"""Errors that reach a clerk: a message code and its parameters, rendered in Chinese or English."""
from __future__ import annotations

from gkxl.text.messages import Message


class GkxlError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.message = Message(code, **params)

    @property
    def code(self) -> str:
        return self.message.code

    @property
    def params(self) -> dict:
        return self.message.params

    def render(self, lang: str = "zh") -> str:
        return self.message.render(lang)

    def __str__(self) -> str:
        return self.render("zh")

    def __reduce__(self):
        return _rebuild, (self.message.code, self.message.params)


def _rebuild(code: str, params: dict) -> GkxlError:
    return GkxlError(code, **params)
