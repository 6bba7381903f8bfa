"""BG105 import-cycle: a module-level internal import that closes an import cycle."""

from __future__ import annotations

import ast
from typing import Iterator, Set

from ...context import FileContext
from ...project import import_edges, import_graph
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG105",
    name="import-cycle",
    message="import cycle: {cycle}",
    hint="move the shared code into a module both can import, or import inside the "
    "function that needs it",
    rationale=(
        "Modules that import each other at module level only work when they happen "
        "to be imported in the right order; the other order fails with `ImportError: "
        "cannot import name ... (most likely due to a circular import)` or leaves "
        "half-initialised modules. Cycles also couple layers that should be "
        "independent (routes and models, services and the app factory). Imports "
        "inside functions, under `if TYPE_CHECKING:` and in the body of "
        '`if __name__ == "__main__":` do not run at import time and do not count.'
    ),
    bad=Example(
        "from .b import helper\n\n\ndef run():\n    return helper()\n",
        path="app/a.py",
        files=(
            ("app/__init__.py", ""),
            ("app/b.py", "from .a import run\n\n\ndef helper():\n    return 1\n"),
        ),
    ),
    good=Example(
        "from .b import helper\n\n\ndef run():\n    return helper()\n",
        path="app/a.py",
        files=(
            ("app/__init__.py", ""),
            (
                "app/b.py",
                "def helper():\n    from .a import run\n\n    return run\n",
            ),
        ),
    ),
)


@RULE.on(ast.Module)
def _check_module(node: ast.Module, ctx: FileContext) -> Iterator[Finding]:
    info = ctx.package
    if not info.in_package:
        return
    graph = import_graph(info, ctx.config.namespace_packages)
    edges = import_edges(node, info, graph.files)
    if not edges:
        return
    reported: Set[int] = set()
    for stmt, cycle in graph.cycle_edges(info.module, edges, ctx.text):
        if id(stmt) in reported:
            continue
        reported.add(id(stmt))
        yield RULE.finding(stmt, cycle=" -> ".join(cycle))
