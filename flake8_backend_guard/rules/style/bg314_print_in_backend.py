"""BG314 print-in-backend: ``print(...)`` in a package module instead of logging."""

from __future__ import annotations

import ast
from typing import Iterator

from ...analysis.structure import under_main_guard
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG314",
    name="print-in-backend",
    message="`print()` in application code",
    hint="use logging (`logger = logging.getLogger(__name__)`; `logger.info(...)`)",
    rationale=(
        "In a service, `print` output has no level, no timestamp, no logger name "
        "and no structured fields, cannot be filtered or routed, and may be lost "
        "entirely (buffered stdout under a process manager). Log through the "
        "`logging` module instead. Only modules inside a package (their directory "
        "has an `__init__.py`) are judged; `__main__.py`, code under "
        '`if __name__ == "__main__":` and top-level scripts may print, and so '
        "may `print(..., file=handle)` writing to a file other than stdout/stderr."
    ),
    bad=Example(
        "def create_user(name: str) -> None:\n    print('created', name)\n",
        path="app/users.py",
        files=(("app/__init__.py", ""),),
    ),
    good=Example(
        "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
        "def create_user(name: str) -> None:\n    logger.info('created %s', name)\n",
        path="app/users.py",
        files=(("app/__init__.py", ""),),
    ),
    overlaps=("T201",),
)

_STD_STREAMS = frozenset(
    {"sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__"}
)


@RULE.on(ast.Call, names={"print"})
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Name):
        return
    if ctx.aliases.get(func.id, func.id) not in ("print", "builtins.print"):
        return
    if ctx.basename == "__main__.py" or not ctx.package.in_package:
        return
    for kw in node.keywords:
        if kw.arg == "file":
            if isinstance(kw.value, ast.Constant) and kw.value.value is None:
                continue
            if ctx.qualname(kw.value) not in _STD_STREAMS:
                return
    if under_main_guard(ctx, node):
        return
    yield RULE.finding(node)
