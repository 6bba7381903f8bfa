"""BG104 sys-path-manipulation: ``sys.path`` edits and ``site.addsitedir``."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional

from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG104",
    name="sys-path-manipulation",
    message="{what} changes the import path at run time",
    hint="fix the package structure and run the code with `python -m package.module`",
    rationale=(
        "Editing `sys.path` papers over a broken package layout: imports then depend "
        "on the working directory and on which file was started first, the same "
        "module can be imported twice under two names, and tools (type checkers, "
        "linters, IDEs) cannot follow the imports. A package with `__init__.py` files "
        "run with `python -m` needs no path tricks."
    ),
    bad=Example(
        "import os\n"
        "import sys\n\n"
        "sys.path.insert(0, os.path.dirname(__file__))\n"
    ),
    good=Example('"""Run with `python -m app.main`; no path edits needed."""\n'),
    overlaps=(),
    # ``sys.path`` is written as an attribute ``path`` or imported by that name;
    # ``site.addsitedir`` likewise.
    requires=("path", "addsitedir"),
)

_MUTATORS = frozenset({"insert", "append", "extend", "remove", "clear", "pop"})


def _is_sys_path(ctx: FileContext, node: ast.AST) -> bool:
    # ``sys.path`` as written, or a name imported from it (``from sys import path``).
    if isinstance(node, ast.Attribute):
        return node.attr == "path" and ctx.qualname(node) == "sys.path"
    if isinstance(node, ast.Name):
        return ctx.aliases.get(node.id) == "sys.path"
    return False


@RULE.on(ast.Call, names=_MUTATORS | {"addsitedir"})
def check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    """Flag ``sys.path.insert/append/extend(...)`` and ``site.addsitedir(...)``.

    Also flags the other in-place list methods on ``sys.path`` (``remove``,
    ``clear``, ``pop``).

    Args:
        node: The call being visited.
        ctx: The file's context, to resolve import aliases of ``sys`` and ``site``.

    Yields:
        One BG104 finding when the call edits the import path.
    """
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in _MUTATORS
        and _is_sys_path(ctx, func.value)
    ):
        yield RULE.finding(node, what=f"`sys.path.{func.attr}(...)`")
    elif ctx.qualname(func) == "site.addsitedir":
        yield RULE.finding(node, what="`site.addsitedir(...)`")


@RULE.on(ast.AugAssign)
@RULE.on(ast.Assign, ast.AnnAssign, names={"path"})  # also ``from sys import path``
def check_assign(node: ast.stmt, ctx: FileContext) -> Optional[List[Finding]]:
    """Flag ``sys.path = ...``, ``sys.path += ...`` and ``sys.path[i:j] = ...``.

    Args:
        node: The assignment, augmented or annotated assignment being visited.
        ctx: The file's context, to resolve import aliases of ``sys``.

    Returns:
        A BG104 finding for each target that is ``sys.path`` or a subscript of it,
        or None when there is none.
    """
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    found: Optional[List[Finding]] = None
    for target in targets:
        if _is_sys_path(ctx, target):
            op = "+=" if isinstance(node, ast.AugAssign) else "="
            finding = RULE.finding(node, what=f"`sys.path {op} ...`")
        elif isinstance(target, ast.Subscript) and _is_sys_path(ctx, target.value):
            finding = RULE.finding(node, what="`sys.path[...] = ...`")
        else:
            continue
        if found is None:
            found = []
        found.append(finding)
    return found
