"""Unit tests for the web model, durations and the web security rules BG211-BG217."""

from __future__ import annotations

import ast
import textwrap
from typing import List, Optional

import pytest

from flake8_backend_guard.analysis import durations, web
from flake8_backend_guard.context import FileContext
from flake8_backend_guard.options import build_config
from helpers import check


def _context(source: str, **options: object) -> FileContext:
    # A context whose parent map covers the whole tree.
    tree = ast.parse(textwrap.dedent(source))
    config = build_config({k.replace("_", "-"): v for k, v in options.items()})
    ctx = FileContext(tree, "example.py", (), config)
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            ctx.parents[child] = node
    return ctx


def _function(ctx: FileContext, name: str) -> ast.AST:
    for node in ast.walk(ctx.tree):
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == name
        ):
            return node
    raise AssertionError(name)


def _codes(source: str, code: str, **options: object) -> List[int]:
    return [f.line for f in check(source, select=[code], **options) if f.code == code]


# ---- web model ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "path, parts",
    [
        ("/auth/reset-password/{token}", ["auth", "reset", "password"]),
        ("/users/<int:user_id>/verify_email", ["users", "verify", "email"]),
        ("/authors", ["authors"]),
        (None, []),
    ],
)
def test_path_parts(path: Optional[str], parts: List[str]) -> None:
    """Path segments are split on / - _ and parameters are dropped.

    Args:
        path: The route path.
        parts: The expected words.
    """
    assert web.path_parts(path) == parts


def test_path_parameters() -> None:
    """Both FastAPI and Flask parameter syntaxes are understood."""
    assert web.path_parameters("/a/{item_id}/<int:n>/<slug>") == {
        "item_id",
        "n",
        "slug",
    }


def test_mock_patch_is_not_a_route() -> None:
    """``@mock.patch("...")`` has an HTTP verb name but is not a route."""
    ctx = _context("""
        from unittest import mock

        @mock.patch("os.system")
        def test_x(m):
            pass

        @app.patch("/items/{id}")
        def update(id):
            pass
        """)
    assert not web.is_route_handler(ctx, _function(ctx, "test_x"))
    assert web.is_route_handler(ctx, _function(ctx, "update"))


def test_rate_limit_detection() -> None:
    """Decorators, dependencies, Annotated metadata and limited routers count."""
    ctx = _context("""
        from typing import Annotated
        from fastapi import APIRouter, Depends
        from fastapi_limiter.depends import RateLimiter

        limited = APIRouter(dependencies=[Depends(RateLimiter(times=5, seconds=60))])
        open_router = APIRouter()
        throttle = RateLimiter(times=1, seconds=5)

        @open_router.post("/a", dependencies=[Depends(RateLimiter(times=1))])
        def a(): ...

        @open_router.post("/b")
        def b(_: Annotated[None, Depends(throttle)]): ...

        @limited.post("/c")
        def c(): ...

        @open_router.post("/d")
        def d(): ...
        """)
    limited = {name: web.is_rate_limited(ctx, _function(ctx, name)) for name in "abcd"}
    assert limited == {"a": True, "b": True, "c": True, "d": False}


def test_local_flow_last_binding_wins() -> None:
    """A later unconditional assignment hides the earlier ones."""
    ctx = _context("""
        def f(file):
            name = file.filename
            name = secure_filename(name)
            if flag:
                name = other
            use(name)
        """)
    func = _function(ctx, "f")
    use = [
        n
        for n in ast.walk(func)
        if isinstance(n, ast.Name) and n.id == "name" and isinstance(n.ctx, ast.Load)
    ][-1]
    values = [ast.unparse(v) for v, _ in web.local_flow(ctx, func).reaching(use)]
    assert values == ["other", "secure_filename(name)"]


def test_error_handler_parameter() -> None:
    """Flask passes the exception first, FastAPI second."""
    ctx = _context("""
        @app.errorhandler(Exception)
        def flask_handler(error): ...

        @app.exception_handler(Exception)
        async def fastapi_handler(request, exc): ...
        """)
    assert web.error_handler_exception_param(ctx, _function(ctx, "flask_handler")) == (
        "error"
    )
    assert web.error_handler_exception_param(
        ctx, _function(ctx, "fastapi_handler")
    ) == ("exc")


# ---- durations --------------------------------------------------------------------
@pytest.mark.parametrize(
    "expr, seconds",
    [
        ("timedelta(days=1, hours=2)", 93600),
        ("timedelta(1, 30)", 86430),
        ("timedelta(weeks=1) * 2", 1209600),
        ("datetime.timedelta(minutes=15)", 900),
        ("timedelta(minutes=MINUTES)", 1800),
        ("relativedelta(months=1)", 30 * 86400),
    ],
)
def test_duration_seconds(expr: str, seconds: int) -> None:
    """timedelta forms, arithmetic and module constants are evaluated.

    Args:
        expr: The expression.
        seconds: Its expected duration.
    """
    ctx = _context(
        f"import datetime\nfrom datetime import timedelta\nMINUTES = 30\nx = {expr}\n"
    )
    value = ctx.tree.body[-1].value  # type: ignore[attr-defined]
    found = durations.duration_seconds(ctx, value)
    assert found is not None and found.seconds == seconds


def test_expiry_lifetime_through_locals() -> None:
    """``now + delta`` through local names, and epoch arithmetic."""
    ctx = _context("""
        import time
        from datetime import datetime, timedelta, timezone

        def f():
            now = datetime.now(timezone.utc)
            expire = now + timedelta(hours=3)
            a = expire
            b = int(time.time()) + 60 * 60 * 24
            return a, b
        """)
    func = _function(ctx, "f")
    ret = func.body[-1].value  # type: ignore[attr-defined]
    first = durations.expiry_lifetime(ctx, ret.elts[0])
    second = durations.expiry_lifetime(ctx, ret.elts[1])
    assert first is not None and first.seconds == 3 * 3600
    assert second is not None and second.seconds == 86400


@pytest.mark.parametrize(
    "name, expected",
    [
        ("ACCESS_TOKEN_EXPIRE_MINUTES", True),
        ("JWT_ACCESS_TOKEN_EXPIRES", True),
        ("refreshTokenTTL", True),
        ("CACHE_TTL", False),
        ("PERMANENT_SESSION_LIFETIME", False),
        ("token_type", False),
    ],
)
def test_is_expiry_name(name: str, expected: bool) -> None:
    """Token-lifetime settings are recognised by their name parts.

    Args:
        name: The setting name.
        expected: Whether it names a token lifetime.
    """
    assert durations.is_expiry_name(name) is expected


def test_name_unit() -> None:
    """The unit of a number comes from the constant's last name part."""
    assert durations.name_unit("ACCESS_TOKEN_EXPIRE_MINUTES") == 60
    assert durations.name_unit("EMAIL_RESET_TOKEN_EXPIRE_HOURS") == 3600
    assert durations.name_unit("TOKEN_TTL") is None


# ---- rules end to end (options) ------------------------------------------------
def test_bg213_max_token_lifetime_option() -> None:
    """``bg-max-token-lifetime`` raises the limit; equal to the maximum is allowed."""
    source = "ACCESS_TOKEN_EXPIRE_MINUTES = 120\n"
    assert _codes(source, "BG213") == [1]
    assert _codes(source, "BG213", bg_max_token_lifetime="2h") == []
    assert _codes(source, "BG213", bg_max_token_lifetime=7199) == [1]


def test_bg213_refresh_limit_option() -> None:
    """Refresh tokens use ``bg-max-refresh-lifetime``."""
    source = (
        "from datetime import timedelta\nREFRESH_TOKEN_EXPIRE = timedelta(days=60)\n"
    )
    assert _codes(source, "BG213") == [2]
    assert _codes(source, "BG213", bg_max_refresh_lifetime="90d") == []


def test_bg213_constant_reported_once() -> None:
    """A too-long constant is reported where defined, not again at its uses."""
    source = """
        from datetime import datetime, timedelta
        import jwt

        ACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24

        def make(user_id):
            exp = datetime.utcnow() + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)
            return jwt.encode({"sub": user_id, "exp": exp}, KEY, algorithm="HS256")
        """
    assert _codes(source, "BG213") == [5]


def test_bg214_custom_pattern_and_decorators() -> None:
    """``bg-auth-route-pattern`` and ``bg-rate-limit-decorators`` are honoured."""
    source = """
        from flask import Flask
        from app.security import guarded

        app = Flask(__name__)

        @app.post("/session/open")
        def open_session():
            return ""

        @app.post("/session/close")
        @guarded
        def close_session():
            return ""
        """
    assert _codes(source, "BG214") == []
    assert _codes(source, "BG214", bg_auth_route_pattern="session") == [8, 13]
    assert _codes(
        source,
        "BG214",
        bg_auth_route_pattern="session",
        bg_rate_limit_decorators="app.security.guarded",
    ) == [8]


def test_bg216_sanitizer_option() -> None:
    """``bg-filename-sanitizers`` names extra sanitising functions."""
    source = """
        import os
        from flask import request
        from app.files import clean

        def upload():
            f = request.files["file"]
            f.save(os.path.join("/srv", clean(f.filename)))
        """
    assert _codes(source, "BG216") == []
    unsafe = source.replace("clean(f.filename)", "f.filename")
    assert _codes(unsafe, "BG216") == [8]
    assert (
        _codes(
            source.replace("clean(", "tidy("), "BG216", bg_filename_sanitizers="tidy"
        )
        == []
    )


def test_bg211_samesite_default_depends_on_framework() -> None:
    """Starlette defaults to SameSite=lax; Flask has no default."""
    starlette = """
        from fastapi import Response

        def login(response: Response):
            response.set_cookie("s", "v", secure=True, httponly=True)
        """
    flask = starlette.replace(
        "from fastapi import Response", "from flask import Response"
    )
    assert _codes(starlette, "BG211") == []
    assert _codes(flask, "BG211") == [5]


def test_bg215_reports_once_per_handler() -> None:
    """Several unvalidated reads in one handler give one finding, at the first."""
    source = """
        from flask import Flask, request

        app = Flask(__name__)

        @app.post("/items")
        def create():
            name = request.form["name"]
            price = request.form["price"]
            return save(name, price)
        """
    assert _codes(source, "BG215") == [8]


def test_bg217_client_errors_are_not_detail() -> None:
    """Validation errors and HTTP errors are meant for clients."""
    source = """
        from fastapi import HTTPException
        from pydantic import ValidationError

        def parse(data):
            try:
                return Item.model_validate(data)
            except ValidationError as e:
                raise HTTPException(status_code=422, detail=str(e))
        """
    assert _codes(source, "BG217") == []
    assert _codes(source.replace("ValidationError as", "KeyError as"), "BG217") == [9]
