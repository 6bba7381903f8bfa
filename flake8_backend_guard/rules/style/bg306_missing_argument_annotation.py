"""BG306 missing-argument-annotation: a parameter without a type hint."""

from __future__ import annotations

import ast
from typing import List, Optional, Union

from ...analysis.docstrings import implicit_first
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
    args = node.args
    name = node.name
    positional = args.posonlyargs + args.args if args.posonlyargs else args.args
    skip = None
    if positional and positional[0].annotation is None:
        # Only an unannotated first parameter can be the exempt self/cls: the
        # class around the def is looked at for it alone.
        scopes = ctx.scopes
        in_class = bool(scopes) and isinstance(scopes[-1], ast.ClassDef)
        skip = implicit_first(node, in_class)
    findings: List[Finding] = []
    for arg in positional:
        if arg.annotation is None and arg is not skip and arg.arg.strip("_"):
            findings.append(RULE.finding(arg, param=arg.arg, func=name))
    for arg in args.kwonlyargs:
        if arg.annotation is None and arg.arg.strip("_"):
            findings.append(RULE.finding(arg, param=arg.arg, func=name))
    star = args.vararg
    if star is not None and star.annotation is None and star.arg.strip("_"):
        findings.append(RULE.finding(star, param=f"*{star.arg}", func=name))
    star = args.kwarg
    if star is not None and star.annotation is None and star.arg.strip("_"):
        findings.append(RULE.finding(star, param=f"**{star.arg}", func=name))
    return findings
