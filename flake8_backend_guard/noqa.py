"""``# noqa`` comments, parsed exactly as flake8 parses them.

flake8 searches the physical line of a finding for
``# noqa(?::[\\s]?(?P<codes>...))?`` (case-insensitive). Without codes every finding
on the line is suppressed; with codes (separated by commas and/or whitespace) a
finding is suppressed when its code equals or starts with one of them. Lines that
belong to one multi-line token run (a triple-quoted string, a backslash
continuation) share their text: a ``noqa`` anywhere in the run applies to every
line of it. A line ``# flake8: noqa`` (alone on its line) skips the whole file.
"""

from __future__ import annotations

import io
import re
from typing import Dict, Iterable, List, Optional, Sequence, TypeVar

# The same expressions as flake8.defaults (flake8 5 to 7).
NOQA_INLINE_RE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE
)
NOQA_FILE_RE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_SPLIT_RE = re.compile(r"[,\s]")

T = TypeVar("T")


def parse_codes(comment_text: str) -> Optional[List[str]]:
    """Return the codes of the first ``# noqa`` in a line.

    Args:
        comment_text: A physical line (or the joined lines of a token run).

    Returns:
        None when there is no ``# noqa``; an empty list for a blanket ``# noqa``;
        otherwise the listed codes, upper-cased as written.
    """
    match = NOQA_INLINE_RE.search(comment_text)
    if match is None:
        return None
    codes = match.group("codes")
    if codes is None:
        return []
    return [c.strip() for c in _SPLIT_RE.split(codes) if c.strip()]


def is_suppressed(code: str, comment_text: Optional[str]) -> bool:
    """Return True when ``comment_text`` holds a ``noqa`` covering ``code``.

    Args:
        code: The finding's code (``BG201``).
        comment_text: The text flake8 would search (None: no text).

    Returns:
        Whether the finding is suppressed.
    """
    if not comment_text or "noqa" not in comment_text.lower():
        return False
    codes = parse_codes(comment_text)
    if codes is None:
        return False
    return not codes or code in codes or code.startswith(tuple(codes))


def file_is_skipped(lines: Iterable[str]) -> bool:
    """Return True when a line is ``# flake8: noqa`` (the file is not checked).

    Args:
        lines: The file's lines.

    Returns:
        Whether the whole file is skipped.
    """
    lines = list(lines)
    # A line the expression matches holds "flake8" once lower-cased (each
    # character it matches case-insensitively lower-cases to that letter): one
    # scan of the text instead of a match per line.
    if "flake8" not in "\n".join(lines).lower():
        return False
    return any(NOQA_FILE_RE.match(line) for line in lines)


def line_mapping(lines: Sequence[str]) -> Dict[int, str]:
    """Map each line number to the text flake8 searches for a ``noqa``.

    Tokens are grouped up to each NEWLINE/NL token; every line of a group maps to
    the group's joined text (flake8's ``_noqa_line_mapping``). When the source
    cannot be tokenized each line maps to itself.

    Args:
        lines: The file's lines with their line breaks.

    Returns:
        Line number (1-based) -> text.
    """
    import tokenize

    mapping: Dict[int, str] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("".join(lines)).readline))
    except (tokenize.TokenError, SyntaxError):
        return {number: line for number, line in enumerate(lines, 1)}
    lowest = len(lines) + 2
    highest = -1
    for token in tokens:
        kind = token.type
        if kind == tokenize.ENDMARKER or kind == tokenize.DEDENT:
            continue
        lowest = min(lowest, token.start[0])
        highest = max(highest, token.end[0])
        if kind == tokenize.NL or kind == tokenize.NEWLINE:
            joined = "".join(lines[lowest - 1 : highest])
            for number in range(lowest, highest + 1):
                mapping[number] = joined
            lowest = len(lines) + 2
            highest = -1
    return mapping


def filter_findings(findings: Sequence[T], lines: Sequence[str]) -> List[T]:
    """Drop the findings a ``# noqa`` comment suppresses.

    Args:
        findings: Objects with ``line`` and ``code`` attributes.
        lines: The file's lines with their line breaks.

    Returns:
        The findings that remain, in their order.
    """
    # the joined lines hold "noqa" exactly when one of the lines does
    if not findings or "noqa" not in "\n".join(lines).lower():
        return list(findings)
    mapping = line_mapping(lines)
    kept = []
    for finding in findings:
        number = finding.line  # type: ignore[attr-defined]
        text = mapping.get(number)
        if text is None and 0 < number <= len(lines):
            text = lines[number - 1]
        if not is_suppressed(finding.code, text):  # type: ignore[attr-defined]
            kept.append(finding)
    return kept
