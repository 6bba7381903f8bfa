"""BG221 cors-wildcard-with-credentials: any origin may send credentialed requests."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, Optional, Set

from ...analysis.dataflow import reaching_values
from ...analysis.values import UNKNOWN, const_value
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG221",
    name="cors-wildcard-with-credentials",
    message="{what} lets any origin make credentialed requests",
    hint=(
        "list the trusted origins explicitly "
        '(`allow_origins=["https://app.example.com"]`), or drop credentials'
    ),
    rationale=(
        "Browsers refuse `Access-Control-Allow-Origin: *` together with credentials, "
        "so CORS libraries configured with both reflect the caller's `Origin` "
        "instead. Any web site a logged-in user visits can then call the API with the "
        "user's cookies or HTTP authentication and read the answers: account data, "
        "CSRF tokens, API keys. Credentialed CORS needs an explicit list of trusted "
        "origins."
    ),
    bad=Example(
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI()\n"
        "app.add_middleware(\n"
        '    CORSMiddleware, allow_origins=["*"], allow_credentials=True\n'
        ")\n"
    ),
    good=Example(
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI()\n"
        "app.add_middleware(\n"
        "    CORSMiddleware,\n"
        '    allow_origins=["https://app.example.com"],\n'
        "    allow_credentials=True,\n"
        ")\n"
    ),
    severity="error",
    cwe=942,
    overlaps=(),
    # flask_cors, quart_cors, CORSMiddleware or a CORS_* setting
    requires=("cors",),  # case-insensitive
)

_WILDCARD_STRINGS = frozenset(
    {
        "*",
        ".*",
        ".+",
        "(.*)",
        "(.+)",
        "https?://.*",
        "https?://.+",
        "http://.*",
        "https://.*",
        "https?://*",
        "https://*",
        "http://*",
    }
)
_FLASK_CORS = frozenset({"flask_cors.CORS", "flask_cors.extension.CORS"})
_CROSS_ORIGIN = frozenset(
    {"flask_cors.cross_origin", "flask_cors.decorator.cross_origin"}
)
_QUART_CORS = frozenset(
    {"quart_cors.cors", "quart_cors.route_cors", "quart_cors.websocket_cors"}
)
_TRUE_STRINGS = frozenset({"1", "true", "yes", "on"})
_CONFIG_KEYS = frozenset(
    {
        "CORS_SUPPORTS_CREDENTIALS",
        "CORS_ORIGINS",
        "CORS_ALLOW_CREDENTIALS",
        "CORS_ALLOW_ALL_ORIGINS",
        "CORS_ORIGIN_ALLOW_ALL",
    }
)
_MAX_DEPTH = 4


def _is_wildcard_string(value: object) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text.startswith("^"):
        text = text[1:]
    if text.endswith("$"):
        text = text[:-1]
    return text in _WILDCARD_STRINGS


def _value_nodes(ctx: FileContext, node: ast.AST, depth: int = 0) -> Iterator[ast.AST]:
    # Yield the expressions a value may be: itself, or what a name is bound to.
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, ast.Name):
        if ctx.enclosing_function(node) is not None:
            values = reaching_values(ctx, node)
            if values:
                for value in values:
                    if value is not None and not isinstance(value, ast.AugAssign):
                        yield from _value_nodes(ctx, value, depth + 1)
                return
        constant = ctx.module_constants.get(node.id)
        if constant is not None:
            yield from _value_nodes(ctx, constant, depth + 1)
            return
    yield node


def _has_wildcard(ctx: FileContext, node: Optional[ast.AST], depth: int = 0) -> bool:
    if node is None or depth > _MAX_DEPTH:
        return False
    for value in _value_nodes(ctx, node):
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            if any(_has_wildcard(ctx, elt, depth + 1) for elt in value.elts):
                return True
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            if _has_wildcard(ctx, value.left, depth + 1) or _has_wildcard(
                ctx, value.right, depth + 1
            ):
                return True
        elif isinstance(value, ast.Constant):
            if _is_wildcard_string(value.value):
                return True
            if isinstance(value.value, str) and "," in value.value:
                if any(_is_wildcard_string(p) for p in value.value.split(",")):
                    return True
    return False


def _is_on(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    if node is None:
        return False
    for value in _value_nodes(ctx, node):
        const = const_value(ctx, value)
        if const is UNKNOWN or const is None:
            continue
        if isinstance(const, str):
            if const.strip().lower() in _TRUE_STRINGS:
                return True
        elif isinstance(const, (bool, int)) and const:
            return True
    return False


def _keyword(node: ast.Call, name: str) -> Optional[ast.expr]:
    for kw in node.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _file_config(ctx: FileContext) -> Dict[str, ast.expr]:
    # Return the CORS settings a file assigns (``CORS_ORIGINS = "*"``...).

    def compute() -> Dict[str, ast.expr]:
        found: Dict[str, ast.expr] = {}
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    key = _config_key(target)
                    if key in _CONFIG_KEYS:
                        found[key] = node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                key = _config_key(node.target)
                if key in _CONFIG_KEYS:
                    found[key] = node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("update", "from_mapping")
            ):
                for kw in node.keywords:
                    if kw.arg in _CONFIG_KEYS:
                        found[kw.arg] = kw.value
        return found

    return ctx.cached(("BG221", "config"), compute)


def _config_key(target: ast.AST) -> Optional[str]:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Subscript):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


_FLASK_CORS_CALLS = frozenset({"CORS", "init_app", "cross_origin"})
_STARLETTE_CALLS = frozenset({"add_middleware", "Middleware", "CORSMiddleware"})
_QUART_CORS_CALLS = frozenset({"cors", "route_cors", "websocket_cors"})


# on leave: argument names have parents (dataflow); keyed on the callee as written
@RULE.on_leave(ast.Call, names=_FLASK_CORS_CALLS | _STARLETTE_CALLS | _QUART_CORS_CALLS)
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    attr = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if attr in _FLASK_CORS_CALLS:
        yield from _check_flask_cors(node, ctx, attr)
    elif attr in _STARLETTE_CALLS:
        yield from _check_starlette(node, ctx, attr)
    elif attr in _QUART_CORS_CALLS:
        if (ctx.call_name(node) or "") in _QUART_CORS:
            credentials = _keyword(node, "allow_credentials")
            origin = _keyword(node, "allow_origin")
            if _is_on(ctx, credentials) and (
                origin is None or _has_wildcard(ctx, origin)
            ):
                yield RULE.finding(node, what=f"`{attr}(allow_credentials=True)`")


def _is_flask_cors_object(ctx: FileContext, node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        value = ctx.module_constants.get(node.id)
        return isinstance(value, ast.Call) and ctx.call_name(value) in _FLASK_CORS
    return False


def _check_flask_cors(node: ast.Call, ctx: FileContext, attr: str) -> Iterator[Finding]:
    name = ctx.call_name(node) or ""
    if attr == "init_app":
        func = node.func
        if not isinstance(func, ast.Attribute) or not _is_flask_cors_object(
            ctx, func.value
        ):
            return
        label = "`cors.init_app(...)`"
    elif name in _FLASK_CORS:
        label = "`CORS(...)`"
        if not node.args and not node.keywords:
            return  # CORS() created now, configured by init_app later
    elif name in _CROSS_ORIGIN:
        label = "`@cross_origin(...)`"
    else:
        return
    config = _file_config(ctx) if attr != "cross_origin" else {}
    credentials = _keyword(node, "supports_credentials")
    origins = _keyword(node, "origins")
    from_config = credentials is None and "CORS_SUPPORTS_CREDENTIALS" in config
    if credentials is None:
        credentials = config.get("CORS_SUPPORTS_CREDENTIALS")
    if origins is None and "CORS_ORIGINS" in config:
        if from_config:
            return  # reported where the settings are assigned
        origins = config["CORS_ORIGINS"]
    resources = _keyword(node, "resources")
    if resources is not None:
        options = list(_resource_options(ctx, resources))
        for option in options:
            res_credentials = option.get("supports_credentials", credentials)
            res_origins = option.get("origins", origins)
            if _is_on(ctx, res_credentials) and (
                res_origins is None or _has_wildcard(ctx, res_origins)
            ):
                yield RULE.finding(node, what=_what(label, res_origins))
                return
        if options:
            return
    if not _is_on(ctx, credentials):
        return
    if origins is None and any(kw.arg is None for kw in node.keywords):
        return  # origins may come in **options
    if origins is None or _has_wildcard(ctx, origins):
        yield RULE.finding(node, what=_what(label, origins))


def _what(label: str, origins: Optional[ast.AST]) -> str:
    if origins is None:
        return f"{label} with credentials and no `origins` (default `*`)"
    return f'{label} with credentials and origin `"*"`'


def _resource_options(ctx: FileContext, node: ast.AST) -> Iterator[Dict[str, ast.expr]]:
    for value in _value_nodes(ctx, node):
        if not isinstance(value, ast.Dict):
            continue
        for options in value.values:
            for option in _value_nodes(ctx, options):
                if isinstance(option, ast.Dict):
                    found: Dict[str, ast.expr] = {}
                    for key, item in zip(option.keys, option.values):
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            found[key.value] = item
                    yield found


def _is_cors_middleware(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    if node is None:
        return False
    name = ctx.qualname(node) or ""
    return name.rsplit(".", 1)[-1] == "CORSMiddleware"


def _check_starlette(node: ast.Call, ctx: FileContext, attr: str) -> Iterator[Finding]:
    if attr == "CORSMiddleware":
        if not _is_cors_middleware(ctx, node.func):
            return
    else:
        first = node.args[0] if node.args else _keyword(node, "middleware_class")
        if first is None:
            first = _keyword(node, "cls")
        if not _is_cors_middleware(ctx, first):
            return
    if not _is_on(ctx, _keyword(node, "allow_credentials")):
        return
    origins = _keyword(node, "allow_origins")
    regex = _keyword(node, "allow_origin_regex")
    if _has_wildcard(ctx, origins):
        yield RULE.finding(
            node, what='`CORSMiddleware` with `allow_origins=["*"]` and credentials'
        )
    elif regex is not None and _has_wildcard(ctx, regex):
        yield RULE.finding(
            node,
            what="`CORSMiddleware` with a match-all origin regex and credentials",
        )


@RULE.on(
    ast.Assign,
    ast.AnnAssign,
    names=("CORS_ALLOW_CREDENTIALS", "CORS_SUPPORTS_CREDENTIALS"),
)
def _check_settings(node: ast.stmt, ctx: FileContext) -> Iterator[Finding]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    keys: Set[str] = {k for k in (_config_key(t) for t in targets) if k}
    if not keys & {"CORS_ALLOW_CREDENTIALS", "CORS_SUPPORTS_CREDENTIALS"}:
        return
    if node.value is None or not _is_on(ctx, node.value):
        return
    config = _file_config(ctx)
    if "CORS_ALLOW_CREDENTIALS" in keys:  # django-cors-headers
        for key in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"):
            if _is_on(ctx, config.get(key)):
                yield RULE.finding(
                    node, what=f"`CORS_ALLOW_CREDENTIALS = True` with `{key} = True`"
                )
                return
    if "CORS_SUPPORTS_CREDENTIALS" in keys:  # flask-cors settings
        if _has_wildcard(ctx, config.get("CORS_ORIGINS")):
            yield RULE.finding(
                node,
                what='`CORS_SUPPORTS_CREDENTIALS = True` with `CORS_ORIGINS = "*"`',
            )
