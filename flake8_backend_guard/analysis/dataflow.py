"""Same-function dataflow: which expressions a local name may hold at a use.

This is deliberately simple and flow-insensitive within a function, except for
order: an assignment counts for a use when it comes before the use in the source
(``q = "..."; q += x; cursor.execute(q)``), or is in a loop around it. Nested
functions and classes are separate scopes. Results are cached per function on the
FileContext.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple, Union

from ..context import FUNCTION_TYPES, FileContext, node_fields

Scope = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Module]
# An assignment: (line, column, value). ``value`` is the assigned expression, or
# the AugAssign node itself for ``name op= expr``, or None for bindings whose value
# is unknown (for-loop targets, with-as, except-as, function parameters, imports).
Binding = Tuple[int, int, Optional[ast.AST]]


#: Statements and clauses that bind names (``_scope_bindings``, ``web.LocalFlow``).
BINDING_TYPES = frozenset(
    {
        ast.Assign,
        ast.AnnAssign,
        ast.AugAssign,
        ast.NamedExpr,
        ast.For,
        ast.AsyncFor,
        ast.comprehension,
        ast.withitem,
        ast.ExceptHandler,
    }
)
_DEFS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _bind(
    result: Dict[str, List[Binding]], target: ast.AST, value: Optional[ast.AST]
) -> None:
    # Record the names ``target`` binds to ``value`` (element-wise for tuples).
    # A module-level function: a recursive closure would be a reference cycle
    # keeping the bindings, and the AST nodes they hold, alive until the cyclic
    # collector runs.
    if isinstance(target, ast.Name):
        result.setdefault(target.id, []).append(
            (target.lineno, target.col_offset, value)
        )
    elif isinstance(target, (ast.Tuple, ast.List)):
        values: List[Optional[ast.AST]] = [None] * len(target.elts)
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(
            target.elts
        ):
            values = list(value.elts)
        for elt, elt_value in zip(target.elts, values):
            _bind(result, elt, elt_value)
    elif isinstance(target, ast.Starred):
        _bind(result, target.value, None)


def _scope_bindings(scope: Scope) -> Dict[str, List[Binding]]:
    result: Dict[str, List[Binding]] = {}

    if isinstance(scope, FUNCTION_TYPES):
        args = scope.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            result.setdefault(arg.arg, []).append((scope.lineno, -1, None))
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                result.setdefault(arg.arg, []).append((scope.lineno, -1, None))
    stack: List[ast.AST] = list(scope.body)
    pop = stack.pop
    push = stack.append
    ast_type = ast.AST
    fields_of: Dict[type, Tuple[str, ...]] = {}  # filled from node_fields
    while stack:
        node = pop()
        cls = node.__class__
        if cls in BINDING_TYPES:
            if cls is ast.Assign:
                for target in node.targets:  # type: ignore[attr-defined]
                    _bind(result, target, node.value)  # type: ignore[attr-defined]
            elif cls is ast.AnnAssign:
                if node.value is not None:  # type: ignore[attr-defined]
                    _bind(result, node.target, node.value)  # type: ignore[attr-defined]
            elif cls is ast.AugAssign:
                _bind(result, node.target, node)  # type: ignore[attr-defined]
            elif cls is ast.NamedExpr:
                _bind(result, node.target, node.value)  # type: ignore[attr-defined]
            elif cls is ast.withitem:
                if node.optional_vars is not None:  # type: ignore[attr-defined]
                    target = node.optional_vars  # type: ignore[attr-defined]
                    _bind(result, target, None)
            elif cls is ast.ExceptHandler:
                if node.name:  # type: ignore[attr-defined]
                    result.setdefault(node.name, []).append(  # type: ignore
                        (node.lineno, 0, None)  # type: ignore[attr-defined]
                    )
            else:  # for, async for, comprehension
                _bind(result, node.target, None)  # type: ignore[attr-defined]
        elif cls in _DEFS:
            result.setdefault(node.name, []).append(  # type: ignore[attr-defined]
                (node.lineno, 0, None)  # type: ignore[attr-defined]
            )
            # decorators and defaults belong to this scope; the body does not
            stack.extend(node.decorator_list)  # type: ignore[attr-defined]
            continue
        elif cls is ast.Lambda:
            continue
        fields = fields_of.get(cls)
        if fields is None:
            fields = fields_of[cls] = node_fields(cls)
        for field_name in fields:
            value = getattr(node, field_name, None)
            if value.__class__ is list:
                for child in value:
                    if isinstance(child, ast_type):
                        push(child)
            elif isinstance(value, ast_type):
                push(value)
    for bindings in result.values():
        bindings.sort(key=lambda b: (b[0], b[1]))
    return result


def bindings(ctx: FileContext, scope: Scope) -> Dict[str, List[Binding]]:
    """Return name -> bindings for ``scope`` (cached on the context).

    Args:
        ctx: The file's context, which caches the result per scope.
        scope: The function or module whose own bindings are collected (nested
            functions and classes count only by their name).

    Returns:
        Each locally bound name mapped to its ``(line, column, value)`` bindings in
        source order; parameters come first with column -1.
    """
    return ctx.cached(("bindings", id(scope)), lambda: _scope_bindings(scope))


def _loop_lines(ctx: FileContext, node: ast.AST, scope: ast.AST) -> Optional[Tuple[int, int]]:
    """Return the line span of the outermost loop around ``node`` inside ``scope``.

    Args:
        ctx: The file's context, whose parent map gives the ancestors.
        node: The node whose enclosing loops are searched.
        scope: The function or module where the search stops.

    Returns:
        The ``(first line, last line)`` of the outermost ``for``/``while`` loop, or
        None when ``node`` is in no loop within ``scope``.
    """
    span = None
    for ancestor in ctx.ancestors(node):
        if ancestor is scope:
            break
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
            span = (ancestor.lineno, getattr(ancestor, "end_lineno", ancestor.lineno))
    return span


def reaching_values(ctx: FileContext, name: ast.Name) -> List[Optional[ast.AST]]:
    """Return the values ``name`` may hold where it is used.

    Args:
        ctx: The file's context, whose parent map gives the enclosing function.
        name: The use of the name to resolve.

    Returns:
        The values of the bindings that come before the use or lie in a loop around
        it. Each item is an assigned expression, an AugAssign node (``q += ...``),
        or None for a binding of unknown value (a parameter, loop variable...). An
        empty list means the name is not bound in the enclosing function, or the
        module at module level (a global or builtin).
    """
    scope: Scope = ctx.enclosing_function(name) or ctx.tree
    all_bindings = bindings(ctx, scope).get(name.id)
    if not all_bindings:
        return []
    loop = _loop_lines(ctx, name, scope)
    use = (name.lineno, name.col_offset)
    result: List[Optional[ast.AST]] = []
    for line, col, value in all_bindings:
        before = (line, col) < use
        in_loop = loop is not None and loop[0] <= line <= loop[1]
        if before or in_loop:
            result.append(value)
    return result


def module_value(ctx: FileContext, name: str) -> Optional[ast.expr]:
    """Return the value of a module-level name bound exactly once, if any.

    Args:
        ctx: The file's context holding the module constants.
        name: The module-level name to look up.

    Returns:
        The expression bound to the name, or None when it is not bound exactly once
        at module level.
    """
    return ctx.module_constants.get(name)
