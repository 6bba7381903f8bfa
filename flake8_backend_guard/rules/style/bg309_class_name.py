"""BG309 class-name: class names that are not PascalCase."""

from __future__ import annotations

import ast
from typing import List, Optional

from ...analysis.structure import is_pascal_case
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG309",
    name="class-name",
    message="class name `{name}` is not PascalCase",
    hint="rename it to `{suggestion}`",
    rationale=(
        "PEP 8 names classes in PascalCase (CapWords), so that a reader can tell a "
        "class (`UserService()`) from a function call (`user_service()`) at a "
        "glance. Acronyms may stay upper-case (`HTTPClient`, `JSONResponse`), "
        "digits are fine (`OAuth2Token`) and a leading underscore marks a private "
        "class; lower-case names and underscores between words (`user_service`, "
        "`User_Service`) are flagged."
    ),
    bad=Example("class user_service:\n    pass\n"),
    good=Example("class UserService:\n    pass\n"),
    overlaps=("N801",),
)


def _suggest(name: str) -> str:
    lead = name[: len(name) - len(name.lstrip("_"))]
    words = [w for w in name.strip("_").split("_") if w]
    return lead + "".join(w[:1].upper() + w[1:] for w in words)


@RULE.on(ast.ClassDef)
def _check_class(node: ast.ClassDef, ctx: FileContext) -> Optional[List[Finding]]:
    if is_pascal_case(node.name):
        return None
    return [RULE.finding(node, name=node.name, suggestion=_suggest(node.name))]
