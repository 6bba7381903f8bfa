"""BG212 jwt-verification-disabled: JWTs decoded without (proper) verification."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional

from ...analysis.durations import jwt_call_kind
from ...analysis.names import node_name
from ...analysis.values import UNKNOWN, const_value, has_star_kwargs, keyword_value
from ...analysis.web import resolve_values
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG212",
    name="jwt-verification-disabled",
    message="{call} {problem}",
    hint=(
        "verify the signature and pin the algorithms, e.g. "
        '`jwt.decode(token, key, algorithms=["HS256"])`'
    ),
    rationale=(
        "Why is this bad? A JWT is only as trustworthy as its signature check. "
        "Decoding with `verify_signature` off (or `verify=False` in old PyJWT) "
        "accepts any token a client makes up, so anyone can claim to be any user. "
        "Without an explicit `algorithms=` list (or with `none` in it) the token "
        "itself chooses how it is checked: an unsigned `alg: none` token passes, and "
        "mixing symmetric (HS256) and asymmetric (RS256) algorithms lets an attacker "
        "sign a token with the public key as an HMAC secret (algorithm confusion). "
        'Signing with `algorithm="none"` produces tokens nobody can verify.'
    ),
    bad=Example(
        "import jwt\n\n\n"
        "def current_user_id(token: str) -> str:\n"
        '    claims = jwt.decode(token, options={"verify_signature": False})\n'
        '    return claims["sub"]\n'
    ),
    good=Example(
        "import os\n\n"
        "import jwt\n\n\n"
        "def current_user_id(token: str) -> str:\n"
        '    key = os.environ["JWT_SECRET_KEY"]\n'
        '    claims = jwt.decode(token, key, algorithms=["HS256"])\n'
        '    return claims["sub"]\n'
    ),
    severity="error",
    cwe=347,
    overlaps=(),
    options=(),
    # a JWT library import (jwt, jose.jwt, authlib.jose.jwt) or a JWT_* setting
    requires=("jwt",),  # case-insensitive
)

_SYMMETRIC_PREFIX = ("HS",)
_ASYMMETRIC_PREFIX = ("RS", "ES", "PS", "ED")
_OPERATIONS = frozenset({"encode", "decode"})


def _call_text(ctx: FileContext, node: ast.Call) -> str:
    name = ctx.qualname(node.func) or "jwt.decode"
    short = ".".join(name.split(".")[-2:])
    return f"`{short}()`"


def _dict_values(ctx: FileContext, node: Optional[ast.AST], key: str) -> List[ast.AST]:
    # Return the values given to ``key`` in the dict(s) ``node`` may be.
    found: List[ast.AST] = []
    for value in resolve_values(ctx, node):
        if isinstance(value, ast.Dict):
            for k, v in zip(value.keys, value.values):
                if k is not None and const_value(ctx, k) == key:
                    found.append(v)
        elif (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "dict"
        ):
            item = keyword_value(value, key)
            if item is not None:
                found.append(item)
    return found


def _is_false(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    value = const_value(ctx, node)
    return value is not UNKNOWN and value is not None and not value


def _algorithm_names(ctx: FileContext, node: ast.AST) -> List[str]:
    # Return the constant algorithm names in an ``algorithms=`` value.
    names: List[str] = []
    for value in resolve_values(ctx, node):
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            items = value.elts
        else:
            items = [value]
        for item in items:
            constant = const_value(ctx, item)
            if isinstance(constant, str):
                names.append(constant)
            elif isinstance(constant, (list, tuple, frozenset)):
                names.extend(c for c in constant if isinstance(c, str))
    return names


def _decode_problem(ctx: FileContext, node: ast.Call, library: str) -> Optional[str]:
    options = keyword_value(node, "options")
    if library == "pyjwt" and options is None and len(node.args) > 3:
        options = node.args[3]
    for value in _dict_values(ctx, options, "verify_signature"):
        if _is_false(ctx, value):
            return "disables signature verification (`verify_signature: False`)"
    verify = keyword_value(node, "verify")
    if verify is None and library == "pyjwt" and len(node.args) > 2:
        third = const_value(ctx, node.args[2])
        if isinstance(third, bool):
            verify = node.args[2]
    if verify is not None and _is_false(ctx, verify):
        return "disables signature verification (`verify=False`)"
    if library == "authlib":
        return None  # authlib has no algorithms parameter on decode
    algorithms = keyword_value(node, "algorithms")
    if algorithms is None and len(node.args) > 2:
        third = node.args[2]
        if not isinstance(third, ast.Starred) and not isinstance(
            const_value(ctx, third), bool
        ):
            algorithms = third
    if algorithms is None or (
        isinstance(algorithms, ast.Constant) and algorithms.value is None
    ):
        if has_star_kwargs(node) or any(isinstance(a, ast.Starred) for a in node.args):
            return None
        return "has no `algorithms=` list: the token chooses how it is verified"
    return _algorithms_problem(ctx, algorithms, "accepts")


def _algorithms_problem(ctx: FileContext, value: ast.AST, verb: str) -> Optional[str]:
    # ``none`` among the algorithms, or HMAC mixed with RSA/EC (algorithm confusion).
    names = _algorithm_names(ctx, value)
    if any(name.lower() == "none" for name in names):
        return f"{verb} the unsigned `none` algorithm"
    upper = [name.upper() for name in names]
    symmetric = [n for n in upper if n.startswith(_SYMMETRIC_PREFIX)]
    asymmetric = [n for n in upper if n.startswith(_ASYMMETRIC_PREFIX)]
    if symmetric and asymmetric:
        return (
            f"mixes symmetric and asymmetric algorithms ({symmetric[0]}, "
            f"{asymmetric[0]}): algorithm confusion"
        )
    return None


def _encode_problem(ctx: FileContext, node: ast.Call, library: str) -> Optional[str]:
    if library == "authlib":
        header = keyword_value(node, "header")
        if header is None and node.args:
            header = node.args[0]
        for value in _dict_values(ctx, header, "alg"):
            constant = const_value(ctx, value)
            if isinstance(constant, str) and constant.lower() == "none":
                return 'signs with the unsigned `"alg": "none"` algorithm'
        return None
    algorithm = keyword_value(node, "algorithm")
    if algorithm is None and len(node.args) > 2:
        algorithm = node.args[2]
    if algorithm is None:
        return None
    constant = const_value(ctx, algorithm)
    if isinstance(constant, str) and constant.lower() == "none":
        return 'signs with the unsigned `"none"` algorithm'
    if constant is None and library == "pyjwt":
        return "signs with `algorithm=None`, i.e. the unsigned `none` algorithm"
    return None


@RULE.on(ast.Call, names=_OPERATIONS)
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if isinstance(func, ast.Attribute):
        if func.attr not in _OPERATIONS:
            return
    elif not isinstance(func, ast.Name) or func.id not in ctx.aliases:
        return
    kind = jwt_call_kind(ctx, node)
    if kind is None:
        return
    library, operation = kind
    if operation == "decode":
        problem = _decode_problem(ctx, node, library)
    else:
        problem = _encode_problem(ctx, node, library)
    if problem:
        yield RULE.finding(node, call=_call_text(ctx, node), problem=problem)


# ---- Flask-JWT-Extended settings -------------------------------------------------
_ALGORITHM_SETTINGS = frozenset({"JWT_ALGORITHM", "JWT_DECODE_ALGORITHMS"})


def _setting_problem(ctx: FileContext, value: ast.AST) -> Optional[str]:
    # ``JWT_ALGORITHM = "none"``, ``JWT_DECODE_ALGORITHMS = ["HS256", "RS256"]``.
    return _algorithms_problem(ctx, value, "uses")


@RULE.on(ast.Assign, ast.AnnAssign, names=_ALGORITHM_SETTINGS)
def _check_setting(node: ast.stmt, ctx: FileContext) -> Iterator[Finding]:
    value = getattr(node, "value", None)
    if value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        name = node_name(target)
        if name in _ALGORITHM_SETTINGS:
            problem = _setting_problem(ctx, value)
            if problem:
                yield RULE.finding(node, call=f"`{name}`", problem=problem)
                return


@RULE.on(ast.keyword, names=_ALGORITHM_SETTINGS)
def _check_setting_keyword(node: ast.keyword, ctx: FileContext) -> Iterator[Finding]:
    # ``app.config.update(JWT_ALGORITHM="none")``
    if node.arg in _ALGORITHM_SETTINGS:
        problem = _setting_problem(ctx, node.value)
        if problem:
            yield RULE.finding(node.value, call=f"`{node.arg}`", problem=problem)


@RULE.on(ast.Dict)
def _check_setting_dict(node: ast.Dict, ctx: FileContext) -> Iterator[Finding]:
    for key, value in zip(node.keys, node.values):
        if isinstance(key, ast.Constant) and key.value in _ALGORITHM_SETTINGS:
            problem = _setting_problem(ctx, value)
            if problem:
                yield RULE.finding(key, call=f"`{key.value}`", problem=problem)
