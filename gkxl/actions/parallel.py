"""Files read in worker processes with limits: the same results, in input order, as a plain loop.

Returns come from clerks' computers and may be hostile or broken. The readers (calamine is native code)
can abort the process on an impossible allocation, panic, or loop; so every item is handled in a
long-lived worker process whose address space is limited (RLIMIT_AS) and whose time per item is
limited. A worker that dies or overruns costs only the item it held: that item gets `on_failure(item,
reason)`, a new worker takes over, and the batch goes on. Workers are forked once per batch and fed
small chunks, so isolation costs a few milliseconds per batch, not a process per file; the desk keeps
its workers from one upload to the next (`Workers`).
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from multiprocessing.connection import wait
from typing import TypeVar

from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message

T = TypeVar("T")
R = TypeVar("R")
WORKER_MEMORY = 1024 * 1024 * 1024   # address space a worker may add to what it starts with
ITEM_SECONDS = 60.0                  # a return is read in well under a second; a minute is a hang
MAX_WORKERS = 8


def workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_ordered(func: Callable[[T], R], items: Iterable[T], on_failure: Callable[[T, Message], R] | None = None, *,
                seconds: float = ITEM_SECONDS, memory: int = WORKER_MEMORY, method: str | None = None) -> Iterator[R]:
    """Yield func(item) for each item, in order, each computed in a limited worker process.

    An item whose worker died, overran `seconds` or raised gets on_failure(item, reason); without
    `on_failure` the reason is raised as a GkxlError. `func` must be picklable where processes are
    spawned (a module-level function or a partial of one); under fork it is inherited."""
    items = list(items)
    if not items:
        return
    pool = _Pool(func, min(workers(), MAX_WORKERS, len(items)), seconds, memory, method)
    try:
        yield from pool.run(items, on_failure)
    finally:
        pool.close()


def run_isolated(func: Callable[[T], R], item: T, *, seconds: float = ITEM_SECONDS, memory: int = WORKER_MEMORY,
                 method: str | None = None) -> R:
    """func(item) in one limited worker; a death or overrun is raised as a GkxlError. `method`
    "forkserver" from a threaded process (the desk), `func` then picklable."""
    return next(map_ordered(func, [item], seconds=seconds, memory=memory, method=method))


class FairLock:
    """A lock handed to the threads waiting for it in the order they came (threading.Lock lets the thread
    that releases take it again at once: one long upload would starve a clerk's one-file upload)."""

    def __init__(self):
        self._guard = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._held = False

    def __enter__(self):
        turn = threading.Event()
        with self._guard:
            if not self._held and not self._waiting:
                self._held = True
                return self
            self._waiting.append(turn)
        turn.wait()                                   # handed over by release
        return self

    def __exit__(self, *_):
        with self._guard:
            if self._waiting:
                self._waiting.popleft().set()         # the lock passes on, still held
            else:
                self._held = False


class Workers:
    """Limited workers kept for many batches (the desk's uploads): `map` is map_ordered, one batch at a
    time, without starting processes for each; batches take turns in the order they came (`map_in_turns`
    lets a long one give way between slices). `method` "forkserver" starts them from a clean process (a
    threaded server must not fork itself); `func` must then be picklable."""

    def __init__(self, func: Callable, n: int | None = None, *, method: str | None = None,
                 seconds: float = ITEM_SECONDS, memory: int = WORKER_MEMORY):
        self._pool = _Pool(func, n or min(workers(), MAX_WORKERS), seconds, memory, method)
        self._lock = FairLock()
        # not closed by its owner: closed at exit all the same (workers told to stop take their folders)
        self._close = weakref.finalize(self, self._pool.close)

    def start(self) -> None:
        with self._lock:
            self._pool.start()

    def map(self, items: Iterable, on_failure: Callable | None = None, expected: int | None = None) -> list:
        """Results in order; `items` (a generator may be given) is drawn on as the workers can take more."""
        with self._lock:
            return list(self._pool.run(items, on_failure, expected))

    def map_in_turns(self, items: Iterable, on_failure: Callable | None = None, expected: int | None = None) -> list:
        """map, a slice of a few items per worker at a time: another batch waiting (a clerk's one file)
        goes between two slices of a long one instead of after all of it."""
        items, out = iter(items), []
        size = max(4, self._pool.n * 4)
        while True:
            piece = list(itertools.islice(items, size))
            if not piece:
                return out
            out += self.map(piece, on_failure, expected)

    def close(self) -> None:
        with self._lock:
            self._close()


def _failed(item, reason: Message, on_failure):
    if on_failure is None:
        raise GkxlError(reason.code, **reason.params)
    return on_failure(item, reason)


class _Worker:
    def __init__(self, ctx, func, memory: int):
        self.conn, child = ctx.Pipe()
        # its temporary files (openpyxl's, a copy to annotate) go here: a worker killed midway leaves
        # them behind, and they go with the worker
        self.tmp = tempfile.mkdtemp(prefix="gkxl-worker-")
        self.proc = ctx.Process(target=_serve, args=(func, child, memory, self.tmp), daemon=True)
        self.proc.start()
        child.close()
        self.pending: deque = deque()      # (index, item) sent and not yet answered, oldest first
        self.started = time.monotonic()    # when the oldest pending item began

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class _Drawn:
    """Items taken from an iterable only when asked for, numbered in order."""

    def __init__(self, items: Iterable):
        self._items = iter(items)
        self.count = 0
        self.exhausted = False

    def take(self, n: int) -> list[tuple[int, object]]:
        out = []
        while len(out) < n and not self.exhausted:
            try:
                item = next(self._items)
            except StopIteration:
                self.exhausted = True
                break
            out.append((self.count, item))
            self.count += 1
        return out


class _Pool:
    def __init__(self, func, n: int, seconds: float, memory: int, method: str | None = None):
        methods = multiprocessing.get_all_start_methods()
        if method not in methods:
            method = "fork" if "fork" in methods else "spawn"
        self.ctx = multiprocessing.get_context(method)
        self.func, self.n, self.seconds, self.memory = func, n, seconds, memory
        self.workers: list[_Worker] = []

    def start(self) -> None:
        while len(self.workers) < self.n:
            self.workers.append(_Worker(self.ctx, self.func, self.memory))

    def run(self, items: Iterable, on_failure, expected: int | None = None) -> Iterator:
        """Results in order. `items` is drawn on only as the workers can take more, so a generator may
        prepare each item meanwhile (the desk stages an upload's files while the first are checked);
        `expected` sizes the chunks when `items` cannot tell its length."""
        size = len(items) if isinstance(items, Sized) else expected or 64
        chunk = max(1, min(16, size // (self.n * 4)))
        source, todo = _Drawn(items), deque()          # todo: items handed back by a worker that died
        done: dict[int, object] = {}
        next_out = 0
        for w in [w for w in self.workers if not w.proc.is_alive()]:
            w.kill()                 # died between runs (killed from outside): no item of this run to blame
            self.workers.remove(w)
        try:
            while True:
                self._feed(todo, source, chunk)
                if source.exhausted and next_out == source.count:
                    return
                by_conn = {w.conn: w for w in self.workers}
                for conn in wait(list(by_conn), timeout=self._time_left()):
                    self._receive(by_conn[conn], todo, done, on_failure)
                self._stop_overruns(todo, done, on_failure)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:       # left early (the items' source failed): answers still due must not reach the next run
            for w in [w for w in self.workers if w.pending]:
                w.kill()
                self.workers.remove(w)

    def _feed(self, todo: deque, source: _Drawn, chunk: int) -> None:
        """Chunks to idle workers first, then to new ones, then a second chunk in flight to each: a worker
        never waits for the parent between chunks."""
        while True:
            batch = [todo.popleft() for _ in range(min(chunk, len(todo)))]
            batch += source.take(chunk - len(batch))
            if not batch:
                return
            target = next((w for w in self.workers if not w.pending), None)
            if target is None and len(self.workers) < self.n:
                target = _Worker(self.ctx, self.func, self.memory)
                self.workers.append(target)
            if target is None:
                target = next((w for w in self.workers if len(w.pending) <= chunk), None)
            if target is None:
                todo.extendleft(reversed(batch))
                return
            if not target.pending:
                target.started = time.monotonic()
            target.pending.extend(batch)
            try:
                target.conn.send(batch)
            except OSError:          # it died meanwhile: its end of the pipe is seen by run
                pass

    def _time_left(self) -> float:
        busy = [w.started for w in self.workers if w.pending]
        if not busy:
            return 0.05
        return max(0.0, min(busy) + self.seconds - time.monotonic()) + 0.01

    def _receive(self, w: _Worker, todo: deque, done: dict, on_failure) -> None:
        try:
            index, ok, value = w.conn.recv()
        except (EOFError, OSError):
            w.proc.join()
            self._replace(w, _death_reason(w.proc.exitcode, self.memory), todo, done, on_failure)
            return
        _, item = w.pending.popleft()
        done[index] = value if ok else _failed(item, value, on_failure)
        w.started = time.monotonic()

    def _stop_overruns(self, todo: deque, done: dict, on_failure) -> None:
        now = time.monotonic()
        for w in list(self.workers):
            if w.pending and now - w.started > self.seconds:
                self._replace(w, Message("read.limit_time", seconds=round(self.seconds)), todo, done, on_failure)

    def _replace(self, w: _Worker, reason: Message, todo: deque, done: dict, on_failure) -> None:
        """The worker's current item failed with `reason`; the items queued behind it go back to the
        front of the queue, and a new worker is started by the next _feed."""
        w.kill()
        self.workers.remove(w)
        if not w.pending:
            return
        index, item = w.pending.popleft()
        done[index] = _failed(item, reason, on_failure)
        todo.extendleft(reversed(w.pending))

    def close(self) -> None:
        for w in self.workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 1
        for w in self.workers:
            w.proc.join(max(0.0, deadline - time.monotonic()))
            w.kill()
        self.workers = []


# what a worker's stop is reported as when the file itself may not be the cause (a hang under load, a kill
# from outside): worth another try later
STOPS_WORTH_RETRYING = ("read.limit_time", "read.limit_crash", "read.worker_died")


def _death_reason(exitcode: int | None, memory: int) -> Message:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        if -exitcode in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL):
            return Message("read.limit_crash", signal=name, limit=memory // (1024 * 1024))
        return Message("read.worker_died", reason=name)
    return Message("read.worker_died", reason=str(exitcode))


# --- in the worker --------------------------------------------------------------------------------

def _serve(func, conn, memory: int, tmp: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the parent's to handle
    tempfile.tempdir = os.environ["TMPDIR"] = tmp
    _quiet()
    _limit_memory(memory)
    give_back = steady_heap()
    try:
        _answer(func, conn, memory, give_back)
    finally:                    # told to stop, or the parent is gone
        shutil.rmtree(tmp, ignore_errors=True)


def _answer(func, conn, memory: int, give_back) -> None:
    parent = os.getppid()
    while True:
        try:
            if not conn.poll():      # nothing queued (the desk between uploads): return the kept memory
                give_back()
                # a forked worker holds copies of the parent's pipe ends, so the parent's death is no
                # end of file here: it is seen by the worker being handed to another parent
                while not conn.poll(1.0):
                    if os.getppid() != parent:
                        return
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        for index, item in batch:
            try:
                answer = (index, True, func(item))
            except MemoryError:
                answer = (index, False, Message("read.limit_memory", limit=memory // (1024 * 1024)))
            except GkxlError as e:
                answer = (index, False, e.message)
            except BaseException as e:  # noqa: B036 - a calamine panic (PanicException) is a BaseException
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                answer = (index, False, Message("io.internal", kind=type(e).__name__))
            try:
                conn.send(answer)
            except (OSError, EOFError):
                return
            except Exception as e:   # the result could not be pickled: a bug of ours, said for this item only
                conn.send((index, False, Message("io.internal", kind=type(e).__name__)))


def _quiet() -> None:
    """A native reader's last words ("memory allocation of … bytes failed") are not for the clerk: what
    became of the item is reported through the pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def steady_heap() -> Callable[[], None]:
    """Keep the memory one file freed for the next. glibc gives blocks over 128 KB straight back to the
    system and maps them anew, page by page, for the next file; with a return's inflated parts (~200 KB)
    those page faults cost a tenth of a check. Returns what gives the kept memory back, for a worker
    that has nothing queued (the desk's live on between uploads)."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        mallopt, malloc_trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):      # not glibc: nothing to tune
        return lambda: None
    mallopt(-3, 32 * 1024 * 1024)          # M_MMAP_THRESHOLD: blocks below this come from the heap
    mallopt(-1, 64 * 1024 * 1024)          # M_TRIM_THRESHOLD: free memory kept up to this at the heap's top
    return lambda: malloc_trim(0)


def _limit_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:      # not on a POSIX system: the time limit still holds
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + extra
    for bound in (soft, hard):
        if bound != resource.RLIM_INFINITY:
            limit = min(limit, bound)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _address_space() -> int:
    """This process's current virtual size (the limit is counted on top of what the fork inherited)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
