"""Benchmark: `gkxl parse` of one report as text, HTML, Word and PDF, side by side, in the same run.

    python bench/parse.py [--pages 10] [--repeat 5]

The seed report, its narrative lengthened until the PDF has --pages pages, is rendered by gkxl as text
(Markdown), HTML and DOCX (python-docx); LibreOffice Writer turns the DOCX into a PDF, as an office
exports its report. Each is parsed --repeat times in this process (best time kept). Baselines in the
same run: parsing the text (the ratio column), and pdfplumber reading every character and ruled table
of the PDF (the floor for any parser that uses it). Needs soffice for the PDF row.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gkxl.published.parse import parse_path
from gkxl.published.render import render

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "卫滨区司法局_2024年报.txt"
FILLER = ("（{n}）政府信息管理：严格落实信息发布审核制度，主动公开工作年度计划、财政预决算、重大建设项目批准和实施、"
          "公共资源配置、社会公益事业建设等领域信息，及时回应社会关切，持续提升政务公开的质量和实效。")


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def pdf_pages(path: Path) -> int:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def pdfplumber_floor(path: Path) -> None:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            len(page.chars)                 # pdfplumber reads characters lazily
            page.find_tables()


def to_pdf(docx: Path, out_dir: Path) -> Path:
    exe = shutil.which("soffice")
    profile = out_dir / "lo_profile"
    subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to",
                    "pdf", "--outdir", str(out_dir), str(docx)], check=True, capture_output=True, timeout=300)
    return out_dir / (docx.stem + ".pdf")


def build(folder: Path, pages: int) -> dict[str, Path]:
    """The seed as md, html, docx and pdf, with as many filler paragraphs as make the PDF `pages` long."""
    report = parse_path(SEED).report
    overview = report.values["text.overview"]
    fillers = 0
    while True:
        report.values["text.overview"] = "\n".join([overview] + [FILLER.format(n=i + 6) for i in range(fillers)])
        files = {"text": folder / "report.md", "html": folder / "report.html", "docx": folder / "report.docx"}
        render(report, "md", files["text"])
        render(report, "html", files["html"])
        render(report, "docx", files["docx"])
        if shutil.which("soffice") is None:
            return files
        files["pdf"] = to_pdf(files["docx"], folder)
        have = pdf_pages(files["pdf"])
        if have >= pages:
            return files
        fillers += max(2, (pages - have) * 7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp), args.pages)
        reference = parse_path(files["text"]).report.values
        times = {}
        for kind, path in files.items():
            result = parse_path(path)                                   # warm up, and check it is right
            same = all(result.report.values[k] == v for k, v in reference.items() if k.startswith(("t2", "t3", "t4")))
            assert same, f"{kind}: figures differ from the text's"
            times[kind] = best_of(args.repeat, lambda p=path: parse_path(p))
        print(f"{'input':<6} {'size KB':>8} {'pages':>6} {'parse s':>8} {'x text':>7}")
        for kind, path in files.items():
            pages = pdf_pages(path) if kind == "pdf" else ""
            print(f"{kind:<6} {path.stat().st_size / 1024:>8.0f} {pages!s:>6} {times[kind]:>8.3f} "
                  f"{times[kind] / times['text']:>7.1f}")
        if "pdf" in files:
            floor = best_of(args.repeat, lambda: pdfplumber_floor(files["pdf"]))
            print(f"pdfplumber alone (chars + ruled tables of every page): {floor:.3f} s; "
                  f"gkxl parse of the PDF is x{times['pdf'] / floor:.2f} that")
            print(f"PDF of {pdf_pages(files['pdf'])} pages parsed in {times['pdf']:.3f} s "
                  f"({'under' if times['pdf'] < 1 else 'OVER'} 1 s)")
        else:
            print("soffice not found: no PDF row", file=sys.stderr)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
