"""BG313 resource-without-context-manager: files, sockets, connections left open."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Set, Tuple, Union

from ...analysis.structure import declared_nonlocal, own_statements, resource_kind
from ...context import FUNCTION_CLASSES, SCOPE_TYPES, FileContext, walk_nodes
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG313",
    name="resource-without-context-manager",
    message="{kind} `{name}` is opened without `with`",
    hint="use `with ... as {name}:` (or close it in a `try/finally`)",
    rationale=(
        "A file, socket, database connection or session that is not closed on "
        "every path leaks when an exception is raised between opening and "
        "`close()`: connection pools run dry, file descriptors run out, "
        "transactions stay open and hold locks. A `with` block (or "
        "`contextlib.closing`, `ExitStack.enter_context`, a `try/finally` that "
        "closes it) releases it on every path. Only local names in functions are "
        "judged; a resource that is returned, yielded, stored on an object or "
        "passed on to another call belongs to someone else, except that a "
        "generator that yields it and then closes it itself (a FastAPI `get_db` "
        "dependency) must close it in `finally`: an error in the request is "
        "thrown in at the `yield` and skips a plain `close()`."
    ),
    bad=Example(
        "import sqlite3\n\n\n"
        "def count_users(path: str) -> int:\n"
        "    conn = sqlite3.connect(path)\n"
        '    total = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]\n'
        "    conn.close()\n"
        "    return total\n"
    ),
    good=Example(
        "import sqlite3\n"
        "from contextlib import closing\n\n\n"
        "def count_users(path: str) -> int:\n"
        "    with closing(sqlite3.connect(path)) as conn:\n"
        '        return conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]\n'
    ),
    overlaps=("SIM115",),
    # The last dotted part of every resource call (`open`, `sqlite3.connect`,
    # `requests.Session`, `httpx.Client`, `zipfile.ZipFile`, `socket.socket`,
    # `tempfile.*TemporaryFile`, `engine.connect()`, session factories) holds one
    # of these; a same-file helper returns one of them.
    requires=(
        "open",
        "connect",  # also Connection (words match case-insensitively)
        "ession",
        "Client",
        "socket",
        "ZipFile",
        "TemporaryFile",
    ),
)

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
_CLOSERS = frozenset({"close", "aclose", "release", "dispose", "terminate"})
# Calls that use a file or connection without taking ownership of it.
_BORROWERS = frozenset(
    {"json.load", "json.dump", "pickle.load", "pickle.dump", "yaml.load"}
    | {"yaml.safe_load", "yaml.dump", "yaml.safe_dump", "yaml.full_load"}
    | {"csv.reader", "csv.writer", "csv.DictReader", "csv.DictWriter", "print"}
    | {"shutil.copyfileobj", "toml.load", "tomllib.load", "tomli.load", "len"}
    | {"isinstance", "hasattr", "getattr", "str", "repr", "bool", "id", "type"}
    | {"marshal.load", "marshal.dump", "ujson.load", "ujson.dump", "orjson.loads"}
    | {"pandas.read_csv", "pandas.read_sql", "pandas.read_sql_query", "next"}
)


@RULE.on(ast.Assign, ast.AnnAssign)
def _record_assignment(
    node: Union[ast.Assign, ast.AnnAssign], ctx: FileContext
) -> None:
    # remember resources bound to plain local names, per enclosing def
    value = node.value
    if value.__class__ is not ast.Call:
        if value.__class__ is not ast.Await or (
            value.value.__class__ is not ast.Call  # type: ignore[union-attr]
        ):
            return  # most assignments: no call, so no resource
    scopes = ctx.scopes
    if not scopes or scopes[-1].__class__ not in FUNCTION_CLASSES:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if target.__class__ is not ast.Name:
            return
    kind = resource_kind(ctx, node.value)
    if kind is None:
        return
    found = _opened(ctx).setdefault(id(scopes[-1]), [])
    for target in targets:
        found.append((node, target.id, kind))  # type: ignore[attr-defined]


def _opened(ctx: FileContext) -> Dict[int, List[Tuple[ast.stmt, str, str]]]:
    # id of a def -> (assignment, name, kind) of the resources it binds, in order
    return ctx.cached(("BG313", "opened"), dict)


def _call_of(ctx: FileContext, node: ast.AST) -> Optional[ast.Call]:
    # Return the Call that ``node`` is an argument of (through keywords/stars).
    child = node
    parent = ctx.parent(node)
    while isinstance(parent, (ast.keyword, ast.Starred)):
        child = parent
        parent = ctx.parent(parent)
    if isinstance(parent, ast.Call) and child is not parent.func:
        return parent
    return None


def _escapes(ctx: FileContext, name: ast.Name, finally_nodes: Set[int]) -> str:
    # Return "escape", "closed" or "" for one load of the resource name.
    parent = ctx.parent(name)
    if isinstance(parent, ast.Attribute):
        if parent.attr in _CLOSERS:
            call = ctx.parent(parent)
            if isinstance(call, ast.Call) and call.func is parent:
                return "closed" if id(call) in finally_nodes else "unsafe-close"
            return "escape" if _call_of(ctx, parent) is not None else ""
        return ""
    call = _call_of(ctx, name)
    if call is not None:
        callee = ctx.call_name(call) or ""
        return "" if callee in _BORROWERS else "escape"
    if isinstance(parent, (ast.Yield, ast.YieldFrom)):
        return "yielded"
    if isinstance(
        parent,
        (
            ast.Return,
            ast.Tuple,
            ast.List,
            ast.Set,
            ast.Dict,
            ast.Assign,
            ast.AnnAssign,
            ast.NamedExpr,
            ast.withitem,
            ast.BoolOp,
            ast.IfExp,
            ast.Starred,
            ast.Await,
            ast.Lambda,
            ast.keyword,
        ),
    ):
        return "escape"
    return ""


def _finally_calls(ctx: FileContext, func: FunctionNode) -> Set[int]:
    ids: Set[int] = set()
    for node in own_statements(func):
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            for stmt in node.finalbody:  # type: ignore[attr-defined]
                for inner in walk_nodes(stmt):
                    if isinstance(inner, ast.Call):
                        ids.add(id(inner))
    return ids


@RULE.on_leave(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(node: FunctionNode, ctx: FileContext) -> Optional[List[Finding]]:
    assignments = _opened(ctx).get(id(node))
    if not assignments:
        return None
    return list(_unclosed(node, ctx, assignments))


def _unclosed(
    node: FunctionNode, ctx: FileContext, assignments: List[Tuple[ast.stmt, str, str]]
) -> Iterator[Finding]:
    # the findings for the resources of ``node`` that are neither closed safely
    # nor handed on
    nonlocal_names = declared_nonlocal(node, ctx)
    names = {name for _, name, _ in assignments if name not in nonlocal_names}
    if not names:
        return
    finally_nodes = _finally_calls(ctx, node)
    state: Dict[str, str] = {}
    # A generator that yields the resource hands it out for a while; it owns it
    # again afterwards, and only a close in `finally` survives an exception
    # thrown in at the `yield` (the FastAPI `get_db` dependency).
    yielded: Set[str] = set()
    unsafe_close: Set[str] = set()
    for inner in walk_nodes(node):
        if inner is node:
            continue
        if isinstance(inner, ast.Name) and inner.id in names:
            if isinstance(inner.ctx, ast.Load):
                if _in_nested_scope(ctx, inner, node):
                    # used by a nested function or lambda: lifetime unknown
                    state[inner.id] = "escape"
                    continue
                result = _escapes(ctx, inner, finally_nodes)
                if result == "yielded":
                    yielded.add(inner.id)
                elif result == "unsafe-close":
                    unsafe_close.add(inner.id)
                elif result and state.get(inner.id) != "escape":
                    state[inner.id] = result
    reported: Set[str] = set()
    for stmt, name, kind in assignments:
        if name in nonlocal_names or state.get(name) or name in reported:
            continue
        if name in yielded and name not in unsafe_close:
            continue  # handed out and never closed here: the caller owns it
        reported.add(name)
        yield RULE.finding(stmt, kind=kind, name=name)


def _in_nested_scope(ctx: FileContext, name: ast.Name, func: ast.AST) -> bool:
    # The ancestors of ``name`` up to ``func`` (not the whole chain to the module).
    ancestor = ctx.parent(name)
    while ancestor is not None:
        if ancestor is func:
            return False
        if isinstance(ancestor, SCOPE_TYPES):
            return True
        ancestor = ctx.parent(ancestor)
    return False
