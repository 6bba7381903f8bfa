"""Durations for BG213: token lifetimes computed from the AST, in seconds.

Evaluates ``timedelta(...)`` (positional days/seconds/microseconds/milliseconds/
minutes/hours/weeks and the same keywords), dateutil's ``relativedelta``, numbers and
simple arithmetic (``60 * 24 * 8``, ``timedelta(minutes=15) * 2``), module constants,
and the absolute expiry of a ``"exp"`` claim (``datetime.now(timezone.utc) +
timedelta(...)``, ``datetime.utcnow() + ...``, ``time.time() + 3600``,
``int((now + delta).timestamp())``) through local variables of the same function.

Every evaluation also reports which module constants it read, so that a finding
about an expiry constant is reported once, where the constant is defined (RULES.md
Clarifications: "Constants").
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Tuple

from ..context import FileContext
from .names import split_name
from .values import UNKNOWN, const_value
from .web import FunctionNode, function_nodes, function_of, local_flow

TIMEDELTA_POSITIONAL = (
    "days",
    "seconds",
    "microseconds",
    "milliseconds",
    "minutes",
    "hours",
    "weeks",
)
UNIT_SECONDS = {
    "weeks": 604800.0,
    "days": 86400.0,
    "hours": 3600.0,
    "minutes": 60.0,
    "seconds": 1.0,
    "milliseconds": 0.001,
    "microseconds": 0.000001,
    # dateutil.relativedelta: approximate calendar units
    "years": 365 * 86400.0,
    "months": 30 * 86400.0,
}
# Unit of a number from the last part of a constant's name.
NAME_UNITS = {
    "seconds": 1.0,
    "second": 1.0,
    "secs": 1.0,
    "sec": 1.0,
    "minutes": 60.0,
    "minute": 60.0,
    "mins": 60.0,
    "min": 60.0,
    "hours": 3600.0,
    "hour": 3600.0,
    "hrs": 3600.0,
    "hr": 3600.0,
    "days": 86400.0,
    "day": 86400.0,
    "weeks": 604800.0,
    "week": 604800.0,
}
_DELTA_CALLS = frozenset({"timedelta", "relativedelta"})
_NOW_CALLS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.now",
        "datetime.utcnow",
        "datetime.today",
        "time.time",
        "django.utils.timezone.now",
        "timezone.now",
        "arrow.utcnow",
        "arrow.now",
        "pendulum.now",
    }
)
_TOKEN_WORDS = frozenset({"token", "tokens", "jwt", "access", "refresh"})
_EXPIRY_WORDS = frozenset(
    {"expire", "expires", "expiry", "expiration", "lifetime", "ttl", "exp"}
)
_NOT_TOKEN_WORDS = frozenset(
    {"cache", "csrf", "session", "cookie", "leeway", "buffer", "max", "min", "grace"}
)
_LONG_LIVED_RE = re.compile(
    r"refresh|reset|verif|confirm|activat|invit|magic", re.IGNORECASE
)


@dataclass(frozen=True)
class Duration:
    """A duration in seconds and the module constants it was computed from."""

    seconds: float
    constants: FrozenSet[str] = frozenset()
    node: Optional[ast.AST] = None  # where the duration is written


def _last(name: Optional[str]) -> str:
    return (name or "").rsplit(".", 1)[-1]


@lru_cache(maxsize=4096)
def is_expiry_name(name: str) -> bool:
    """Return True for names of token-lifetime settings.

    ``ACCESS_TOKEN_EXPIRE_MINUTES``, ``JWT_ACCESS_TOKEN_EXPIRES``,
    ``JWT_EXPIRATION_DELTA``, ``REFRESH_TOKEN_TTL``, ``ACCESS_TOKEN_LIFETIME`` yes;
    ``CACHE_TTL``, ``SESSION_LIFETIME``, ``WTF_CSRF_TIME_LIMIT`` no.

    Args:
        name: A variable, attribute, keyword or dict-key name.

    Returns:
        True when the name holds a token lifetime.
    """
    lowered = name.lower()
    if "exp" not in lowered and "ttl" not in lowered and "lifetime" not in lowered:
        return False
    parts = set(split_name(name))
    return (
        bool(parts & _TOKEN_WORDS)
        and bool(parts & _EXPIRY_WORDS)
        and not parts & _NOT_TOKEN_WORDS
    )


def is_long_lived_name(name: str) -> bool:
    """Return True for names of refresh, e-mail verification or reset tokens.

    Args:
        name: Any name.

    Returns:
        True when ``bg-max-refresh-lifetime`` applies.
    """
    return bool(_LONG_LIVED_RE.search(name))


def name_unit(name: str) -> Optional[float]:
    """Return the seconds per unit named by the last part of a constant's name.

    Args:
        name: ``ACCESS_TOKEN_EXPIRE_MINUTES`` and the like.

    Returns:
        60.0 for ``..._MINUTES``; None when the name carries no unit.
    """
    parts = split_name(name)
    if not parts:
        return None
    return NAME_UNITS.get(parts[-1])


def _number(ctx: FileContext, node: ast.AST, used: List[str]) -> Optional[float]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _power(ctx, node, used)  # ``timedelta(10**6)``
    value = const_value(ctx, node)
    if value is UNKNOWN:
        default = env_default(ctx, node)
        return _numeric(const_value(ctx, default)) if default is not None else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in ctx.module_constants:
            used.append(sub.id)
    return float(value)


def _numeric(value: object) -> Optional[float]:
    # A number, or a string holding one (``os.getenv("X", "10080")``).
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def env_default(ctx: FileContext, node: Optional[ast.AST]) -> Optional[ast.expr]:
    """Return the literal fallback of a setting read from the environment.

    ``int(os.getenv("ACCESS_TOKEN_EXPIRE_MINUTES", "10080"))`` and
    ``os.environ.get("TTL", 3600)`` fall back to their default when the variable
    is unset: that default is the lifetime the code ships with.

    Args:
        ctx: The file context.
        node: The setting's value.

    Returns:
        The default expression, or None when the value is not such a read.
    """
    for _ in range(3):
        if (
            isinstance(node, ast.Call)
            and ctx.call_name(node) in ("int", "float")
            and len(node.args) == 1
        ):
            node = node.args[0]
            continue
        break
    if (
        isinstance(node, ast.BoolOp)
        and isinstance(node.op, ast.Or)
        and len(node.values) == 2
        and _is_env_read(ctx, node.values[0])
    ):
        return node.values[1]  # ``os.environ.get("TTL") or "3600"``
    if not isinstance(node, ast.Call):
        return None
    if not _is_env_read(ctx, node):
        return None
    if len(node.args) >= 2:
        return node.args[1]
    for kw in node.keywords:
        if kw.arg == "default":
            return kw.value
    return None


def _is_env_read(ctx: FileContext, node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (ctx.call_name(node) or "") in (
        "os.getenv",
        "os.environ.get",
        "getenv",
        "environ.get",
    )


def setting_number(ctx: FileContext, node: ast.AST) -> Optional[float]:
    """Return the number a setting holds (constants, ``**``, environment defaults).

    Args:
        ctx: The file context.
        node: The setting's value.

    Returns:
        The number, or None when unknown.
    """
    return _number(ctx, node, [])


def _power(ctx: FileContext, node: ast.BinOp, used: List[str]) -> Optional[float]:
    # ``base ** exponent`` of numbers, within sane bounds.
    base = _number(ctx, node.left, used)
    exponent = _number(ctx, node.right, used)
    if base is None or exponent is None:
        return None
    if abs(base) > 1e6 or not 0 <= exponent <= 32:
        return None
    return float(base**exponent)


def _is_delta_call(ctx: FileContext, node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _last(ctx.call_name(node)) in _DELTA_CALLS


def _delta_seconds(
    ctx: FileContext, call: ast.Call, used: List[str]
) -> Optional[float]:
    total = 0.0
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return None
    positional = TIMEDELTA_POSITIONAL
    if _last(ctx.call_name(call)) == "relativedelta":
        if call.args:
            return None  # relativedelta(dt1, dt2)
        positional = ()
    for index, arg in enumerate(call.args):
        if index >= len(positional):
            return None
        value = _number(ctx, arg, used)
        if value is None:
            return None
        total += value * UNIT_SECONDS[positional[index]]
    for kw in call.keywords:
        if kw.arg is None or kw.arg not in UNIT_SECONDS:
            return None
        value = _number(ctx, kw.value, used)
        if value is None:
            return None
        total += value * UNIT_SECONDS[kw.arg]
    return total


def duration_seconds(
    ctx: FileContext,
    node: Optional[ast.AST],
    numbers_are_seconds: bool = False,
) -> Optional[Duration]:
    """Return the duration an expression denotes, or None when unknown.

    ``timedelta(...)``/``relativedelta(...)``, sums and products of them, module
    constants holding them, and local names of the enclosing function. A plain
    number counts only when ``numbers_are_seconds`` (``time.time() + 3600``).

    Args:
        ctx: The file context.
        node: The expression.
        numbers_are_seconds: Whether a bare number is a duration in seconds.

    Returns:
        The :class:`Duration`; its ``node`` is where the duration is written (a
        local name is followed to the expression assigned to it).
    """
    if node is None:
        return None
    used: List[str] = []
    found = _eval(ctx, node, numbers_are_seconds, used, 0)
    if found is None:
        return None
    return Duration(found[0], frozenset(used), found[1])


Evaluated = Optional[Tuple[float, ast.AST]]


def _eval(
    ctx: FileContext, node: ast.AST, numbers: bool, used: List[str], depth: int
) -> Evaluated:
    if depth > 8:
        return None
    if _is_delta_call(ctx, node):
        seconds = _delta_seconds(ctx, node, used)  # type: ignore[arg-type]
        return (seconds, node) if seconds is not None else None
    if isinstance(node, ast.BinOp):
        seconds = _eval_binop(ctx, node, numbers, used, depth)
        return (seconds, node) if seconds is not None else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _eval(ctx, node.operand, numbers, used, depth + 1)
        return (-inner[0], node) if inner is not None else None
    if isinstance(node, ast.Name):
        func = function_of(ctx, node)
        if func is not None:

            reaching = local_flow(ctx, func).reaching(node)
            if reaching:
                return _eval_reaching(ctx, reaching, numbers, used, depth)
        value = ctx.module_constants.get(node.id)
        if value is not None and not isinstance(value, ast.Constant):
            result = _eval(ctx, value, numbers, used, depth + 1)
            if result is not None:
                used.append(node.id)
                return (result[0], node)
            return None
    if numbers:
        seconds = _number(ctx, node, used)
        return (seconds, node) if seconds is not None else None
    return None


def _eval_reaching(
    ctx: FileContext,
    reaching: List[Tuple[Optional[ast.AST], str]],
    numbers: bool,
    used: List[str],
    depth: int,
) -> Evaluated:
    best: Evaluated = None
    for value, kind in reaching:
        if kind != "assign" or value is None:
            continue
        result = _eval(ctx, value, numbers, used, depth + 1)
        if result is not None and (best is None or result[0] > best[0]):
            best = result
    return best


def _eval_binop(
    ctx: FileContext, node: ast.BinOp, numbers: bool, used: List[str], depth: int
) -> Optional[float]:
    if isinstance(node.op, (ast.Add, ast.Sub)):
        left = _eval(ctx, node.left, numbers, used, depth + 1)
        right = _eval(ctx, node.right, numbers, used, depth + 1)
        if left is None or right is None:
            return None
        return (
            left[0] + right[0] if isinstance(node.op, ast.Add) else left[0] - right[0]
        )
    if isinstance(node.op, (ast.Mult, ast.Div, ast.FloorDiv)):
        left = _eval(ctx, node.left, False, used, depth + 1)
        if left is not None:
            factor = _number(ctx, node.right, used)
            if factor is None or (factor == 0 and not isinstance(node.op, ast.Mult)):
                return None
            return (
                left[0] * factor if isinstance(node.op, ast.Mult) else left[0] / factor
            )
        if isinstance(node.op, ast.Mult):
            right = _eval(ctx, node.right, False, used, depth + 1)
            if right is not None:
                factor = _number(ctx, node.left, used)
                return right[0] * factor if factor is not None else None
        if numbers:
            return _number(ctx, node, used)
    return None


def is_now(ctx: FileContext, node: Optional[ast.AST], _depth: int = 0) -> bool:
    """Return True for "the current time": ``datetime.now(...)``, ``time.time()``...

    Also ``int(time.time())``, ``datetime.now(tz=timezone.utc)`` and a local name
    assigned one of these in the same function.

    Args:
        ctx: The file context.
        node: The expression.

    Returns:
        True when the expression is the current time.
    """
    if node is None or _depth > 4:
        return False
    if isinstance(node, ast.Call):
        name = ctx.call_name(node) or ""
        if name in _NOW_CALLS or _last(name) in ("utcnow",):
            return True
        if name.endswith((".now", ".utcnow")) and "datetime" in name:
            return True
        if name in ("int", "float", "round") and node.args:
            return is_now(ctx, node.args[0], _depth + 1)
        if isinstance(node.func, ast.Attribute) and node.func.attr in (
            "replace",
            "astimezone",
        ):
            return is_now(ctx, node.func.value, _depth + 1)
        return False
    if isinstance(node, ast.Name):
        func = function_of(ctx, node)
        if func is None:
            return False
        reaching = local_flow(ctx, func).reaching(node)
        return bool(reaching) and all(
            kind == "assign" and is_now(ctx, value, _depth + 1)
            for value, kind in reaching
        )
    return False


def expiry_lifetime(
    ctx: FileContext, node: Optional[ast.AST], _depth: int = 0
) -> Optional[Duration]:
    """Return how far in the future an ``exp`` value lies, or None when unknown.

    ``datetime.utcnow() + timedelta(days=7)``, ``time.time() + 3600``,
    ``int((now + delta).timestamp())``, ``calendar.timegm(exp.utctimetuple())`` and
    a local name holding any of these.

    Args:
        ctx: The file context.
        node: The value of the ``exp`` claim.

    Returns:
        The lifetime; its ``node`` is the duration expression.
    """
    if node is None or _depth > 6:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for now_side, delta_side in ((node.left, node.right), (node.right, node.left)):
            if is_now(ctx, now_side):
                numbers = _is_epoch(ctx, now_side)
                return duration_seconds(ctx, delta_side, numbers_are_seconds=numbers)
        return None
    if isinstance(node, ast.Call):
        name = ctx.call_name(node) or ""
        if (
            name in ("int", "float", "round", "calendar.timegm", "time.mktime")
            and node.args
        ):
            return expiry_lifetime(ctx, node.args[0], _depth + 1)
        if isinstance(node.func, ast.Attribute) and node.func.attr in (
            "timestamp",
            "utctimetuple",
            "timetuple",
            "replace",
            "isoformat",
        ):
            return expiry_lifetime(ctx, node.func.value, _depth + 1)
        if isinstance(node.func, ast.Name):
            helper = module_functions(ctx).get(node.func.id)
            if helper is not None:
                return _helper_lifetime(ctx, helper, _depth)
        return None
    if isinstance(node, ast.Name):
        func = function_of(ctx, node)
        if func is None:
            return None
        best: Optional[Duration] = None
        for value, kind in local_flow(ctx, func).reaching(node):
            if kind != "assign":
                continue
            found = expiry_lifetime(ctx, value, _depth + 1)
            if found is not None and (best is None or found.seconds > best.seconds):
                best = found
        return best
    return None


def module_functions(ctx: FileContext) -> Dict[str, FunctionNode]:
    """Return the module-level functions of the file by name.

    Args:
        ctx: The file context.

    Returns:
        A mapping of name to ``def`` node (the last definition wins).
    """

    def compute() -> Dict[str, FunctionNode]:
        return {
            stmt.name: stmt
            for stmt in ctx.tree.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    return ctx.cached(("durations", "module-functions"), compute)


def _helper_lifetime(
    ctx: FileContext, helper: FunctionNode, depth: int
) -> Optional[Duration]:
    # Return the longest lifetime a helper such as ``def get_exp(): return
    # datetime.utcnow() + timedelta(hours=4)`` returns, or None when unknown.
    best: Optional[Duration] = None
    for node in function_nodes(ctx, helper):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        ctx.parent(node.value)  # link the helper's nodes for the flow analysis
        found = expiry_lifetime(ctx, node.value, depth + 1)
        if found is not None and (best is None or found.seconds > best.seconds):
            best = found
    return best


def _is_epoch(ctx: FileContext, node: ast.AST, _depth: int = 0) -> bool:
    # Return True when a "now" expression is a number of seconds (``time.time()``).
    if _depth > 4:
        return False
    if isinstance(node, ast.Call):
        name = ctx.call_name(node) or ""
        if name == "time.time":
            return True
        if name in ("int", "float", "round") and node.args:
            return True
        return False
    if isinstance(node, ast.Name):
        func = function_of(ctx, node)
        if func is None:
            return False
        return any(
            value is not None and _is_epoch(ctx, value, _depth + 1)
            for value, _kind in local_flow(ctx, func).reaching(node)
        )
    return False


def human(seconds: float) -> str:
    """Return a short human form of a duration: ``8 days``, ``90 minutes``.

    Args:
        seconds: The duration.

    Returns:
        The text.
    """
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    count = int(seconds)
    return f"{count} second{'s' if count != 1 else ''}"


# ---- JWT library calls (shared by BG212 and BG213) ----------------------------------
_JWT_MODULES = {
    "jwt": "pyjwt",
    "jwt.api_jwt": "pyjwt",
    "jose.jwt": "jose",
    "authlib.jose.jwt": "authlib",
}


def jwt_call_kind(ctx: FileContext, call: ast.Call) -> Optional[Tuple[str, str]]:
    """Return (library, operation) for a JWT ``encode``/``decode`` call.

    PyJWT ``jwt.encode/decode`` (also ``from jwt import decode``), python-jose
    ``jose.jwt.encode/decode`` and authlib ``authlib.jose.jwt.encode/decode``.

    Args:
        ctx: The file context.
        call: A call.

    Returns:
        ``("pyjwt"|"jose"|"authlib", "encode"|"decode")``, or None.
    """
    name = ctx.call_name(call)
    if not name or "." not in name:
        return None
    module, _, operation = name.rpartition(".")
    if operation not in ("encode", "decode"):
        return None
    library = _JWT_MODULES.get(module)
    if library is None:
        return None
    return library, operation
