"""Shared helpers for the tests: checking sources and running the real tools."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from flake8_backend_guard.engine import Engine, check_source
from flake8_backend_guard.options import build_config
from flake8_backend_guard.rule import Finding, all_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def check(
    source: str,
    filename: str = "example.py",
    select: Optional[Iterable[str]] = None,
    **options: object,
) -> List[Finding]:
    """Check dedented ``source`` with all rules (or those starting with ``select``)."""
    config = build_config({k.replace("_", "-"): v for k, v in options.items()})
    return check_source(textwrap.dedent(source), filename, config, select)


def codes(findings: Sequence[Finding]) -> List[str]:
    """Return the codes of ``findings`` in order."""
    return [f.code for f in findings]


def check_path(path: Path, config_options: Optional[Mapping[str, object]] = None,
               select: Optional[Iterable[str]] = None) -> List[Finding]:
    """Check a file on disk under its real path."""
    source = path.read_text(encoding="utf-8")
    config = build_config(dict(config_options or {}))
    rules = all_rules()
    if select is not None:
        prefixes = tuple(select)
        rules = [r for r in rules if r.code.startswith(prefixes)]
    import ast

    tree = ast.parse(source, filename=str(path))
    return Engine(rules, config).check(tree, str(path), source.splitlines(True))


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path -> dedented source) below ``root``."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def run_flake8(
    args: Sequence[str],
    cwd: Path,
    stdin: Optional[str] = None,
    env: Optional[Dict[str, str]] = None,
) -> subprocess.CompletedProcess:
    """Run the real flake8 of this interpreter in a subprocess."""
    full_env = dict(os.environ)
    full_env.pop("PYTHONPATH", None)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=str(cwd),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env=full_env,
    )
