"""The web model of a file: route handlers and error handlers (Flask, FastAPI).

"Route handler" (RULES.md): a function decorated with ``@X.route``, ``@X.get/post/
put/patch/delete/...`` (Flask app or Blueprint, FastAPI app or APIRouter),
``@X.api_route`` or ``@X.websocket``, where X is any name. Facts are computed
lazily and cached per function on the FileContext.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Dict, FrozenSet, List, Optional, Tuple, Union

from ..context import FileContext
from .dataflow import BINDING_TYPES

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

HTTP_VERBS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace"}
)
ROUTE_ATTRS = (
    frozenset({"route", "api_route", "websocket", "websocket_route"}) | HTTP_VERBS
)
_NOT_ROUTE_OWNERS = frozenset(
    {"mock", "unittest", "pytest", "requests", "httpx", "responses"}
)
# Words of which a file's source contains at least one when it has a route handler
# (a decorator: "@") or a class-based view method (a base class named like
# ``_VIEW_BASES``, ``add_resource``, ``add_url_rule``). Rules that only judge
# routes and view methods declare them as their ``requires`` words.
ROUTE_WORDS = ("@", "View", "Resource", "HTTPEndpoint", "add_resource", "add_url_rule")
ERROR_HANDLER_ATTRS = frozenset(
    {"errorhandler", "app_errorhandler", "exception_handler"}
)
ERROR_HANDLER_REGISTRARS = frozenset(
    {"register_error_handler", "add_exception_handler"}
)


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
    """Return "fastapi" or "flask" from the file's imports (FastAPI wins if both).

    Args:
        ctx: The file context.

    Returns:
        "fastapi", "flask", or None when the file imports neither.
    """

    def compute() -> Optional[str]:
        roots = {q.split(".")[0] for q in ctx.aliases.values()}
        if roots & {"fastapi", "starlette"}:
            return "fastapi"
        if roots & {"flask", "quart", "flask_restx", "flask_smorest", "apiflask"}:
            return "flask"
        return None

    return ctx.cached(("web", "framework"), compute)


def _path_argument(call: ast.Call) -> Tuple[bool, Optional[str]]:
    # Return (has a path argument, the literal path or None).
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
    if not isinstance(decorator, ast.Call) or not isinstance(
        decorator.func, ast.Attribute
    ):
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
    if path and not path.startswith(("/", "<", "{")):
        return None  # @mock.patch("os.system"): a route path starts with "/"
    if owner.split(".")[0] in _NOT_ROUTE_OWNERS:
        return None
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
    """Return every route decorator of ``func`` (empty when it is not a handler).

    Args:
        ctx: The file context.
        func: The def.

    Returns:
        One :class:`RouteInfo` per route decorator.
    """

    def compute() -> List[RouteInfo]:
        found = []
        for decorator in func.decorator_list:
            info = _route_from_decorator(ctx, func, decorator)
            if info is not None:
                found.append(info)
        return found

    return ctx.cached(("web", "routes", id(func)), compute)


def is_route_handler(ctx: FileContext, func: ast.AST) -> bool:
    """Return True when ``func`` is a def decorated as a route.

    Args:
        ctx: The file context.
        func: Any node.

    Returns:
        True for a route handler.
    """
    return isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and bool(
        routes(ctx, func)
    )


def _registered_error_handlers(ctx: FileContext) -> FrozenSet[str]:
    # Names of functions passed to register_error_handler/add_exception_handler.

    def compute() -> FrozenSet[str]:
        names: set = set()
        if not has_word(ctx, *ERROR_HANDLER_REGISTRARS):
            return frozenset()  # fast path: no registration call in the source
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
    """Return the ``@X.errorhandler(...)``/``@X.exception_handler(...)`` decorator.

    Args:
        ctx: The file context.
        func: The def.

    Returns:
        The decorator call, or None.
    """
    return _decorated_with(func, ERROR_HANDLER_ATTRS)


def is_error_handler(ctx: FileContext, func: ast.AST) -> bool:
    """Return True for a def that handles errors for the app (decorated or registered).

    Args:
        ctx: The file context.
        func: Any node.

    Returns:
        True for an error handler.
    """
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if error_handler_decorator(ctx, func) is not None:
        return True
    return func.name in _registered_error_handlers(ctx)


def decorator_qualnames(ctx: FileContext, func: FunctionNode) -> List[str]:
    """Return the qualified names of ``func``'s decorators (calls: their callee).

    Args:
        ctx: The file context.
        func: The def.

    Returns:
        The dotted names, in decorator order.
    """
    names = []
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = ctx.qualname(target)
        if name:
            names.append(name)
    return names


# ---- route paths -----------------------------------------------------------------
_PATH_PARAM_RE = re.compile(r"\{([^{}:]+)(?::[^{}]*)?\}|<(?:[^<>:]+:)?([^<>]+)>")
_PATH_SPLIT_RE = re.compile(r"[/\-_.]+")


def path_parameters(path: Optional[str]) -> FrozenSet[str]:
    """Return the parameter names of a route path.

    ``/items/{item_id}`` and ``/items/<int:item_id>`` give ``{"item_id"}``.

    Args:
        path: The literal route path, or None.

    Returns:
        The names of the path parameters.
    """
    if not path:
        return frozenset()
    return frozenset(
        (a or b).strip() for a, b in _PATH_PARAM_RE.findall(path) if (a or b).strip()
    )


def path_parts(path: Optional[str]) -> List[str]:
    """Return the words of a route path: segments split on ``/``, ``-``, ``_``, ``.``.

    Path parameters (``{x}``, ``<x>``, ``<int:x>``) are left out, so
    ``/auth/reset-password/{token}`` gives ``["auth", "reset", "password"]``.

    Args:
        path: The literal route path, or None.

    Returns:
        The non-empty words of the path.
    """
    if not path:
        return []
    stripped = _PATH_PARAM_RE.sub("/", path)
    return [part for part in _PATH_SPLIT_RE.split(stripped) if part]


def route_handlers(ctx: FileContext) -> List[FunctionNode]:
    """Return every route handler of the file, in source order (computed once).

    Args:
        ctx: The file context.

    Returns:
        The defs decorated as routes.
    """

    def compute() -> List[FunctionNode]:
        found = [
            node
            for node in ast.walk(ctx.tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.decorator_list
            and is_route_handler(ctx, node)
        ]
        found.sort(key=lambda n: (n.lineno, n.col_offset))
        return found

    return ctx.cached(("web", "route-handlers"), compute)


def route_framework(ctx: FileContext, func: FunctionNode) -> Optional[str]:
    """Return "flask" or "fastapi" for a route handler, None for other defs.

    Args:
        ctx: The file context.
        func: The def to look at.

    Returns:
        The framework of the first route decorator, or None.
    """
    found = routes(ctx, func)
    return found[0].framework if found else None


# ---- parameters and annotations ------------------------------------------------
def parameters_with_defaults(
    func: FunctionNode,
) -> List[Tuple[ast.arg, Optional[ast.expr]]]:
    """Return each parameter of ``func`` with its default value (or None).

    Args:
        func: The def.

    Returns:
        (parameter, default) pairs: positional ones first, then keyword-only ones.
    """
    args = func.args
    positional = list(args.posonlyargs) + list(args.args)
    defaults: List[Optional[ast.expr]] = [None] * (
        len(positional) - len(args.defaults)
    ) + list(args.defaults)
    pairs = list(zip(positional, defaults))
    pairs += list(zip(args.kwonlyargs, args.kw_defaults))
    return pairs


def _subscript_index(node: ast.Subscript) -> ast.expr:
    index = node.slice
    if isinstance(index, ast.Index):  # Python 3.8 AST shape
        index = index.value  # type: ignore[attr-defined]
    return index  # type: ignore[return-value]


def annotation_parts(
    ctx: FileContext, annotation: Optional[ast.expr]
) -> Tuple[List[str], List[ast.expr]]:
    """Unwrap ``Optional``/``Union``/``X | None``/``Annotated`` around a type.

    Args:
        ctx: The file context.
        annotation: The annotation expression (None when missing).

    Returns:
        (qualified names of the alternatives, the ``Annotated`` metadata items).
        ``Optional[Dict[str, Any]]`` gives ``(["typing.Dict"], [])``; a string
        annotation is parsed first.
    """
    names: List[str] = []
    metadata: List[ast.expr] = []
    stack: List[ast.expr] = [annotation] if annotation is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                parsed = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                continue
            stack.append(parsed)
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            stack.extend((node.left, node.right))
            continue
        if isinstance(node, ast.Subscript):
            base = ctx.qualname(node.value) or ""
            last = base.rsplit(".", 1)[-1]
            index = _subscript_index(node)
            items = list(index.elts) if isinstance(index, ast.Tuple) else [index]
            if last in ("Optional", "Union"):
                stack.extend(items)
                continue
            if last == "Annotated" and items:
                stack.append(items[0])
                metadata.extend(items[1:])
                continue
            names.append(base)
            continue
        if isinstance(node, ast.Constant) and node.value is None:
            continue
        name = ctx.qualname(node)
        if name:
            names.append(name)
    return names, metadata


def annotation_item_types(
    ctx: FileContext, annotation: Optional[ast.expr]
) -> List[str]:
    """Return the element types of ``List[X]``/``list[X]``/``Sequence[X]`` annotations.

    Args:
        ctx: The file context.
        annotation: The annotation expression.

    Returns:
        Qualified names of ``X`` (empty when the annotation is not a sequence).
    """
    result: List[str] = []
    stack: List[ast.expr] = [annotation] if annotation is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            stack.extend((node.left, node.right))
            continue
        if not isinstance(node, ast.Subscript):
            continue
        base = (ctx.qualname(node.value) or "").rsplit(".", 1)[-1]
        index = _subscript_index(node)
        items = list(index.elts) if isinstance(index, ast.Tuple) else [index]
        if base in ("Optional", "Union"):
            stack.extend(items)
        elif base == "Annotated" and items:
            stack.append(items[0])
        elif base in (
            "List",
            "list",
            "Sequence",
            "Iterable",
            "Set",
            "set",
            "Tuple",
            "tuple",
        ):
            for item in items:
                names, _ = annotation_parts(ctx, item)
                result.extend(names)
    return result


def _last(name: Optional[str]) -> str:
    return (name or "").rsplit(".", 1)[-1]


def request_parameters(ctx: FileContext, func: FunctionNode) -> FrozenSet[str]:
    """Return the names of parameters annotated as a Starlette/FastAPI ``Request``.

    Args:
        ctx: The file context.
        func: The def.

    Returns:
        The parameter names.
    """
    result = set()
    for arg, _default in parameters_with_defaults(func):
        names, _ = annotation_parts(ctx, arg.annotation)
        for name in names:
            root = name.split(".")[0]
            if _last(name) in ("Request", "HTTPConnection") and (
                root in ("fastapi", "starlette")
                or name in ("Request", "HTTPConnection")
            ):
                result.add(arg.arg)
    return frozenset(result)


def is_flask_request(ctx: FileContext, node: ast.AST) -> bool:
    """Return True when ``node`` is Flask's (or Quart's) global ``request``.

    Args:
        ctx: The file context.
        node: An expression.

    Returns:
        True for ``flask.request`` through any import alias.
    """
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    return ctx.qualname(node) in (
        "flask.request",
        "quart.request",
        "flask.globals.request",
    )


# ---- rate limiting ---------------------------------------------------------------
RATE_LIMIT_ATTRS = frozenset({"limit", "shared_limit"})
_RATE_LIMIT_WORD_RE = re.compile(
    r"rate_?limit|ratelimit|limiter|throttl", re.IGNORECASE
)


def is_rate_limit_name(ctx: FileContext, name: Optional[str]) -> bool:
    """Return True for a decorator or dependency name that rate-limits.

    ``limiter.limit``, ``RateLimiter``, ``ratelimit``, ``throttle`` or a name in
    ``bg-rate-limit-decorators`` (matched as written, fully qualified, or by its
    last component).

    Args:
        ctx: The file context.
        name: A dotted name (None is never a rate limiter).

    Returns:
        True when the name rate-limits.
    """
    if not name:
        return False
    configured = ctx.config.rate_limit_decorators
    name = name.lstrip(".")
    if name in configured or _last(name) in configured:
        return True
    if any(name.endswith("." + item) for item in configured):
        return True
    if _last(name) in RATE_LIMIT_ATTRS and "." in name:
        return True
    return bool(_RATE_LIMIT_WORD_RE.search(name))


def _callee_name(ctx: FileContext, node: ast.expr) -> Optional[str]:
    target = node.func if isinstance(node, ast.Call) else node
    name = ctx.qualname(target)
    if name is None and isinstance(target, ast.Attribute):
        name = target.attr
    return name


def is_rate_limit_dependency(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    """Return True for ``Depends(RateLimiter(...))`` and a limiter held in a name.

    Args:
        ctx: The file context.
        node: An expression (a ``dependencies=[...]`` item or a parameter default).

    Returns:
        True when the expression is a rate-limit dependency.
    """
    if not isinstance(node, ast.Call):
        return False
    if _last(_callee_name(ctx, node)) not in ("Depends", "Security"):
        return False
    target: Optional[ast.expr] = node.args[0] if node.args else None
    for kw in node.keywords:
        if kw.arg == "dependency":
            target = kw.value
    return _is_limiter_value(ctx, target, 0)


def _is_limiter_value(ctx: FileContext, node: Optional[ast.expr], depth: int) -> bool:
    if node is None or depth > 3:
        return False
    if isinstance(node, ast.Call):
        return is_rate_limit_name(ctx, _callee_name(ctx, node))
    name = ctx.qualname(node)
    if is_rate_limit_name(ctx, name):
        return True
    if isinstance(node, ast.Name):
        value = ctx.module_constants.get(node.id)
        if value is not None:
            return _is_limiter_value(ctx, value, depth + 1)
    return False


def _dependencies_limited(ctx: FileContext, call: ast.Call) -> bool:
    for kw in call.keywords:
        if kw.arg == "dependencies" and isinstance(kw.value, (ast.List, ast.Tuple)):
            if any(is_rate_limit_dependency(ctx, elt) for elt in kw.value.elts):
                return True
    return False


def limited_owners(ctx: FileContext) -> FrozenSet[str]:
    """Return the routers/blueprints/apps whose every route is rate limited.

    ``router = APIRouter(dependencies=[Depends(RateLimiter(...))])``,
    ``app.include_router(router, dependencies=[...])`` and Flask-Limiter's
    ``limiter.limit("5/minute")(bp)`` in the same file.

    Args:
        ctx: The file context.

    Returns:
        The names (as written) of the limited owners.
    """

    def compute() -> FrozenSet[str]:
        owners = set()
        for node in ast.walk(ctx.tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
                node.value, ast.Call
            ):
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                if _dependencies_limited(ctx, node.value):
                    for target in targets:
                        name = ctx.qualname(target)
                        if name:
                            owners.add(name)
            elif isinstance(node, ast.Call):
                func = node.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr in ("include_router", "register_blueprint")
                    and node.args
                    and _dependencies_limited(ctx, node)
                ):
                    name = ctx.qualname(node.args[0])
                    if name:
                        owners.add(name)
                if (
                    isinstance(func, ast.Call)
                    and isinstance(func.func, ast.Attribute)
                    and func.func.attr in RATE_LIMIT_ATTRS
                    and len(node.args) == 1
                ):
                    name = ctx.qualname(node.args[0])
                    if name:
                        owners.add(name)
        return frozenset(owners)

    return ctx.cached(("web", "limited-owners"), compute)


def is_rate_limited(ctx: FileContext, func: FunctionNode) -> bool:
    """Return True when a route handler is rate limited.

    A rate-limit decorator (``@limiter.limit``, ``@limiter.shared_limit``, a name in
    ``bg-rate-limit-decorators``, ``@ratelimit``/``@throttle`` style names), a
    ``Depends(RateLimiter(...))`` in the route decorator's ``dependencies=[...]`` or
    in the signature (also inside ``Annotated[...]``), or a limited router/blueprint.

    Args:
        ctx: The file context.
        func: The route handler.

    Returns:
        True when some rate limit applies.
    """
    for decorator in func.decorator_list:
        if _is_limit_exemption(ctx, decorator):
            continue
        if is_rate_limit_name(ctx, _callee_name(ctx, decorator)):
            return True
        if isinstance(decorator, ast.Call) and _dependencies_limited(ctx, decorator):
            return True
    for arg, default in parameters_with_defaults(func):
        if is_rate_limit_dependency(ctx, default):
            return True
        _names, metadata = annotation_parts(ctx, arg.annotation)
        if any(is_rate_limit_dependency(ctx, item) for item in metadata):
            return True
    if any(_is_limit_exemption(ctx, d) for d in func.decorator_list):
        return False  # opted out of the blueprint's/router's limits
    owners = limited_owners(ctx)
    return any(info.owner in owners for info in routes(ctx, func))


def _is_limit_exemption(ctx: FileContext, decorator: ast.expr) -> bool:
    # ``@limiter.exempt``: the route opts out of rate limiting (not ``@csrf.exempt``).
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (
        isinstance(target, ast.Attribute)
        and target.attr == "exempt"
        and is_rate_limit_name(ctx, ctx.qualname(target.value))
    )


# ---- error handlers --------------------------------------------------------------
def error_handler_exception_types(
    ctx: FileContext, func: FunctionNode
) -> List[ast.expr]:
    """Return what an error handler handles: exception classes or status codes.

    Args:
        ctx: The file context.
        func: An error handler (decorated or registered).

    Returns:
        The first argument of the decorator or of the registration call(s).
    """
    decorator = error_handler_decorator(ctx, func)
    if decorator is not None:
        first = decorator.args[:1] or [
            kw.value
            for kw in decorator.keywords
            if kw.arg in ("code_or_exception", "exc_class_or_status_code")
        ]
        return list(first)

    def compute() -> Dict[str, List[ast.expr]]:
        table: Dict[str, List[ast.expr]] = {}
        for node in ast.walk(ctx.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ERROR_HANDLER_REGISTRARS
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Name)
            ):
                table.setdefault(node.args[1].id, []).append(node.args[0])
        return table

    return list(
        ctx.cached(("web", "registered-error-types"), compute).get(func.name, [])
    )


def error_handler_exception_param(
    ctx: FileContext, func: FunctionNode
) -> Optional[str]:
    """Return the name of the parameter that receives the exception.

    Flask passes the exception first; FastAPI/Starlette pass ``(request, exc)``.

    Args:
        ctx: The file context.
        func: An error handler.

    Returns:
        The parameter name, or None.
    """
    params = [a.arg for a in list(func.args.posonlyargs) + list(func.args.args)]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    if not params:
        return None
    decorator = error_handler_decorator(ctx, func)
    decorated_fastapi = (
        decorator is not None
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "exception_handler"
    )
    registered_fastapi = (
        func.name in _registered_error_handlers(ctx)
        and file_framework(ctx) == "fastapi"
    )
    fastapi_style = len(params) >= 2 and (
        decorated_fastapi
        or registered_fastapi
        or params[0] in ("request", "req", "_request", "_")
    )
    return params[1] if fastapi_style else params[0]


# ---- same-function bindings (ordered) ------------------------------------------------
class LocalFlow:
    """Ordered bindings of the local names of one function (nested scopes excluded).

    ``reaching(name)`` returns the values a name may hold where it is used: the
    last binding before the use, plus earlier ones while the later bindings are
    conditional (in an ``if``/``try`` branch that does not contain the use), plus
    bindings later in a loop around the use. A binding's position is the end of
    its statement, so ``x = f(x)`` sees the previous ``x`` on its right side.
    """

    def __init__(self, ctx: FileContext, func: FunctionNode) -> None:
        """Collect the bindings of ``func``.

        Args:
            ctx: The file context (its parent map must cover ``func``).
            func: The def.
        """
        self.ctx = ctx
        self.func = func
        self.parents: Dict[ast.AST, ast.AST] = _parent_map(func)
        # name -> [(position, value, statement, kind)]
        self.table: Dict[
            str, List[Tuple[Tuple[int, int], Optional[ast.AST], ast.AST, str]]
        ] = {}
        start = (func.lineno, -1)
        for arg in (
            list(func.args.posonlyargs)
            + list(func.args.args)
            + list(func.args.kwonlyargs)
            + [a for a in (func.args.vararg, func.args.kwarg) if a is not None]
        ):
            self.table.setdefault(arg.arg, []).append((start, None, func, "param"))
        binding_types = BINDING_TYPES
        for node in function_nodes(ctx, func):
            if node.__class__ in binding_types:
                self._collect(node)
        for items in self.table.values():
            items.sort(key=lambda item: item[0])

    def _add(
        self, target: ast.AST, value: Optional[ast.AST], stmt: ast.AST, kind: str
    ) -> None:
        if isinstance(target, ast.Name):
            end = (
                getattr(stmt, "end_lineno", None) or getattr(stmt, "lineno", 0),
                getattr(stmt, "end_col_offset", None) or 0,
            )
            self.table.setdefault(target.id, []).append((end, value, stmt, kind))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values: List[Optional[ast.AST]] = [None] * len(target.elts)
            if (
                kind == "assign"
                and isinstance(value, (ast.Tuple, ast.List))
                and len(value.elts) == len(target.elts)
            ):
                values = list(value.elts)
            for elt, elt_value in zip(target.elts, values):
                self._add(
                    elt, elt_value, stmt, kind if elt_value is not None else "unpack"
                )
        elif isinstance(target, ast.Starred):
            self._add(target.value, None, stmt, "unpack")

    def _collect(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._add(target, node.value, node, "assign")
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._add(node.target, node.value, node, "assign")
        elif isinstance(node, ast.AugAssign):
            self._add(node.target, node, node, "aug")
        elif isinstance(node, ast.NamedExpr):
            self._add(node.target, node.value, node, "assign")
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._add(node.target, node.iter, node.target, "iter")
        elif isinstance(node, ast.comprehension):
            self._add(node.target, node.iter, node.target, "iter")
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._add(node.optional_vars, node.context_expr, node.optional_vars, "with")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.table.setdefault(node.name, []).append(
                ((node.lineno, node.col_offset), None, node, "except")
            )

    def bindings(
        self, name: str
    ) -> List[Tuple[Tuple[int, int], Optional[ast.AST], ast.AST, str]]:
        """Return every binding of ``name`` in source order.

        Args:
            name: A local name.

        Returns:
            (position, value, statement, kind) tuples; kind is one of ``param``,
            ``assign``, ``aug``, ``iter``, ``with``, ``except``, ``unpack``.
        """
        return self.table.get(name, [])

    def reaching(self, use: ast.Name) -> List[Tuple[Optional[ast.AST], str]]:
        """Return the (value, kind) pairs that may reach the use of a name.

        Args:
            use: A Name node inside the function.

        Returns:
            (value, kind) pairs; empty when the name is not bound in the function.
        """
        return [(item[1], item[3]) for item in self.reaching_bindings(use)]

    def reaching_bindings(
        self, use: ast.Name
    ) -> List[Tuple[Tuple[int, int], Optional[ast.AST], ast.AST, str]]:
        """Return the bindings that may reach the use of a name.

        Args:
            use: A Name node inside the function.

        Returns:
            (position, value, statement, kind) tuples, latest first.
        """
        items = self.table.get(use.id)
        if not items:
            return []
        pos = (use.lineno, use.col_offset)
        loop = self._loop_span(use)
        result = []
        earlier = [item for item in items if item[0] <= pos]
        for item in reversed(earlier):
            result.append(item)
            if item[3] == "aug":
                continue
            if self._dominates(item[2], use):
                break
        if loop is not None:
            for item in items:
                if item[0] > pos and loop[0] <= item[0][0] <= loop[1]:
                    result.append(item)
        return result

    def ancestors(self, node: ast.AST) -> List[ast.AST]:
        """Return the ancestors of a node of the function, innermost first.

        Args:
            node: A node inside the function.

        Returns:
            The ancestors up to (and including) the def.
        """
        result = []
        current = self.parents.get(node)
        while current is not None:
            result.append(current)
            if current is self.func:
                break
            current = self.parents.get(current)
        return result

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        """Return the parent of a node of the function.

        Args:
            node: A node inside the function.

        Returns:
            The parent node, or None outside the function.
        """
        return self.parents.get(node)

    def _loop_span(self, node: ast.AST) -> Optional[Tuple[int, int]]:
        span = None
        for ancestor in self.ancestors(node):
            if ancestor is self.func:
                break
            if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
                span = (
                    ancestor.lineno,
                    getattr(ancestor, "end_lineno", ancestor.lineno),
                )
        return span

    def _dominates(self, stmt: ast.AST, use: ast.AST) -> bool:
        node: Optional[ast.AST] = stmt
        while node is not None and not isinstance(node, (ast.stmt, ast.ExceptHandler)):
            node = self.parents.get(node)
        if node is None:
            return False
        if node is self.func:
            return True
        chain = [use] + self.ancestors(use)
        if any(x is node for x in chain[1:]):
            return True  # for-target, with-as, except-as: used inside the block
        holder = self.parents.get(node)
        if holder is self.func:
            return True
        for index, ancestor in enumerate(chain):
            if ancestor is holder and index > 0:
                child = chain[index - 1]
                for field_name in ("body", "orelse", "finalbody", "handlers"):
                    block = getattr(holder, field_name, None)
                    if isinstance(block, list) and any(x is node for x in block):
                        return any(x is child for x in block)
                return False
        return False


def local_flow(ctx: FileContext, func: FunctionNode) -> LocalFlow:
    """Return the (cached) :class:`LocalFlow` of ``func``.

    Args:
        ctx: The file context.
        func: The def.

    Returns:
        The ordered bindings of the function.
    """
    return ctx.cached(("web", "flow", id(func)), lambda: LocalFlow(ctx, func))


_AST = ast.AST


def _parent_map(root: ast.AST) -> Dict[ast.AST, ast.AST]:
    # child -> parent for every node under ``root``: what ``ast.walk`` with
    # ``ast.iter_child_nodes`` gives (same breadth-first order, so a node shared
    # between parents, such as the ``Load()`` singleton, maps to the same one),
    # without their generators.
    parents: Dict[ast.AST, ast.AST] = {}
    order: List[ast.AST] = [root]
    append = order.append
    for node in order:  # grows while it is read: breadth first
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, _AST):
                        parents[item] = node
                        append(item)
            elif isinstance(value, _AST):
                parents[value] = node
                append(value)
    return parents


def iter_function_nodes(func: FunctionNode) -> List[ast.AST]:
    """Return the nodes of ``func``'s body, nested defs, classes and lambdas excluded.

    Decorators and defaults of nested defs belong to ``func`` and are included.

    Args:
        func: The def.

    Returns:
        The nodes, in no particular order.
    """
    result: List[ast.AST] = []
    stack: List[ast.AST] = list(func.body)
    pop = stack.pop
    push = stack.append
    scope_types = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    lambda_type = ast.Lambda
    while stack:
        node = pop()
        result.append(node)
        if isinstance(node, scope_types):
            stack.extend(node.decorator_list)
            if not isinstance(node, ast.ClassDef):
                stack.extend(d for d in node.args.defaults)
                stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if node.__class__ is lambda_type:
            continue
        # the children in ``ast.iter_child_nodes`` order
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, _AST):
                        push(item)
            elif isinstance(value, _AST):
                push(value)
    return result


def function_nodes(ctx: FileContext, func: FunctionNode) -> List[ast.AST]:
    """Return :func:`iter_function_nodes` of ``func``, computed once per file.

    Args:
        ctx: The file context that caches the list.
        func: The def.

    Returns:
        The nodes (the list is shared and must not be modified).
    """
    return ctx.cached(
        ("web", "function-nodes", id(func)), lambda: iter_function_nodes(func)
    )


def resolve_values(
    ctx: FileContext, node: Optional[ast.AST], depth: int = 0
) -> List[ast.AST]:
    """Return the expressions a value may be: itself, or what a name is bound to.

    A local name of the enclosing function gives the values assigned to it that
    reach the use (see :class:`LocalFlow`); a module constant gives its value.
    Unknown bindings (parameters, loop variables) are left out.

    Args:
        ctx: The file context.
        node: The expression.
        depth: Recursion depth (internal).

    Returns:
        The candidate expressions (empty when unknown).
    """
    if node is None or depth > 5:
        return []
    if not isinstance(node, ast.Name):
        return [node]
    func = function_of(ctx, node)
    if func is not None:
        reaching = local_flow(ctx, func).reaching(node)
        if reaching:
            result: List[ast.AST] = []
            for value, kind in reaching:
                if kind == "assign" and value is not None:
                    result.extend(resolve_values(ctx, value, depth + 1))
            return result
    value = ctx.module_constants.get(node.id)
    if value is not None:
        return resolve_values(ctx, value, depth + 1)
    return []


def function_of(ctx: FileContext, node: ast.AST) -> Optional[FunctionNode]:
    """Return the innermost def around ``node``, also for nodes the walk has not
    reached yet (children of the node being visited: they are in the current def).

    Args:
        ctx: The file context.
        node: Any node of the file.

    Returns:
        The def, or None at module level.
    """
    if node in ctx.parents:
        return ctx.enclosing_function(node)
    return ctx.function


# ---- class-based views (Flask MethodView, Flask-RESTX/RESTful Resource, smorest) ----
VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_VIEW_BASES = frozenset({"MethodView", "View", "Resource", "HTTPEndpoint"})


def _view_class_paths(ctx: FileContext) -> Dict[str, List[Optional[str]]]:
    # Return class name -> route paths for class-based views of the file:
    # ``@ns.route("/login") class Login(Resource)``, ``api.add_resource(Login,
    # "/login")`` and ``app.add_url_rule("/login", view_func=Login.as_view("login"))``;
    # a class inheriting ``MethodView``/``Resource``/``HTTPEndpoint`` with no known
    # path maps to ``[None]``.

    def compute() -> Dict[str, List[Optional[str]]]:
        table: Dict[str, List[Optional[str]]] = {}
        for node in ctx.module_statements:
            if isinstance(node, ast.ClassDef):
                _add_view_class(ctx, node, table)
        if not has_word(ctx, "add_resource", "add_url_rule"):
            return table
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "add_resource" and node.args:
                    name = node.args[0]
                    if isinstance(name, ast.Name):
                        table.setdefault(name.id, []).extend(
                            arg.value
                            for arg in node.args[1:]
                            if isinstance(arg, ast.Constant)
                            and isinstance(arg.value, str)
                        )
                elif node.func.attr == "add_url_rule":
                    _add_url_rule_view(node, table)
        return table

    return ctx.cached(("web", "view-classes"), compute)


def _add_view_class(
    ctx: FileContext, node: ast.ClassDef, table: Dict[str, List[Optional[str]]]
) -> None:
    for decorator in node.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "route"
        ):
            _has, path = _path_argument(decorator)
            table.setdefault(node.name, []).append(path)
    if node.name not in table and any(
        _last(ctx.qualname(base)) in _VIEW_BASES for base in node.bases
    ):
        table.setdefault(node.name, [])


def _add_url_rule_view(node: ast.Call, table: Dict[str, List[Optional[str]]]) -> None:
    view = None
    for kw in node.keywords:
        if kw.arg == "view_func":
            view = kw.value
    if view is None and len(node.args) >= 3:
        view = node.args[2]
    if (
        isinstance(view, ast.Call)
        and isinstance(view.func, ast.Attribute)
        and view.func.attr == "as_view"
        and isinstance(view.func.value, ast.Name)
    ):
        _has, path = _path_argument(node)
        table.setdefault(view.func.value.id, []).append(path)


def view_method_paths(
    ctx: FileContext, func: FunctionNode, cls: Optional[ast.ClassDef]
) -> Optional[List[Optional[str]]]:
    """Return the paths of a class-based view method (``def post(self)``), or None.

    Args:
        ctx: The file context.
        func: A method.
        cls: The class that directly contains it.

    Returns:
        The route paths (``[None]`` when unknown), or None when ``func`` is not
        an HTTP method of a class-based view.
    """
    if cls is None or func.name not in VIEW_METHODS:
        return None
    paths = _view_class_paths(ctx).get(cls.name)
    if paths is None:
        return None
    return paths or [None]


def may_be_route(ctx: FileContext, func: FunctionNode) -> bool:
    """Return False for a def that can be neither a route nor a view method.

    A cheap first test for handlers that see every def: only defs decorated with
    a call of an attribute named like a route decorator (``@X.get(...)``, see
    :func:`routes`) and the HTTP methods of a class (``def get(self)``) can be
    routes. Call it at the def itself (entering or leaving it), so that
    ``ctx.class_`` is its class.

    Args:
        ctx: The file context.
        func: A def.

    Returns:
        True when ``func`` may be a route handler or a view method.
    """
    if _decorated_with(func, ROUTE_ATTRS):
        return True
    return func.name in VIEW_METHODS and ctx.class_ is not None


def may_answer_client(ctx: FileContext, func: FunctionNode) -> bool:
    """Return False for a def that is neither a route, a view method nor an error
    handler (what it returns never reaches a client by itself).

    :func:`may_be_route`, or :func:`is_error_handler`; call it at the def.

    Args:
        ctx: The file context.
        func: A def.

    Returns:
        True when ``func`` may be a route, a view method or an error handler.
    """
    return may_be_route(ctx, func) or is_error_handler(ctx, func)


def _decorated_with(func: FunctionNode, attrs: FrozenSet[str]) -> Optional[ast.Call]:
    # The first decorator of ``func`` that calls an attribute named in ``attrs``
    # (``@X.y(...)``), or None.
    for decorator in func.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in attrs
        ):
            return decorator
    return None


def is_view_method(
    ctx: FileContext, func: FunctionNode, cls: Optional[ast.ClassDef]
) -> bool:
    """Return True for an HTTP method of a class-based view.

    Args:
        ctx: The file context.
        func: A method.
        cls: The class that directly contains it.

    Returns:
        True for ``get/post/...`` of a MethodView/Resource or a routed class.
    """
    return view_method_paths(ctx, func, cls) is not None


def file_text(ctx: FileContext) -> Optional[str]:
    """Return the file's source text (cached), or None when the lines are unknown.

    Args:
        ctx: The file context.

    Returns:
        The text, for cheap substring pre-checks before AST work.
    """
    return ctx.text  # the same join of the lines, shared with the engine


def has_word(ctx: FileContext, *words: str) -> bool:
    """Return False when no word of the file's text is one of ``words``.

    A word is a maximal run of ASCII letters, digits and underscores, so an
    identifier of the tree (an attribute, a module) is always one:
    ``has_word(ctx, "add_url_rule")`` is False only when no ``X.add_url_rule``
    can occur. Each word is looked up in the file's set of lowercased words, then
    (when there) searched in the text as written.

    Args:
        ctx: The file context.
        *words: Identifiers made of ASCII letters, digits and underscores.

    Returns:
        False only when none of ``words`` is a word of the text.
    """
    found = ctx.words
    for word in words:
        if found is None:  # not computed by the engine: a search of the index
            present = ctx.may_contain_word_part(word.lower())
        else:
            present = word.lower().encode("ascii") in found
        if present and ctx.may_contain(word):
            return True
    return False


def node_text(ctx: FileContext, node: ast.AST) -> Optional[str]:
    """Return the source lines spanned by ``node``, or None when unknown.

    Args:
        ctx: The file context.
        node: A node with a position (a def, a class...).

    Returns:
        The text of the node's lines.
    """
    if not ctx.lines:
        return None
    start = getattr(node, "lineno", 1) - 1
    end = getattr(node, "end_lineno", None) or start + 1
    return "".join(ctx.lines[start:end])


def mentions(ctx: FileContext, node: ast.AST, words: Tuple[str, ...]) -> bool:
    """Return True when the text of ``node`` may contain one of ``words``.

    A cheap filter before per-function analyses; True when the text is unknown.
    The answer is exactly ``any(word in node_text(ctx, node) for word in words)``,
    found by bounded searches in the file's text instead of joining the lines,
    for the words the file holds at all.

    Args:
        ctx: The file context.
        node: A node with a position.
        words: Substrings to look for.

    Returns:
        False only when none of the words occurs in the node's source.
    """
    known = ctx.cached(("web", "text-lines"), lambda: _text_lines(ctx))
    if known is None:
        return True
    text, offsets = known
    start = getattr(node, "lineno", 1) - 1
    end = getattr(node, "end_lineno", None) or start + 1
    # ``node_text`` joins lines[start:end], that is text[low:high]
    if not 0 <= start < end < len(offsets):
        start, end, _step = slice(start, end).indices(len(offsets) - 1)
        if end <= start:
            return any(word in "" for word in words)
    low = offsets[start]
    high = offsets[end]
    find = text.find
    present = ctx.cached(
        ("web", "words-present", words),
        lambda: [word for word in words if ctx.may_contain(word)],
    )
    for word in present:
        if find(word, low, high) >= 0:
            return True
    return False


def _text_lines(ctx: FileContext) -> Optional[Tuple[str, List[int]]]:
    # The file's text and the offset in it at which each line starts (then the
    # text's length); None when the lines are unknown.
    text = file_text(ctx)
    if text is None:
        return None
    return text, [0] + list(accumulate(map(len, ctx.lines)))
