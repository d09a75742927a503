"""Zips of returns or reports, as offices send them: told apart from a workbook or a Word document (both zips
too) by their content, their members' names read as Chinese Windows writes them, and unpacked with limits."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath

from gkxl.io.source import ZIP_MAGIC
from gkxl.text.messages import Message

MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 30 * 1024 * 1024          # the ceiling of one return or report (gkxl.io.source's)
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024


def is_archive(path: Path) -> bool:
    """A zip of files, as opposed to a workbook or a document (xlsx, ods and docx are zips too: one sent as
    .zip is read as what it is)."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != ZIP_MAGIC:
                return False
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False            # a broken workbook: the reader says what is wrong with it
    return "[Content_Types].xml" not in names and "mimetype" not in names


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's file name. Zips made on Chinese Windows store names in GBK without saying so."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return PurePosixPath(name.replace("\\", "/")).name


def system_member(info: zipfile.ZipInfo) -> bool:
    """What a zip holds besides the files: a Mac's resource forks, hidden files, Office's lock files."""
    name = member_name(info)
    return any(p.startswith("__MACOSX") for p in PurePosixPath(info.filename).parts) or name.startswith((".", "~$"))


def unpack(archive: Path, into: Path, wanted) -> tuple[list[tuple[Path, str]], list[tuple[str, Message]]]:
    """The members whose suffix is `wanted`, written into the folder `into` under numbered names: [(path,
    label)] where the label (archive › name) is what a person is shown; and what was left out, and why."""
    shown = Path(archive).name
    files, skipped = [], []
    try:
        zf = zipfile.ZipFile(archive)
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], [(str(archive), Message("archive.broken"))]
    if len(infos) > MAX_MEMBERS:
        return [], [(str(archive), Message("archive.many", count=len(infos), most=MAX_MEMBERS))]
    budget = MAX_TOTAL_BYTES
    with zf:
        for n, info in enumerate(infos, start=1):
            name = member_name(info)
            label = f"{shown} › {name}"
            if system_member(info):
                continue
            if PurePosixPath(name).suffix.lower() not in wanted:
                skipped.append((label, Message("inputs.other_file")))
                continue
            if info.file_size > MAX_MEMBER_BYTES or info.file_size > budget:
                skipped.append((label, Message("archive.too_big", mb=MAX_MEMBER_BYTES // (1024 * 1024))))
                continue
            target = Path(into) / f"{n:05d}{PurePosixPath(name).suffix.lower()}"
            try:
                with zf.open(info) as member, open(target, "wb") as out:
                    shutil.copyfileobj(member, out, 1 << 20)
                    if out.tell() > MAX_MEMBER_BYTES:
                        raise ValueError("larger than declared")
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
                target.unlink(missing_ok=True)
                skipped.append((label, Message("archive.member_broken")))
                continue
            budget -= info.file_size
            files.append((target, label))
    return files, skipped
