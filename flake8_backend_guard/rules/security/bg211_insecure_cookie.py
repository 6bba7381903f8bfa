"""BG211 insecure-cookie: cookies without ``httponly``, ``secure`` and ``samesite``."""

from __future__ import annotations

import ast
import re
from typing import Iterator, List, Optional

from ...analysis.names import node_name
from ...analysis.values import UNKNOWN, const_value, has_star_kwargs, keyword_value
from ...analysis.web import annotation_parts, file_framework, local_flow
from ...context import FileContext
from ...options import Config
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG211",
    name="insecure-cookie",
    message="{what}",
    hint=(
        'set `httponly=True`, `secure=True` and `samesite="Lax"` (or "Strict") on '
        "cookies and in the session configuration"
    ),
    rationale=(
        "Why is this bad? A cookie without `Secure` is sent over plain HTTP, where "
        "anyone on the network can read a session id or token from it; without "
        "`HttpOnly` any injected script can read it (`document.cookie`) and send it "
        "away; without `SameSite` the browser attaches it to requests made by other "
        "sites, which is what cross-site request forgery needs. The flags are free to "
        "set, and the framework defaults (Flask, Werkzeug, Django: none of them; "
        "Starlette: only `SameSite=lax`) do not protect a session cookie."
    ),
    bad=Example(
        "from flask import Flask, make_response\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/login")\n'
        "def login():\n"
        '    response = make_response({"ok": True})\n'
        '    response.set_cookie("session", new_session_id(), secure=False)\n'
        "    return response\n"
    ),
    good=Example(
        "from flask import Flask, make_response\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/login")\n'
        "def login():\n"
        '    response = make_response({"ok": True})\n'
        "    response.set_cookie(\n"
        '        "session",\n'
        "        new_session_id(),\n"
        "        secure=True,\n"
        "        httponly=True,\n"
        '        samesite="Lax",\n'
        "    )\n"
        "    return response\n"
    ),
    severity="warning",
    cwe=614,
    overlaps=(),
    options=(),
    references=("https://cwe.mitre.org/data/definitions/1004.html",),
    # every finding names a cookie (a method, a setting) or a session class
    # (``_SESSION_CLASS_RE``) configured with cookie flag keywords
    requires=("cookie", "session", "storage"),  # case-insensitive
)

_COOKIE_METHODS = frozenset({"set_cookie", "set_signed_cookie"})
# Positions of secure, httponly, samesite in Flask/Werkzeug, Starlette and Django.
_POSITIONS = {"secure": 6, "httponly": 7, "samesite": 8}
_FLAG_SETTINGS = frozenset(
    {
        "session_cookie_secure",
        "session_cookie_httponly",
        "remember_cookie_secure",
        "remember_cookie_httponly",
        "csrf_cookie_secure",
        "jwt_cookie_secure",
    }
)
_SAMESITE_SETTINGS = frozenset(
    {
        "session_cookie_samesite",
        "remember_cookie_samesite",
        "csrf_cookie_samesite",
        "jwt_cookie_samesite",
    }
)
_SESSION_FLAG_KEYWORDS = frozenset(
    {"httponly", "secure", "https_only", "cookie_secure", "cookie_httponly"}
)
_SESSION_SAMESITE_KEYWORDS = frozenset({"samesite", "same_site", "cookie_samesite"})
_MACHINERY_KEYWORDS = _SESSION_FLAG_KEYWORDS | _SESSION_SAMESITE_KEYWORDS
_SESSION_CLASS_RE = re.compile(r"Session|Storage$")
_STARLETTE_ROOTS = frozenset({"fastapi", "starlette"})
_OTHER_ROOTS = frozenset({"flask", "werkzeug", "django", "quart", "aiohttp", "bottle"})


def _root(name: Optional[str]) -> str:
    return (name or "").split(".")[0]


def _response_framework(ctx: FileContext, receiver: ast.expr) -> Optional[str]:
    # Return "starlette", "other" or None (unknown) for the response object.
    if isinstance(receiver, ast.Name):
        func = ctx.enclosing_function(receiver)
        if func is not None:
            for value, kind in local_flow(ctx, func).reaching(receiver):
                if kind == "param":
                    for arg in (
                        list(func.args.args)
                        + list(func.args.kwonlyargs)
                        + list(func.args.posonlyargs)
                    ):
                        if arg.arg == receiver.id:
                            names, _ = annotation_parts(ctx, arg.annotation)
                            for name in names:
                                if _root(name) in _STARLETTE_ROOTS:
                                    return "starlette"
                                if _root(name) in _OTHER_ROOTS:
                                    return "other"
                elif isinstance(value, ast.Call):
                    root = _root(ctx.call_name(value))
                    if root in _STARLETTE_ROOTS:
                        return "starlette"
                    if root in _OTHER_ROOTS:
                        return "other"
    elif isinstance(receiver, ast.Call):
        root = _root(ctx.call_name(receiver))
        if root in _STARLETTE_ROOTS:
            return "starlette"
        if root in _OTHER_ROOTS:
            return "other"
    return None


def _is_starlette(ctx: FileContext, receiver: ast.expr) -> bool:
    found = _response_framework(ctx, receiver)
    if found is not None:
        return found == "starlette"
    roots = {_root(q) for q in ctx.aliases.values()}
    if roots & {"django", "aiohttp"}:
        return False
    return file_framework(ctx) == "fastapi"


def _flag_value(call: ast.Call, name: str) -> Optional[ast.expr]:
    value = keyword_value(call, name)
    if value is None:
        position = _POSITIONS[name]
        if len(call.args) > position and not any(
            isinstance(a, ast.Starred) for a in call.args[: position + 1]
        ):
            value = call.args[position]
    return value


def _is_test_client(ctx: FileContext, receiver: ast.expr) -> bool:
    name = (ctx.qualname(receiver) or node_name(receiver) or "").lower()
    return "client" in name or name.endswith(("jar", "cookies"))


def _is_deletion(ctx: FileContext, call: ast.Call) -> bool:
    # ``set_cookie(key, max_age=0)`` / ``expires=0``: the cookie is being removed.
    for name, position in (("max_age", 2), ("expires", 3)):
        value = keyword_value(call, name)
        if value is None and len(call.args) > position:
            value = call.args[position]
        if value is not None and const_value(ctx, value) == 0:
            return True
    return False


def _is_csrf_cookie(ctx: FileContext, call: ast.Call) -> bool:
    key = keyword_value(call, "key")
    if key is None and call.args:
        key = call.args[0]
    if key is None:
        return False
    constant = const_value(ctx, key)
    text = constant if isinstance(constant, str) else ast.unparse(key)
    lowered = text.lower()
    return "csrf" in lowered or "xsrf" in lowered


def _falsy(ctx: FileContext, node: ast.AST) -> bool:
    value = const_value(ctx, node)
    return value is not UNKNOWN and not value


_CALL_METHODS = _COOKIE_METHODS | {"add_middleware"}


def _judged_keyword(arg: Optional[str]) -> bool:
    return arg is not None and (arg in _MACHINERY_KEYWORDS or "COOKIE" in arg.upper())


def _cookie_keyword(name: str, config: Config) -> bool:
    # The ``keywords=`` test of the call handler.
    return _judged_keyword(name)


@RULE.on(ast.Call, names=_CALL_METHODS, keywords=_cookie_keyword)
def _check_call(node: ast.Call, ctx: FileContext) -> Optional[Iterator[Finding]]:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _CALL_METHODS:
        return _call_findings(node, ctx)
    for kw in node.keywords:
        if _judged_keyword(kw.arg):
            return _call_findings(node, ctx)
    return None  # nothing ``_call_findings`` judges


def _call_findings(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if isinstance(func, ast.Attribute):
        if func.attr in _COOKIE_METHODS:
            yield from _check_set_cookie(node, func, ctx)
            return
        if func.attr == "add_middleware":
            yield from _check_session_machinery(node, ctx, node.args[:1])
            return
    if not node.keywords:
        return
    if any(kw.arg in _MACHINERY_KEYWORDS for kw in node.keywords):
        yield from _check_session_machinery(node, ctx, [])
    for kw in node.keywords:
        if kw.arg is not None and "COOKIE" in kw.arg.upper():
            problem = _setting_problem(ctx, kw.arg, kw.value)
            if problem:
                yield RULE.finding(kw.value, what=problem)


def _check_set_cookie(
    node: ast.Call, func: ast.Attribute, ctx: FileContext
) -> Iterator[Finding]:
    if has_star_kwargs(node) or _is_test_client(ctx, func.value):
        return
    if len(node.args) + len(node.keywords) < 2:
        return  # http.cookiejar's set_cookie(cookie), not a response
    if _is_deletion(ctx, node):
        return
    csrf = _is_csrf_cookie(ctx, node)
    problems: List[str] = []
    for flag in ("secure", "httponly"):
        if flag == "httponly" and csrf:
            continue  # a double-submit CSRF token must be readable by scripts
        value = _flag_value(node, flag)
        if value is None:
            problems.append(f"no `{flag}=True`")
        elif _falsy(ctx, value):
            problems.append(f"`{flag}={const_value(ctx, value)!r}`")
    samesite = _flag_value(node, "samesite")
    if samesite is None:
        if not _is_starlette(ctx, func.value):
            problems.append("no `samesite`")
    elif _falsy(ctx, samesite):
        problems.append(f"`samesite={const_value(ctx, samesite)!r}`")
    if problems:
        what = f"`{func.attr}()` sets an insecure cookie: " + ", ".join(problems)
        yield RULE.finding(node, what=what)


def _check_session_machinery(
    node: ast.Call, ctx: FileContext, middleware: List[ast.expr]
) -> Iterator[Finding]:
    target = middleware[0] if middleware else node.func
    if isinstance(target, ast.Call):
        return
    name = ctx.qualname(target) or node_name(target) or ""
    last = name.rsplit(".", 1)[-1]
    if not last or not _SESSION_CLASS_RE.search(last):
        if not middleware and last == "Middleware" and node.args:
            yield from _check_session_machinery(node, ctx, node.args[:1])
        return
    problems = []
    for kw in node.keywords:
        if kw.arg in _SESSION_FLAG_KEYWORDS and _falsy(ctx, kw.value):
            problems.append(f"`{kw.arg}={const_value(ctx, kw.value)!r}`")
        elif kw.arg in _SESSION_SAMESITE_KEYWORDS and _falsy(ctx, kw.value):
            problems.append(f"`{kw.arg}={const_value(ctx, kw.value)!r}`")
    if problems:
        what = f"`{last}` is configured with an insecure cookie: " + ", ".join(problems)
        yield RULE.finding(node, what=what)


def _setting_problem(ctx: FileContext, name: str, value: ast.AST) -> Optional[str]:
    lowered = name.lower()
    if lowered in _FLAG_SETTINGS:
        if _falsy(ctx, value):
            return f"`{name} = {const_value(ctx, value)!r}` turns a cookie flag off"
    elif lowered in _SAMESITE_SETTINGS:
        constant = const_value(ctx, value)
        if constant is None or constant is False:
            return f"`{name} = {constant!r}` sends the cookie with cross-site requests"
    return None


def _cookie_binding(name: str, config: Config) -> bool:
    # The ``names=`` test of the assignment handler: a cookie setting.
    return "cookie" in name.lower()


@RULE.on(ast.Assign, ast.AnnAssign, names=_cookie_binding)
def _check_assign(node: ast.stmt, ctx: FileContext) -> Iterator[Finding]:
    value = getattr(node, "value", None)
    if value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        name = node_name(target)
        if name and "cookie" in name.lower():
            problem = _setting_problem(ctx, name, value)
            if problem:
                yield RULE.finding(node, what=problem)
                return


_SETTINGS = _FLAG_SETTINGS | _SAMESITE_SETTINGS


@RULE.on(ast.Dict)
def _check_dict(node: ast.Dict, ctx: FileContext) -> Optional[Iterator[Finding]]:
    for key in node.keys:
        if (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and key.value.lower() in _SETTINGS
        ):
            return _dict_findings(node, ctx)
    return None  # no key ``_setting_problem`` judges


def _dict_findings(node: ast.Dict, ctx: FileContext) -> Iterator[Finding]:
    for key, value in zip(node.keys, node.values):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            problem = _setting_problem(ctx, key.value, value)
            if problem:
                yield RULE.finding(key, what=problem)
