"""BG220 tls-verification-disabled: certificate or host name checks switched off."""

from __future__ import annotations

import ast
from typing import Any, Iterator, Optional

from ...analysis.values import const_value
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG220",
    name="tls-verification-disabled",
    message="{what} disables TLS certificate verification",
    hint=(
        "keep verification on; for a private CA pass its bundle "
        '(`verify="/etc/ssl/certs/internal-ca.pem"`)'
    ),
    rationale=(
        "Without certificate and host name verification, TLS still encrypts but no "
        "longer authenticates the server: anyone on the network path (a proxy, a "
        "compromised Wi-Fi, a container neighbour) can present their own certificate, "
        "read the traffic and change it, including the credentials and tokens sent "
        "to the API. Self-signed or internal certificates are handled by trusting "
        "their CA bundle, never by turning verification off."
    ),
    bad=Example(
        "import requests\n\n\n"
        "def fetch(url: str) -> dict:\n"
        "    return requests.get(url, timeout=10, verify=False).json()\n"
    ),
    good=Example(
        "import requests\n\n\n"
        "def fetch(url: str) -> dict:\n"
        "    return requests.get(url, timeout=10).json()\n"
    ),
    severity="error",
    cwe=295,
    overlaps=("S501", "S323", "B501", "B323"),
    # the keywords and attributes judged; ``CERT_NONE`` and
    # ``_create_unverified_context`` are only judged as names from ``ssl``/``_ssl``
    requires=("ssl", "verify", "check_hostname", "cert_reqs", "tls"),
)

_HTTP_METHODS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "request",
        "stream",
        "send",
        "ws_connect",
        "build_request",
    }
)
_CLIENT_SUFFIXES = (
    "client",
    "transport",
    "session",
    "adapter",
    "resource",
    "connection",
    "connector",
)
_CLIENT_ROOTS = frozenset({"requests", "httpx"})
_CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE", "_ssl.CERT_NONE"})
_UNVERIFIED = frozenset({"ssl._create_unverified_context"})
_SSL_NAMES = frozenset({"CERT_NONE", "_create_unverified_context"})
_INSECURE_TRUE = frozenset(
    {"tlsAllowInvalidCertificates", "tlsAllowInvalidHostnames", "tlsInsecure"}
)


def _is_false(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    value: Any = const_value(ctx, node)
    if value is False:
        return True
    return type(value) is int and value == 0


def _imports_aiohttp(ctx: FileContext) -> bool:
    return ctx.cached(
        ("BG220", "aiohttp"),
        lambda: any(q.split(".")[0] == "aiohttp" for q in ctx.aliases.values()),
    )


_TLS_KEYWORDS = _INSECURE_TRUE | {
    "verify",
    "verify_ssl",
    "verify_certs",
    "ssl",
    "check_hostname",
    "cert_reqs",
    "ssl_cert_reqs",
}


@RULE.on(ast.Call, keywords=_TLS_KEYWORDS)  # only keyword arguments are judged
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    if not node.keywords:
        return
    for kw in node.keywords:
        arg = kw.arg
        if arg is None:
            continue
        if arg == "verify" and _is_false(ctx, kw.value):
            if _is_http_call(ctx, node):
                yield RULE.finding(kw.value, what="`verify=False`")
                return
        elif arg in ("verify_ssl", "verify_certs") and _is_false(ctx, kw.value):
            yield RULE.finding(kw.value, what=f"`{arg}=False`")
            return
        elif arg == "ssl" and _is_false(ctx, kw.value):
            name = ctx.call_name(node) or ""
            if name.startswith("aiohttp.") or (
                _imports_aiohttp(ctx) and _method(node) in _HTTP_METHODS
            ):
                yield RULE.finding(kw.value, what="aiohttp `ssl=False`")
                return
        elif arg == "check_hostname" and _is_false(ctx, kw.value):
            yield RULE.finding(kw.value, what="`check_hostname=False`")
            return
        elif arg in ("cert_reqs", "ssl_cert_reqs"):
            value = const_value(ctx, kw.value)
            if isinstance(value, str) and value.upper() in ("CERT_NONE", "NONE"):
                yield RULE.finding(kw.value, what=f'`{arg}="{value}"`')
                return
        elif arg in _INSECURE_TRUE and const_value(ctx, kw.value) is True:
            yield RULE.finding(kw.value, what=f"`{arg}=True`")
            return


def _method(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else ""


def _is_http_call(ctx: FileContext, node: ast.Call) -> bool:
    name = ctx.call_name(node) or ""
    if name.split(".")[0] in _CLIENT_ROOTS:
        return True
    method = _method(node)
    if method in _HTTP_METHODS:
        return True
    last = name.rsplit(".", 1)[-1].lower()
    return last.endswith(_CLIENT_SUFFIXES)


@RULE.on(ast.Attribute, names=_SSL_NAMES)
def _check_attribute(node: ast.Attribute, ctx: FileContext) -> Iterator[Finding]:
    attr = node.attr
    if attr == "CERT_NONE":
        if ctx.qualname(node) in _CERT_NONE and not _in_comparison(ctx, node):
            yield RULE.finding(node, what="`ssl.CERT_NONE`")
    elif attr == "_create_unverified_context":
        if ctx.qualname(node) in _UNVERIFIED:
            yield RULE.finding(node, what=f"`ssl.{attr}`")


@RULE.on(ast.Name, names=_SSL_NAMES)
def _check_name(node: ast.Name, ctx: FileContext) -> Iterator[Finding]:
    if node.id not in _SSL_NAMES:
        return
    if not isinstance(node.ctx, ast.Load):
        return
    qualname = ctx.aliases.get(node.id)
    if qualname in _CERT_NONE and not _in_comparison(ctx, node):
        yield RULE.finding(node, what="`ssl.CERT_NONE`")
    elif qualname in _UNVERIFIED:
        yield RULE.finding(node, what="`ssl._create_unverified_context`")


def _in_comparison(ctx: FileContext, node: ast.AST) -> bool:
    # Return True where CERT_NONE is tested or listed, not applied.
    #
    # ``mode == ssl.CERT_NONE``, ``match mode: case ssl.CERT_NONE:`` and lookup
    # tables of all modes (``{"none": ssl.CERT_NONE, "required": ssl.CERT_REQUIRED}``)
    # do not switch verification off by themselves.
    parent = ctx.parent(node)
    if isinstance(parent, ast.Attribute):  # ssl.VerifyMode.CERT_NONE.value
        parent = ctx.parent(parent)
    if isinstance(parent, ast.Compare) or type(parent).__name__ == "MatchValue":
        return True
    if isinstance(parent, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
        items = parent.values if isinstance(parent, ast.Dict) else parent.elts
        return any(
            isinstance(item, (ast.Attribute, ast.Name))
            and (getattr(item, "attr", None) or getattr(item, "id", None))
            in ("CERT_REQUIRED", "CERT_OPTIONAL")
            for item in items
        )
    return False


@RULE.on(
    ast.Assign, ast.AnnAssign, names=("check_hostname", "verify", "verify_mode")
)
def _check_assign(node: ast.stmt, ctx: FileContext) -> Iterator[Finding]:
    value = node.value
    if value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if not isinstance(target, ast.Attribute):
            continue
        if target.attr == "check_hostname" and _is_false(ctx, value):
            yield RULE.finding(node, what="`check_hostname = False`")
        elif target.attr == "verify" and _is_false(ctx, value):
            yield RULE.finding(node, what=f"`{_label(target)} = False`")
        elif target.attr == "verify_mode" and _cert_none_string(ctx, value):
            yield RULE.finding(node, what="`verify_mode = CERT_NONE`")


def _cert_none_string(ctx: FileContext, value: ast.AST) -> bool:
    const = const_value(ctx, value)
    return isinstance(const, int) and not isinstance(const, bool) and const == 0


def _label(target: ast.Attribute) -> str:
    receiver = target.value
    if isinstance(receiver, ast.Name):
        return f"{receiver.id}.{target.attr}"
    if isinstance(receiver, ast.Attribute):
        return f"{receiver.attr}.{target.attr}"
    return target.attr
