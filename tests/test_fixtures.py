"""Fixture files and trees with inline markers, matched exactly."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import List, Set

import pytest

from flake8_backend_guard.engine import Engine
from flake8_backend_guard.options import build_config
from helpers import FIXTURES
from markers import Markers, annotate, compare, parse_markers

CODE_PREFIX = re.compile(r"^(BG\d{3})")
SINGLE = sorted(p for p in FIXTURES.glob("*.py"))
TREES = sorted(p for p in (FIXTURES / "trees").iterdir() if p.is_dir()) if (
    FIXTURES / "trees"
).is_dir() else []


def _codes_for(name: str, markers: Markers) -> Set[str]:
    codes = set(markers.codes)
    match = CODE_PREFIX.match(name)
    if match:
        codes.add(match.group(1))
    return codes


def _run(path: Path, source: str, markers: Markers, filename: str) -> List:
    config = build_config(markers.options)
    tree = ast.parse(source, filename=filename)
    return Engine(None, config).check(tree, filename, source.splitlines(True))


@pytest.mark.parametrize("path", SINGLE, ids=[p.name for p in SINGLE])
def test_fixture_file(path: Path) -> None:
    """Each single-file fixture reports exactly what its markers say."""
    source = path.read_text(encoding="utf-8")
    markers = parse_markers(source)
    findings = _run(path, source, markers, markers.path or str(path))
    problems = compare(findings, markers, _codes_for(path.name, markers))
    assert not problems, "\n".join(problems) + "\n\n" + annotate(source, findings)


@pytest.mark.parametrize("tree", TREES, ids=[p.name for p in TREES])
def test_fixture_tree(tree: Path) -> None:
    """Each fixture tree reports exactly what the markers of its files say."""
    files = sorted(tree.rglob("*.py"))
    all_markers = {p: parse_markers(p.read_text(encoding="utf-8")) for p in files}
    codes: Set[str] = set()
    for markers in all_markers.values():
        codes |= markers.codes
    match = CODE_PREFIX.match(tree.name)
    if match:
        codes.add(match.group(1))
    failures = []
    for path in files:
        source = path.read_text(encoding="utf-8")
        markers = all_markers[path]
        findings = _run(path, source, markers, str(path))
        problems = compare(findings, markers, codes)
        if problems:
            rel = path.relative_to(tree)
            failures.append(
                f"== {rel}\n" + "\n".join(problems) + "\n" + annotate(source, findings)
            )
    assert not failures, "\n\n".join(failures)
