"""Baselines: adopt the checker on a legacy code base without fixing everything first.

``backend-guard check --write-baseline FILE`` records the current findings;
``backend-guard check --baseline FILE`` then reports only findings that are not in
it. The file is JSON::

    {
      "version": 1,
      "tool": "backend-guard",
      "findings": [
        {"path": "app/db.py", "code": "BG201", "hash": "3f2a...",
         "occurrence": 0, "line": 12, "message": "..."}
      ]
    }

An entry is keyed by the file path (relative to the baseline file's directory,
with ``/``), the code, a hash of the finding's source line with surrounding
white space stripped, and the occurrence index among findings with the same
path, code and hash (in line order). ``line`` and ``message`` are informative
only. So a baselined finding stays hidden when lines are inserted above it or it
is re-indented, while the same code on a new line, in another file, or an extra
occurrence of an identical line in the same file is reported.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Dict, List, Sequence, Set, Tuple

from .config import ConfigError, relative_to
from .report import Diagnostic, sorted_diagnostics

BASELINE_VERSION = 1
Key = Tuple[str, str, str, int]


def line_hash(source_line: str) -> str:
    """Return the hash of a finding's source line (white space at both ends ignored).

    Args:
        source_line: The physical line.

    Returns:
        16 hex digits.
    """
    return hashlib.sha256(source_line.strip().encode("utf-8")).hexdigest()[:16]


def keyed(
    diagnostics: Sequence[Diagnostic], base_dir: str
) -> List[Tuple[Key, Diagnostic]]:
    """Return each diagnostic with its baseline key.

    Args:
        diagnostics: Diagnostics whose ``path`` is relative to the working
            directory (or absolute).
        base_dir: The directory of the baseline file.

    Returns:
        (key, diagnostic) pairs in report order.
    """
    counts: Dict[Tuple[str, str, str], int] = {}
    result = []
    for diagnostic in sorted_diagnostics(diagnostics):
        path = relative_to(os.path.abspath(diagnostic.path), base_dir)
        base = (path, diagnostic.code, line_hash(diagnostic.source_line or ""))
        occurrence = counts.get(base, 0)
        counts[base] = occurrence + 1
        result.append(((*base, occurrence), diagnostic))
    return result


def write_baseline(path: str, diagnostics: Sequence[Diagnostic]) -> int:
    """Write the baseline file of the given findings.

    Args:
        path: The baseline file.
        diagnostics: The findings to record.

    Returns:
        The number of entries written.

    Raises:
        ConfigError: The file cannot be written.
    """
    base_dir = os.path.dirname(os.path.abspath(path))
    entries = [
        {
            "path": key[0],
            "code": key[1],
            "hash": key[2],
            "occurrence": key[3],
            "line": diagnostic.line,
            "message": diagnostic.message,
        }
        for key, diagnostic in keyed(diagnostics, base_dir)
    ]
    document = {
        "version": BASELINE_VERSION,
        "tool": "backend-guard",
        "findings": entries,
    }
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot write the baseline: {exc.strerror or exc}"
        ) from None
    return len(entries)


def load_baseline(path: str) -> Set[Key]:
    """Read a baseline file.

    Args:
        path: The baseline file.

    Returns:
        The set of keys it holds.

    Raises:
        ConfigError: The file is missing or not a baseline.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the baseline: {exc.strerror or exc}"
        ) from None
    except ValueError as exc:
        raise ConfigError(f"{path}: the baseline is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise ConfigError(
            f"{path}: not a backend-guard baseline (version {BASELINE_VERSION})"
        )
    keys: Set[Key] = set()
    for entry in document.get("findings", []):
        try:
            keys.add(
                (
                    str(entry["path"]),
                    str(entry["code"]),
                    str(entry["hash"]),
                    int(entry["occurrence"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{path}: malformed baseline entry {entry!r}") from None
    return keys


def filter_baseline(
    diagnostics: Sequence[Diagnostic], keys: Set[Key], baseline_path: str
) -> Tuple[List[Diagnostic], int]:
    """Drop the findings recorded in a baseline.

    Args:
        diagnostics: The current findings.
        keys: Keys from :func:`load_baseline`.
        baseline_path: The baseline file (paths in it are relative to its directory).

    Returns:
        The findings that are not in the baseline, and how many were hidden.
    """
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    kept = []
    hidden = 0
    for key, diagnostic in keyed(diagnostics, base_dir):
        if key in keys:
            hidden += 1
        else:
            kept.append(diagnostic)
    return kept, hidden
