"""Constant evaluation: literal values, module constants and simple arithmetic.

``const_value(ctx, node)`` returns the Python value of an expression built only from
literals, module-level constants (names bound once at module level, see RULES.md
Clarifications) and arithmetic, or :data:`UNKNOWN`.
"""

from __future__ import annotations

import ast
import operator
from typing import Any, Callable, Dict, List, Optional, Set

from ..context import FileContext

UNKNOWN: Any = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()

_BINOPS: Dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_MAX_STR = 10_000


def const_value(
    ctx: Optional[FileContext], node: Optional[ast.AST], _seen: Optional[Set[str]] = None
) -> Any:
    """Return the constant value of ``node``, or UNKNOWN.

    Args:
        ctx: The file's context, to resolve module-level constants; None resolves
            literals only.
        node: The expression to evaluate; None gives UNKNOWN.

    Returns:
        The Python value of a literal, a module constant not rebound locally, a
        tuple/list/set of those or simple arithmetic on them; :data:`UNKNOWN` for
        anything else (including strings longer than 10,000 characters, and
        expressions nested too deeply to evaluate).
    """
    if node is None:
        return UNKNOWN
    if isinstance(node, ast.Constant):
        return node.value
    try:
        return _evaluate(ctx, node, _seen)
    except RecursionError:
        return UNKNOWN


def _evaluate(
    ctx: Optional[FileContext], node: ast.AST, _seen: Optional[Set[str]]
) -> Any:
    """Evaluate a non-literal node for :func:`const_value`.

    Args:
        ctx: The file's context, or None for literals only.
        node: The expression to evaluate.

    Returns:
        The constant value, or :data:`UNKNOWN`.
    """
    if isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):  # pragma: no cover (py2 style)
            return {"True": True, "False": False, "None": None}[node.id]
        if ctx is None:
            return UNKNOWN
        seen = _seen or set()
        if node.id in seen:
            return UNKNOWN
        value = ctx.module_constants.get(node.id)
        if value is None:
            return UNKNOWN
        if ctx.enclosing_function(node) is not None and _locally_bound(ctx, node):
            return UNKNOWN
        return const_value(ctx, value, seen | {node.id})
    if isinstance(node, ast.UnaryOp):
        operand = const_value(ctx, node.operand, _seen)
        if operand is UNKNOWN:
            return UNKNOWN
        try:
            if isinstance(node.op, ast.USub):
                return -operand
            if isinstance(node.op, ast.UAdd):
                return +operand
            if isinstance(node.op, ast.Not):
                return not operand
        except TypeError:
            return UNKNOWN
        return UNKNOWN
    if isinstance(node, ast.BinOp):
        func = _BINOPS.get(type(node.op))
        if func is None:
            return UNKNOWN
        left = const_value(ctx, node.left, _seen)
        if left is UNKNOWN:
            return UNKNOWN
        right = const_value(ctx, node.right, _seen)
        if right is UNKNOWN:
            return UNKNOWN
        if isinstance(left, str) and not isinstance(node.op, ast.Add):
            return UNKNOWN  # no %-formatting or repetition of strings
        try:
            result = func(left, right)
        except Exception:
            return UNKNOWN
        if isinstance(result, (str, bytes)) and len(result) > _MAX_STR:
            return UNKNOWN
        return result
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [const_value(ctx, elt, _seen) for elt in node.elts]
        if any(item is UNKNOWN for item in items):
            return UNKNOWN
        if isinstance(node, ast.Tuple):
            return tuple(items)
        if isinstance(node, ast.List):
            return items
        try:
            return frozenset(items)
        except TypeError:
            return UNKNOWN
    return UNKNOWN


def _locally_bound(ctx: FileContext, name: ast.Name) -> bool:
    from .dataflow import bindings

    function = ctx.enclosing_function(name)
    if function is None:
        return False
    return name.id in bindings(ctx, function)


def is_constant(ctx: Optional[FileContext], node: Optional[ast.AST]) -> bool:
    """Return True when ``node`` evaluates to a constant (see :func:`const_value`).

    Args:
        ctx: The file's context, to resolve module-level constants; None resolves
            literals only.
        node: The expression to evaluate.

    Returns:
        Whether the value is known (``None`` and ``False`` count as constants).
    """
    return const_value(ctx, node) is not UNKNOWN


def is_true(ctx: Optional[FileContext], node: Optional[ast.AST]) -> bool:
    """Return True when ``node`` is a constant whose value is truthy.

    Args:
        ctx: The file's context, to resolve module-level constants; None resolves
            literals only.
        node: The expression to evaluate.

    Returns:
        Whether the value is known and truthy; False for non-constant values.
    """
    value = const_value(ctx, node)
    return value is not UNKNOWN and bool(value)


def is_false_constant(ctx: Optional[FileContext], node: Optional[ast.AST]) -> bool:
    """Return True when ``node`` is a constant whose value is falsy.

    Args:
        ctx: The file's context, to resolve module-level constants; None resolves
            literals only.
        node: The expression to evaluate.

    Returns:
        Whether the value is known and falsy; False for non-constant values.
    """
    value = const_value(ctx, node)
    return value is not UNKNOWN and not value


def keyword(call: ast.Call, name: str) -> Optional[ast.keyword]:
    """Return the keyword argument ``name`` of ``call``, or None.

    Args:
        call: The call to search.
        name: The keyword's name (``timeout``).

    Returns:
        The first ``ast.keyword`` passed under that name, or None when the call
        does not pass it explicitly.
    """
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def keyword_value(call: ast.Call, name: str) -> Optional[ast.expr]:
    """Return the value of keyword argument ``name`` of ``call``, or None.

    Args:
        call: The call to search.
        name: The keyword's name (``timeout``).

    Returns:
        The expression passed under that name, or None when it is not passed.
    """
    kw = keyword(call, name)
    return kw.value if kw is not None else None


def has_star_kwargs(call: ast.Call) -> bool:
    """Return True when ``call`` passes ``**kwargs`` (keywords may hide there).

    Args:
        call: The call to inspect.

    Returns:
        Whether any keyword of the call is a ``**`` unpacking.
    """
    return any(kw.arg is None for kw in call.keywords)


def argument(call: ast.Call, position: int, name: Optional[str] = None) -> Optional[ast.expr]:
    """Return the argument at ``position`` or passed as keyword ``name``.

    Args:
        call: The call to search.
        position: The 0-based index of the positional argument.
        name: The keyword the argument may be passed as instead; None for a
            positional-only parameter.

    Returns:
        The argument's expression, or None when it is not passed (or a ``*args``
        unpacking at or before ``position`` hides where it is).
    """
    if position < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    if name is not None:
        return keyword_value(call, name)
    return None


def string_keys(node: ast.Dict) -> List[str]:
    """Return the keys of a dict literal that are strings (``{"a": 1, **x}``: a).

    Args:
        node: The dict literal.

    Returns:
        The string keys, in order.
    """
    constant = ast.Constant
    return [
        key.value
        for key in node.keys
        if isinstance(key, constant) and isinstance(key.value, str)
    ]
