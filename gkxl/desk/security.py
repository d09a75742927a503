"""What stands between the network and the desk: the Host a page is asked under, a session cookie
(HttpOnly, SameSite=Strict) with its CSRF token, the login when a password is set, the size of request
bodies, and headers that keep pages from running anything but the desk's own script.
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

COOKIE = "gkxl_desk"
LANG_COOKIE = "gkxl_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_SESSIONS = 5000
OPEN_PATHS = ("/static/", "/login", "/u/")      # /u/<token>: a unit's own page, opened by its token

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


ANONYMOUS_IDLE = 3600             # seconds a session no one logged in to is kept while unused
LOGGED_IN_IDLE = 12 * 3600        # a clerk's session: a working day
MAX_LOGGED_IN = 200               # logins are throttled: far more than an office has clerks


class Sessions:
    """Sessions in two pools: those a login made, never pushed out by anonymous ones (a flood of
    cookie-less requests only evicts its own kind), and the rest, bounded, the longest idle dropped first.
    Both expire when unused (ANONYMOUS_IDLE, LOGGED_IN_IDLE)."""

    def __init__(self, password: str | None):
        self.password = password
        self._by_id: dict[str, Session] = {}        # anonymous (and, without a password, everyone)
        self._logged_in: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, sid: str | None) -> Session | None:
        now = time.monotonic()
        with self._lock:
            for pool, idle in ((self._logged_in, LOGGED_IN_IDLE), (self._by_id, ANONYMOUS_IDLE)):
                s = pool.get(sid or "")
                if s is not None:
                    if now - s.seen > idle:
                        del pool[sid]
                        return None
                    s.seen = now
                    return s
            return None

    def new(self, authenticated: bool | None = None) -> tuple[str, Session]:
        """A session; `authenticated` True: one a login made (kept apart, never evicted by others)."""
        sid = secrets.token_urlsafe(32)
        logged_in = bool(authenticated)
        session = Session(secrets.token_urlsafe(32), self.password is None if authenticated is None else authenticated)
        with self._lock:
            pool, most = (self._logged_in, MAX_LOGGED_IN) if logged_in else (self._by_id, MAX_SESSIONS)
            if len(pool) >= most:                      # forget the longest idle of the same kind
                for old in sorted(pool, key=lambda k: pool[k].seen)[:max(1, most // 10)]:
                    del pool[old]
            pool[sid] = session
        return sid, session

    def drop(self, sid: str) -> None:
        with self._lock:
            self._by_id.pop(sid, None)
            self._logged_in.pop(sid, None)

    def password_ok(self, given: str) -> bool:
        return self.password is not None and hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))


class LoginThrottle:
    """Guessing the password made slow: after FREE failures from one address, that address waits (1, 2, 4 …
    minutes, at most an hour) before it may try again; and once more than GLOBAL_FREE failures came from
    anywhere within a minute, any address waits GLOBAL_GAP after the last failure (a network of guessers
    gains nothing; a clerk's typo costs nothing). A success clears its address."""
    FREE = 5
    FIRST_WAIT = 60.0
    LONGEST_WAIT = 3600.0
    GLOBAL_FREE = 20
    GLOBAL_GAP = 1.0

    def __init__(self):
        self._failures: dict[str, tuple[int, float]] = {}     # address -> (failures, locked until)
        self._recent: deque[float] = deque()                  # when the failures of the last minute were
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """Seconds this address must wait before its next try (0: it may try now)."""
        now = time.monotonic()
        with self._lock:
            _, until = self._failures.get(address, (0, 0.0))
            while self._recent and now - self._recent[0] > 60:
                self._recent.popleft()
            crowd = self._recent[-1] + self.GLOBAL_GAP - now if len(self._recent) > self.GLOBAL_FREE else 0.0
            return max(0.0, until - now, crowd)

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            count, _ = self._failures.get(address, (0, 0.0))
            count += 1
            until = now + min(self.LONGEST_WAIT, self.FIRST_WAIT * 2 ** (count - self.FREE)) \
                if count >= self.FREE else 0.0
            if len(self._failures) > 100_000:           # a bounded record: the oldest addresses forgotten
                self._failures.clear()
            self._failures[address] = (count, until)
            self._recent.append(now)
            if len(self._recent) > 10 * self.GLOBAL_FREE:
                self._recent.popleft()

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def cookie_header(name: str, value: str, max_age: int | None = None, secure: bool = False) -> tuple[bytes, bytes]:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict", *(["Secure"] if secure else [])]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return b"set-cookie", "; ".join(parts).encode("latin-1")


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return bool(session and token and hmac.compare_digest(session.csrf.encode(), str(token).encode()))


class BodyTooLarge(Exception):
    pass


# --- the guards: small ASGI middlewares, each one job, outermost first ------------------------------------
#
# Every refusal is rendered by `refuse` (the desk's Jinja error page, or JSON for a script): the guards hold
# no page copy of their own.

Refuse = Callable[[dict, Callable, int, str], Awaitable[None]]


def request_lang(scope) -> str:
    """The language asked for: ?lang= on this request, else the desk's language cookie, else Chinese."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    asked = (query.get("lang") or [None])[0]
    if asked in ("zh", "en"):
        return asked
    remembered = desk_cookies(scope).get(LANG_COOKIE)
    return remembered if remembered in ("zh", "en") else "zh"


def desk_cookies(scope) -> dict[str, str]:
    """The desk's own cookies, read tolerantly: another application's cookie on the same host (any port),
    however it is written, is not the desk's business and never spoils the reading of ours."""
    out = {}
    for key, value in scope["headers"]:
        if key.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            name, _, val = part.strip().partition("=")
            if name in (COOKIE, LANG_COOKIE) and name not in out:
                out[name] = val.strip().strip('"')
    return out


def header(scope, name: str) -> str:
    wanted = name.encode("latin-1")
    return next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == wanted), "")


class SafeHeaders:
    """Headers on every answer, refusals included: no script but the desk's own, no framing, no caching of
    pages, and how long the desk took (Server-Timing, which bench/desk.py reads)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = list(SAFE_HEADERS)
                if not static:
                    extra.append((b"cache-control", b"no-store"))
                extra.append((b"server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)
        await self.app(scope, receive, send_with_headers)


class AllowedHosts:
    """Only the names the desk is served under (with no password, only loopback names): a page elsewhere
    cannot point its own name at 127.0.0.1 and read the desk (DNS rebinding)."""

    def __init__(self, app, allowed: set[str] | None, refuse: Refuse):
        self.app, self.allowed, self.refuse = app, allowed, refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.allowed is not None:
            host = header(scope, "host")
            if host.lower() not in self.allowed:
                return await self.refuse(scope, send, 400, "desk.sec.bad_host", host=host)
        await self.app(scope, receive, send)


class SessionCookie:
    """The session (and its CSRF token) for this browser, and the language: put in scope["state"]; a new
    session's cookie (HttpOnly, SameSite=Strict) and a language asked for are set on the answer."""

    def __init__(self, app, sessions: Sessions):
        self.app, self.sessions = app, sessions

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        lang = request_lang(scope)
        asked = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang") or [None])[0]
        sid = desk_cookies(scope).get(COOKIE)
        session = self.sessions.get(sid)
        new_cookie = None
        if session is None:
            sid, session = self.sessions.new()
            new_cookie = sid
        scope.setdefault("state", {})
        scope["state"].update({"lang": lang, "session": session, "sid": sid, "sessions": self.sessions,
                               "csrf_header_ok": csrf_ok(session, header(scope, CSRF_HEADER))})

        async def send_with_cookies(message):
            if message["type"] == "http.response.start":
                extra = []
                if new_cookie and not any(k == b"set-cookie" and v.startswith(COOKIE.encode() + b"=")
                                          for k, v in message.get("headers", [])):
                    extra.append(cookie_header(COOKIE, new_cookie, secure=scope.get("scheme") == "https"))
                if asked in ("zh", "en"):
                    extra.append(cookie_header(LANG_COOKIE, asked, 3600 * 24 * 365))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)
        await self.app(scope, receive, send_with_cookies)


class SameOrigin:
    """A form posted from another site's page (its Origin says so) is refused before anything is read."""

    def __init__(self, app, refuse: Refuse):
        self.app, self.refuse = app, refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
            origin = header(scope, "origin")
            if origin and origin != "null" and urlsplit(origin).netloc.lower() != header(scope, "host").lower():
                return await self.refuse(scope, send, 403, "desk.sec.bad_origin")
        await self.app(scope, receive, send)


class LoginRequired:
    """With a password, every page but the login page and the static files needs a logged-in session: a
    page is sent to /login, a script is answered 401."""

    def __init__(self, app, refuse: Refuse):
        self.app, self.refuse = app, refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["state"]["session"].authenticated or scope["path"].startswith(OPEN_PATHS):
            return await self.app(scope, receive, send)
        if scope["method"] in ("GET", "HEAD") and "application/json" not in header(scope, "accept"):
            asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang")
            location = "/login" + (f"?lang={scope['state']['lang']}" if asked else "")
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode()), (b"content-length", b"0")]})
            return await send({"type": "http.response.body", "body": b""})
        return await self.refuse(scope, send, 401, "desk.sec.login_needed")


ANONYMOUS_BODY = 64 * 1024        # what a request from no logged-in session may send: a login form is tiny


class BodyLimit:
    """No request body over `limit` bytes (ANONYMOUS_BODY from a session no one logged in to): refused by
    its declared length before anything is read, and by what arrives when it declares none (or lies), so
    that nothing an anonymous sender pushes is written to disk."""

    def __init__(self, app, limit: int, refuse: Refuse, trusted=None):
        self.app, self.limit, self.refuse, self.trusted = app, limit, refuse, trusted

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        known = scope["state"]["session"].authenticated or (
            self.trusted is not None and scope["method"] == "POST" and self.trusted(scope))
        limit = self.limit if known else min(self.limit, ANONYMOUS_BODY)
        mb = max(1, limit // (1024 * 1024))
        declared = header(scope, "content-length")
        if declared.isdigit() and int(declared) > limit:
            return await self.refuse(scope, send, 413, "desk.sec.too_large", mb=mb)
        received, started = 0, False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def noting_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)
        try:
            await self.app(scope, counting_receive, noting_send)
        except BodyTooLarge:
            if not started:
                await self.refuse(scope, send, 413, "desk.sec.too_large", mb=mb)


def guarded(app, sessions: Sessions, refuse: Refuse, *, allowed_hosts: set[str] | None, request_limit: int,
            trusted=None):
    """The desk's app behind its guards, outermost first. `trusted(scope)`: a request that may send as much as
    a logged-in clerk (a unit's upload through its own link)."""
    app = BodyLimit(app, request_limit, refuse, trusted)
    app = LoginRequired(app, refuse)
    app = SameOrigin(app, refuse)
    app = SessionCookie(app, sessions)
    app = AllowedHosts(app, allowed_hosts, refuse)
    return SafeHeaders(app)
