"""BG310 variable-name: local variables and arguments that are not snake_case."""

from __future__ import annotations

import ast
from typing import Iterator, Optional, Union

from ...analysis.structure import (
    declared_nonlocal,
    is_external_override,
    is_ignored_name,
    is_pascal_case,
    is_snake_case,
    is_upper_case,
    to_snake_case,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG310",
    name="variable-name",
    message="{what} `{name}` is not snake_case",
    hint="rename it to `{suggestion}`",
    rationale=(
        "PEP 8 names local variables and arguments in snake_case; a camelCase "
        "local (`userId`, `X_train`) reads like code ported from another language "
        "and mixes two spellings of the same idea in one code base. Each name is "
        "reported once per function, where it is first bound. UPPER_CASE locals "
        "(`MAX_RETRIES`, `X`) are allowed, and so are `_`, names in "
        "`bg-ignore-names`, class-valued locals built by `namedtuple()`, "
        "`TypeVar()`, `get_user_model()`, `apps.get_model()` and the like, and "
        "the parameters of methods that override a camelCase API."
    ),
    bad=Example("def find(userId: int) -> int:\n    return userId\n"),
    good=Example("def find(user_id: int) -> int:\n    return user_id\n"),
    overlaps=("N803", "N806"),
    options=("bg-ignore-names",),
)

ScopeNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]
_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_CLASS_FACTORIES = frozenset(
    {"namedtuple", "NamedTuple", "TypedDict", "TypeVar", "NewType", "ParamSpec"}
    | {"TypeVarTuple", "TypeAliasType", "type", "get_user_model", "get_model"}
    | {"declarative_base", "make_dataclass", "create_model", "Enum", "IntEnum"}
    | {"StrEnum", "Flag", "IntFlag", "get_class", "import_string", "import_module"}
    | {"modelform_factory", "formset_factory", "modelformset_factory", "Table"}
    | {"sessionmaker", "async_sessionmaker", "scoped_session", "inlineformset_factory"}
)


def _is_class_value(ctx: FileContext, value: Optional[ast.AST]) -> bool:
    if isinstance(value, ast.IfExp):
        return _is_class_value(ctx, value.body) and _is_class_value(ctx, value.orelse)
    if isinstance(value, ast.Call):
        name = ctx.call_name(value) or ""
        if name == "getattr" and len(value.args) >= 2:
            attr = value.args[1]
            return (
                isinstance(attr, ast.Constant)
                and isinstance(attr.value, str)
                and is_pascal_case(attr.value)
            )
        return name.rsplit(".", 1)[-1] in _CLASS_FACTORIES
    if isinstance(value, (ast.Name, ast.Attribute)):
        last = value.id if isinstance(value, ast.Name) else value.attr
        return is_pascal_case(last) and not is_upper_case(last)
    return False


def _allowed(ctx: FileContext, name: str) -> bool:
    return is_snake_case(name) or is_upper_case(name) or is_ignored_name(ctx, name)


def _scope(ctx: FileContext) -> Optional[ScopeNode]:
    # the def or lambda whose local the node at the walk position is (not a class)
    scopes = ctx.scopes
    if scopes and isinstance(scopes[-1], _SCOPE_TYPES):
        return scopes[-1]  # type: ignore[return-value]
    return None


def _first_binding(ctx: FileContext, scope: ScopeNode, name: str) -> bool:
    # True the first time ``name`` is seen bound in ``scope`` (report once)
    seen = ctx.cached(("BG310", "seen", id(scope)), set)
    if name in seen:
        return False
    seen.add(name)
    return True


def _is_local(ctx: FileContext, scope: ScopeNode, name: str) -> bool:
    if isinstance(scope, ast.Lambda):
        return True
    declared = ctx.cached(
        ("BG310", "nonlocal", id(scope)), lambda: declared_nonlocal(scope, ctx)
    )
    return name not in declared


@RULE.on(ast.Name)
def _check_name(node: ast.Name, ctx: FileContext) -> Iterator[Finding]:
    name = node.id
    if not isinstance(node.ctx, ast.Store) or name == name.lower():
        return
    scope = _scope(ctx)
    if scope is None or not _first_binding(ctx, scope, name):
        return
    if _allowed(ctx, name) or not _is_local(ctx, scope, name):
        return
    parent = ctx.parent(node)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and _is_class_value(
        ctx, parent.value
    ):
        return
    yield RULE.finding(node, what="variable", name=name, suggestion=to_snake_case(name))


@RULE.on(ast.ExceptHandler)
def _check_except(node: ast.ExceptHandler, ctx: FileContext) -> Iterator[Finding]:
    name = node.name
    if not name or name == name.lower():
        return
    scope = _scope(ctx)
    if scope is None or not _first_binding(ctx, scope, name):
        return
    if _allowed(ctx, name) or not _is_local(ctx, scope, name):
        return
    yield RULE.finding(node, what="variable", name=name, suggestion=to_snake_case(name))


@RULE.on(ast.arg)
def _check_arg(node: ast.arg, ctx: FileContext) -> Iterator[Finding]:
    name = node.arg
    if name == name.lower():
        return
    scope = _scope(ctx)
    if scope is None or not _first_binding(ctx, scope, name) or _allowed(ctx, name):
        return
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        classes = [s for s in ctx.scopes[:-1]]
        cls = classes[-1] if classes and isinstance(classes[-1], ast.ClassDef) else None
        if is_ignored_name(ctx, scope.name) or is_external_override(ctx, scope, cls):
            return  # an override's parameters mirror the base class's signature
    yield RULE.finding(node, what="argument", name=name, suggestion=to_snake_case(name))


def _check_pattern(node: ast.AST, ctx: FileContext) -> Iterator[Finding]:
    for attr in ("name", "rest"):
        name = getattr(node, attr, None)
        if not isinstance(name, str) or name == name.lower():
            continue
        scope = _scope(ctx)
        if scope is None or not _first_binding(ctx, scope, name):
            continue
        if _allowed(ctx, name) or not _is_local(ctx, scope, name):
            continue
        yield RULE.finding(
            node, what="variable", name=name, suggestion=to_snake_case(name)
        )


for _pattern_type in ("MatchAs", "MatchStar", "MatchMapping"):
    if hasattr(ast, _pattern_type):
        RULE.on(getattr(ast, _pattern_type))(_check_pattern)
