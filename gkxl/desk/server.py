"""Serving a collection: refuse an unsafe address, hold the folder's lock, tidy what an interrupted
upload left, check again what older rules checked, then run the web server until Ctrl+C.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path

from gkxl.desk.app import create_app
from gkxl.desk.connections import LIMIT_CONCURRENCY, guarded_protocol, raise_file_limit
from gkxl.desk.intake import MB, Limits
from gkxl.desk.service import Desk
from gkxl.desk.store import ServingLock
from gkxl.text.errors import GkxlError, UsageError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


@dataclass
class Options:
    folder: Path
    year: int | None = None
    units: Path | None = None
    previous: tuple = ()
    office: str | None = None
    host: str = "127.0.0.1"
    port: int = 8765
    password: str | None = None
    open_browser: bool = True
    max_file_mb: int = 30
    max_request_mb: int = 300
    certfile: str | None = None        # HTTPS with uvicorn's own TLS: both or neither
    keyfile: str | None = None


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int, password: str | None) -> set[str] | None:
    """The Host headers a page may be asked under. With no password only loopback names: a web page
    elsewhere cannot point its own name at 127.0.0.1 and read the desk (DNS rebinding)."""
    if password is not None:
        return None
    names = {"127.0.0.1", "localhost", "[::1]", host.lower()}
    return {f"{n}:{port}" for n in names} | ({n for n in names} if port == 80 else set())


LAN_PASSWORD = 8            # with logins throttled to one failure a second, 8 characters outlast any guessing


def check_options(o: Options) -> None:
    if not is_loopback(o.host) and not o.password:
        raise UsageError("desk.serve.need_password", host=o.host)
    if bool(o.certfile) != bool(o.keyfile):
        raise UsageError("desk.serve.tls_pair")
    least = LAN_PASSWORD if not is_loopback(o.host) else 4
    if o.password is not None and len(o.password) < least:
        raise UsageError("desk.serve.weak_password", least=least)


def free_port(host: str, port: int) -> bool:
    """Whether the desk can listen there. SO_REUSEADDR as uvicorn binds: a desk stopped a moment ago leaves
    its connections in TIME_WAIT, which must not keep the clerk from starting it again at once."""
    with socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
            return True
        except OSError:
            return False


def lan_address() -> str:
    """This machine's address on the office network, as the units' links give it (no packet is sent:
    connecting a UDP socket only picks the interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def desk_answers(host: str, port: int) -> bool:
    """Whether a gkxl desk answers on that port (else another program holds it)."""
    import http.client
    import ssl
    target = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host.strip("[]")
    unverified = ssl._create_unverified_context()      # only to recognise a desk of this machine, nothing sent
    for connect in (lambda: http.client.HTTPConnection(target, port, timeout=2),
                    lambda: http.client.HTTPSConnection(target, port, timeout=2, context=unverified)):
        try:
            conn = connect()
            conn.request("GET", "/login", headers={"Host": f"127.0.0.1:{port}"})
            body = conn.getresponse().read(65536)
            conn.close()
        except (OSError, http.client.HTTPException):
            continue
        if b'content="gkxl desk"' in body:
            return True
    return False


def serve(o: Options, say) -> None:
    """Run until interrupted. `say(code, **params)` prints one line for the clerk."""
    import uvicorn
    check_options(o)
    folder = Path(o.folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError("desk.serve.not_folder", path=str(folder))
    if o.year is None and not (folder / "desk.sqlite").exists():
        raise UsageError("desk.serve.need_year")          # before anything is made on disk
    folder.mkdir(parents=True, exist_ok=True)
    lock = ServingLock(folder)
    if not lock.acquire():
        raise GkxlError("desk.serve.locked", path=str(folder))
    desk = None
    try:
        limits = Limits(o.max_file_mb * MB, o.max_request_mb * MB)
        desk = Desk.open(folder, year=o.year, units_path=o.units, previous_paths=o.previous, office=o.office,
                         limits=limits)
        for message in desk.units_said:
            say("desk.serve.note", note=message)
        swept = desk.store.sweep()
        if swept["staged"] or swept["unrecorded"]:
            say("desk.serve.swept", count=swept["staged"] + swept["unrecorded"])
        stale = desk.stale()
        if stale:
            say("desk.serve.rechecking", count=len(stale))
            desk.recheck(stale)
        if not free_port(o.host, o.port):
            if desk_answers(o.host, o.port):
                raise GkxlError("desk.serve.already_running", url=f"http://127.0.0.1:{o.port}/")
            raise GkxlError("desk.serve.port_busy", port=o.port)
        desk.checker.warm()
        app = create_app(desk, password=o.password, allowed_hosts=allowed_hosts(o.host, o.port, o.password))
        raise_file_limit()
        config = uvicorn.Config(app, host=o.host.strip("[]"), port=o.port, log_level="warning",
                                access_log=False, lifespan="on", timeout_graceful_shutdown=3,
                                server_header=False, http=guarded_protocol(), timeout_keep_alive=5,
                                limit_concurrency=LIMIT_CONCURRENCY, h11_max_incomplete_event_size=64 * 1024,
                                ssl_certfile=o.certfile, ssl_keyfile=o.keyfile)
        server = uvicorn.Server(config)
        shown_host = f"[{o.host.strip('[]')}]" if ":" in o.host else o.host
        scheme = "https" if o.certfile else "http"
        url = f"{scheme}://{'127.0.0.1' if o.host in ('0.0.0.0', '::') else shown_host}:{o.port}/"
        desk.base_url = url.rstrip("/") if o.host not in ("0.0.0.0", "::") else f"{scheme}://{lan_address()}:{o.port}"
        units = len(desk.store.units())
        say("desk.serve.started", url=url, folder=str(folder), year=desk.year, units=units)
        if o.open_browser:
            threading.Timer(1.0, webbrowser.open, args=(url,)).start()
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)   # errors are shown on the page
        server.run()
        if not server.started:         # it stopped before it listened: never a silent "started"
            raise GkxlError("desk.serve.not_started", port=o.port)
    finally:
        if desk is not None:
            desk.close()
        lock.release()
