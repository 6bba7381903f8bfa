"""JSON output: a list of objects shaped like Ruff's ``--output-format json``."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from . import Diagnostic, Fix, ReportContext, rule_for, severity_of, sorted_diagnostics


def _location(line: int, col: int) -> Dict[str, int]:
    return {"row": line, "column": col + 1}


def fix_to_json(fix: Optional[Fix]) -> Optional[Dict[str, Any]]:
    """Return the JSON form of a fix (None stays None).

    Args:
        fix: The fix, if any.

    Returns:
        ``{"applicability", "message", "edits": [...]}``; each edit has ``content``,
        ``location`` and ``end_location`` (1-based rows and columns), and a
        ``filename`` when it creates or changes another file.
    """
    if fix is None:
        return None
    edits = []
    for edit in fix.edits:
        item: Dict[str, Any] = {
            "content": edit.content,
            "location": _location(edit.line, edit.col),
            "end_location": _location(edit.end_line, edit.end_col),
        }
        if edit.filename is not None:
            item["filename"] = edit.filename
        edits.append(item)
    return {"applicability": fix.applicability, "message": fix.message, "edits": edits}


def diagnostic_to_json(diagnostic: Diagnostic) -> Dict[str, Any]:
    """Return the JSON object of one diagnostic.

    Args:
        diagnostic: The diagnostic.

    Returns:
        A dict with ``code``, ``name``, ``message``, ``filename``, ``location``,
        ``end_location``, ``severity``, ``url``, ``fix`` and ``noqa_row``.
    """
    rule = rule_for(diagnostic.code)
    end_line = diagnostic.end_line or diagnostic.line
    end_col = diagnostic.end_col if diagnostic.end_line else diagnostic.col
    return {
        "code": diagnostic.code,
        "name": rule.name if rule is not None else None,
        "message": diagnostic.message,
        "filename": diagnostic.path,
        "location": _location(diagnostic.line, diagnostic.col),
        "end_location": _location(end_line, end_col if end_col is not None else 0),
        "severity": severity_of(diagnostic.code),
        "url": rule.url if rule is not None else None,
        "fix": fix_to_json(diagnostic.fix),
        "noqa_row": diagnostic.line,
    }


def serialize(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """Return the diagnostics as a JSON array.

    Args:
        diagnostics: The findings to report.
        context: Unused; part of the serializer signature.

    Returns:
        The JSON text, ending with a line break.
    """
    items: List[Dict[str, Any]] = [
        diagnostic_to_json(d) for d in sorted_diagnostics(diagnostics)
    ]
    return json.dumps(items, indent=2) + "\n"
