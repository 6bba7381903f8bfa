"""BG317 route-without-api-prefix: Blueprints/routers mounted outside ``/api``."""

from __future__ import annotations

import ast
from typing import Iterator, Optional, Tuple

from ...analysis.dataflow import reaching_values
from ...analysis.structure import (
    APP_CLASSES,
    APP_FACTORIES,
    APP_NAMES,
    BLUEPRINT_CLASSES,
    DYNAMIC,
    ROUTER_CLASSES,
    Prefix,
    external_prefix,
    own_prefix,
)
from ...analysis.values import const_value
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG317",
    name="route-without-api-prefix",
    message="`{method}` mounts `{obj}` at {where}, outside `{api}`",
    hint='register it under the API prefix (`{keyword}="{api}/..."`, bg-api-prefix)',
    rationale=(
        "Keeping every API route under one prefix (`/api`, `/api/v1`) separates the "
        "API from pages and static files, lets a proxy, CORS policy, rate limiter or "
        "authentication middleware apply to the API as a whole, and leaves room for "
        "versioning. The prefix is judged where a Blueprint or router is registered "
        "on the application (`app.register_blueprint(...)`, "
        "`app.include_router(...)`): the registration's own prefix joined with the "
        "prefix the Blueprint/router declares, looked up in the same file or in the "
        "project module it is imported from (read as text, never imported). Any "
        "non-literal part (`settings.API_V1_STR`) is accepted; objects that cannot "
        "be resolved and router-into-router includes are not judged."
    ),
    bad=Example(
        "from fastapi import APIRouter, FastAPI\n\n"
        'router = APIRouter(prefix="/users")\n'
        "app = FastAPI()\n"
        "app.include_router(router)\n"
    ),
    good=Example(
        "from fastapi import APIRouter, FastAPI\n\n"
        'router = APIRouter(prefix="/users")\n'
        "app = FastAPI()\n"
        'app.include_router(router, prefix="/api/v1")\n'
    ),
    overlaps=(),
    options=("bg-api-prefix",),
    requires=("register_blueprint", "include_router"),
)

_REGISTRARS = {"register_blueprint": "url_prefix", "include_router": "prefix"}
_OBJECT_KEYWORDS = ("blueprint", "router")


def _evaluate(ctx: FileContext, expr: ast.AST) -> Tuple[str, Optional[str]]:
    value = const_value(ctx, expr)
    if value is None:
        return ("literal", "")
    if isinstance(value, str):
        return ("literal", value)
    if isinstance(expr, ast.JoinedStr) and all(
        isinstance(v, ast.Constant) for v in expr.values
    ):
        return ("literal", "".join(str(v.value) for v in expr.values))  # type: ignore
    return DYNAMIC


def _binding(ctx: FileContext, name: ast.Name) -> Tuple[bool, Optional[ast.AST]]:
    # Return (bound in this file, the one value ``name`` holds here or None).
    values = reaching_values(ctx, name)
    if values:
        return True, values[0] if len(values) == 1 else None
    if name.id in ctx.module_constants:
        return True, ctx.module_constants[name.id]
    return False, None


def _is_application(ctx: FileContext, receiver: ast.AST) -> bool:
    if isinstance(receiver, ast.Attribute):
        return receiver.attr in APP_NAMES
    if not isinstance(receiver, ast.Name):
        return False
    _, value = _binding(ctx, receiver)
    callee = ctx.call_name(value) if isinstance(value, ast.Call) else None
    if callee is not None:
        if callee in APP_CLASSES or callee.rsplit(".", 1)[-1] in APP_FACTORIES:
            return True
        if callee in BLUEPRINT_CLASSES or callee in ROUTER_CLASSES:
            return False
    return receiver.id in APP_NAMES


def _object_prefix(ctx: FileContext, obj: ast.AST) -> Prefix:
    if isinstance(obj, ast.Name):
        bound, value = _binding(ctx, obj)
        if isinstance(value, ast.Call):
            callee = ctx.call_name(value) or ""
            return own_prefix(callee, value, lambda expr: _evaluate(ctx, expr))
        qualified = ctx.aliases.get(obj.id)
        if bound or qualified is None:
            return None
        return external_prefix(ctx, qualified)
    if isinstance(obj, ast.Attribute):
        root = obj
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in ctx.aliases:
            return None
        qualified = ctx.qualname(obj)
        return external_prefix(ctx, qualified) if qualified else None
    return None


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_describe(node.value)}.{node.attr}"
    return "..."


def _passes(prefix: str, api: str) -> bool:
    if api == "/":
        return True
    return prefix == api or prefix.startswith(api + "/")


@RULE.on_leave(ast.Call, names=set(_REGISTRARS))
def _check_registration(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in _REGISTRARS:
        return
    if any(kw.arg is None for kw in node.keywords):
        return
    obj: Optional[ast.AST] = node.args[0] if node.args else None
    registration: Tuple[str, Optional[str]] = ("literal", "")
    for kw in node.keywords:
        if kw.arg in _OBJECT_KEYWORDS and obj is None:
            obj = kw.value
        elif kw.arg in ("url_prefix", "prefix"):
            registration = _evaluate(ctx, kw.value)
    if obj is None or isinstance(obj, ast.Starred):
        return
    if registration[0] != "literal" or not _is_application(ctx, func.value):
        return
    own = _object_prefix(ctx, obj)
    if own is None or own[0] != "literal":
        return
    effective = (registration[1] or "") + (own[1] or "")
    api = ctx.config.api_prefix
    if _passes(effective, api):
        return
    where = f"`{effective}`" if effective else "the root `/`"
    yield RULE.finding(
        node,
        method=func.attr,
        obj=_describe(obj),
        where=where,
        api=api,
        keyword=_REGISTRARS[func.attr],
    )
