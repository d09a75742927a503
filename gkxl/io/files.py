"""Writing outputs so that nothing is ever half-written or written over an input."""
from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from gkxl.text.errors import GkxlError, UsageError
from gkxl.text.printable import printable

_OS_REASONS_ZH = {
    errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.EISDIR: "这是文件夹，不是文件", errno.ENOTDIR: "路径中有一段不是文件夹", errno.ENOSPC: "磁盘已满",
    errno.EROFS: "只读的磁盘或文件夹", errno.ENAMETOOLONG: "文件名或路径过长", errno.ELOOP: "路径中的链接循环",
    errno.EIO: "磁盘读写错误", errno.EBUSY: "文件正被占用", errno.EEXIST: "文件已存在",
}


def sha256_file(path: Path) -> str | None:
    """A file's SHA-256, read in blocks; None when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def os_reason(e: OSError) -> dict:
    """Why an operating-system call failed, in both languages (a message parameter)."""
    zh = _OS_REASONS_ZH.get(e.errno, "系统错误" + (f"（{e.errno}）" if e.errno else ""))
    return {"zh": zh, "en": e.strerror or str(e)}


def os_error(e: OSError, path) -> GkxlError:
    return GkxlError("io.os_error", path=str(path), reason=os_reason(e))


TEMP_PREFIX = ".~gkxl-"
LEFTOVER_AGE = 60        # seconds: a temporary file this old belongs to no running write
_cleaned: set[str] = set()


def clean_leftovers(folder: Path) -> None:
    """Remove our temporary files that a killed run (kill -9, a power cut) left in `folder`, once per
    folder and process; only files of our own pattern, and only those older than a minute (a running
    write's file is younger)."""
    key = os.path.abspath(folder)
    if key in _cleaned:
        return
    _cleaned.add(key)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        try:
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False) \
                    and now - entry.stat(follow_symlinks=False).st_mtime > LEFTOVER_AGE:
                os.unlink(entry.path)
        except OSError:
            pass


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it is flushed to disk and replaces `target` in
    one step. Any failure to write leaves `target` as it was and is reported with the target's name."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
        os.close(fd)
    except OSError as e:
        raise write_error(e, target) from None
    try:
        yield Path(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())    # mkstemp makes 0600; an output should get the usual mode
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise write_error(e, target) from None
        raise


def write_error(e: OSError, target: Path) -> GkxlError:
    return GkxlError("io.write_failed", path=str(target), reason=os_reason(e))


def unique_name(base: str, suffix: str, used: set[str]) -> str:
    """base+suffix, or base_2+suffix, … : a name not yet in `used` (compared as Windows does, ignoring case)."""
    name, n = f"{base}{suffix}", 2
    while name.lower() in used:
        name, n = f"{base}_{n}{suffix}", n + 1
    used.add(name.lower())
    return name


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _ProducerFailed(Exception):
    """What went wrong while the pieces were being produced, carried through atomic_path as it is."""


def write_text(target: Path, content: str | Iterable[str], encoding: str = "utf-8") -> None:
    """`content` whole, or in pieces (a long report written as it is rendered, never held whole). An error
    raised while a piece is produced (a check that could not start a worker) is raised as it is, not as a
    failure to write `target`; the target is left as it was either way."""
    pieces = iter([content] if isinstance(content, str) else content)
    try:
        with atomic_path(target) as tmp, open(tmp, "w", encoding=encoding) as f:
            while True:
                try:
                    piece = next(pieces)
                except StopIteration:
                    break
                except Exception as e:
                    raise _ProducerFailed() from e
                f.write(printable(piece))
    except _ProducerFailed as e:
        raise e.__cause__ from None


def _identities(path) -> set:
    """What makes two names one file: the resolved path and, for a file that exists, its device and inode
    (a hard link, another spelling on a case-insensitive disk)."""
    p = Path(path)
    ids: set = {("path", str(p.resolve()))}
    try:
        st = p.stat()
        ids.add(("inode", st.st_dev, st.st_ino))
    except (OSError, ValueError):
        pass
    return ids


class Claims:
    """The one policy for outputs: a run never writes over any file it reads (inputs, --previous files, a
    units list), nor writes two of its outputs to one file."""

    def __init__(self, inputs=()):
        self.inputs: set = set()
        for p in inputs:
            if p is not None:
                self.inputs |= _identities(p)
        self.outputs: set = set()

    def clash(self, path) -> str | None:
        """The message code saying why `path` may not be written, or None."""
        ids = _identities(path)
        if ids & self.inputs:
            return "io.output_is_input"
        return "io.output_twice" if ids & self.outputs else None

    def claim(self, path) -> Path:
        code = self.clash(path)
        if code:
            raise UsageError(code, path=str(path))
        self.outputs |= _identities(path)
        return Path(path)

    def free(self, folder: Path, base: str, suffix: str, used: set[str]) -> Path:
        """folder/base+suffix, or base_2+suffix, … : the first name neither used in this run nor a file
        of it; claimed."""
        while True:
            target = Path(folder) / unique_name(base, suffix, used)
            if self.clash(target) is None:
                return self.claim(target)


def refuse_overwrite(output: Path, inputs, others=()) -> None:
    """An output that is one of the inputs would destroy it, one that is another output of the same run
    (`others`) would replace it: refuse before doing any work."""
    claims = Claims(inputs)
    for other in others:
        claims.claim(other)
    claims.claim(output)


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


MAX_NAME_BYTES = 150     # file systems allow 255 bytes; room is left for "_校验标注_2.xlsx" and the like


def safe_filename(name: str, fallback: str = "未命名") -> str:
    """A file name that Windows, macOS and Linux all accept, keeping Chinese as it is, at most
    MAX_NAME_BYTES of UTF-8 (a Chinese character takes three)."""
    cleaned = "".join("_" if ch in '<>:"/\\|?*' or ord(ch) < 32 else ch for ch in str(name)).strip().rstrip(". ")
    if not cleaned:
        cleaned = fallback
    if cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    while len(cleaned.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        cleaned = cleaned[:-1]
    return cleaned
