"""BG101 absolute-internal-import: import the own package by its absolute name."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from ...context import FileContext
from ...project import ModuleInfo, relative_module
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG101",
    name="absolute-internal-import",
    message="absolute import of the internal module `{target}`",
    hint="use the relative form `{suggestion}`",
    rationale=(
        "Inside a package, an absolute import of the package itself only works when "
        "the package's parent directory happens to be on `sys.path`: run the code "
        "from another directory, install it under another name, or vendor it, and "
        "it fails with `ModuleNotFoundError: No module named 'app'`. Relative imports "
        "always resolve inside the package, make moves and renames local, and say at "
        "a glance which imports are internal. The standards reserve absolute imports "
        "for the standard library and third-party packages."
    ),
    bad=Example(
        "from app.db.models import User\n",
        path="app/api/routes.py",
        files=(
            ("app/__init__.py", ""),
            ("app/api/__init__.py", ""),
            ("app/db/__init__.py", ""),
            ("app/db/models.py", "class User:\n    pass\n"),
        ),
    ),
    good=Example(
        "from ..db.models import User\n",
        path="app/api/routes.py",
        files=(
            ("app/__init__.py", ""),
            ("app/api/__init__.py", ""),
            ("app/db/__init__.py", ""),
            ("app/db/models.py", "class User:\n    pass\n"),
        ),
    ),
    fixable=True,
    options=("bg-internal-packages", "bg-namespace-packages"),
    references=("https://docs.python.org/3/reference/import.html#package-relative-imports",),
)


def _is_internal(ctx: FileContext, info: ModuleInfo, name: str) -> bool:
    top = name.partition(".")[0]
    return top == info.top_name or top in ctx.config.internal_packages


def _relative_base(info: ModuleInfo, target: str) -> Optional[str]:
    """Return the relative spelling of ``target``, or None if it is not reachable.

    Args:
        info: Where the importing file sits in its package.
        target: The absolute dotted module name being imported.

    Returns:
        The module name with leading dots, or None when ``target`` lies outside the
        file's top-level package (another internal package from
        ``bg-internal-packages``).
    """
    if target.partition(".")[0] != info.top_name:
        return None
    return relative_module(info, target)


def _alias_text(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name


@RULE.on(ast.Import)
def _check_import(node: ast.Import, ctx: FileContext) -> Iterator[Finding]:
    info = ctx.package
    if not info.in_package:
        return
    for alias in node.names:
        if not _is_internal(ctx, info, alias.name):
            continue
        parent, _, last = alias.name.rpartition(".")
        suggestion = "a relative import"
        if parent:
            base = _relative_base(info, parent)
            if base is not None:
                bound = alias.asname or alias.name.partition(".")[0]
                suggestion = f"from {base} import {last}"
                if alias.asname:
                    suggestion += f" as {alias.asname}"
                elif bound != last:
                    suggestion += f" (and use `{last}` instead of `{alias.name}`)"
        else:
            base = _relative_base(info, alias.name)
            if base is not None:
                suggestion = f"from {base} import <name>"
        yield RULE.finding(node, target=alias.name, suggestion=suggestion)


@RULE.on(ast.ImportFrom)
def _check_import_from(node: ast.ImportFrom, ctx: FileContext) -> Iterator[Finding]:
    if node.level or not node.module:
        return
    info = ctx.package
    if not info.in_package or not _is_internal(ctx, info, node.module):
        return
    base = _relative_base(info, node.module)
    if base is None:
        suggestion = "a relative import"
    else:
        names = ", ".join(_alias_text(a) for a in node.names)
        suggestion = f"from {base} import {names}"
    yield RULE.finding(node, target=node.module, suggestion=suggestion)
