"""BG214 auth-route-without-rate-limit: login/token/reset routes without a limit."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Union

from ...analysis.names import split_name
from ...analysis.web import (
    ROUTE_WORDS,
    is_rate_limit_name,
    is_rate_limited,
    may_be_route,
    path_parts,
    routes,
    view_method_paths,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG214",
    name="auth-route-without-rate-limit",
    message="authentication route {what} has no rate limit",
    hint=(
        'add `@limiter.limit("5/minute")` (Flask-Limiter, slowapi) or '
        "`dependencies=[Depends(RateLimiter(times=5, minutes=1))]` (fastapi-limiter)"
    ),
    rationale=(
        "Why is this bad? Login, token, password-reset and one-time-code endpoints "
        "are where attackers guess: credential stuffing replays leaked passwords, "
        "brute force walks through short PINs and reset codes, and every attempt "
        "costs a password hash on the server. A limit of a few attempts a minute per "
        "client makes these attacks impractical and costs real users nothing. A "
        "global default limit is usually far too generous for these routes, so "
        "each one needs its own."
    ),
    bad=Example(
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n\n\n"
        '@router.post("/auth/login")\n'
        "async def login(form: LoginForm) -> Token:\n"
        "    return await authenticate(form)\n"
    ),
    good=Example(
        "from fastapi import APIRouter, Depends\n"
        "from fastapi_limiter.depends import RateLimiter\n\n"
        "router = APIRouter()\n\n\n"
        '@router.post("/auth/login", dependencies=[Depends(RateLimiter(times=5, '
        "minutes=1))])\n"
        "async def login(form: LoginForm) -> Token:\n"
        "    return await authenticate(form)\n"
    ),
    severity="warning",
    cwe=307,
    overlaps=(),
    options=("bg-auth-route-pattern", "bg-rate-limit-decorators"),
    requires=ROUTE_WORDS,  # only routes and view methods are judged
)


def _auth_word(
    ctx: FileContext, func: Union[ast.FunctionDef, ast.AsyncFunctionDef]
) -> Optional[str]:
    # Return the route text that makes ``func`` an authentication route.
    pattern = ctx.config.auth_route_pattern
    for info in routes(ctx, func):
        for part in path_parts(info.path):
            if pattern.fullmatch(part):
                return f"`{info.path}`"
    for part in split_name(func.name):
        if pattern.fullmatch(part):
            return f"`{func.name}`"
    return None


def _view_auth_word(
    ctx: FileContext, paths: List[Optional[str]], cls: ast.ClassDef
) -> Optional[str]:
    pattern = ctx.config.auth_route_pattern
    for path in paths:
        for part in path_parts(path):
            if pattern.fullmatch(part):
                return f"`{path}`"
    for part in split_name(cls.name):
        if pattern.fullmatch(part):
            return f"`{cls.name}`"
    return None


def _class_rate_limited(ctx: FileContext, cls: ast.ClassDef) -> bool:
    # ``decorators = [limiter.limit(...)]`` / ``method_decorators`` on a view class.
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in ("decorators", "method_decorators")
            for t in stmt.targets
        ):
            for sub in ast.walk(stmt.value):
                target = sub.func if isinstance(sub, ast.Call) else sub
                if isinstance(target, (ast.Name, ast.Attribute)) and is_rate_limit_name(
                    ctx, ctx.qualname(target)
                ):
                    return True
    for decorator in cls.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if is_rate_limit_name(ctx, ctx.qualname(target)):
            return True
    return False


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(
    node: Union[ast.FunctionDef, ast.AsyncFunctionDef], ctx: FileContext
) -> Optional[Iterator[Finding]]:
    # a plain function (every def of the file gets here): findings only for
    # what may be a route
    if not may_be_route(ctx, node):
        return None
    return _function_findings(node, ctx)


def _function_findings(
    node: Union[ast.FunctionDef, ast.AsyncFunctionDef], ctx: FileContext
) -> Iterator[Finding]:
    cls = ctx.class_
    if node.decorator_list and routes(ctx, node):
        what = _auth_word(ctx, node)
    elif cls is not None:
        paths = view_method_paths(ctx, node, cls)
        if paths is None:
            return
        what = _view_auth_word(ctx, paths, cls)
        if what is not None and _class_rate_limited(ctx, cls):
            return
    else:
        return
    if what is None or is_rate_limited(ctx, node):
        return
    # Report at the def line, not at the first decorator.
    line = node.lineno
    col = node.col_offset
    yield RULE.finding_at(line, col, what=what)
