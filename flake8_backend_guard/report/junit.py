"""JUnit XML output (GitLab, Jenkins, Azure test reports).

One ``<testsuite>`` per file with findings, one failing ``<testcase>`` per finding.
A clean run holds one passing test case, so report viewers show a green run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from typing import Sequence

from . import TOOL_NAME, Diagnostic, ReportContext, rule_for, sorted_diagnostics
from .text import concise_line


def serialize(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """Return the diagnostics as a JUnit XML document.

    Args:
        diagnostics: The findings to report.
        context: Unused; part of the serializer signature.

    Returns:
        The XML text with an XML declaration, ending with a line break.
    """
    ordered = sorted_diagnostics(diagnostics)
    root = ET.Element(
        "testsuites",
        name=TOOL_NAME,
        tests=str(max(len(ordered), 1)),
        failures=str(len(ordered)),
        errors="0",
    )
    if not ordered:
        suite = ET.SubElement(
            root, "testsuite", name=TOOL_NAME, tests="1", failures="0", errors="0"
        )
        ET.SubElement(suite, "testcase", name="no findings", classname=TOOL_NAME)
    for path, group in groupby(ordered, key=lambda d: d.path):
        items = list(group)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=path,
            tests=str(len(items)),
            failures=str(len(items)),
            errors="0",
        )
        for item in items:
            rule = rule_for(item.code)
            name = f"{item.code} {rule.name}" if rule is not None else item.code
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{name} at line {item.line}, column {item.col + 1}",
                classname=path,
                file=path,
                line=str(item.line),
            )
            failure = ET.SubElement(
                case, "failure", message=item.message, type=item.code
            )
            failure.text = concise_line(item)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
