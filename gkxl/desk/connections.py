"""Connections a neighbour on the network may hold open. Each must send its request's head within
HEAD_SECONDS and keep its body moving (at most BODY_IDLE_SECONDS between pieces); one address holds at most
PER_ADDRESS connections at once (a browser opens six). So a thousand half-open connections cost their sender
the connections, not the clerks the desk. uvicorn's own limits (keep-alive, concurrency) stay as they are.
"""
from __future__ import annotations

import resource
import time

HEAD_SECONDS = 10.0
BODY_IDLE_SECONDS = 30.0
PER_ADDRESS = 32
WATCH_SECONDS = 2.0
LIMIT_CONCURRENCY = 512


def raise_file_limit() -> None:
    """As many open files as the system allows this process: connections are files."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or hard > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536, hard))
    except (ValueError, OSError):
        pass


def guarded_protocol():
    """uvicorn's h11 protocol with the limits above (imported here: uvicorn is the server's business)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    by_address: dict[str, int] = {}

    class Guarded(H11Protocol):
        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._address = (self.client or ("",))[0] or ""
            by_address[self._address] = by_address.get(self._address, 0) + 1
            self._last = time.monotonic()
            self._watch = None
            if by_address[self._address] > PER_ADDRESS:
                transport.close()
                return
            self._watch = self.loop.call_later(WATCH_SECONDS, self._check)

        def connection_lost(self, exc) -> None:
            left = by_address.get(self._address, 1) - 1
            if left > 0:
                by_address[self._address] = left
            else:
                by_address.pop(self._address, None)
            if self._watch is not None:
                self._watch.cancel()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            self._last = time.monotonic()
            super().data_received(data)

        def _check(self) -> None:
            if self.transport.is_closing():
                return
            idle = time.monotonic() - self._last
            state = self.conn.their_state
            waiting = self.cycle is None or self.cycle.response_complete      # for a (next) request's head
            if (state is h11.IDLE and idle > HEAD_SECONDS and waiting) or \
                    (state is h11.SEND_BODY and idle > BODY_IDLE_SECONDS):
                self.transport.close()
                return
            self._watch = self.loop.call_later(WATCH_SECONDS, self._check)

    return Guarded
