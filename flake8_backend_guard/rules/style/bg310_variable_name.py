"""BG310 variable-name: local variables and arguments that are not snake_case."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Tuple, Union

from ...analysis.docstrings import parameters
from ...analysis.structure import (
    declared_nonlocal,
    is_external_override,
    is_ignored_name,
    is_pascal_case,
    is_snake_case,
    is_upper_case,
    to_snake_case,
)
from ...context import FileContext
from ...options import Config
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG310",
    name="variable-name",
    message="{what} `{name}` is not snake_case",
    hint="rename it to `{suggestion}`",
    rationale=(
        "PEP 8 names local variables and arguments in snake_case; a camelCase "
        "local (`userId`, `X_train`) reads like code ported from another language "
        "and mixes two spellings of the same idea in one code base. Each name is "
        "reported once per function, where it is first bound. UPPER_CASE locals "
        "(`MAX_RETRIES`, `X`) are allowed, and so are `_`, names in "
        "`bg-ignore-names`, class-valued locals built by `namedtuple()`, "
        "`TypeVar()`, `get_user_model()`, `apps.get_model()` and the like, and "
        "the parameters of methods that override a camelCase API."
    ),
    bad=Example("def find(userId: int) -> int:\n    return userId\n"),
    good=Example("def find(user_id: int) -> int:\n    return user_id\n"),
    overlaps=("N803", "N806"),
    options=("bg-ignore-names",),
)

ScopeNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]
_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_CLASS_FACTORIES = frozenset(
    {"namedtuple", "NamedTuple", "TypedDict", "TypeVar", "NewType", "ParamSpec"}
    | {"TypeVarTuple", "TypeAliasType", "type", "get_user_model", "get_model"}
    | {"declarative_base", "make_dataclass", "create_model", "Enum", "IntEnum"}
    | {"StrEnum", "Flag", "IntFlag", "get_class", "import_string", "import_module"}
    | {"modelform_factory", "formset_factory", "modelformset_factory", "Table"}
    | {"sessionmaker", "async_sessionmaker", "scoped_session", "inlineformset_factory"}
)


def _is_class_value(ctx: FileContext, value: Optional[ast.AST]) -> bool:
    if isinstance(value, ast.IfExp):
        return _is_class_value(ctx, value.body) and _is_class_value(ctx, value.orelse)
    if isinstance(value, ast.Call):
        name = ctx.call_name(value) or ""
        if name == "getattr" and len(value.args) >= 2:
            attr = value.args[1]
            return (
                isinstance(attr, ast.Constant)
                and isinstance(attr.value, str)
                and is_pascal_case(attr.value)
            )
        return name.rsplit(".", 1)[-1] in _CLASS_FACTORIES
    if isinstance(value, (ast.Name, ast.Attribute)):
        last = value.id if isinstance(value, ast.Name) else value.attr
        return is_pascal_case(last) and not is_upper_case(last)
    return False


def _allowed(ctx: FileContext, name: str) -> bool:
    return is_snake_case(name) or is_upper_case(name) or is_ignored_name(ctx, name)


def _scope(ctx: FileContext) -> Optional[ScopeNode]:
    # the def or lambda whose local the node at the walk position is (not a class)
    scopes = ctx.scopes
    if scopes and isinstance(scopes[-1], _SCOPE_TYPES):
        return scopes[-1]  # type: ignore[return-value]
    return None


def _first_binding(ctx: FileContext, scope: ScopeNode, name: str) -> bool:
    # True the first time ``name`` is seen bound in ``scope`` (report once)
    seen = ctx.cached(("BG310", "seen", id(scope)), set)
    if name in seen:
        return False
    seen.add(name)
    return True


def _is_local(ctx: FileContext, scope: ScopeNode, name: str) -> bool:
    if isinstance(scope, ast.Lambda):
        return True
    declared = ctx.cached(
        ("BG310", "nonlocal", id(scope)), lambda: declared_nonlocal(scope, ctx)
    )
    return name not in declared


# The nodes whose fields hold stored names, and those fields up to the target
# (a ``with`` item's context expression is walked before its ``as`` target).
_TARGET_FIELDS: Dict[type, Tuple[str, ...]] = {
    ast.Assign: ("targets",),
    ast.AugAssign: ("target",),
    ast.AnnAssign: ("target",),
    ast.For: ("target",),
    ast.AsyncFor: ("target",),
    ast.comprehension: ("target",),
    ast.NamedExpr: ("target",),
    ast.withitem: ("context_expr", "optional_vars"),
}
if hasattr(ast, "TypeAlias"):  # Python 3.12: `type Alias = ...` stores `Alias`
    _TARGET_FIELDS[ast.TypeAlias] = ("name",)  # type: ignore[attr-defined]


def _stored_names(node: ast.AST) -> List[Tuple[ast.Name, ast.AST]]:
    # The stored names of ``node``'s target fields with their parents, in walk
    # order; lambdas are their own scope and are left to their own handlers.
    found: List[Tuple[ast.Name, ast.AST]] = []
    stack: List[Tuple[ast.AST, ast.AST]] = []
    for field in reversed(_TARGET_FIELDS[node.__class__]):
        value = getattr(node, field, None)
        items = value if isinstance(value, list) else [value]
        for item in reversed(items):
            if isinstance(item, ast.AST):
                stack.append((item, node))
    while stack:
        child, parent = stack.pop()
        if child.__class__ is ast.Name:
            if isinstance(child.ctx, ast.Store):  # type: ignore[attr-defined]
                found.append((child, parent))  # type: ignore[arg-type]
            continue
        if child.__class__ is ast.Lambda:
            continue
        children = [
            (grandchild, child)
            for grandchild in ast.iter_child_nodes(child)
            if not isinstance(grandchild, (ast.expr_context, ast.operator))
        ]
        stack.extend(reversed(children))
    return found


def _targets(node: ast.AST) -> List[ast.AST]:
    # What ``node`` binds to (`with` items: the `as` part only).
    cls = node.__class__
    if cls is ast.Assign:
        return node.targets  # type: ignore[attr-defined, no-any-return]
    if cls is ast.withitem:
        return [node.optional_vars] if node.optional_vars else []  # type: ignore
    target = getattr(node, "target", None) or getattr(node, "name", None)
    return [target] if isinstance(target, ast.AST) else []


def _binds_lower_case_only(node: ast.AST) -> bool:
    # True when every name ``node`` stores itself (through tuples, lists and stars)
    # is lower-case. Walrus and comprehension targets nested in its targets are
    # judged by their own handlers, in walk order: nothing to interleave with.
    if node.__class__ is ast.Assign and len(node.targets) == 1:  # type: ignore
        target = node.targets[0]  # type: ignore[attr-defined]
        cls = target.__class__
        if cls is ast.Name:
            return target.id == target.id.lower()  # type: ignore[no-any-return]
        if cls is ast.Attribute or cls is ast.Subscript:
            return True  # `self.x = ...`, `data[key] = ...` store no name
    stack = list(_targets(node))
    while stack:
        target = stack.pop()
        cls = target.__class__
        if cls is ast.Name:
            name = target.id  # type: ignore[attr-defined]
            if name != name.lower():
                return False
        elif cls is ast.Tuple or cls is ast.List:
            stack.extend(target.elts)  # type: ignore[attr-defined]
        elif cls is ast.Starred:
            stack.append(target.value)  # type: ignore[attr-defined]
    return True


def _check_assign(node: ast.Assign, ctx: FileContext) -> Optional[List[Finding]]:
    # the most frequent binding first: `x = ...`, `self.x = ...`, `d[k] = ...`
    targets = node.targets
    if len(targets) == 1:
        cls = targets[0].__class__
        if cls is ast.Name:
            name = targets[0].id  # type: ignore[attr-defined]
            if name == name.lower() or _scope(ctx) is None:
                return None  # lower-case, or a module or class attribute
        elif cls is ast.Attribute or cls is ast.Subscript:
            return None
    return _check_binding(node, ctx)


def _check_target(node: ast.AST, ctx: FileContext) -> Optional[List[Finding]]:
    # `for x in ...`, `x += ...`, `x: int = ...`, `(x := ...)`, `[... for x in ...]`
    target = node.target  # type: ignore[attr-defined]
    cls = target.__class__
    if cls is ast.Name:
        name = target.id
        if name == name.lower():
            return None
    elif cls is ast.Attribute or cls is ast.Subscript:
        return None
    return _check_binding(node, ctx)


def _check_binding(node: ast.AST, ctx: FileContext) -> Optional[List[Finding]]:
    # Stored names are judged where the walk would meet them: every stored name of
    # the target fields at once, in walk order (first bindings are reported).
    if _binds_lower_case_only(node):
        return None  # the usual `x = ...`, `self.x = ...`: nothing to report here
    scope = _scope(ctx)
    if scope is None:
        return None
    findings: List[Finding] = []
    for stored, parent in _stored_names(node):
        name = stored.id
        if name == name.lower() or not _first_binding(ctx, scope, name):
            continue
        if _allowed(ctx, name) or not _is_local(ctx, scope, name):
            continue
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and _is_class_value(
            ctx, parent.value
        ):
            continue
        findings.append(
            RULE.finding(
                stored, what="variable", name=name, suggestion=to_snake_case(name)
            )
        )
    return findings


def _not_lower_case(name: str, config: Config) -> bool:
    # The ``names=`` test of the assignment handlers: only a name with an upper-case
    # letter can be reported. The engine calls them for every assignment it cannot
    # key on one name (`a, B = ...`, `d[k] = ...`), which they judge themselves.
    return name != name.lower()


# Assignments are keyed on the name they bind (most are lower-case: nothing to do).
RULE.on(ast.Assign, names=_not_lower_case)(_check_assign)
for _binding_type in _TARGET_FIELDS:
    if _binding_type is ast.AnnAssign:
        RULE.on(_binding_type, names=_not_lower_case)(_check_target)
    elif _TARGET_FIELDS[_binding_type] == ("target",):
        RULE.on(_binding_type)(_check_target)
    elif _binding_type is not ast.Assign:
        RULE.on(_binding_type)(_check_binding)


@RULE.on(ast.ExceptHandler)
def _check_except(
    node: ast.ExceptHandler, ctx: FileContext
) -> Optional[List[Finding]]:
    name = node.name
    if not name or name == name.lower():
        return None
    scope = _scope(ctx)
    if scope is None or not _first_binding(ctx, scope, name):
        return None
    if _allowed(ctx, name) or not _is_local(ctx, scope, name):
        return None
    return [
        RULE.finding(node, what="variable", name=name, suggestion=to_snake_case(name))
    ]


@RULE.on(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
def _check_parameters(node: ScopeNode, ctx: FileContext) -> Optional[List[Finding]]:
    # The parameters of a def or lambda, judged when the walk enters it: they are
    # the first names its scope binds, in this order (see _bound_before for the
    # only bindings the walk can meet earlier).
    args = node.args
    for arg in args.args:
        name = arg.arg
        if name != name.lower():
            break
    else:
        if not (args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg):
            return None  # the usual def: positional parameters, all lower-case
    findings: Optional[List[Finding]] = None
    params = parameters(node)
    for index, arg in enumerate(params):
        name = arg.arg
        if name == name.lower():
            continue
        if _bound_before(node, params, index, name):
            continue  # first bound (and judged) where the walk meets it
        if not _first_binding(ctx, node, name) or _allowed(ctx, name):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            _mirrors_base(ctx, node)
        ):
            continue  # an override's parameters mirror the base's signature
        if findings is None:
            findings = []
        findings.append(
            RULE.finding(
                arg, what="argument", name=name, suggestion=to_snake_case(name)
            )
        )
    return findings


def _mirrors_base(
    ctx: FileContext, func: Union[ast.FunctionDef, ast.AsyncFunctionDef]
) -> bool:
    # True when the parameter names of ``func`` (entered by the walk) are dictated
    # by a base class: an ignored name or a camelCase API it overrides.
    scopes = ctx.scopes
    cls = scopes[-1] if scopes and isinstance(scopes[-1], ast.ClassDef) else None
    return is_ignored_name(ctx, func.name) or is_external_override(ctx, func, cls)


def _bound_before(
    node: ScopeNode, params: List[ast.arg], index: int, name: str
) -> bool:
    # True when the walk meets a binding of ``name`` in ``node``'s scope before
    # its parameter ``params[index]``: a walrus or comprehension target in the
    # annotation of an earlier parameter or, for ``**kwargs``, in a keyword-only
    # default (lambdas are scopes of their own).
    roots: List[ast.AST] = [
        param.annotation for param in params[:index] if param.annotation is not None
    ]
    if params[index] is node.args.kwarg:
        roots.extend(value for value in node.args.kw_defaults if value is not None)
    while roots:
        current = roots.pop()
        cls = current.__class__
        if cls is ast.Name:
            if current.id == name and isinstance(  # type: ignore[attr-defined]
                current.ctx, ast.Store  # type: ignore[attr-defined]
            ):
                return True
        elif cls is not ast.Lambda:
            roots.extend(ast.iter_child_nodes(current))
    return False


def _check_pattern(node: ast.AST, ctx: FileContext) -> Iterator[Finding]:
    for attr in ("name", "rest"):
        name = getattr(node, attr, None)
        if not isinstance(name, str) or name == name.lower():
            continue
        scope = _scope(ctx)
        if scope is None or not _first_binding(ctx, scope, name):
            continue
        if _allowed(ctx, name) or not _is_local(ctx, scope, name):
            continue
        yield RULE.finding(
            node, what="variable", name=name, suggestion=to_snake_case(name)
        )


for _pattern_type in ("MatchAs", "MatchStar", "MatchMapping"):
    if hasattr(ast, _pattern_type):
        RULE.on(getattr(ast, _pattern_type))(_check_pattern)
