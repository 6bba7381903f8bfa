"""BG304 docstring-missing-returns: a value is returned but not documented."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple, Union

from ...analysis.docstrings import (
    BodyFacts,
    add_return,
    add_yield,
    docstring,
    docstring_text,
    is_overload,
    is_property_getter,
    is_property_redefinition,
    iterator_annotation,
    returns_nothing_annotation,
    style_phrase,
    yield_owner,
    yields_nothing_annotation,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

RULE = Rule(
    code="BG304",
    name="docstring-missing-returns",
    message="docstring of `{name}` has no {section} although it {verb}",
    hint="describe the {noun} in a {section}",
    rationale=(
        "Why is this bad? The caller needs to know what comes back: its type, what "
        "it means, and when it is `None`. A function returns a value when it has a "
        "`return <value>` that is not `None` or a return annotation other than "
        "`None`/`NoReturn`/`Never`; a generator (also `async`) that yields values "
        "or is annotated with a non-`None` iterator type needs a `Yields:` section "
        "instead. `return`, `return None`, nested functions' returns, property "
        "getters (`@property`, `@cached_property`), `@overload` signatures and "
        "functions without a docstring (BG302's concern) are not judged; a "
        "function annotated with an iterator type that does not itself yield "
        "(an abstract generator, a function returning `iter(...)`) may use either "
        "section."
    ),
    bad=Example(
        "def total(prices: list) -> int:\n"
        '    """Add up the prices.\n\n'
        "    Args:\n"
        "        prices: Prices in cents.\n"
        '    """\n'
        "    return sum(prices)\n"
    ),
    good=Example(
        "def total(prices: list) -> int:\n"
        '    """Add up the prices.\n\n'
        "    Args:\n"
        "        prices: Prices in cents.\n\n"
        "    Returns:\n"
        "        The sum in cents.\n"
        '    """\n'
        "    return sum(prices)\n"
    ),
    overlaps=("DOC201", "DOC402"),
    options=("bg-docstring-style",),
)


def _judged(ctx: FileContext) -> Dict[int, Tuple[FunctionNode, BodyFacts]]:
    # id of each def to judge (it has a docstring, and is neither an overload nor
    # a property getter or setter) -> the def and what its own body returns and
    # yields, collected by the walk
    return ctx.cached(("BG304", "judged"), dict)


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _note_function(node: FunctionNode, ctx: FileContext) -> None:
    # Decorators are resolved through the imports seen so far: judged on entry.
    if docstring_text(node) is None:
        return None  # no docstring to judge
    if node.decorator_list and (
        is_overload(ctx, node)
        or is_property_redefinition(node)
        or is_property_getter(ctx, node)
    ):
        return None  # an overload, a property getter or setter
    _judged(ctx)[id(node)] = (node, BodyFacts())
    return None


@RULE.on(ast.Return)
def _record_return(node: ast.Return, ctx: FileContext) -> None:
    # a `return` is a statement of the innermost scope's own body
    if node.value is None:
        return None
    scopes = ctx.scopes
    if scopes:
        found = _judged(ctx).get(id(scopes[-1]))
        if found is not None:
            add_return(found[1], node)
    return None


@RULE.on(ast.Yield, ast.YieldFrom)
def _record_yield(node: Union[ast.Yield, ast.YieldFrom], ctx: FileContext) -> None:
    judged = _judged(ctx)
    if judged:
        owner = yield_owner(ctx, node)
        found = judged.get(id(owner)) if owner is not None else None
        if found is not None:
            add_yield(found[1], node)
    return None


@RULE.on_leave(ast.Module)
def _check_module(node: ast.Module, ctx: FileContext) -> Optional[List[Finding]]:
    # Every def is judged when the walk leaves the file, once its returns and
    # yields are known (one call per file instead of one per def).
    findings: Optional[List[Finding]] = None
    for func, facts in _judged(ctx).values():
        finding = _check_function(func, facts, ctx)
        if finding is not None:
            if findings is None:
                findings = []
            findings.append(finding)
    return findings


def _check_function(
    node: FunctionNode, facts: BodyFacts, ctx: FileContext
) -> Optional[Finding]:
    # The finding for one def with a docstring, given what its body does.
    annotation = node.returns
    if annotation is None and not facts.is_generator and not facts.returns_value:
        return None  # nothing returned or yielded: no section is needed
    doc = docstring(ctx, node)
    if doc is None or (doc.has_returns and doc.has_yields):
        return None
    if (
        annotation is not None
        and not facts.is_generator
        and not returns_nothing_annotation(annotation)
        and not iterator_annotation(annotation)
    ):
        # Typed as returning a value and not a generator: `Returns:` is needed.
        if not doc.has_returns:
            return _returns_finding(node, doc.style)
        return None
    if facts.is_generator:
        needs = facts.yields_value or (
            annotation is not None and not yields_nothing_annotation(annotation)
        )
        if needs and not doc.has_yields:
            return RULE.finding(
                node,
                name=node.name,
                section=style_phrase(doc.style, "yields"),
                verb="yields values",
                noun="values it yields",
            )
        return None
    needs = facts.returns_value or (
        annotation is not None and not returns_nothing_annotation(annotation)
    )
    if not needs or doc.has_returns:
        return None
    if doc.has_yields and iterator_annotation(annotation):
        return None  # returns an iterator (or an abstract generator) documented so
    return _returns_finding(node, doc.style)


def _returns_finding(node: FunctionNode, style: str) -> Finding:
    return RULE.finding(
        node,
        name=node.name,
        section=style_phrase(style, "returns"),
        verb="returns a value",
        noun="value it returns",
    )
