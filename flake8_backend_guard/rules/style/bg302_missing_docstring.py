"""BG302 missing-docstring: a public function, method or class without a docstring."""

from __future__ import annotations

import ast
from typing import FrozenSet, List, Optional, Union

from ...analysis.docstrings import (
    docstring_text,
    is_dispatch_registration,
    is_overload,
    is_override,
    is_property_redefinition,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG302",
    name="missing-docstring",
    message="public {kind} `{name}` has no docstring",
    hint=(
        "add a docstring: a summary line, then `Args:`, `Returns:` and `Raises:` "
        "sections as applicable"
    ),
    rationale=(
        "Why is this bad? Public functions, methods and classes are the interface "
        "other modules and other people use. Without a docstring the caller has to "
        "read the implementation to learn what the code does, what it expects and "
        "what can go wrong, and editors and generated documentation have nothing to "
        "show. Not judged: private names (leading `_`, so also dunder methods), "
        "definitions in private modules (`_internal.py`, `pkg/_compat/x.py`) and, "
        "when a module lists a literal `__all__`, its names not listed there, "
        "`__init__` (its parameters belong in the class docstring or its own), "
        "`@overload` signatures, property setters and deleters, `@override` "
        "methods (the base method's docstring applies), `@f.register` "
        "implementations of a single-dispatch function, methods of private classes, "
        "nested functions and classes, and the inner `class Config`/`Meta`/`Media`/"
        "`Settings` of pydantic, marshmallow, Django and ODM models."
    ),
    bad=Example("def create_user(name: str) -> dict:\n    return {'name': name}\n"),
    good=Example(
        "def create_user(name: str) -> dict:\n"
        '    """Create a user record.\n\n'
        "    Args:\n"
        "        name: The user's display name.\n\n"
        "    Returns:\n"
        "        The new record.\n"
        '    """\n'
        "    return {'name': name}\n"
    ),
    overlaps=("D101", "D102", "D103", "D106"),
)

_INNER_EXEMPT = frozenset({"Config", "Meta", "Media", "Settings"})


def _private_part(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _module_is_private(ctx: FileContext) -> bool:
    # Return True for a private module (``app/_internal/db.py``, ``_compat.py``).

    def compute() -> bool:
        try:
            module = ctx.package.module or ""
        except (OSError, ValueError):
            module = ""
        parts = module.split(".") if module else []
        stem = ctx.basename.rsplit(".", 1)[0]
        return any(_private_part(part) for part in parts + [stem])

    return ctx.cached(("BG302", "private_module"), compute)


def _literal_names(node: ast.AST) -> Optional[List[str]]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        names = []
        for elt in node.elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                return None
            names.append(elt.value)
        return names
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    return None


def _exports(ctx: FileContext) -> Optional[FrozenSet[str]]:
    # Return the names of a literal ``__all__``, or None when absent or dynamic.

    def compute() -> Optional[FrozenSet[str]]:
        names: List[str] = []
        found = False
        if not ctx.may_contain("__all__"):
            return None  # every form looked for below spells `__all__`
        # Class identity tests: every module-level statement of the file passes
        # here, and few are assignments or calls.
        for stmt in ctx.module_statements:
            cls = stmt.__class__
            value: Optional[ast.AST] = None
            if cls is ast.Assign:
                for target in stmt.targets:  # type: ignore[attr-defined]
                    if target.__class__ is ast.Name and target.id == "__all__":
                        break
                else:
                    continue
                value = stmt.value  # type: ignore[attr-defined]
            elif cls is ast.AugAssign or cls is ast.AnnAssign:
                target = stmt.target  # type: ignore[attr-defined]
                if target.__class__ is not ast.Name or target.id != "__all__":
                    continue
                value = stmt.value  # type: ignore[attr-defined]
            elif cls is ast.Expr:
                call = stmt.value  # type: ignore[attr-defined]
                if call.__class__ is not ast.Call:
                    continue
                func = call.func
                if not (
                    func.__class__ is ast.Attribute
                    and func.value.__class__ is ast.Name
                    and func.value.id == "__all__"
                ):
                    continue
                if len(call.args) != 1:
                    return None
                value = call.args[0]
            else:
                continue
            found = True
            literal = _literal_names(value) if value is not None else None
            if literal is None:
                return None
            names.extend(literal)
        return frozenset(names) if found else None

    return ctx.cached(("BG302", "exports"), compute)


def _is_judged(
    node: Union[ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef], ctx: FileContext
) -> bool:
    if node.name.startswith("_"):
        return False
    scopes = ctx.scopes
    if scopes:
        # Only members of public classes are judged (the scopes around ``node``
        # are all classes), and not those of an inner ``class Config``/``Meta``.
        for depth, scope in enumerate(scopes):
            if not isinstance(scope, ast.ClassDef):
                return False  # nested in a function (or lambda)
            if scope.name.startswith("_"):
                return False  # private class
            if depth > 0 and scope.name in _INNER_EXEMPT:
                return False  # class Config / class Meta and their methods
        if isinstance(node, ast.ClassDef) and node.name in _INNER_EXEMPT:
            return False  # an inner class Config / class Meta itself
        top = scopes[0].name
    else:
        top = node.name
    # the facts of the file last: a file whose public names are all nested in
    # functions or private classes never needs them
    if _module_is_private(ctx):
        return False
    exports = _exports(ctx)
    return exports is None or top in exports  # else not exported by __all__


@RULE.on(ast.ClassDef)
def _check_class(node: ast.ClassDef, ctx: FileContext) -> Optional[List[Finding]]:
    if docstring_text(node) is None and _is_judged(node, ctx):
        return [RULE.finding(node, kind="class", name=node.name)]
    return None


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(
    node: Union[ast.FunctionDef, ast.AsyncFunctionDef], ctx: FileContext
) -> Optional[List[Finding]]:
    if node.name.startswith("_") or docstring_text(node) is not None:
        return None
    if not _is_judged(node, ctx):
        return None
    if node.decorator_list and (
        is_overload(ctx, node)
        or is_property_redefinition(node)
        or is_override(ctx, node)
        or is_dispatch_registration(ctx, node)
    ):
        return None
    kind = "method" if ctx.scopes else "function"
    return [RULE.finding(node, kind=kind, name=node.name)]
