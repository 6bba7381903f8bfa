"""BG303 docstring-args-mismatch: a docstring that does not document the parameters."""

from __future__ import annotations

import ast
from typing import List, Optional, Sequence, Set, Union

from ...analysis.docstrings import (
    Docstring,
    constructor,
    docstring,
    docstring_text,
    documented_by_annotation,
    implicit_first,
    is_overload,
    is_property_redefinition,
    parameters,
    style_phrase,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

RULE = Rule(
    code="BG303",
    name="docstring-args-mismatch",
    message="docstring of {what} {detail}",
    hint="document every parameter except self/cls {where}, and only those",
    rationale=(
        "Why is this bad? A docstring that leaves parameters out (or a one-line "
        "summary on a function that takes parameters) makes the caller guess what "
        "each argument means, its unit and its allowed values; a docstring that "
        "documents a parameter that no longer exists is wrong and misleads. "
        "Unlike pydoclint (which skips one-line docstrings) and Ruff's D417 (which "
        "only looks inside an existing `Args:` section), a summary-only docstring "
        "of a function with parameters is reported. Only existing docstrings are "
        "judged (a missing docstring is BG302). Google style by default "
        "(`Args:`, `Arguments:`, `Parameters:`, `Keyword Args:`, "
        "`Keyword Arguments:`, `Other Parameters:`); `bg-docstring-style` selects "
        "NumPy or Sphinx. `*args`/`**kwargs` may be written with or without the "
        "stars; a non-empty `Keyword Args:` section documents `**kwargs`; when a "
        "function takes `**kwargs`, documented keyword names are not reported as "
        "unknown. `__init__` parameters may be documented in the class docstring "
        "or in `__init__`'s own; when `__init__` has no docstring, the class "
        "docstring must document them. `@overload` signatures and property "
        "setters are not judged, nor are parameters whose name starts with `_` "
        "(private by convention) and parameters documented by a PEP 727 "
        '`Annotated[..., Doc("...")]` annotation.'
    ),
    bad=Example(
        "def transfer(amount: int, account_id: str) -> None:\n"
        '    """Move money to an account."""\n'
    ),
    good=Example(
        "def transfer(amount: int, account_id: str) -> None:\n"
        '    """Move money to an account.\n\n'
        "    Args:\n"
        "        amount: Amount in cents.\n"
        "        account_id: The receiving account.\n"
        '    """\n'
    ),
    overlaps=("D417",),
    options=("bg-docstring-style",),
)


def _quoted(names: Sequence[str]) -> str:
    return "`" + "`, `".join(names) + "`"  # names: never empty


def _detail(missing: Sequence[str], extra: Sequence[str], suffix: str = "") -> str:
    parts = []
    if missing:
        parts.append(f"does not document {_quoted(missing)}{suffix}")
    if extra:
        noun = "a parameter" if len(extra) == 1 else "parameters"
        verb = "is" if len(extra) == 1 else "are"
        parts.append(f"documents {_quoted(extra)}, which {verb} not {noun}")
    return " and ".join(parts)


def _documented(doc: Docstring, func: FunctionNode, with_attributes: bool) -> Set[str]:
    if not (doc.params or doc.keyword_params or (with_attributes and doc.attributes)):
        return set()  # most docstrings document no parameter at all
    names = set(doc.params)
    names.update(doc.keyword_params)
    if with_attributes:
        names |= doc.attributes
    if func.args.kwarg is not None and doc.keyword_params:
        names.add(func.args.kwarg.arg)
    return names


def _missing(func: FunctionNode, in_class: bool, documented: Set[str]) -> List[str]:
    # The judged parameters (see judged_parameters) that are not documented, as
    # shown in the message (`*args`, `**kwargs`). Runs for every def with a
    # docstring: the groups of parameters are read in place, in signature order.
    args = func.args
    missing: List[str] = []
    positional = args.args
    if args.posonlyargs:
        positional = args.posonlyargs + positional
    if positional:
        skip = implicit_first(func, in_class)
        for arg in positional:
            if arg is not skip and _judged_undocumented(arg, documented):
                missing.append(arg.arg)
    star = args.vararg
    if star is not None and _judged_undocumented(star, documented):
        missing.append(f"*{star.arg}")
    for arg in args.kwonlyargs:
        if _judged_undocumented(arg, documented):
            missing.append(arg.arg)
    star = args.kwarg
    if star is not None and _judged_undocumented(star, documented):
        missing.append(f"**{star.arg}")
    return missing


def _judged_undocumented(arg: ast.arg, documented: Set[str]) -> bool:
    # True for a parameter that is judged (not private, not documented by its
    # annotation) and missing from ``documented``.
    name = arg.arg
    if name.startswith("_") or name in documented:
        return False
    return arg.annotation is None or not documented_by_annotation(arg)


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(node: FunctionNode, ctx: FileContext) -> Optional[List[Finding]]:
    text = docstring_text(node)
    if text is None:
        return None  # no docstring to judge (the cheap test first)
    if node.decorator_list and (
        is_overload(ctx, node) or is_property_redefinition(node)
    ):
        return None
    doc = docstring(ctx, node, text)
    if doc is None:
        return None
    scopes = ctx.scopes
    in_class = bool(scopes) and isinstance(scopes[-1], ast.ClassDef)
    documented = _documented(doc, node, False)
    if node.name == "__init__" and in_class:
        class_doc = docstring(ctx, scopes[-1])  # type: ignore[arg-type]
        if class_doc is not None:
            documented |= _documented(class_doc, node, True)
    missing = _missing(node, in_class, documented)
    extra: List[str] = []
    if node.args.kwarg is None and (doc.params or doc.keyword_params):
        existing = {arg.arg for arg in parameters(node)}
        extra = sorted(doc.documented - existing)
    if not missing and not extra:
        return None
    return [
        RULE.finding(
            node,
            what=f"`{node.name}`",
            detail=_detail(missing, extra),
            where=style_phrase(doc.style, "args"),
        )
    ]


@RULE.on(ast.ClassDef)
def _check_class(node: ast.ClassDef, ctx: FileContext) -> Optional[List[Finding]]:
    if docstring_text(node) is None:
        return None  # no class docstring to judge (the cheap test first)
    init = constructor(node)
    if init is None or docstring_text(init) is not None:
        return None  # no constructor of its own, or __init__ documents itself
    if is_overload(ctx, init):
        return None
    doc = docstring(ctx, node)
    if doc is None:
        return None
    missing = _missing(init, True, _documented(doc, init, True))
    extra: List[str] = []
    if init.args.kwarg is None and (doc.params or doc.keyword_params):
        existing = {arg.arg for arg in parameters(init)}
        extra = sorted(doc.documented - existing)
    if not missing and not extra:
        return None
    return [
        RULE.finding(
            node,
            what=f"class `{node.name}`",
            detail=_detail(missing, extra, " (parameters of `__init__`)"),
            where=style_phrase(doc.style, "args"),
        )
    ]
