"""BG103 relative-import-beyond-top-level: ``from ..x import y`` above the package."""

from __future__ import annotations

import ast
from typing import Iterator

from ...context import FileContext
from ...project import resolve_relative
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG103",
    name="relative-import-beyond-top-level",
    message="`{statement}` climbs {level} levels from `{package}`, above the "
    "top-level package `{top}`",
    hint="import it absolutely if it is another package, or move the module into "
    "the package",
    rationale=(
        "A relative import may not leave the top-level package: Python raises "
        "`ImportError: attempted relative import beyond top-level package` at run "
        "time, typically only on the code path that first imports the module. It "
        "usually means the code expects a parent directory to be a package when it "
        "is not, or that modules were moved without updating their imports."
    ),
    bad=Example(
        "from ... import settings\n",
        path="app/api/routes.py",
        files=(("app/__init__.py", ""), ("app/api/__init__.py", "")),
    ),
    good=Example(
        "from .. import settings\n",
        path="app/api/routes.py",
        files=(
            ("app/__init__.py", ""),
            ("app/api/__init__.py", ""),
            ("app/settings.py", "DEBUG = False\n"),
        ),
    ),
)


@RULE.on(ast.ImportFrom)
def _check_import_from(node: ast.ImportFrom, ctx: FileContext) -> Iterator[Finding]:
    if not node.level:
        return
    info = ctx.package
    if not info.in_package:
        return
    if resolve_relative(info, node.level, node.module) is not None:
        return
    statement = "from " + "." * node.level + (node.module or "") + " import ..."
    yield RULE.finding(
        node,
        statement=statement,
        level=node.level,
        package=info.package,
        top=info.top_name,
    )
