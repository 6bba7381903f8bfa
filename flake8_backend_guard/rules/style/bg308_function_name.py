"""BG308 function-name: function and method names that are not snake_case."""

from __future__ import annotations

import ast
from typing import List, Optional, Union

from ...analysis.structure import (
    is_dunder,
    is_external_override,
    is_ignored_name,
    is_snake_case,
    is_upper_case,
    to_snake_case,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG308",
    name="function-name",
    message="function name `{name}` is not snake_case",
    hint="rename it to `{suggestion}` (or add the name to bg-ignore-names)",
    rationale=(
        "PEP 8 names functions and methods in snake_case. Mixed styles make a code "
        "base harder to read and search (`getUser`, `get_user` and `GetUser` all "
        "exist side by side), and they leak into public APIs where they can no "
        "longer be renamed. Dunder methods are exempt, and so are names matching "
        "`bg-ignore-names` (by default `setUp`, `tearDown`, `visit_*`, `do_*`...), "
        "methods decorated with `@override`, and camelCase hooks of a base class "
        "that a subclass must override under that name (`startElement` of "
        "`xml.sax.ContentHandler`, `formatTime` of `logging.Formatter`, any "
        "method of a Qt or Twisted subclass). A computed setting of a settings "
        "class whose fields are UPPER_SNAKE_CASE (`@property` or "
        "`@computed_field` `def SQLALCHEMY_DATABASE_URI(self)` beside "
        "`POSTGRES_SERVER: str`) reads like the fields it sits among and is "
        "allowed too."
    ),
    bad=Example("def getUserById(user_id: int) -> dict:\n    return {}\n"),
    good=Example("def get_user_by_id(user_id: int) -> dict:\n    return {}\n"),
    overlaps=("N802",),
    options=("bg-ignore-names",),
)

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_def(node: FunctionNode, ctx: FileContext) -> Optional[List[Finding]]:
    name = node.name
    if is_snake_case(name) or is_dunder(name) or is_ignored_name(ctx, name):
        return None
    if is_external_override(ctx, node, ctx.class_):
        return None
    if is_upper_case(name) and _is_settings_property(ctx, node, ctx.class_):
        return None
    return [RULE.finding(node, name=name, suggestion=to_snake_case(name))]


_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "computed_field"})


def _is_settings_property(
    ctx: FileContext, node: FunctionNode, cls: Optional[ast.ClassDef]
) -> bool:
    # `@computed_field @property def SQLALCHEMY_DATABASE_URI(self)` in a settings
    # class whose other fields are UPPER_SNAKE_CASE: named like its siblings.
    if cls is None:
        return False
    decorated = False
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = (ctx.qualname(target) or "").rpartition(".")[2]
        if name in _PROPERTY_DECORATORS or name == "setter":
            decorated = True
    if not decorated:
        return False
    for stmt in cls.body:
        targets: List[ast.expr] = []
        if isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        elif isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        for target in targets:
            if isinstance(target, ast.Name) and is_upper_case(target.id):
                return True
    return False
