"""BG307 missing-return-annotation: a function without a return type hint."""

from __future__ import annotations

import ast
from typing import List, Optional, Union

from ...context import FileContext
from ...rule import Example, Finding, Rule

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

RULE = Rule(
    code="BG307",
    name="missing-return-annotation",
    message="`{func}` has no return type hint",
    hint="add `-> <type>` (`-> None` when it returns nothing, also for `__init__`)",
    rationale=(
        "Why is this bad? Without a return annotation the type checker treats the "
        "result as `Any` (or does not check the body at all), so callers that "
        "misuse the result, and bodies that return the wrong thing on one branch, "
        "go unnoticed; FastAPI also uses the return annotation as the response "
        "model. Every `def` needs one, including methods, nested and async "
        "functions and `__init__` (`-> None`). Lambdas cannot be annotated and are "
        "not judged."
    ),
    bad=Example("def count_users(users: list):\n    return len(users)\n"),
    good=Example("def count_users(users: list) -> int:\n    return len(users)\n"),
    overlaps=("ANN201", "ANN202", "ANN204", "ANN205", "ANN206"),
)


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(node: FunctionNode, ctx: FileContext) -> Optional[List[Finding]]:
    if node.returns is None:
        return [RULE.finding(node, func=node.name)]
    return None
