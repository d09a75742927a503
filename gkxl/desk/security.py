"""What stands between the network and the desk: the Host a page is asked under, a session cookie
(HttpOnly, SameSite=Strict) with its CSRF token, the login when a password is set, the size of request
bodies, and headers that keep pages from running anything but the desk's own script.
"""
from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from html import escape
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from gkxl.text.messages import text

COOKIE = "gkxl_desk"
LANG_COOKIE = "gkxl_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_SESSIONS = 5000
OPEN_PATHS = ("/static/", "/login")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SAFE_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]


@dataclass
class Session:
    csrf: str
    authenticated: bool
    flash: list = field(default_factory=list)
    seen: float = field(default_factory=time.monotonic)


class Sessions:
    def __init__(self, password: str | None):
        self.password = password
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, sid: str | None) -> Session | None:
        with self._lock:
            s = self._by_id.get(sid or "")
            if s:
                s.seen = time.monotonic()
            return s

    def new(self, authenticated: bool | None = None) -> tuple[str, Session]:
        sid = secrets.token_urlsafe(32)
        session = Session(secrets.token_urlsafe(32), self.password is None if authenticated is None else authenticated)
        with self._lock:
            if len(self._by_id) >= MAX_SESSIONS:       # forget the longest idle
                for old in sorted(self._by_id, key=lambda k: self._by_id[k].seen)[:MAX_SESSIONS // 10]:
                    del self._by_id[old]
            self._by_id[sid] = session
        return sid, session

    def drop(self, sid: str) -> None:
        with self._lock:
            self._by_id.pop(sid, None)

    def password_ok(self, given: str) -> bool:
        return self.password is not None and hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))


def cookie_header(name: str, value: str, max_age: int | None = None) -> tuple[bytes, bytes]:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return b"set-cookie", "; ".join(parts).encode("latin-1")


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return bool(session and token and hmac.compare_digest(session.csrf.encode(), str(token).encode()))


class BodyTooLarge(Exception):
    pass


class Guard:
    """Pure ASGI middleware around the desk's app."""

    def __init__(self, app, sessions: Sessions, *, allowed_hosts: set[str] | None, request_limit: int):
        self.app, self.sessions = app, sessions
        self.allowed_hosts = allowed_hosts          # None: any (a password guards the desk)
        self.request_limit = request_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:
            pass
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        lang_asked = (query.get("lang") or [None])[0]
        lang = lang_asked if lang_asked in ("zh", "en") else \
            (cookies[LANG_COOKIE].value if LANG_COOKIE in cookies and cookies[LANG_COOKIE].value in ("zh", "en") else "zh")
        wants_json = "application/json" in headers.get("accept", "")

        async def refuse(status: int, code: str, **params):
            message = text(code, lang, **params)
            if wants_json:
                body, ctype = json.dumps({"error": message}, ensure_ascii=False).encode(), b"application/json"
            else:
                body = (f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
                        f'<title>gkxl</title><link rel="stylesheet" href="/static/desk.css"></head><body>'
                        f'<main class="refused"><h1>{status}</h1><p>{escape(message)}</p>'
                        f'<p><a href="/">{escape(text("desk.nav.back", lang))}</a></p></main></body></html>').encode()
                ctype = b"text/html; charset=utf-8"
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                    (b"connection", b"close"), *SAFE_HEADERS]})
            await send({"type": "http.response.body", "body": body})

        host = headers.get("host", "")
        if self.allowed_hosts is not None and host.lower() not in self.allowed_hosts:
            return await refuse(400, "desk.sec.bad_host", host=host)

        path, method = scope["path"], scope["method"]
        sid = cookies[COOKIE].value if COOKIE in cookies else None
        session = self.sessions.get(sid)
        new_cookie = None
        if session is None:
            sid, session = self.sessions.new()
            new_cookie = sid
        scope.setdefault("state", {})
        scope["state"].update({"lang": lang, "session": session, "sid": sid, "sessions": self.sessions,
                               "csrf_header_ok": csrf_ok(session, headers.get(CSRF_HEADER))})

        if method not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc.lower() != host.lower():
                return await refuse(403, "desk.sec.bad_origin")
        if not session.authenticated and not path.startswith(OPEN_PATHS):
            if method in ("GET", "HEAD") and not wants_json:
                location = "/login" + (f"?lang={lang}" if lang_asked else "")
                await send({"type": "http.response.start", "status": 303,
                            "headers": [(b"location", location.encode()), (b"content-length", b"0"),
                                        *([cookie_header(COOKIE, new_cookie)] if new_cookie else []), *SAFE_HEADERS]})
                return await send({"type": "http.response.body", "body": b""})
            return await refuse(401, "desk.sec.login_needed")

        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.request_limit:
            return await refuse(413, "desk.sec.too_large", mb=self.request_limit // (1024 * 1024))
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.request_limit:
                    raise BodyTooLarge()
            return message

        response_started = False

        async def guarded_send(message):
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                extra = list(SAFE_HEADERS)
                if new_cookie and not any(k == b"set-cookie" and v.startswith(COOKIE.encode() + b"=")
                                          for k, v in message.get("headers", [])):
                    extra.append(cookie_header(COOKIE, new_cookie))
                if lang_asked in ("zh", "en"):
                    extra.append(cookie_header(LANG_COOKIE, lang_asked, 3600 * 24 * 365))
                if not path.startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                extra.append((b"server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not response_started:
                await refuse(413, "desk.sec.too_large", mb=self.request_limit // (1024 * 1024))
