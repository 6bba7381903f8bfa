"""Serializers of findings (text, JSON, SARIF, GitHub, JUnit) and flake8 formatters.

Every front end turns its findings into :class:`Diagnostic` records (a display path,
a code, a message, 1-based lines and 0-based character columns, an optional fix)
and hands them to one serializer from :data:`FORMATS`. The standalone command and
the flake8 formatters (``--format=bg-json``, ``--format=bg-sarif``) share them.
"""

from __future__ import annotations

import importlib
import operator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

if TYPE_CHECKING:  # pragma: no cover - the rules load when a report names them
    from ..rule import Rule

FORMAT_NAMES = ("concise", "full", "json", "sarif", "github", "junit")
TOOL_NAME = "backend-guard"
INFORMATION_URI = "https://github.com/flake8-backend-guard/flake8-backend-guard"


@dataclass(frozen=True)
class Edit:
    """Replace a range of a file (1-based lines, 0-based character columns).

    ``filename`` is None for the file the diagnostic is in; otherwise the edit
    creates or changes another file (BG102 creates ``__init__.py``), and the
    whole new content is ``content``.
    """

    line: int
    col: int
    end_line: int
    end_col: int
    content: str
    filename: Optional[str] = None


@dataclass(frozen=True)
class Fix:
    """A safe fix: what it does, and its edits."""

    message: str
    edits: Tuple[Edit, ...]
    applicability: str = "safe"


@dataclass(frozen=True)
class Diagnostic:
    """One finding ready to be reported.

    ``line`` is 1-based, ``col`` a 0-based character column. ``source_line`` is
    the physical line the finding starts on (without its line break) when known.
    """

    path: str
    code: str
    message: str
    line: int
    col: int
    end_line: Optional[int] = None
    end_col: Optional[int] = None
    fix: Optional[Fix] = None
    source_line: Optional[str] = None

    @property
    def sort_key(self) -> Tuple[str, int, int, str]:
        """Return the key diagnostics are reported in: path, line, column, code."""
        return (self.path, self.line, self.col, self.code)


_NEW = object.__new__
_SET = object.__setattr__


def new_diagnostic(
    path: str,
    code: str,
    message: str,
    line: int,
    col: int,
    end_line: Optional[int],
    end_col: Optional[int],
    fix: Optional[Fix],
    source_line: Optional[str],
) -> Diagnostic:
    """Return ``Diagnostic(path, code, ...)``, built at half the cost.

    A run served from the cache rebuilds every diagnostic; the frozen
    dataclass's ``__init__`` sets the nine fields one by one, this sets the
    instance dictionary at once. The result is equal to, hashes and prints like
    the one ``Diagnostic(...)`` builds (a unit test holds them equal).

    Args:
        path: The display path.
        code: The code.
        message: The message.
        line: The 1-based line.
        col: The 0-based character column.
        end_line: The end line, if known.
        end_col: The end column, if known.
        fix: The fix, if any.
        source_line: The physical line, if known.

    Returns:
        The diagnostic.
    """
    diagnostic = _NEW(Diagnostic)
    _SET(
        diagnostic,
        "__dict__",
        {
            "path": path,
            "code": code,
            "message": message,
            "line": line,
            "col": col,
            "end_line": end_line,
            "end_col": end_col,
            "fix": fix,
            "source_line": source_line,
        },
    )
    return diagnostic


@dataclass
class ReportContext:
    """What serializers may need besides the diagnostics.

    Attributes:
        rules: The rules that were enabled (SARIF lists their metadata).
        files: Display paths of every checked file (JUnit, statistics).
        version: Version of the tool that produced the report.
    """

    rules: Sequence[Rule] = ()
    files: Sequence[str] = ()
    version: str = ""
    extra: Dict[str, Any] = field(default_factory=dict)


def rule_for(code: str) -> Optional[Rule]:
    """Return the declared rule for a BG code, or None (other plugins' codes).

    Args:
        code: A finding code such as ``BG201`` or ``E501``.

    Returns:
        The rule declaration, or None when ``code`` is not a declared BG rule.
    """
    if not code.startswith("BG"):
        return None
    from ..rule import get_rule

    return get_rule(code)


def severity_of(code: str) -> str:
    """Return ``error`` or ``warning`` for a code.

    Args:
        code: A finding code; BG codes use their declared severity, syntax errors
            (``E999``, ``E9``, ``F63``, ``F7``, ``F82``) are errors, the rest warnings.

    Returns:
        The severity name.
    """
    rule = rule_for(code)
    if rule is not None:
        return rule.severity
    if code == "BG000" or code.startswith(("E9", "F63", "F7", "F82")):
        return "error"
    return "warning"


Serializer = Callable[[Sequence[Diagnostic], ReportContext], str]


def serializer(name: str) -> Serializer:
    """Return the serializer for an output format.

    Args:
        name: One of :data:`FORMAT_NAMES`.

    Returns:
        A function of (diagnostics, context) returning the whole report text.

    Raises:
        KeyError: ``name`` is not a known format.
    """
    module, function = _SERIALIZERS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


# format -> (module of this package, function); a run imports only the one it uses
_SERIALIZERS: Dict[str, Tuple[str, str]] = {
    "concise": ("text", "concise"),
    "full": ("text", "full"),
    "json": ("json_report", "serialize"),
    "sarif": ("sarif", "serialize"),
    "github": ("github", "serialize"),
    "junit": ("junit", "serialize"),
}


def sorted_diagnostics(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """Return the diagnostics in report order (path, line, column, code).

    Args:
        diagnostics: Diagnostics in any order.

    Returns:
        A new sorted list.
    """
    return sorted(diagnostics, key=_SORT_KEY)


# Diagnostic.sort_key, computed in C
_SORT_KEY = operator.attrgetter("path", "line", "col", "code")
