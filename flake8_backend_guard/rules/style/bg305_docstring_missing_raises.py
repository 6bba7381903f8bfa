"""BG305 docstring-missing-raises: an exception raised by name is not documented."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Sequence, Tuple, Union

from ...analysis.docstrings import (
    Docstring,
    constructor,
    docstring,
    docstring_text,
    escaping_raises,
    is_abstract,
    is_overload,
    is_property_redefinition,
    raise_site,
    style_phrase,
    undocumented_raises,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

RULE = Rule(
    code="BG305",
    name="docstring-missing-raises",
    message="docstring of {what} does not list {names}, which {where}",
    hint="document each exception the function raises {section}",
    rationale=(
        "Why is this bad? Exceptions are part of a function's contract: a caller "
        "that does not know `lookup()` raises `NotFoundError` cannot handle it, "
        "and the error surfaces as a 500. Judged: `raise X(...)`, `raise X` and "
        "`raise module.X(...)` in the function's own body (not in nested "
        "functions), unless a surrounding `try` in the same function catches it "
        "without re-raising or it sits under `pytest.raises`/`suppress`. A "
        "documented name matches by its last part (`errors.NotFound` or "
        "`NotFound`) or as a base class (`LookupError` covers `KeyError`; bases of "
        "classes defined in the file are followed). Not judged: bare `raise`, "
        "`raise err` of a variable, `raise make_error()`, `NotImplementedError` in "
        "abstract methods and stub bodies, `StopIteration` in `__next__`, and "
        "functions without a docstring (BG302). An `__init__` without a docstring "
        "is documented by its class docstring."
    ),
    bad=Example(
        "def withdraw(balance: int, amount: int) -> int:\n"
        '    """Take money out.\n\n'
        "    Args:\n"
        "        balance: Current balance.\n"
        "        amount: Amount to take.\n\n"
        "    Returns:\n"
        "        The new balance.\n"
        '    """\n'
        "    if amount > balance:\n"
        "        raise ValueError('insufficient funds')\n"
        "    return balance - amount\n"
    ),
    good=Example(
        "def withdraw(balance: int, amount: int) -> int:\n"
        '    """Take money out.\n\n'
        "    Args:\n"
        "        balance: Current balance.\n"
        "        amount: Amount to take.\n\n"
        "    Returns:\n"
        "        The new balance.\n\n"
        "    Raises:\n"
        "        ValueError: If the balance is too low.\n"
        '    """\n'
        "    if amount > balance:\n"
        "        raise ValueError('insufficient funds')\n"
        "    return balance - amount\n"
    ),
    overlaps=("DOC501",),
    options=("bg-docstring-style",),
    requires=("raise",),  # only raise statements are judged
)


def _quoted(names: List[str]) -> str:
    return "`" + "`, `".join(names) + "`"  # names: never empty


# Per file: id of a def -> its own raises with their guards, collected by the walk;
# ("decorated", id) -> what its decorators say (judged on entry); ("raised", id) ->
# the names it lets escape.
_KEY = ("BG305", "raises")
_UNDECORATED = (False, False, False)  # overload, property setter, abstract


def _state(ctx: FileContext) -> Dict[object, object]:
    return ctx.cached(_KEY, dict)


# Per file, the defs with a raise statement (with the class of an `__init__`) and
# the classes with an `__init__`, in walk order: judged when the walk leaves the
# file, once their raises are known (one call per file instead of one per def).
_FUNCTIONS = ("BG305", "functions")
_CLASSES = ("BG305", "classes")


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _note_function(node: FunctionNode, ctx: FileContext) -> None:
    # Decorators are resolved through the imports seen so far: judged on entry.
    if node.decorator_list:
        _state(ctx)[("decorated", id(node))] = (
            is_overload(ctx, node),
            is_property_redefinition(node),
            is_abstract(ctx, node),
        )
    if node.name == "__init__":
        scopes = ctx.scopes
        if scopes and isinstance(scopes[-1], ast.ClassDef):
            ctx.cached(_CLASSES, dict)[id(scopes[-1])] = scopes[-1]
    return None


def _decorated(ctx: FileContext, func: FunctionNode) -> Tuple[bool, bool, bool]:
    if not func.decorator_list:
        return _UNDECORATED
    return _state(ctx).get(("decorated", id(func)), _UNDECORATED)  # type: ignore


@RULE.on(ast.Raise)
def _record_raise(node: ast.Raise, ctx: FileContext) -> None:
    site = raise_site(ctx, node)
    if site is not None:
        owner, found = site
        state = _state(ctx)
        sites = state.get(id(owner))
        if sites is None:
            # the first raise of the def (the innermost scope at the walk position;
            # the scope around it is the class of a method)
            sites = state[id(owner)] = []
            scopes = ctx.scopes
            cls = scopes[-2] if len(scopes) > 1 and scopes[-1] is owner else None
            if owner.name != "__init__" or not isinstance(  # type: ignore
                cls, ast.ClassDef
            ):
                cls = None
            ctx.cached(_FUNCTIONS, list).append((owner, cls))
        sites.append(found)  # type: ignore[attr-defined]
    return None


def _raised(ctx: FileContext, func: FunctionNode) -> List[str]:
    # The names ``func`` raises and lets escape (once per def).
    state = _state(ctx)
    key = ("raised", id(func))
    names = state.get(key)
    if names is None:
        sites = state.get(id(func))
        names = []
        if sites:
            abstract = _decorated(ctx, func)[2]
            names = escaping_raises(ctx, func, sites, abstract)  # type: ignore
        state[key] = names
    return names  # type: ignore[return-value]


@RULE.on_leave(ast.Module)
def _check_module(node: ast.Module, ctx: FileContext) -> Optional[List[Finding]]:
    # the defs and classes of the file, judged once every raise is known
    findings: Optional[List[Finding]] = None
    for func, cls in ctx.cached(_FUNCTIONS, list):
        finding = _check_function(func, cls, ctx)
        if finding is not None:
            findings = findings or []
            findings.append(finding)
    for cls in ctx.cached(_CLASSES, dict).values():
        finding = _check_class(cls, ctx)
        if finding is not None:
            findings = findings or []
            findings.append(finding)
    return findings


def _check_function(
    node: FunctionNode, cls: Optional[ast.ClassDef], ctx: FileContext
) -> Optional[Finding]:
    # A def with a raise statement; ``cls`` is the class of an ``__init__``
    # (whose docstring may list the exceptions).
    if docstring_text(node) is None:
        return None  # no docstring to judge
    overload, redefinition, _ = _decorated(ctx, node)
    if overload or redefinition:
        return None
    raised = _raised(ctx, node)
    if not raised:
        return None
    doc = docstring(ctx, node)
    if doc is None:
        return None
    listed = list(doc.raises)
    if cls is not None:
        class_doc = docstring(ctx, cls)
        if class_doc is not None:
            listed.extend(class_doc.raises)
    return _report(ctx, node, raised, listed, f"`{node.name}`", "it raises", doc)


def _check_class(node: ast.ClassDef, ctx: FileContext) -> Optional[Finding]:
    # A class with an `__init__`, whose raises its docstring may have to list.
    if docstring_text(node) is None:
        return None  # no class docstring to judge (the cheap test first)
    init = constructor(node)
    if init is None or docstring_text(init) is not None:
        return None  # no constructor of its own, or __init__ documents itself
    if _decorated(ctx, init)[0]:
        return None  # an `@overload` signature
    raised = _raised(ctx, init)
    if not raised:
        return None
    doc = docstring(ctx, node)
    if doc is None:
        return None
    what = f"class `{node.name}`"
    return _report(ctx, node, raised, doc.raises, what, "`__init__` raises", doc)


def _report(
    ctx: FileContext,
    node: ast.AST,
    raised: Sequence[str],
    listed: Sequence[str],
    what: str,
    where: str,
    doc: Docstring,
) -> Optional[Finding]:
    # The finding for the raised exceptions the docstring does not list, if any.
    missing = undocumented_raises(ctx, raised, listed)
    if not missing:
        return None
    return RULE.finding(
        node,
        what=what,
        names=_quoted(missing),
        where=where,
        section=style_phrase(doc.style, "raises"),
    )
