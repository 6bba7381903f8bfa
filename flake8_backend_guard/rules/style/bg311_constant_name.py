"""BG311 constant-name: module-level constants that are not UPPER_SNAKE_CASE."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Set

from ...analysis.structure import (
    all_statements,
    is_dunder,
    is_upper_case,
    literal_kind,
    module_binding_counts,
    statement_nodes,
    to_upper_case,
    word_lines,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG311",
    name="constant-name",
    message="module constant `{name}` is not UPPER_SNAKE_CASE",
    hint="rename it to `{suggestion}`",
    rationale=(
        "PEP 8 spells module-level constants in UPPER_SNAKE_CASE so that readers "
        "know the value never changes and can be tuned in one place. A module-level "
        "name bound exactly once to a literal (number, string, bytes, `None`, "
        "`True`/`False`, a tuple or frozenset of literals) is such a constant. "
        "Names bound more than once (also through `global` in a function), objects "
        "such as `logger`, `app` or `router`, dunders (`__all__`, `__version__`) "
        "and the names migration tools require (`revision`, `down_revision`, "
        "`branch_labels`, `depends_on`) are not judged; neither are configuration "
        "files whose settings must be lower-case (Sphinx `conf.py`, Gunicorn and "
        "Celery configuration modules)."
    ),
    bad=Example('default_timeout = 30\napi_version = "v1"\n'),
    good=Example('DEFAULT_TIMEOUT = 30\nAPI_VERSION = "v1"\n'),
    overlaps=(),
)

_EXEMPT_NAMES = frozenset(
    {"revision", "down_revision", "branch_labels", "depends_on"}
    | {"app_name", "default_app_config", "pytest_plugins", "collect_ignore"}
    | {"collect_ignore_glob", "pytestmark", "target_metadata"}
)
_LOWER_CASE_CONFIG_FILES = frozenset(
    {"conf.py", "celeryconfig.py", "celery_config.py", "celeryconf.py"}
    | {"gunicorn.conf.py", "gunicorn_conf.py", "gunicorn_config.py", "gunicorn.py"}
)


def _is_config_file(basename: str) -> bool:
    return basename in _LOWER_CASE_CONFIG_FILES or (
        basename.startswith("gunicorn") and basename.endswith(".py")
    )


def _fills_globals(ctx: FileContext) -> bool:
    # Return True when the module rebinds its names through ``globals()``.

    def compute() -> bool:
        lines = word_lines(ctx, "globals")
        if lines is not None and not lines:
            return False
        # the call is on a line holding `globals`: only those statements are read
        for stmt in all_statements(ctx, lines):
            for node in statement_nodes(stmt, "all"):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "globals"
                ):
                    return True
        return False

    return ctx.cached(("BG311", "globals"), compute)


def _binding_counts(
    node: ast.Module, ctx: FileContext, names: Set[str]
) -> Dict[str, int]:
    # module_binding_counts of ``names``; the lines holding `global` are searched
    # once (and kept for the look-up of the functions that declare names global).
    lines = word_lines(ctx, "global")
    return module_binding_counts(node, lines is None or bool(lines), ctx, names)


@RULE.on(ast.Module)
def _check_module(node: ast.Module, ctx: FileContext) -> Iterator[Finding]:
    if _is_config_file(ctx.basename):
        return
    candidates: List[ast.Name] = []  # lower-case names bound to a literal
    for stmt in ctx.module_statements:
        cls = stmt.__class__
        if cls is ast.Assign:
            targets = stmt.targets  # type: ignore[attr-defined]
        elif cls is ast.AnnAssign and stmt.value is not None:  # type: ignore
            targets = [stmt.target]  # type: ignore[attr-defined]
        else:
            continue
        candidate = False  # a target that is reported when the value is literal
        for target in targets:
            if target.__class__ is not ast.Name:
                break
            name = target.id
            if is_dunder(name):
                break  # __version__ = version = "1.0"
            if not (
                is_upper_case(name) or name in _EXEMPT_NAMES or name.startswith("__")
            ):
                candidate = True
        else:
            if not candidate:
                continue
            if cls is ast.AnnAssign:
                annotation = ctx.qualname(stmt.annotation) or ""  # type: ignore
                if annotation.rsplit(".", 1)[-1] == "TypeAlias":
                    continue  # `UserId: TypeAlias = "int"` is a type alias
            kind = literal_kind(stmt.value)  # type: ignore[attr-defined]
            if kind is None or (kind == "const" and _fills_globals(ctx)):
                continue
            for target in targets:
                name = target.id
                if not (
                    is_upper_case(name)
                    or name in _EXEMPT_NAMES
                    or name.startswith("__")
                ):
                    candidates.append(target)
    if not candidates:
        return
    # a constant is bound exactly once (bindings are counted for these names only)
    counts = _binding_counts(node, ctx, {target.id for target in candidates})
    reported: Set[str] = set()
    for target in candidates:
        name = target.id
        if counts.get(name) != 1 or name in reported:
            continue
        reported.add(name)
        yield RULE.finding(target, name=name, suggestion=to_upper_case(name))
