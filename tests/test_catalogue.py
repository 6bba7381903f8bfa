"""The catalogue: declarations are complete, unique and match their modules."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from typing import Dict, Set

import pytest

from flake8_backend_guard import rules as rules_pkg
from flake8_backend_guard.options import SCHEMA
from flake8_backend_guard.rule import FAMILIES, REGISTRY, all_rules
from helpers import FIXTURES
from markers import parse_markers

RULES = all_rules()


def _fixture_markers() -> Dict[str, Dict[str, int]]:
    counts: Dict[str, Dict[str, int]] = defaultdict(lambda: {"error": 0, "ok": 0})
    for path in FIXTURES.rglob("*.py"):
        markers = parse_markers(path.read_text(encoding="utf-8"))
        for exp in markers.errors:
            counts[exp.code]["error"] += 1
        for _, code in markers.oks:
            counts[code]["ok"] += 1
    return counts


MARKER_COUNTS = _fixture_markers()


def test_rules_are_registered() -> None:
    """Every rule module declares exactly one registered rule."""
    seen: Set[str] = set()
    for family in ("imports", "security", "style"):
        package = importlib.import_module(f"{rules_pkg.__name__}.{family}")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            rule = getattr(module, "RULE", None)
            assert rule is not None, f"{info.name} declares no RULE"
            assert REGISTRY[rule.code] is rule
            assert info.name.startswith(rule.code.lower() + "_"), info.name
            assert info.name == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
            assert FAMILIES[rule.code[2]] == family, f"{rule.code} is in {family}"
            seen.add(rule.code)
    assert seen == set(REGISTRY)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_declaration_is_complete(rule) -> None:
    """Each declaration has what docs, SARIF and the CLI need."""
    assert rule.handlers or rule.leave_handlers, f"{rule.code} checks nothing"
    assert rule.message.strip() and rule.hint.strip()
    assert len(rule.rationale) > 80
    if rule.code.startswith("BG2"):
        assert isinstance(rule.cwe, int)
    for overlap in rule.overlaps:
        assert re.match(r"^(S\d{3}|B\d{3}|[A-Z]+\d+)$", overlap), overlap
    for option in rule.options:
        assert option in SCHEMA


def test_names_and_codes_unique() -> None:
    """Codes and names are unique."""
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_has_fixtures(rule) -> None:
    """Every rule has fixture lines that must fire and lines that must not."""
    counts = MARKER_COUNTS.get(rule.code, {"error": 0, "ok": 0})
    assert counts["error"] >= 6, f"{rule.code}: {counts['error']} error markers"
    assert counts["ok"] >= 6, f"{rule.code}: {counts['ok']} ok markers"
