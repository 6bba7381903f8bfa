"""BG102 missing-init-file: a package-tree module whose directory lacks __init__.py."""

from __future__ import annotations

import ast
import os
from typing import Iterator, List

from ...context import FileContext
from ...project import NON_FILE_NAMES
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG102",
    name="missing-init-file",
    message="the directory `{directory}` has no `__init__.py`{reason}",
    hint="add an empty `{directory}/__init__.py` (or list the directory in "
    "bg-namespace-packages if it is meant to be a namespace package)",
    rationale=(
        "A directory without `__init__.py` inside a package is an implicit namespace "
        "package: it imports in some set-ups and not in others, tools such as "
        "pytest, mypy and setuptools' `find_packages` skip it or name its modules "
        "differently, and relative imports from it fail with `ImportError: attempted "
        "relative import with no known parent package` when it is run the wrong way. "
        "An explicit `__init__.py`, even empty, makes the package structure "
        "unambiguous."
    ),
    bad=Example(
        "from ..db import session\n",
        path="app/services/users.py",
        files=(("app/__init__.py", ""), ("app/db.py", "session = None\n")),
    ),
    good=Example(
        "from ..db import session\n",
        path="app/services/users.py",
        files=(
            ("app/__init__.py", ""),
            ("app/services/__init__.py", ""),
            ("app/db.py", "session = None\n"),
        ),
    ),
    fixable=True,
    options=("bg-namespace-packages",),
)


# Fields that hold statements (bodies, ``except`` clauses, ``match`` cases).
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def _uses_relative_imports(tree: ast.Module) -> bool:
    # Imports are statements: only statements and their blocks are searched.
    stack: List[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ImportFrom):
            if node.level:
                return True
            continue
        for field_name in _BLOCK_FIELDS:
            block = getattr(node, field_name, None)
            if isinstance(block, list):
                stack.extend(block)
    return False


_MIGRATION_DIRS = frozenset({"alembic", "migrations"})


def _is_migration_dir(path: str) -> bool:
    """Return True for Alembic/Flask-Migrate script directories (loaded by path).

    Alembic imports ``env.py`` and ``versions/*.py`` by file path, so their
    directories are not meant to be packages.

    Args:
        path: The checked file's absolute path.

    Returns:
        Whether the file lives in a migration script directory.
    """
    directory = os.path.dirname(path)
    for _ in range(2):  # the script directory itself, or its versions/ folder
        if os.path.basename(directory) in _MIGRATION_DIRS or os.path.isfile(
            os.path.join(directory, "script.py.mako")
        ):
            return True
        directory = os.path.dirname(directory)
    return False


@RULE.on(ast.Module)
def _check_module(node: ast.Module, ctx: FileContext) -> Iterator[Finding]:
    if ctx.filename in NON_FILE_NAMES or not ctx.filename.endswith(".py"):
        return
    info = ctx.package
    if info.in_package or info.is_init:
        return
    if info.parent_is_package:
        reason = " but its parent directory is a package"
    elif ctx.may_contain("from .") and _uses_relative_imports(node):
        reason = " but the module uses relative imports"
    else:
        return
    if _is_migration_dir(info.path):
        return
    directory = os.path.basename(os.path.dirname(info.path)) or "."
    yield RULE.finding_at(1, 0, directory=directory, reason=reason)
