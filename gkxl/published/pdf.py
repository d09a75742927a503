"""PDF through LibreOffice headless: the DOCX rendering converted by soffice, as offices publish PDFs.

soffice runs with a throwaway profile (-env:UserInstallation) so that it neither touches the clerk's own
LibreOffice settings nor waits on a LibreOffice window already open; the PDF reaches its target atomically.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gkxl.io.files import atomic_path
from gkxl.text.errors import GkxlError

TIMEOUT_S = 180
WINDOWS_PLACES = [r"C:\Program Files\LibreOffice\program\soffice.exe", r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"]


def find_soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((p for p in WINDOWS_PLACES if os.name == "nt" and Path(p).exists()), None)


def convert_to_pdf(source: Path, target: Path) -> None:
    """Convert `source` (a DOCX or a workbook) to PDF at `target`, atomically."""
    exe = find_soffice()
    if exe is None:
        raise GkxlError("render.no_soffice")
    with tempfile.TemporaryDirectory(prefix="gkxl-pdf-") as d:
        work = Path(d)
        profile = (work / "profile").as_uri()
        command = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo",
                   "--convert-to", "pdf", "--outdir", str(work / "out"), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise GkxlError("render.pdf_timeout", seconds=TIMEOUT_S) from None
        except OSError as e:
            raise GkxlError("render.pdf_failed", detail=e.strerror or str(e)) from None
        produced = work / "out" / (Path(source).stem + ".pdf")
        if done.returncode != 0 or not produced.exists():
            detail = (done.stderr or done.stdout or b"").decode("utf-8", "replace").strip()[-300:]
            raise GkxlError("render.pdf_failed", detail=detail or f"exit {done.returncode}")
        with atomic_path(Path(target)) as tmp:
            shutil.copyfile(produced, tmp)
