"""The reference pages are the code's: docs/commands.md is every command's --help, docs/checks*.md the
catalogue; README names every command with an example, in both languages (as sqlite-utils' test_docs does)."""
from __future__ import annotations

import importlib.util
import re

import click
import pytest
from conftest import ROOT

from gkxl.cli import main


def _make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "docs" / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", ["commands.md", "checks.md", "checks.en.md"])
def test_reference_pages_are_generated_from_the_code(page):
    made = _make_docs().PAGES[page]()
    assert (ROOT / "docs" / page).read_text(encoding="utf-8") == made, "run: python docs/make_docs.py"


@pytest.mark.parametrize("readme", ["README.md", "README.en.md"])
def test_readme_shows_every_command_with_an_example(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", text, re.S))
    for name in main.list_commands(click.Context(main)):
        assert re.search(rf"^gkxl (--lang en )?{name}\b", blocks, re.M) or f"`gkxl {name} " in text, (readme, name)


def test_readme_links_point_at_files_that_exist():
    for readme in ("README.md", "README.en.md", *(p.relative_to(ROOT) for p in (ROOT / "docs").glob("*.md"))):
        path = ROOT / readme
        for target in re.findall(r"\]\(([^)#:]+)\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).exists(), (readme, target)
