"""Errors that reach a clerk: a message code and its parameters, rendered in Chinese or English.

The class says what kind of stop it is, and the command line's one table (gkxl.cli.policy.EXIT_CODES) turns
the class into an exit code: a `UsageError` is the command given wrongly (a bad option, an output that is an
input, a units list that cannot be used); any other `GkxlError` is a problem found in the inputs.
"""
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
        return _rebuild, (type(self), self.message.code, self.message.params)


class UsageError(GkxlError):
    """The command was given wrongly: what to change is in the message (exit code 2)."""


def _rebuild(cls: type, code: str, params: dict) -> GkxlError:
    return cls(code, **params)
