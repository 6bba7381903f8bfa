"""GitHub Actions workflow commands: one ``::error``/``::warning`` line per finding."""

from __future__ import annotations

from typing import List, Sequence

from . import Diagnostic, ReportContext, rule_for, severity_of, sorted_diagnostics


def escape_data(value: str) -> str:
    """Escape the message part of a workflow command.

    Args:
        value: Free text.

    Returns:
        The text with ``%``, CR and LF percent-encoded.
    """
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value of a workflow command (``file=...``, ``title=...``).

    Args:
        value: Free text.

    Returns:
        The text with ``%``, CR, LF, ``:`` and ``,`` percent-encoded.
    """
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic) -> str:
    """Return the workflow command for one diagnostic.

    Args:
        diagnostic: The diagnostic.

    Returns:
        ``::error file=...,line=...,col=...,endLine=...,endColumn=...,title=...::msg``
        (``::warning`` for warning-level rules).
    """
    rule = rule_for(diagnostic.code)
    title = f"{diagnostic.code} {rule.name}" if rule is not None else diagnostic.code
    path = diagnostic.path.replace("\\", "/")
    props: List[str] = [
        f"file={escape_property(path)}",
        f"line={diagnostic.line}",
        f"col={diagnostic.col + 1}",
    ]
    if diagnostic.end_line is not None and diagnostic.end_col is not None:
        props.append(f"endLine={diagnostic.end_line}")
        props.append(f"endColumn={max(diagnostic.end_col, diagnostic.col + 1)}")
    props.append(f"title={escape_property(title)}")
    command = severity_of(diagnostic.code)
    return f"::{command} {','.join(props)}::{escape_data(diagnostic.message)}"


def serialize(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """Return one annotation line per diagnostic.

    Args:
        diagnostics: The findings to report.
        context: Unused; part of the serializer signature.

    Returns:
        The workflow commands, one per line.
    """
    return "".join(f"{annotation(d)}\n" for d in sorted_diagnostics(diagnostics))
