"""Benchmark: `gkxl audit` over published reports of mixed shapes, against a bare parse loop in the same run.

    python bench/audit.py [--n 1000] [--repeat 3] [--no-10n]

The reports are drawn independently of gkxl's renderer (tests/published_drawn.py): 40 % text copied from a
web page, 40 % saved HTML, 15 % Word (python-docx), 5 % PDF printed from Word by LibreOffice, the PDFs'
narrative lengthened to 12 pages. The corpus is cached under bench/.cache. Figures, each the best of --repeat
runs alternated with its baseline (other work on the machine only ever adds time):
- `gkxl audit --format json` of the whole corpus on all cores, against a bare loop that parses every file
  (gkxl.published.parse.parse_path, one process, one core): the audit must stay within 1.2× the sum of its
  parses;
- text and HTML reports a second, and seconds a 12-page PDF, of `gkxl audit` over each shape alone;
- peak RSS of `gkxl audit` at N and 10·N distinct files (the 10·N are the text and HTML reports copied with
  different trailing blank lines, so no two are the same file).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import published_drawn as pdw  # noqa: E402
from common import best, gkxl, run  # noqa: E402
from corpus import CACHE  # noqa: E402

SHARES = (("txt", 0.40), ("html", 0.40), ("docx", 0.15), ("pdf", 0.05))
PDF_PAGES = 12
FILLER = ("（{n}）持续深化重点领域信息公开，围绕财政预决算、重大建设项目、公共资源配置、社会公益事业建设等领域，"
          "及时准确公开相关政府信息，主动回应社会关切，切实保障人民群众的知情权、参与权和监督权。")

BARE = """
import sys, time, pathlib
from gkxl.published.parse import parse_path
files = sorted(p for p in pathlib.Path(sys.argv[1]).iterdir() if p.is_file())
parse_path(files[0])
t = time.perf_counter()
for p in files:
    parse_path(p)
print(time.perf_counter() - t)
"""


def counts(n: int) -> dict[str, int]:
    out = {kind: int(n * share) for kind, share in SHARES}
    out["txt"] += n - sum(out.values())
    return out


def pdf_pages(path: Path) -> int:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def build(n: int) -> dict[str, Path]:
    """Folders of reports, one per shape, and `all` holding every one of them (hard links)."""
    root = CACHE / f"audit-{n}-{hashlib.sha256(Path(pdw.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()[:10]}"
    if (root / "done").exists():
        return {kind: root / kind for kind in (*counts(n), "all")}
    shutil.rmtree(root, ignore_errors=True)
    folders = {kind: root / kind for kind in (*counts(n), "all")}
    for f in folders.values():
        f.mkdir(parents=True)
    seed = 0
    docx_for_pdf = []
    for kind, k in counts(n).items():
        for _ in range(k):
            seed += 1
            d = pdw.draw_report(seed)
            name = f"{seed:05d}_{d.year}"
            if kind == "txt":
                (folders[kind] / f"{name}.txt").write_text(pdw.to_text(d), encoding="utf-8")
            elif kind == "html":
                (folders[kind] / f"{name}.html").write_text(pdw.to_html(d), encoding="utf-8")
            elif kind == "docx":
                pdw.to_docx(d, folders[kind] / f"{name}.docx")
            else:
                d.overview += [FILLER.format(n=i) for i in range(6, 6 + 6 * (PDF_PAGES - 2))]
                (root / "scratch").mkdir(exist_ok=True)
                docx_for_pdf.append(pdw.to_docx(d, root / "scratch" / f"{name}.docx"))
    if docx_for_pdf:
        with tempfile.TemporaryDirectory() as tmp:
            for pdf in pdw.to_pdf(docx_for_pdf, Path(tmp)):
                shutil.move(str(pdf), folders["pdf"] / pdf.name)
        shutil.rmtree(root / "scratch")
    for kind in counts(n):
        for f in folders[kind].iterdir():
            os.link(f, folders["all"] / f.name)
    (root / "done").write_text("")
    return folders


def multiplied(folder: Path, times: int, out: Path) -> Path:
    """`times` copies of each text or HTML report, each with a different number of trailing blank lines."""
    out.mkdir(parents=True)
    for f in sorted(folder.iterdir()):
        if f.suffix not in (".txt", ".html"):
            continue
        data = f.read_bytes()
        for k in range(times):
            (out / f"{f.stem}_{k}{f.suffix}").write_bytes(data + b"\n" * (k + 1))
    return out


def bare(folder: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", BARE, str(folder)], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.split()[-1]))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-10n", action="store_true", help="skip the 10·N memory run")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if shutil.which("soffice") is None:
        sys.exit("soffice (LibreOffice) is needed to print the PDFs")
    if args.build:
        build(args.n)
        return
    # built in a process of its own: Linux keeps a process's peak RSS across fork and exec, so gkxl started
    # from a process grown by drawing the corpus would report that process's size as its own
    subprocess.run([sys.executable, __file__, "--n", str(args.n), "--build"], check=True)
    folders = build(args.n)
    cores = len(os.sched_getaffinity(0))
    pages = pdf_pages(next(folders["pdf"].iterdir()))
    print(f"cores: {cores}; N = {args.n}: " + ", ".join(f"{k} {len(list(folders[k].iterdir()))}" for k in counts(args.n))
          + f"; the PDFs have {pages} pages")
    audit_all, = best([gkxl("audit", "--format", "json", str(folders["all"]))], args.repeat)
    parses = bare(folders["all"], args.repeat)
    print(f"gkxl audit of all {args.n}: {audit_all[0]:.1f} s on {cores} cores; bare parse loop {parses:.1f} s on one: "
          f"audit / sum of parses {audit_all[0] / parses:.2f} (target ≤ 1.2)")
    per_shape = {}
    for kind in counts(args.n):
        k = len(list(folders[kind].iterdir()))
        (seconds, _), = best([gkxl("audit", "--format", "json", str(folders[kind]))], args.repeat)
        per_shape[kind] = (k, seconds)
        print(f"  {kind:<5} {k:>5} reports: audit {seconds:.2f} s, {k / seconds:.0f} a second, "
              f"{seconds / k * 1000:.0f} ms each")
    text_html = sum(per_shape[k][0] for k in ("txt", "html")) / sum(per_shape[k][1] for k in ("txt", "html"))
    pdf_each = per_shape["pdf"][1] / per_shape["pdf"][0]
    print(f"text and HTML: {text_html:.0f} reports a second (target ≥ 40); a {pages}-page PDF: {pdf_each:.2f} s "
          f"(target ≤ 0.3)")
    national = 100_000 * sum(share * per_shape[k][1] / per_shape[k][0] for k, share in SHARES)
    print(f"a national year (100,000 reports in this mix) on this machine: {national / 60:.0f} min")
    peaks = [(args.n, audit_all[1])]
    if not args.no_10n:
        with tempfile.TemporaryDirectory() as tmp:
            many = multiplied(folders["all"], 10 * args.n // sum(per_shape[k][0] for k in ("txt", "html")) + 1,
                              Path(tmp) / "many")
            k = len(list(many.iterdir()))
            peaks.append((k, run(gkxl("audit", "--format", "json", str(many)))[1]))
    print("peak RSS of gkxl audit: " + ", ".join(f"{k} reports {mb:.0f} MB" for k, mb in peaks) + " (target ≤ 150 MB)")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    if "--build" not in sys.argv:
        print(f"(bench ran {time.perf_counter() - started:.0f} s)")
