"""SARIF 2.1.0 output for GitHub code scanning and other SARIF consumers."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import quote

from ..rule import Rule
from . import (
    INFORMATION_URI,
    TOOL_NAME,
    Diagnostic,
    ReportContext,
    rule_for,
    severity_of,
    sorted_diagnostics,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_FIELD_RE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
# GitHub ranks security alerts by this property (CVSS-like, 0.0 to 10.0).
_SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0"}


def template_text(template: str) -> str:
    """Return a message template with its ``{fields}`` shown as ``...``.

    Args:
        template: A rule's message or hint template.

    Returns:
        Readable text for rule metadata.
    """
    return _FIELD_RE.sub("...", template).replace("{{", "{").replace("}}", "}")


def _title(rule: Rule) -> str:
    words = rule.name.replace("-", " ")
    return words[:1].upper() + words[1:]


def rule_descriptor(rule: Rule) -> Dict[str, Any]:
    """Return the SARIF ``reportingDescriptor`` of a rule.

    Args:
        rule: The rule declaration.

    Returns:
        The descriptor: id, name, descriptions, help (text and markdown), helpUri,
        default level and tags (``security`` and ``external/cwe/cwe-N`` for
        security rules).
    """
    message = template_text(rule.message)
    hint = template_text(rule.hint)
    tags: List[str] = [rule.family]
    properties: Dict[str, Any] = {"tags": tags, "precision": "high"}
    if rule.family == "security":
        tags.insert(0, "security")
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    if rule.cwe is not None:
        tags.append(f"external/cwe/cwe-{rule.cwe}")
    markdown = (
        f"**{rule.code} {rule.name}**: {message}; {hint}.\n\n{rule.rationale}\n\n"
        f"Bad:\n\n```python\n{rule.bad.code.rstrip()}\n```\n\n"
        f"Good:\n\n```python\n{rule.good.code.rstrip()}\n```\n\n"
        f"[Documentation]({rule.url})"
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _title(rule)},
        "fullDescription": {"text": f"{message}; {hint}"},
        "help": {"text": f"{message}; {hint}. {rule.rationale}", "markdown": markdown},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": rule.severity},
        "properties": properties,
    }


def _foreign_descriptor(code: str) -> Dict[str, Any]:
    return {
        "id": code,
        "shortDescription": {"text": code},
        "defaultConfiguration": {"level": severity_of(code)},
    }


def artifact_uri(path: str) -> str:
    """Return a relative, forward-slash, percent-encoded URI for a display path.

    Args:
        path: The path as reported (relative to the working directory when the
            file is below it).

    Returns:
        The URI reference.
    """
    uri = path.replace("\\", "/")
    while uri.startswith("./"):
        uri = uri[2:]
    return quote(uri, safe="/:")


def _region(diagnostic: Diagnostic) -> Dict[str, int]:
    region = {"startLine": diagnostic.line, "startColumn": diagnostic.col + 1}
    if diagnostic.end_line is not None and diagnostic.end_col is not None:
        end_col = diagnostic.end_col
        if diagnostic.end_line == diagnostic.line:
            end_col = max(end_col, diagnostic.col + 1)
        region["endLine"] = diagnostic.end_line
        region["endColumn"] = end_col + 1
    return region


def sarif_log(
    diagnostics: Sequence[Diagnostic],
    rules: Sequence[Rule],
    version: str,
    tool_name: str = TOOL_NAME,
    information_uri: str = INFORMATION_URI,
) -> Dict[str, Any]:
    """Return the SARIF log object.

    Args:
        diagnostics: The findings.
        rules: Rules to describe in ``tool.driver.rules`` (codes of findings that
            are not among them are added).
        version: The tool version.
        tool_name: The driver name.
        information_uri: The driver's home page.

    Returns:
        A dict ready for ``json.dumps``.
    """
    descriptors: List[Dict[str, Any]] = []
    index: Dict[str, int] = {}
    for rule in rules:
        if rule.code not in index:
            index[rule.code] = len(descriptors)
            descriptors.append(rule_descriptor(rule))
    results = []
    for diagnostic in sorted_diagnostics(diagnostics):
        code = diagnostic.code
        if code not in index:
            rule: Optional[Rule] = rule_for(code)
            index[code] = len(descriptors)
            descriptors.append(
                rule_descriptor(rule) if rule is not None else _foreign_descriptor(code)
            )
        results.append(
            {
                "ruleId": code,
                "ruleIndex": index[code],
                "level": severity_of(code),
                "message": {"text": diagnostic.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact_uri(diagnostic.path)},
                            "region": _region(diagnostic),
                        }
                    }
                ],
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": tool_name,
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": information_uri,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def serialize(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    """Return the diagnostics as a SARIF 2.1.0 document.

    Args:
        diagnostics: The findings to report.
        context: Its ``rules`` are described in the driver, ``version`` names the
            tool version.

    Returns:
        The JSON text, ending with a line break.
    """
    log = sarif_log(diagnostics, context.rules, context.version)
    return json.dumps(log, indent=2) + "\n"
