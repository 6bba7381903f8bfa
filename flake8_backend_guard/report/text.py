"""Text output: ``concise`` (one line per finding) and ``full`` (with source)."""

from __future__ import annotations

from typing import List, Sequence

from . import Diagnostic, ReportContext, rule_for, sorted_diagnostics


def concise_line(diagnostic: Diagnostic) -> str:
    """Return the one-line form ``path:line:col: CODE [*] message``.

    Args:
        diagnostic: The diagnostic (the column shown is 1-based; ``[*]`` marks a
            finding that ``--fix`` can repair).

    Returns:
        The line, without a line break.
    """
    marker = " [*]" if diagnostic.fix is not None else ""
    return (
        f"{diagnostic.path}:{diagnostic.line}:{diagnostic.col + 1}: "
        f"{diagnostic.code}{marker} {diagnostic.message}"
    )


def concise(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """Return one line per diagnostic, flake8 style.

    Args:
        diagnostics: The findings to report.
        context: Unused; part of the serializer signature.

    Returns:
        The report text (empty when there is nothing to report).
    """
    lines = [concise_line(d) for d in sorted_diagnostics(diagnostics)]
    return "\n".join(lines) + "\n" if lines else ""


def full(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """Return each diagnostic with its source line, a caret span and the docs URL.

    Args:
        diagnostics: The findings to report.
        context: Unused; part of the serializer signature.

    Returns:
        The report text.
    """
    blocks: List[str] = []
    for diagnostic in sorted_diagnostics(diagnostics):
        rule = rule_for(diagnostic.code)
        lines = [concise_line(diagnostic)]
        source = diagnostic.source_line
        if source is not None:
            number = str(diagnostic.line)
            pad = " " * len(number)
            start = min(diagnostic.col, len(source))
            if diagnostic.end_line == diagnostic.line and diagnostic.end_col:
                end = min(max(diagnostic.end_col, start + 1), len(source))
            else:
                end = len(source.rstrip())
            width = max(end - start, 1)
            label = rule.name if rule is not None else diagnostic.code
            indent = "".join(c if c == "\t" else " " for c in source[:start])
            lines += [
                f"{pad} |",
                f"{number} | {source}",
                f"{pad} | {indent}{'^' * width} {label}",
                f"{pad} |",
            ]
        if diagnostic.fix is not None:
            lines.append(f"  = fix: {diagnostic.fix.message}")
        if rule is not None:
            lines.append(f"  = docs: {rule.url}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
