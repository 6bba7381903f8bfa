"""BG304 docstring-missing-returns: a value is returned but not documented."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Union

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


def _facts(ctx: FileContext) -> Dict[int, BodyFacts]:
    # id of a def -> what its own body returns and yields, collected by the walk
    return ctx.cached(("BG304", "facts"), dict)


@RULE.on(ast.Return)
def _record_return(node: ast.Return, ctx: FileContext) -> None:
    # a `return` is a statement of the innermost def's own body
    if node.value is None:
        return None
    scopes = ctx.scopes
    if scopes and isinstance(scopes[-1], (ast.FunctionDef, ast.AsyncFunctionDef)):
        facts = _facts(ctx)
        owner = id(scopes[-1])
        found = facts.get(owner)
        if found is None:
            found = facts[owner] = BodyFacts()
        add_return(found, node)
    return None


@RULE.on(ast.Yield, ast.YieldFrom)
def _record_yield(node: Union[ast.Yield, ast.YieldFrom], ctx: FileContext) -> None:
    owner = yield_owner(ctx, node)
    if owner is not None:
        add_yield(_facts(ctx).setdefault(id(owner), BodyFacts()), node)
    return None


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _note_decorators(node: FunctionNode, ctx: FileContext) -> None:
    # Decorators are resolved through the imports seen so far: judged on entry.
    if node.decorator_list and docstring_text(node) is not None:
        if (
            is_overload(ctx, node)
            or is_property_redefinition(node)
            or is_property_getter(ctx, node)
        ):
            ctx.cached(("BG304", "exempt"), set).add(id(node))
    return None


@RULE.on_leave(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(node: FunctionNode, ctx: FileContext) -> Optional[List[Finding]]:
    # judged when the walk leaves the def: its returns and yields are known
    annotation = node.returns
    facts = _facts(ctx).get(id(node)) or _NOTHING
    if annotation is None and not facts.is_generator and not facts.returns_value:
        return None  # nothing returned or yielded: no section is needed
    if docstring_text(node) is None:
        return None  # no docstring to judge
    if node.decorator_list and id(node) in ctx.cached(("BG304", "exempt"), set):
        return None  # an overload, a property getter or setter
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
            return [_returns_finding(node, doc.style)]
        return None
    if facts.is_generator:
        needs = facts.yields_value or (
            annotation is not None and not yields_nothing_annotation(annotation)
        )
        if needs and not doc.has_yields:
            return [
                RULE.finding(
                    node,
                    name=node.name,
                    section=style_phrase(doc.style, "yields"),
                    verb="yields values",
                    noun="values it yields",
                )
            ]
        return None
    needs = facts.returns_value or (
        annotation is not None and not returns_nothing_annotation(annotation)
    )
    if not needs or doc.has_returns:
        return None
    if doc.has_yields and iterator_annotation(annotation):
        return None  # returns an iterator (or an abstract generator) documented so
    return [_returns_finding(node, doc.style)]


_NOTHING = BodyFacts()  # returns nothing, yields nothing (never modified)


def _returns_finding(node: FunctionNode, style: str) -> Finding:
    return RULE.finding(
        node,
        name=node.name,
        section=style_phrase(style, "returns"),
        verb="returns a value",
        noun="value it returns",
    )
