"""The web model of a file: route handlers and error handlers (Flask, FastAPI).

"Route handler" (RULES.md): a function decorated with ``@X.route``, ``@X.get/post/
put/patch/delete/...`` (Flask app or Blueprint, FastAPI app or APIRouter),
``@X.api_route`` or ``@X.websocket``, where X is any name. Facts are computed
lazily and cached per function on the FileContext.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Tuple, Union

from ..context import FileContext

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
ROUTE_ATTRS = frozenset({"route", "api_route", "websocket", "websocket_route"}) | HTTP_VERBS
ERROR_HANDLER_ATTRS = frozenset({"errorhandler", "app_errorhandler", "exception_handler"})
ERROR_HANDLER_REGISTRARS = frozenset({"register_error_handler", "add_exception_handler"})


@dataclass(frozen=True)
class RouteInfo:
    """A route decorator on a function."""

    func: FunctionNode
    decorator: ast.Call
    owner: str  # the X of @X.get, as written ("app", "router", "bp", "api.v1")
    path: Optional[str]  # the literal path, None when not a constant
    methods: Tuple[str, ...]
    framework: str  # "flask" or "fastapi"


def file_framework(ctx: FileContext) -> Optional[str]:
    """Return "fastapi" or "flask" from the file's imports (FastAPI wins if both)."""

    def compute() -> Optional[str]:
        roots = {q.split(".")[0] for q in ctx.aliases.values()}
        if roots & {"fastapi", "starlette"}:
            return "fastapi"
        if roots & {"flask", "quart", "flask_restx", "flask_smorest", "apiflask"}:
            return "flask"
        return None

    return ctx.cached(("web", "framework"), compute)


def _path_argument(call: ast.Call) -> Tuple[bool, Optional[str]]:
    """Return (has a path argument, the literal path or None)."""
    candidates: List[ast.expr] = []
    if call.args:
        candidates.append(call.args[0])
    for kw in call.keywords:
        if kw.arg in ("path", "rule"):
            candidates.append(kw.value)
    for candidate in candidates:
        if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
            return True, candidate.value
        if isinstance(candidate, (ast.JoinedStr, ast.Name, ast.Attribute, ast.BinOp)):
            return True, None
    return False, None


def _route_from_decorator(
    ctx: FileContext, func: FunctionNode, decorator: ast.expr
) -> Optional[RouteInfo]:
    if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
        return None
    attr = decorator.func.attr
    if attr not in ROUTE_ATTRS:
        return None
    owner = ctx.qualname(decorator.func.value)
    if owner is None:
        return None
    has_path, path = _path_argument(decorator)
    if attr in HTTP_VERBS and not has_path:
        return None  # @cache.get() and similar are not routes
    if attr in HTTP_VERBS:
        methods: Tuple[str, ...] = (attr.upper(),)
    elif attr.startswith("websocket"):
        methods = ("WEBSOCKET",)
    else:
        methods = _methods_keyword(decorator) or (("GET",) if attr == "route" else ())
    framework = file_framework(ctx)
    if framework is None:
        framework = "fastapi" if attr in ("api_route", "websocket") else "flask"
    return RouteInfo(func, decorator, owner, path, methods, framework)


def _methods_keyword(call: ast.Call) -> Tuple[str, ...]:
    for kw in call.keywords:
        if kw.arg == "methods" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
            return tuple(
                elt.value.upper()
                for elt in kw.value.elts
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str)
            )
    return ()


def routes(ctx: FileContext, func: FunctionNode) -> List[RouteInfo]:
    """Return every route decorator of ``func`` (empty when it is not a handler)."""

    def compute() -> List[RouteInfo]:
        found = []
        for decorator in func.decorator_list:
            info = _route_from_decorator(ctx, func, decorator)
            if info is not None:
                found.append(info)
        return found

    return ctx.cached(("web", "routes", id(func)), compute)


def is_route_handler(ctx: FileContext, func: ast.AST) -> bool:
    """Return True when ``func`` is a def decorated as a route."""
    return isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and bool(
        routes(ctx, func)
    )


def _registered_error_handlers(ctx: FileContext) -> FrozenSet[str]:
    """Names of functions passed to ``register_error_handler``/``add_exception_handler``."""

    def compute() -> FrozenSet[str]:
        names = set()
        for node in ast.walk(ctx.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ERROR_HANDLER_REGISTRARS
            ):
                for arg in list(node.args[1:2]) + [
                    kw.value for kw in node.keywords if kw.arg in ("f", "handler")
                ]:
                    if isinstance(arg, ast.Name):
                        names.add(arg.id)
        return frozenset(names)

    return ctx.cached(("web", "registered-error-handlers"), compute)


def error_handler_decorator(ctx: FileContext, func: FunctionNode) -> Optional[ast.Call]:
    """Return the ``@X.errorhandler(...)``/``@X.exception_handler(...)`` decorator."""
    for decorator in func.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ERROR_HANDLER_ATTRS
        ):
            return decorator
    return None


def is_error_handler(ctx: FileContext, func: ast.AST) -> bool:
    """Return True for a def that handles errors for the app (decorated or registered)."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if error_handler_decorator(ctx, func) is not None:
        return True
    return func.name in _registered_error_handlers(ctx)


def decorator_qualnames(ctx: FileContext, func: FunctionNode) -> List[str]:
    """Return the qualified names of ``func``'s decorators (calls: their callee)."""
    names = []
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = ctx.qualname(target)
        if name:
            names.append(name)
    return names
