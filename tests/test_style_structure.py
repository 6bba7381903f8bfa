"""Unit tests for the style and structure rules BG308 to BG319 and their helpers."""

from __future__ import annotations

import ast
import fnmatch
import os
import time
from pathlib import Path

import pytest

from flake8_backend_guard.analysis import structure
from flake8_backend_guard.context import FileContext, module_level_statements
from flake8_backend_guard.options import build_config
from flake8_backend_guard.project import clear_caches
from helpers import check, check_path, codes, write_tree


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    clear_caches()
    structure.clear_summary_cache()


@pytest.mark.parametrize(
    "name, snake, upper, pascal",
    [
        ("get_user", True, False, False),
        ("getUser", False, False, False),
        ("_private2", True, False, False),
        ("MAX_SIZE", False, True, False),
        ("X", False, True, True),
        ("HTTPClient", False, False, True),
        ("User_Service", False, False, False),
        ("_Base", False, False, True),
        ("X_train", False, False, False),
    ],
)
def test_name_predicates(name: str, snake: bool, upper: bool, pascal: bool) -> None:
    """The naming predicates follow PEP 8's definitions."""
    assert structure.is_snake_case(name) is snake
    assert structure.is_upper_case(name) is upper
    assert structure.is_pascal_case(name) is pascal


@pytest.mark.parametrize(
    "name, expected",
    [
        ("getUserById", "get_user_by_id"),
        ("_privateHelper", "_private_helper"),
        ("getHTTPResponse", "get_http_response"),
        ("asn1Spec", "asn1_spec"),
        ("X_train", "x_train"),
    ],
)
def test_snake_case_suggestion(name: str, expected: str) -> None:
    """Messages suggest a readable snake_case spelling."""
    assert structure.to_snake_case(name) == expected


def test_literal_kinds() -> None:
    """Literal constants are recognised; objects and mutable containers are not."""
    import ast

    def kind(src: str) -> object:
        return structure.literal_kind(ast.parse(src, mode="eval").body)

    assert kind("-5") == "number"
    assert kind("60 * 24") == "number"
    assert kind("'a' 'b'") == "str"
    assert kind("b'x'") == "bytes"
    assert kind("None") == "const"
    assert kind("('a', 1, (2, 3))") == "tuple"
    assert kind("frozenset({'a', 'b'})") == "tuple"
    assert kind("['a']") is None
    assert kind("{'a': 1}") is None
    assert kind("get_logger()") is None
    assert kind("int") is None


def test_ignore_names_option_replaces_defaults() -> None:
    """`bg-ignore-names` exempts matching names from BG308 and BG310."""
    source = """
    def handleEvent(eventData):
        return eventData

    def visit_Call(node):
        return node
    """
    default = check(source, select=["BG308", "BG310"])
    assert codes(default) == ["BG308", "BG310"]
    configured = check(source, select=["BG308", "BG310"], bg_ignore_names="handle*")
    assert codes(configured) == ["BG308"]
    assert "visit_Call" in configured[0].message


@pytest.mark.parametrize(
    "patterns",
    ["", "handle*", "*Event,get?ser,[A-Z]*", "[!a-z]*,visit_*_*x", "setUp,do_*"],
)
def test_ignored_names_match_like_fnmatch(patterns: str) -> None:
    """One regular expression for all patterns finds what fnmatch finds.

    Args:
        patterns: The `bg-ignore-names` option value.
    """
    config = build_config({"bg-ignore-names": patterns})
    ctx = FileContext(ast.parse(""), config=config)
    names = ["handleEvent", "getUser", "get_user", "Xy", "visit_a_bx", "setUp"]
    names += ["setUpClass", "do_it", "do", "", "a\nb", "visit_\n"]
    for name in names:
        expected = any(fnmatch.fnmatchcase(name, p) for p in config.ignore_names)
        assert structure.is_ignored_name(ctx, name) is expected, name


def test_variable_reported_once_per_function() -> None:
    """BG310 reports a name once per function, at its first binding."""
    source = """
    def a(items):
        totalSum = 0
        for item in items:
            totalSum += item
        totalSum = totalSum * 2
        return totalSum

    def b():
        totalSum = 1
        return totalSum
    """
    findings = check(source, select=["BG310"])
    assert [(f.line, f.code) for f in findings] == [(3, "BG310"), (10, "BG310")]


def test_logging_call_detection() -> None:
    """BG312 skips formatting inside any logger's level methods."""
    source = """
    import logging
    import structlog

    log = structlog.get_logger()

    def f(app, x):
        app.logger.info("a %s" % x)
        structlog.get_logger().warning("b {}".format(x))
        log.msg("c %s" % x)
        logging.getLogger("x").error("d %s" % x)
        catalog.info("e %s" % x)
    """
    findings = check(source, select=["BG312"])
    assert [f.line for f in findings] == [12]


def test_print_only_inside_packages(tmp_path: Path) -> None:
    """BG314 judges package modules only; stdin display names use the disk layout."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/jobs.py": "print('x')\n",
            "tools/run.py": "print('x')\n",
        },
    )
    assert codes(check_path(tmp_path / "app" / "jobs.py", select=["BG314"])) == [
        "BG314"
    ]
    assert codes(check_path(tmp_path / "tools" / "run.py", select=["BG314"])) == []
    # the buffer is checked under a display name inside the package
    display = str(tmp_path / "app" / "other.py")
    assert codes(check("print('x')\n", filename=display, select=["BG314"])) == ["BG314"]
    assert codes(check("print('x')\n", filename="stdin", select=["BG314"])) == []


def test_flask_app_outside_package_is_fine(tmp_path: Path) -> None:
    """BG316 leaves single-file scripts alone."""
    source = "from flask import Flask\n\napp = Flask(__name__)\n"
    write_tree(tmp_path, {"app.py": source, "pkg/__init__.py": source})
    assert codes(check_path(tmp_path / "app.py", select=["BG316"])) == []
    assert codes(check_path(tmp_path / "pkg" / "__init__.py", select=["BG316"])) == [
        "BG316"
    ]


def _router_tree(tmp_path: Path, prefix: str) -> Path:
    return write_tree(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/api/__init__.py": "from .users import router\n",
            "svc/api/users.py": (
                "from fastapi import APIRouter\n\n"
                f"router = APIRouter(prefix={prefix!r})\n"
            ),
            "svc/main.py": (
                "from fastapi import FastAPI\n\n"
                "from .api import router\n\n"
                "app = FastAPI()\n"
                "app.include_router(router)\n"
            ),
        },
    )


def test_prefix_follows_reexports_and_is_cached(tmp_path: Path) -> None:
    """BG317 reads the defining module through a re-export, once per version."""
    root = _router_tree(tmp_path, "/users")
    main = root / "svc" / "main.py"
    findings = check_path(main, select=["BG317"])
    assert codes(findings) == ["BG317"]
    assert "`/users`" in findings[0].message
    users = root / "svc" / "api" / "users.py"
    assert structure.module_summary(str(users)) is structure.module_summary(str(users))
    # an edit on disk is picked up (the cache is keyed by mtime and size)
    users.write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/api/users')\n"
    )
    later = time.time() + 5
    os.utime(users, (later, later))
    assert codes(check_path(main, select=["BG317"])) == []


def test_prefix_over_stdin_display_name(tmp_path: Path) -> None:
    """The buffer under a display name resolves sibling modules from disk."""
    root = _router_tree(tmp_path, "/users")
    buffer = (
        "from fastapi import FastAPI\n\n"
        "from .api import router\n\n"
        "app = FastAPI()\n"
        "app.include_router(router, prefix='/api')\n"
    )
    display = str(root / "svc" / "main.py")
    assert codes(check(buffer, filename=display, select=["BG317"])) == []
    assert codes(
        check(buffer.replace("/api", "/v2"), filename=display, select=["BG317"])
    ) == ["BG317"]
    assert (
        codes(check(buffer.replace("/api", "/v2"), filename="stdin", select=["BG317"]))
        == []
    )


def test_unresolvable_router_is_not_judged() -> None:
    """Objects from outside the project or built dynamically are not judged."""
    source = """
    from fastapi import FastAPI
    from some_lib import router as lib_router

    app = FastAPI()
    app.include_router(lib_router)
    app.include_router(make_router())
    app.include_router(routers[0])
    """
    assert codes(check(source, select=["BG317"])) == []


def test_error_handler_lambda_and_names() -> None:
    """BG319 judges returned names through their assignments."""
    source = """
    from flask import Flask, jsonify, render_template

    app = Flask(__name__)

    @app.errorhandler(404)
    def not_found(e):
        page = render_template("404.html")
        return page, 404

    @app.errorhandler(400)
    def bad(e):
        body = jsonify(error="bad")
        return body, 400
    """
    findings = check(source, select=["BG319"])
    assert [f.line for f in findings] == [9]


def test_db_access_reported_once_at_first_access() -> None:
    """BG318 reports a handler once, at its first database access."""
    source = """
    from flask import Blueprint
    from .models import User, db

    bp = Blueprint("u", __name__)

    @bp.route("/u/<int:uid>")
    def show(uid):
        user = User.query.get(uid)
        db.session.delete(user)
        db.session.commit()
        return ""
    """
    findings = check(source, select=["BG318"])
    assert [(f.line, f.code) for f in findings] == [(9, "BG318")]


_EVERY_BLOCK = '''
"""Module docstring."""
import os
if os.name == "nt":
    A = 1
elif os.name == "posix":
    for item in range(3):
        B = item
    else:
        C = 2
else:
    while False:
        D = 3
    else:
        E = 4
try:
    with open("x") as handle, open("y"):
        F = 5
except OSError:
    G = 6
else:
    H = 7
finally:
    I = 8
def func():
    J = 9
class Klass:
    K = 10
match os.name:
    case "nt":
        L = 11
async def coro():
    async with lock:
        M = 12
    async for value in stream:
        N = 13
'''


def _statements_reference(body: list) -> list:
    # module_level_statements as first written: nested_statements of everything.
    from flake8_backend_guard.context import nested_statements

    result = []
    for stmt in body:
        result.append(stmt)
        result.extend(_statements_reference(nested_statements(stmt)))
    return result


def test_module_statements_walk_like_module_level_statements() -> None:
    """The cached walk is context.module_level_statements, in the same order."""
    tree = ast.parse(_EVERY_BLOCK)
    expected = module_level_statements(tree)
    assert expected == _statements_reference(tree.body)
    assert FileContext(tree).module_statements == expected
    assert [type(stmt).__name__ for stmt in expected].count("Assign") == 9
