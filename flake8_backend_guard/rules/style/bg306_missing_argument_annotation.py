"""BG306 missing-argument-annotation: a parameter without a type hint."""

from __future__ import annotations

import ast
from typing import List, Optional, Union

from ...analysis.docstrings import implicit_first, parameters
from ...context import FileContext
from ...rule import Example, Finding, Rule

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

RULE = Rule(
    code="BG306",
    name="missing-argument-annotation",
    message="parameter `{param}` of `{func}` has no type hint",
    hint="annotate it with its type (`{param}: <type>`)",
    rationale=(
        "Why is this bad? Type hints are checked documentation: type checkers and "
        "editors use them to catch wrong calls before they run, and FastAPI and "
        "pydantic even use them to parse and validate input. An unannotated "
        "parameter is `Any` to the type checker, so mistakes in every call pass "
        "silently. Every parameter of every `def` (also nested, async, `*args` and "
        "`**kwargs`) needs a hint; exempt are the first parameter `self`/`cls` (and "
        "`mcs`/`metacls` of metaclass methods) and a parameter named `_`. Lambdas "
        "cannot be annotated and are not judged."
    ),
    bad=Example("def greet(name) -> str:\n    return f'Hello {name}'\n"),
    good=Example("def greet(name: str) -> str:\n    return f'Hello {name}'\n"),
    overlaps=("ANN001", "ANN002", "ANN003"),
)


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(node: FunctionNode, ctx: FileContext) -> Optional[List[Finding]]:
    in_class = bool(ctx.scopes) and isinstance(ctx.scopes[-1], ast.ClassDef)
    skip = implicit_first(node, in_class)
    findings: List[Finding] = []
    for arg in parameters(node):
        if arg.annotation is not None or arg is skip or not arg.arg.strip("_"):
            continue
        if arg is node.args.vararg:
            shown = f"*{arg.arg}"
        elif arg is node.args.kwarg:
            shown = f"**{arg.arg}"
        else:
            shown = arg.arg
        findings.append(RULE.finding(arg, param=shown, func=node.name))
    return findings
