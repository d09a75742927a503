"""Each unit's own address on the desk: /u/<token>, 160 random-looking bits that open that unit's page and
nothing else.

A token is HMAC-SHA256(the collection's secret, unit id and link generation): the database keeps only its
SHA-256 (a copy of desk.sqlite opens no unit's page), and the clerk can print it into a template again at any
time from the secret file (desk.secret, readable by its owner only, beside the database). Revoking a link
moves the unit to the next generation: the old token matches nothing any more.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_NAME = "desk.secret"


class Links:
    def __init__(self, store):
        self.store = store
        self._secret = _secret(Path(store.folder) / SECRET_NAME) if not store.read_only else b""

    def token(self, unit) -> str:
        """The unit's current token (issuing its first link when it has none)."""
        if unit["token_hash"] is None:
            self.store.set_token(unit["id"], _hash(self._token(unit["id"], 0)), 0, changed=False)
        return self._token(unit["id"], unit["token_gen"] or 0)

    def tokens(self, units) -> dict[int, str]:
        """The current token of each of `units` (rows with id, token_hash, token_gen), issuing the first links
        of those without one in one go."""
        fresh = [(u["id"], _hash(self._token(u["id"], 0))) for u in units if u["token_hash"] is None]
        if fresh:
            self.store.set_first_tokens(fresh)
        return {u["id"]: self._token(u["id"], u["token_gen"] or 0) for u in units}

    def renew(self, unit) -> str:
        """A new link for the unit; the old one opens nothing any more."""
        gen = (unit["token_gen"] or 0) + 1
        token = self._token(unit["id"], gen)
        self.store.set_token(unit["id"], _hash(token), gen, changed=True)
        return token

    def unit_of(self, token: str):
        """The unit a token opens, or None (a wrong, revoked or malformed token alike)."""
        if not (20 <= len(token) <= 64) or not token.isalnum():
            return None
        unit = self.store.unit_by_token_hash(_hash(token))
        if unit is None or not hmac.compare_digest(self._token(unit["id"], unit["token_gen"] or 0), token):
            return None
        return unit

    def _token(self, unit_id: int, gen: int) -> str:
        digest = hmac.new(self._secret, f"unit:{unit_id}:{gen}".encode(), hashlib.sha256).digest()[:20]
        return base64.b32encode(digest).decode().lower().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _secret(path: Path) -> bytes:
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    value = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:          # made meanwhile by another desk process opening the same folder
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
        f.flush()
        os.fsync(f.fileno())
    return bytes.fromhex(value)
