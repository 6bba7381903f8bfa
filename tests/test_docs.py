"""The generated documentation is up to date and complete."""

from __future__ import annotations

import subprocess
import sys

from flake8_backend_guard.docgen import generated_files, rule_page
from flake8_backend_guard.rule import all_rules
from helpers import ROOT


def test_docs_are_current() -> None:
    """Committed docs equal what docgen generates (run docgen --write if not)."""
    result = subprocess.run(
        [sys.executable, "-m", "flake8_backend_guard.docgen", "--check"],
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_every_rule_has_a_page_and_a_table_row() -> None:
    """Each rule has its page and a row in the README table."""
    files = generated_files(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in all_rules():
        assert (ROOT / "docs" / "rules" / f"{rule.code}.md") in files
        assert f"[{rule.code}](docs/rules/{rule.code}.md)" in readme


def test_rule_page_sections() -> None:
    """A page has the sections users look for."""
    page = rule_page(all_rules()[0])
    for heading in ("## What it does", "## Why is this bad?", "## Example",
                    "## Use instead", "## Options"):
        assert heading in page
