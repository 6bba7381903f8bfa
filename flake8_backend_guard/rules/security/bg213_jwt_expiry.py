"""BG213 jwt-expiry: JWTs without ``exp`` or living longer than allowed."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Set, Tuple

from ...analysis.durations import (
    Duration,
    duration_seconds,
    expiry_lifetime,
    human,
    is_expiry_name,
    is_long_lived_name,
    jwt_call_kind,
    name_unit,
    setting_number,
)
from ...analysis.names import node_name
from ...analysis.values import const_value, string_keys
from ...analysis.web import function_nodes, has_word, local_flow
from ...context import FileContext
from ...options import Config
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG213",
    name="jwt-expiry",
    message="{what}",
    hint=(
        "set an `exp` of at most {access} for access tokens and {refresh} for "
        "refresh tokens (`bg-max-token-lifetime`, `bg-max-refresh-lifetime`)"
    ),
    rationale=(
        "Why is this bad? A JWT cannot be revoked: whoever holds it is logged in "
        "until it expires. A token without `exp` never expires, so one stolen from a "
        "log, a browser or a proxy works forever; an access token that lives for days "
        "gives the thief days. Keep access tokens short (minutes, at most an hour) "
        "and renew them with a refresh token that is stored more carefully and can "
        "be revoked server-side. Settings such as `ACCESS_TOKEN_EXPIRE_MINUTES = "
        "60 * 24 * 8` or `JWT_ACCESS_TOKEN_EXPIRES = False` quietly defeat this."
    ),
    bad=Example(
        "import os\n"
        "from datetime import datetime, timedelta, timezone\n\n"
        "import jwt\n\n\n"
        "def create_access_token(user_id: str) -> str:\n"
        "    expire = datetime.now(timezone.utc) + timedelta(days=7)\n"
        '    payload = {"sub": user_id, "exp": expire}\n'
        '    key = os.environ["JWT_SECRET_KEY"]\n'
        '    return jwt.encode(payload, key, algorithm="HS256")\n'
    ),
    good=Example(
        "import os\n"
        "from datetime import datetime, timedelta, timezone\n\n"
        "import jwt\n\n\n"
        "def create_access_token(user_id: str) -> str:\n"
        "    expire = datetime.now(timezone.utc) + timedelta(minutes=15)\n"
        '    payload = {"sub": user_id, "exp": expire}\n'
        '    key = os.environ["JWT_SECRET_KEY"]\n'
        '    return jwt.encode(payload, key, algorithm="HS256")\n'
    ),
    severity="error",
    cwe=613,
    overlaps=(),
    options=("bg-max-token-lifetime", "bg-max-refresh-lifetime"),
    # a JWT library import, or an expiry word (a part of the setting's name, the
    # keyword of ``create_token(expires_delta=...)``): see ``is_expiry_name``
    requires=("exp", "ttl", "lifetime", "jwt"),  # case-insensitive
)

_EXPIRY_KEYWORDS = frozenset(
    {
        "expires_delta",
        "expires_in",
        "expires",
        "lifetime",
        "ttl",
        "expiry",
        "expiration",
    }
)
_TYPE_KEYS = frozenset({"type", "token_type", "typ", "scope", "kind", "purpose", "use"})
_DELTA_UNITS = (
    "days",
    "seconds",
    "microseconds",
    "milliseconds",
    "minutes",
    "hours",
    "weeks",
)
_UNIT_SECONDS = {
    "weeks": 604800.0,
    "days": 86400.0,
    "hours": 3600.0,
    "minutes": 60.0,
    "seconds": 1.0,
    "milliseconds": 0.001,
    "microseconds": 0.000001,
}


def _position(node: Optional[ast.AST]) -> Tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _finding(
    ctx: FileContext, node: ast.AST, what: str, origin: Optional[ast.AST] = None
) -> Optional[Finding]:
    # Return a finding unless this place or duration was reported already.
    reported: Set[Tuple[int, int]] = ctx.cached(("BG213", "reported"), set)
    keys = {_position(node)}
    if origin is not None:
        keys.add(_position(origin))
    if keys & reported:
        return None
    reported.update(keys)
    return RULE.finding(
        node,
        what=what,
        access=human(ctx.config.max_token_lifetime),
        refresh=human(ctx.config.max_refresh_lifetime),
    )


def _limit(ctx: FileContext, long_lived: bool) -> int:
    return (
        ctx.config.max_refresh_lifetime if long_lived else ctx.config.max_token_lifetime
    )


def _kind(long_lived: bool) -> str:
    return "refresh/one-time tokens" if long_lived else "access tokens"


def _judged_constants(ctx: FileContext) -> Set[str]:
    # Module constants named for token lifetimes: judged once, where defined.

    def compute() -> Set[str]:
        return {name for name in ctx.module_constants if is_expiry_name(name)}

    return ctx.cached(("BG213", "judged-constants"), compute)


def _delta_units_of_constants(ctx: FileContext) -> Dict[str, float]:
    # Unit of a unit-less constant from its use in ``timedelta(hours=NAME)``.

    def compute() -> Dict[str, float]:
        units: Dict[str, float] = {}
        for node in ast.walk(ctx.tree):
            if not isinstance(node, ast.Call):
                continue
            name = (ctx.call_name(node) or "").rsplit(".", 1)[-1]
            if name != "timedelta":
                continue
            for index, arg in enumerate(node.args[: len(_DELTA_UNITS)]):
                if isinstance(arg, ast.Name):
                    units.setdefault(arg.id, _UNIT_SECONDS[_DELTA_UNITS[index]])
            for kw in node.keywords:
                if isinstance(kw.value, ast.Name) and kw.arg in _UNIT_SECONDS:
                    units.setdefault(kw.value.id, _UNIT_SECONDS[kw.arg])
        return units

    return ctx.cached(("BG213", "constant-units"), compute)


def _setting_duration(
    ctx: FileContext, name: str, value: ast.AST, module_level: bool
) -> Optional[Duration]:
    # Return the lifetime a setting named ``name`` holds (units from its name).
    found = duration_seconds(ctx, value)
    if found is not None:
        return found
    number = setting_number(ctx, value)
    if number is None:
        return None
    unit = name_unit(name)
    if unit is None and module_level:
        unit = _delta_units_of_constants(ctx).get(name)
    used = frozenset(
        sub.id
        for sub in ast.walk(value)
        if isinstance(sub, ast.Name) and sub.id in ctx.module_constants
    )
    return Duration(float(number) * (unit or 1.0), used, value)


def _judge_setting(
    ctx: FileContext,
    name: str,
    value: ast.AST,
    report_at: ast.AST,
    module_level: bool,
    context_names: Tuple[str, ...] = (),
) -> Optional[Finding]:
    constant = const_value(ctx, value)
    if constant is False:
        return _finding(ctx, report_at, f"`{name} = False`: tokens never expire")
    found = _setting_duration(ctx, name, value, module_level)
    if found is None:
        return None
    if (found.constants - {name}) & _judged_constants(ctx):
        return None  # the constant it is computed from is judged where defined
    long_lived = any(is_long_lived_name(n) for n in (name,) + context_names)
    limit = _limit(ctx, long_lived)
    if found.seconds <= limit:
        return None
    return _finding(
        ctx,
        report_at,
        f"`{name}` gives {_kind(long_lived)} a lifetime of {human(found.seconds)}, "
        f"longer than {human(limit)}",
        found.node,
    )


# The handlers below run for every assignment, dict and call of the file: each
# returns None at once unless a name could be judged, and only then hands over to
# the generator that judges it.


def _expiry_binding(name: str, config: Config) -> bool:
    # The ``names=`` test of the assignment handler: a token-lifetime setting.
    return is_expiry_name(name)


@RULE.on(ast.Assign, ast.AnnAssign, names=_expiry_binding)
def _check_assign(node: ast.stmt, ctx: FileContext) -> Optional[Iterator[Finding]]:
    value = node.value  # type: ignore[attr-defined]
    if value is None:
        return None
    targets = node.targets if node.__class__ is ast.Assign else [node.target]
    for target in targets:
        name = target.id if target.__class__ is ast.Name else node_name(target)
        if name and is_expiry_name(name):
            return _assign_findings(node, targets, value, ctx)
    return None


def _assign_findings(
    node: ast.stmt, targets: List[ast.expr], value: ast.expr, ctx: FileContext
) -> Iterator[Finding]:
    for target in targets:
        name = node_name(target)
        if not name or not is_expiry_name(name):
            continue
        func = ctx.function
        context = (func.name,) if func is not None else ()
        finding = _judge_setting(ctx, name, value, node, ctx.at_module_level, context)
        if finding is not None:
            yield finding
            return


def _is_expiry_key(key: Optional[ast.expr]) -> bool:
    return (
        isinstance(key, ast.Constant)
        and isinstance(key.value, str)
        and is_expiry_name(key.value)
    )


@RULE.on(ast.Dict)
def _check_dict(node: ast.Dict, ctx: FileContext) -> Optional[Iterator[Finding]]:
    if any(is_expiry_name(key) for key in string_keys(node)):  # ``_is_expiry_key``
        return _dict_findings(node, ctx)
    return None


def _dict_findings(node: ast.Dict, ctx: FileContext) -> Iterator[Finding]:
    for key, value in zip(node.keys, node.values):
        if _is_expiry_key(key):
            finding = _judge_setting(
                ctx, key.value, value, value, False  # type: ignore[union-attr]
            )
            if finding is not None:
                yield finding


def _mentions_jwt(ctx: FileContext) -> bool:
    # A JWT library call needs "jwt" in the source (its import or the module name).
    return ctx.cached(("BG213", "mentions-jwt"), lambda: has_word(ctx, "jwt"))


def _jwt_encode_library(ctx: FileContext, node: ast.Call) -> Optional[str]:
    # The library of a JWT ``encode`` call (judged by ``_check_encode``), or None;
    # only for ``X.encode(...)`` and calls of an imported name.
    if not _mentions_jwt(ctx):
        return None
    kind = jwt_call_kind(ctx, node)
    if kind is not None and kind[1] == "encode":
        return kind[0]
    return None


def _expiry_keyword(name: str, config: Config) -> bool:
    # The ``keywords=`` test of the call handler: a lifetime keyword argument.
    return name in _EXPIRY_KEYWORDS or is_expiry_name(name)


# JWT ``encode`` calls (the operation is the last part of the callee), and calls
# passing a lifetime keyword
@RULE.on(ast.Call, names={"encode"}, keywords=_expiry_keyword)
def _check_call(node: ast.Call, ctx: FileContext) -> Optional[Iterator[Finding]]:
    func = node.func
    if isinstance(func, ast.Attribute):
        candidate = func.attr == "encode"
    else:
        candidate = (
            isinstance(func, ast.Name) and _mentions_jwt(ctx) and func.id in ctx.aliases
        )
    if candidate:
        library = _jwt_encode_library(ctx, node)
        if library is not None:
            return _check_encode(node, ctx, library)
    for kw in node.keywords:
        arg = kw.arg
        # the keywords ``_keyword_findings`` may judge (the callee decides for the
        # first set)
        if arg is not None and (arg in _EXPIRY_KEYWORDS or is_expiry_name(arg)):
            return _keyword_findings(node, ctx)
    return None


def _keyword_findings(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    callee = (ctx.call_name(node) or node_name(node.func) or "").rsplit(".", 1)[-1]
    token_call = "token" in callee.lower() or "jwt" in callee.lower()
    for kw in node.keywords:
        if kw.arg is None:
            continue
        if token_call and kw.arg in _EXPIRY_KEYWORDS:
            finding = _judge_keyword(ctx, callee, kw)
        elif is_expiry_name(kw.arg):
            finding = _judge_setting(ctx, kw.arg, kw.value, kw.value, False)
        else:
            continue
        if finding is not None:
            yield finding


def _judge_keyword(ctx: FileContext, callee: str, kw: ast.keyword) -> Optional[Finding]:
    if const_value(ctx, kw.value) is False:
        return _finding(
            ctx, kw.value, f"`{callee}({kw.arg}=False)`: the token never expires"
        )
    found = duration_seconds(ctx, kw.value)
    if found is None:
        number = const_value(ctx, kw.value)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return None
        found = Duration(
            float(number) * (name_unit(kw.arg or "") or 1.0), frozenset(), kw.value
        )
    if found.constants & _judged_constants(ctx):
        return None
    func = ctx.function
    names = [callee, kw.arg or ""] + ([func.name] if func is not None else [])
    if isinstance(kw.value, ast.Name):
        names.append(kw.value.id)
    long_lived = any(is_long_lived_name(n) for n in names)
    limit = _limit(ctx, long_lived)
    if found.seconds <= limit:
        return None
    return _finding(
        ctx,
        found.node or kw.value,
        f"`{callee}({kw.arg}=...)` gives {_kind(long_lived)} a lifetime of "
        f"{human(found.seconds)}, longer than {human(limit)}",
    )


# ---- jwt.encode payloads --------------------------------------------------------
def _payload_argument(node: ast.Call, library: str) -> Optional[ast.expr]:
    for kw in node.keywords:
        if kw.arg in ("payload", "claims"):
            return kw.value
    index = 1 if library == "authlib" else 0
    if len(node.args) > index and not any(
        isinstance(a, ast.Starred) for a in node.args[: index + 1]
    ):
        return node.args[index]
    return None


def _dict_items(
    ctx: FileContext, node: ast.AST
) -> Optional[List[Tuple[Optional[str], ast.expr]]]:
    # Return (key, value) pairs of a dict literal or ``dict(...)`` call.
    #
    # None when the keys cannot be known (``**other``, non-constant keys).
    if isinstance(node, ast.Dict):
        items: List[Tuple[Optional[str], ast.expr]] = []
        for key, value in zip(node.keys, node.values):
            if key is None:
                return None
            constant = const_value(ctx, key)
            items.append((constant if isinstance(constant, str) else None, value))
        return items
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
    ):
        if node.args:
            return None
        result: List[Tuple[Optional[str], ast.expr]] = []
        for kw in node.keywords:
            if kw.arg is None:
                return None
            result.append((kw.arg, kw.value))
        return result
    return None


def _later_items(
    ctx: FileContext, func: Optional[ast.AST], name: str
) -> Optional[List[Tuple[Optional[str], ast.expr]]]:
    # Return items added to the local dict ``name`` anywhere in the function.
    #
    # None when an update with unknown content makes the keys unknowable.
    if func is None or not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    items: List[Tuple[Optional[str], ast.expr]] = []
    for node in function_nodes(ctx, func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == name
                ):
                    key = const_value(ctx, _subscript_key(target))
                    items.append((key if isinstance(key, str) else None, node.value))
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            added = _dict_items(ctx, node.value)
            if added is None:
                return None
            items.extend(added)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            if node.func.attr == "update":
                for arg in node.args:
                    added = _dict_items(ctx, arg)
                    if added is None:
                        return None
                    items.extend(added)
                for kw in node.keywords:
                    if kw.arg is None:
                        return None
                    items.append((kw.arg, kw.value))
            elif node.func.attr == "setdefault" and len(node.args) >= 2:
                key = const_value(ctx, node.args[0])
                items.append((key if isinstance(key, str) else None, node.args[1]))
    return items


def _subscript_key(node: ast.Subscript) -> ast.AST:
    key = node.slice
    if isinstance(key, ast.Index):  # Python 3.8 AST shape
        key = key.value  # type: ignore[attr-defined]
    return key


def _check_encode(node: ast.Call, ctx: FileContext, library: str) -> Iterator[Finding]:
    payload = _payload_argument(node, library)
    if payload is None:
        return
    func = ctx.enclosing_function(node)
    payload_name = payload.id if isinstance(payload, ast.Name) else None
    candidates: List[ast.AST] = []
    if isinstance(payload, ast.Name):
        if func is None:
            return
        for value, kind in local_flow(ctx, func).reaching(payload):
            if kind != "assign" or value is None:
                return  # a parameter or an unknown value: not judged
            candidates.append(value)
        if not candidates:
            return
    else:
        candidates.append(payload)
    items: List[Tuple[Optional[str], ast.expr]] = []
    for candidate in candidates:
        found = _dict_items(ctx, candidate)
        if found is None:
            return
        items.extend(found)
    if payload_name is not None:
        later = _later_items(ctx, func, payload_name)
        if later is None:
            return
        items.extend(later)
    if any(key is None for key, _ in items):
        return  # a non-constant key might be "exp"
    exp_values = [value for key, value in items if key == "exp"]
    if not exp_values:
        finding = _finding(
            ctx,
            node,
            "`jwt.encode()` payload has no `exp` claim: the token never expires",
        )
        if finding is not None:
            yield finding
        return
    names = [payload_name or ""]
    if func is not None:
        names.append(func.name)
    parent = ctx.parent(node)
    if isinstance(parent, ast.Assign):
        names.extend(node_name(t) or "" for t in parent.targets)
    for key, value in items:
        if key in _TYPE_KEYS:
            constant = const_value(ctx, value)
            if isinstance(constant, str):
                names.append(constant)
    for value in exp_values:
        if isinstance(value, ast.Name):
            names.append(value.id)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            names.append(value.func.id)  # ``"exp": refresh_expiry()``
    long_lived = any(is_long_lived_name(n) for n in names if n)
    limit = _limit(ctx, long_lived)
    for value in exp_values:
        lifetime = expiry_lifetime(ctx, value)
        if lifetime is None or lifetime.constants & _judged_constants(ctx):
            continue
        if lifetime.seconds > limit:
            finding = _finding(
                ctx,
                lifetime.node or value,
                f"the `exp` claim gives {_kind(long_lived)} a lifetime of "
                f"{human(lifetime.seconds)}, longer than {human(limit)}",
            )
            if finding is not None:
                yield finding
