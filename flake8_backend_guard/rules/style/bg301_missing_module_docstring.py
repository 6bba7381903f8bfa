"""BG301 missing-module-docstring: a non-empty module without a docstring."""

from __future__ import annotations

import ast
from typing import Iterator

from ...analysis.docstrings import docstring_text
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG301",
    name="missing-module-docstring",
    message="module has no docstring",
    hint='start the module with a docstring that says what it is for ("""...""")',
    rationale=(
        "Why is this bad? The module docstring is the first thing a reader, `help()` "
        "and the generated documentation show: what the module is for and what "
        "belongs in it. Without it every reader has to reverse-engineer the purpose "
        "from the code, and unrelated code piles up in the module. An empty file, a "
        "file holding only comments, and an `__init__.py` that only imports and "
        "re-exports names (`__all__`, `__version__`, a PEP 562 `__getattr__` for "
        "lazy or deprecated names) need no docstring."
    ),
    bad=Example("import os\n\n\ndef data_dir() -> str:\n    return os.getcwd()\n"),
    good=Example(
        '"""Paths used by the service."""\n\nimport os\n\n\n'
        "def data_dir() -> str:\n    return os.getcwd()\n"
    ),
    overlaps=("D100", "D104"),
)


_LAZY_IMPORT_HOOKS = frozenset({"__getattr__", "__dir__"})


def _is_dunder_target(target: ast.AST) -> bool:
    return (
        isinstance(target, ast.Name)
        and target.id.startswith("__")
        and target.id.endswith("__")
    )


def _import_like(stmt: ast.stmt) -> bool:
    # Return True for statements an import-only ``__init__.py`` may hold.
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass, ast.Delete)):
        return True
    if isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, ast.Constant):
            return True
        if isinstance(value, ast.Call):  # __all__.extend(...), __path__.append(...)
            root = value.func
            while isinstance(root, ast.Attribute):
                root = root.value
            return _is_dunder_target(root)
        return False
    if isinstance(stmt, ast.Assign):
        return all(_is_dunder_target(t) for t in stmt.targets)
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return _is_dunder_target(stmt.target)
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return stmt.name in _LAZY_IMPORT_HOOKS  # PEP 562 lazy re-exports
    if isinstance(stmt, ast.If):
        return all(_import_like(s) for s in stmt.body + stmt.orelse)
    if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        parts = list(stmt.body) + list(stmt.orelse)  # type: ignore[attr-defined]
        parts += stmt.finalbody  # type: ignore[attr-defined]
        for handler in stmt.handlers:  # type: ignore[attr-defined]
            parts.extend(handler.body)
        return all(_import_like(s) for s in parts)
    return False


@RULE.on(ast.Module)
def _check_module(node: ast.Module, ctx: FileContext) -> Iterator[Finding]:
    if not node.body or docstring_text(node) is not None:
        return
    if ctx.basename == "__init__.py" and all(_import_like(s) for s in node.body):
        return
    yield RULE.finding_at(1, 0)
