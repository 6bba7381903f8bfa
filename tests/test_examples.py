"""Each rule's documented bad example raises its code; the good one does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_backend_guard.project import clear_caches
from flake8_backend_guard.rule import Example, all_rules
from helpers import check_path, write_tree

RULES = all_rules()


def _run_example(tmp_path: Path, example: Example, code: str) -> list:
    clear_caches()
    files = dict(example.files)
    files[example.path] = example.code
    write_tree(tmp_path, files)
    findings = check_path(tmp_path / example.path)
    assert not [f for f in findings if f.code == "BG000"], findings
    return [f for f in findings if f.code == code]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_bad_example_fires(rule, tmp_path: Path) -> None:
    """The bad example raises the rule's code."""
    assert _run_example(tmp_path, rule.bad, rule.code), rule.bad.code


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_good_example_is_clean(rule, tmp_path: Path) -> None:
    """The good example raises nothing of the rule's code."""
    assert not _run_example(tmp_path, rule.good, rule.code), rule.good.code
