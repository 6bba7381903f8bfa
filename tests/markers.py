"""Inline fixture markers and exact matching of findings against them.

A fixture line ends with a comment holding markers:

    cursor.execute(f"... {x}")  # error: BG201
    cursor.execute(q, (x,))     # ok: BG201
    os.system(cmd)              # error: BG202:5 "os.system"
    log.info(password)          # error: BG219, BG312

``error: CODE[:COL] ["substring"]`` expects a finding of CODE on that line (COL is
the 1-based column; the substring must occur in the message); ``ok: CODE`` states
that CODE must not fire there. Matching is exact for the codes under test: every
finding of those codes needs an ``error`` marker, every marker needs a finding.

Optional header comments in the first lines of a fixture:

    # bg-options: bg-max-token-lifetime=7200; bg-api-prefix=/v1
    # bg-path: app/settings.py      (the file name the checker is told)
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from flake8_backend_guard.rule import Finding

MARKER_RE = re.compile(
    r"\b(error|ok):\s*((?:BG\d{3}(?::\d+)?(?:\s+\"[^\"]*\")?\s*,?\s*)+)"
)
ITEM_RE = re.compile(r"(BG\d{3})(?::(\d+))?(?:\s+\"([^\"]*)\")?")
HEADER_RE = re.compile(r"^#\s*bg-(options|path):\s*(.*)$")


@dataclass
class Expectation:
    """One ``error:`` marker item."""

    line: int
    code: str
    col: Optional[int] = None
    text: Optional[str] = None


@dataclass
class Markers:
    """All markers of one fixture file."""

    errors: List[Expectation] = field(default_factory=list)
    oks: List[Tuple[int, str]] = field(default_factory=list)
    options: Dict[str, str] = field(default_factory=dict)
    path: Optional[str] = None

    @property
    def codes(self) -> Set[str]:
        """Return every code named by a marker."""
        return {e.code for e in self.errors} | {code for _, code in self.oks}


def parse_markers(source: str) -> Markers:
    """Return the markers and headers of a fixture's source."""
    markers = Markers()
    for line in source.splitlines()[:5]:
        match = HEADER_RE.match(line.strip())
        if not match:
            continue
        if match.group(1) == "path":
            markers.path = match.group(2).strip()
        else:
            for item in match.group(2).split(";"):
                if "=" in item:
                    key, value = item.split("=", 1)
                    markers.options[key.strip()] = value.strip()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0]
        for kind, items in MARKER_RE.findall(token.string):
            for code, col, text in ITEM_RE.findall(items):
                if kind == "error":
                    markers.errors.append(
                        Expectation(line, code, int(col) if col else None, text or None)
                    )
                else:
                    markers.oks.append((line, code))
    return markers


def compare(
    findings: Sequence[Finding], markers: Markers, codes: Iterable[str]
) -> List[str]:
    """Return the mismatches between findings and markers for ``codes``."""
    codes = set(codes)
    problems: List[str] = []
    relevant = [f for f in findings if f.code in codes or f.code == "BG000"]
    expected = Counter((e.line, e.code) for e in markers.errors if e.code in codes)
    actual = Counter((f.line, f.code) for f in relevant)
    for (line, code), count in sorted((expected - actual).items()):
        problems.append(f"line {line}: expected {count} x {code}, not reported")
    for (line, code), count in sorted((actual - expected).items()):
        texts = [f.message for f in relevant if (f.line, f.code) == (line, code)]
        problems.append(f"line {line}: unexpected {code}: {texts[0]}")
    for exp in markers.errors:
        if exp.code not in codes:
            continue
        candidates = [f for f in relevant if (f.line, f.code) == (exp.line, exp.code)]
        if not candidates:
            continue
        if exp.col is not None and not any(f.col + 1 == exp.col for f in candidates):
            cols = [f.col + 1 for f in candidates]
            problems.append(f"line {exp.line}: {exp.code} expected at col {exp.col}, got {cols}")
        if exp.text and not any(exp.text in f.message for f in candidates):
            problems.append(
                f"line {exp.line}: {exp.code} message lacks {exp.text!r}: "
                f"{candidates[0].message}"
            )
    for line, code in markers.oks:
        if code in codes and any((f.line, f.code) == (line, code) for f in relevant):
            problems.append(f"line {line}: {code} fired on an `ok` line")
    return problems


def annotate(source: str, findings: Sequence[Finding]) -> str:
    """Return the source with the findings printed under their lines."""
    by_line: Dict[int, List[Finding]] = {}
    for finding in findings:
        by_line.setdefault(finding.line, []).append(finding)
    out = []
    for number, text in enumerate(source.splitlines(), start=1):
        out.append(f"{number:4d} | {text}")
        for finding in by_line.get(number, []):
            out.append(f"     ^ {finding.code}:{finding.col + 1} {finding.message}")
    return "\n".join(out)
