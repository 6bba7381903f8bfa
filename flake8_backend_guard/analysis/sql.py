"""String-building analysis for the injection rules (BG201, BG205).

Two questions are answered about an expression, inside the function that holds it:

* :func:`is_static`: is its value fixed by the code? Literals, module constants,
  UPPER_CASE names and attributes (configuration constants by convention), class
  constants read through ``self``/``cls``, f-strings / ``%`` / ``.format()`` /
  ``+`` / ``join`` of static parts, values looked up in a constant allow-list
  (``COLUMNS[key]``), a name checked against one (``if col not in ALLOWED: raise``),
  numbers (``int(x)``, ``len(x)``), placeholder lists (``["%s"] * len(ids)``,
  ``"?" for _ in ids``) and quoted identifiers (``quote_name(x)``,
  ``sql.Identifier(x)``).
* :func:`unsafe_build`: is it a string *built* (f-string, ``%``, ``.format()``,
  ``+``/``+=``, ``join``) with a non-static part, directly or through the values a
  local variable may hold (:func:`~.dataflow.reaching_values`)? The answer names the
  construction, for the message.

:func:`sql_text` gathers the constant text of an expression (also through local
variables) so that weakly typed sinks can ask whether the string looks like SQL
(:func:`looks_like_sql`).
"""

from __future__ import annotations

import ast
import re
from typing import Callable, Dict, FrozenSet, List, Optional, Set, Tuple

from ..context import FileContext, link_parents, scope_nodes, walk_nodes
from .dataflow import bindings
from .values import UNKNOWN, const_value

F_STRING = "an f-string"
PERCENT = "% formatting"
FORMAT = ".format()"
CONCAT = "concatenation"
JOIN = "str.join()"

SinkPredicate = Callable[[ast.Call], bool]
_MAX_DEPTH = 12
# Calls whose result cannot carry SQL or code: numbers and truth values.
_NUMERIC_CALLS = frozenset(
    {"int", "float", "len", "bool", "abs", "round", "ord", "hash", "id", "complex"}
)
# Calls on a static receiver that keep it static when their arguments are static.
_STR_METHODS = frozenset(
    {
        "upper",
        "lower",
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "title",
        "capitalize",
        "casefold",
        "center",
        "ljust",
        "rjust",
        "zfill",
        "expandtabs",
        "removeprefix",
        "removesuffix",
        "encode",
        "decode",
        "keys",
        "values",
        "items",
        "copy",
    }
)
# Containers built from static items are static (allow-lists, lookup tables).
_CONTAINER_CALLS = frozenset(
    {"immutabledict", "MappingProxyType", "OrderedDict", "frozendict", "namedtuple"}
)
# Upper-case attributes that hold request data (Django), not constants.
_REQUEST_ATTRS = frozenset(
    {"GET", "POST", "FILES", "META", "COOKIES", "REQUEST", "DATA", "QUERY", "PUT"}
)
_NUMERIC_SPECS = frozenset("dnfFeEgGxXob%")
# Names of sanitisers whose result is a quoted identifier or literal.
_SANITISER_RE = re.compile(
    r"(?i)^(?:\w*quote\w+|\w+quote\w*|escape_(?:string|literal|identifier|like|sql)\w*"
    r"|\w*_escape_string|identifier|literal|placeholder|format_table|format_column"
    r"|sanitize_\w+|sanitise_\w+|\w+_identifier)$"
)
# ``x.quote(name)`` / ``x.escape(v)`` quote SQL only on a database object.
_DB_QUOTERS = frozenset({"quote", "escape", "literal"})
_DB_OWNER_RE = re.compile(r"(?i)preparer|dialect|conn|ops|cursor|\bdb\b|sql|engine")
# Attribute names that hold identifiers chosen by the developer (ORM metadata).
_IDENTIFIER_ATTRS = frozenset({"__tablename__", "db_table", "__name__", "model_name"})
# Wrappers that turn a SQL string into a statement object: the string is the SQL.
SQL_WRAPPERS = frozenset({"text", "TextClause", "SQL", "RawSQL", "literal_column"})
_WRAPPER_METHODS = frozenset(
    {"bindparams", "columns", "execution_options", "params", "compile"}
)

# ---- does a string look like SQL? -------------------------------------------------
_SQL_STATEMENT = re.compile(
    r"(?s:\bSELECT\b.*?\bFROM\b)"
    r"|(?is:\bselect\s+(?:\*|distinct\b|count\s*\(|[\w.`\"]+\s*,).*?\bfrom\b)"
    r"|(?is:\bselect\b.*?\bfrom\s+[\w.`\"]+\s+(?:where|join|order|group|limit)\b)"
    r"|(?i:\binsert\s+(?:or\s+\w+\s+)?into\b|\bupdate\s+[\w.`\"\[\]]+\s+set\b)"
    r"|(?i:\bdelete\s+from\b|\b(?:create|drop|alter)\s+(?:temporary\s+|temp\s+)?"
    r"(?:unique\s+)?(?:table|index|view|database|schema|trigger|sequence|function"
    r"|procedure|user|role|type|extension|materialized|column|constraint)\b)"
    r"|(?i:\btruncate\s+(?:table\s+)?\w|\breplace\s+into\b|\bpragma\s+\w)"
    r"|(?i:\bmerge\s+into\b|\bgrant\s+\w+.*\bon\b|\bwith\s+\w+\s+as\s*\()"
)
_CONDITION = (
    r"[\w.`\"]+\s*(?:=|<|>|!=|\blike\b|\bilike\b|\bin\s*\(|\bis\s+(?:not\s+)?null\b"
    r"|\bbetween\b)"
)
_SQL_CLAUSE = re.compile(
    r"\b(?:SELECT|FROM|WHERE|ORDER BY|GROUP BY|HAVING|LIMIT|OFFSET|VALUES|JOIN|UNION|"
    r"RETURNING|INSERT|UPDATE|DELETE|SET)\b"
    rf"|(?i:\b(?:where|and|or)\s+{_CONDITION})"
    r"|(?i:\border\s+by\s+[\w.`\"]+)|(?i:\blimit\s+(?:\d|%s|\?|\{))"
)


def looks_like_sql(text: str) -> bool:
    """Return True when ``text`` reads like SQL (a statement or a SQL clause).

    Args:
        text: Constant text gathered from a string construction.

    Returns:
        True for ``SELECT ... FROM``, ``INSERT INTO``, ``UPDATE t SET``,
        ``DELETE FROM``, DDL, and fragments such as ``" WHERE id = "`` or
        ``" AND name LIKE "``; False for prose and shell commands.
    """
    if not text:
        return False
    return bool(_SQL_STATEMENT.search(text) or _SQL_CLAUSE.search(text))


# ---- parents ahead of the walk ----------------------------------------------------
def prepare(ctx: FileContext, node: ast.AST) -> None:
    """Record the parents of every node in the function around ``node``.

    The engine records a node's children only after the handlers of the node have
    run, so the names inside a call being checked (and the statements after it) have
    no parent yet: ``ctx.enclosing_function`` and ``reaching_values`` would then see
    the module scope. This links the whole enclosing function (or module) once; the
    links are the ones the walk records later anyway.

    Args:
        ctx: The file being checked.
        node: A node the walk has reached (e.g. the call being checked).
    """
    scope: ast.AST = ctx.enclosing_function(node) or ctx.tree
    linked: Set[int] = ctx.cached(("sql", "linked"), set)
    if id(scope) in linked:
        return
    linked.add(id(scope))
    link_parents(scope, ctx.parents)


# ---- per-scope indexes ------------------------------------------------------------
def _scope_of(ctx: FileContext, node: ast.AST) -> ast.AST:
    return ctx.enclosing_function(node) or ctx.tree


class _ScopeFacts:
    # Facts about one scope, computed once: loop sources, guards, list mutations.

    def __init__(self, scope: ast.AST) -> None:
        self.loop_iters: Dict[Tuple[int, int], ast.expr] = {}
        # list.append/extend/insert, set.add, dict.update: (line, value, many)
        self.mutations: Dict[str, List[Tuple[int, ast.expr, bool]]] = {}
        self.guards: Dict[str, List[Tuple[int, int, ast.expr]]] = {}
        self.contained: Dict[str, List[Tuple[int, int, ast.expr]]] = {}
        for node in scope_nodes(scope, decorators=True):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                self._loop(node.target, node.iter)
            elif isinstance(node, ast.Call):
                self._mutation(node)
            elif isinstance(node, ast.If):
                self._guard(node)
            elif isinstance(node, ast.Assert):
                self._assert(node)

    def _loop(self, target: ast.AST, iterable: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.loop_iters[(target.lineno, target.col_offset)] = iterable
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._loop(elt, iterable)

    def _mutation(self, call: ast.Call) -> None:
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.attr
            in ("append", "extend", "insert", "add", "update", "appendleft")
        ):
            return
        args = list(call.args[1:] if func.attr == "insert" else call.args)
        args += [kw.value for kw in call.keywords]
        items = self.mutations.setdefault(func.value.id, [])
        for arg in args:
            items.append((call.lineno, arg, func.attr in ("extend", "update")))

    def _guard(self, node: ast.If) -> None:
        test = node.test
        if not isinstance(test, ast.Compare) or len(test.ops) != 1:
            return
        left = test.left
        if not isinstance(left, ast.Name):
            return
        container = test.comparators[0]
        if isinstance(test.ops[0], (ast.NotIn, ast.NotEq)) and _exits_or_resets(
            node.body, left.id
        ):
            end = getattr(node, "end_lineno", node.lineno) or node.lineno
            self.guards.setdefault(left.id, []).append((end, 0, container))
        elif isinstance(test.ops[0], (ast.In, ast.Eq)) and node.body:
            first = node.body[0]
            last = node.body[-1]
            span = (
                first.lineno,
                getattr(last, "end_lineno", last.lineno) or last.lineno,
            )
            self.contained.setdefault(left.id, []).append((span[0], span[1], container))

    def _assert(self, node: ast.Assert) -> None:
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.In, ast.Eq))
            and isinstance(test.left, ast.Name)
        ):
            self.guards.setdefault(test.left.id, []).append(
                (node.lineno, 0, test.comparators[0])
            )


def _exits_or_resets(body: List[ast.stmt], name: str) -> bool:
    # Return True when a guard body leaves the function or rebinds ``name``.
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Raise, ast.Return, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        called = (
            func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        )
        if called in ("abort", "exit", "fail") or called.startswith("raise"):
            return True
    for stmt in body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in stmt.targets
        ):
            return True
    return False


def _facts(ctx: FileContext, scope: ast.AST) -> _ScopeFacts:
    return ctx.cached(("sql", "facts", id(scope)), lambda: _ScopeFacts(scope))


def _class_constants(ctx: FileContext, cls: ast.ClassDef) -> Dict[str, ast.expr]:
    # Class-body names bound once and never assigned through ``self``/``cls``.

    def compute() -> Dict[str, ast.expr]:
        counts: Dict[str, int] = {}
        values: Dict[str, ast.expr] = {}
        for stmt in cls.body:
            targets: List[ast.expr] = []
            value: Optional[ast.expr] = None
            if isinstance(stmt, ast.Assign):
                targets, value = list(stmt.targets), stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            for target in targets:
                if isinstance(target, ast.Name) and value is not None:
                    counts[target.id] = counts.get(target.id, 0) + 1
                    values[target.id] = value
        for node in walk_nodes(cls):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in ("self", "cls")
                    ):
                        counts[target.attr] = counts.get(target.attr, 0) + 2
        return {name: values[name] for name, count in counts.items() if count == 1}

    return ctx.cached(("sql", "class-constants", id(cls)), compute)


def _enclosing_class(ctx: FileContext, node: ast.AST) -> Optional[ast.ClassDef]:
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.ClassDef):
            return ancestor
    return None


# ---- is a value fixed by the code? --------------------------------------------------
class _Static:
    # One static-ness query; ``seen`` stops cycles through variables.

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.seen: Set[int] = set()

    def check(
        self,
        node: Optional[ast.AST],
        env: FrozenSet[str] = frozenset(),
        dyn: FrozenSet[str] = frozenset(),
        depth: int = 0,
    ) -> bool:
        if node is None or depth > _MAX_DEPTH:
            return False
        d = depth + 1
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.check(v, env, dyn, d) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            if _numeric_format(node.format_spec):
                return True  # f"{limit:d}" fails unless limit is a number
            return self.check(node.value, env, dyn, d)
        if isinstance(node, ast.Name):
            return self._name(node, env, dyn, d)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, env, dyn, d)
        if isinstance(node, ast.BinOp):
            return self._binop(node, env, dyn, d)
        if isinstance(node, ast.UnaryOp):
            return self.check(node.operand, env, dyn, d)
        if isinstance(node, ast.BoolOp):
            return all(self.check(v, env, dyn, d) for v in node.values)
        if isinstance(node, ast.Compare):
            return True  # a bool
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return all(self.check(e, env, dyn, d) for e in node.elts)
        if isinstance(node, ast.Starred):
            return self.check(node.value, env, dyn, d)
        if isinstance(node, ast.Dict):
            return all(
                v is None or self.check(v, env, dyn, d) for v in node.keys
            ) and all(self.check(v, env, dyn, d) for v in node.values)
        if isinstance(node, ast.IfExp):
            return self._ifexp(node, env, dyn, d)
        if isinstance(
            node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
        ):
            return self._comprehension(node, env, dyn, d)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, env, dyn, d)
        if isinstance(node, ast.Call):
            return self._call(node, env, dyn, d)
        if isinstance(node, ast.NamedExpr):
            return self.check(node.value, env, dyn, d)
        return False

    # -- names ---------------------------------------------------------------------
    def _name(
        self, node: ast.Name, env: FrozenSet[str], dyn: FrozenSet[str], d: int
    ) -> bool:
        name = node.id
        if name in env:
            return True
        if name in dyn:
            return False
        if name in ("True", "False", "None"):
            return True
        ctx = self.ctx
        scope = _scope_of(ctx, node)
        scope_bindings = bindings(ctx, scope).get(name)  # type: ignore[arg-type]
        if not scope_bindings:
            return self._global(node, d)
        if self._guarded(node, scope):
            return True
        facts = _facts(ctx, scope)
        loop = _loop_span(ctx, node, scope)
        relevant = _reaching(ctx, node, scope, scope_bindings)
        if not relevant:
            return self._global(node, d)
        key = id(node)
        if key in self.seen:
            return True  # a cycle adds nothing new
        self.seen.add(key)
        for line, col, value in relevant:
            if value is None:
                iterable = facts.loop_iters.get((line, col))
                if iterable is None or not self._iterable(iterable, env, dyn, d):
                    return False
            elif isinstance(value, ast.AugAssign):
                if not self.check(value.value, env, dyn, d):
                    return False
            elif not self.check(value, env, dyn, d):
                return False
        for line, added, _many in facts.mutations.get(name, ()):
            if line > node.lineno and not (
                loop is not None and loop[0] <= line <= loop[1]
            ):
                continue
            if not self.check(added, env, dyn, d):
                return False
        return True

    def _global(self, node: ast.Name, d: int) -> bool:
        ctx = self.ctx
        name = node.id
        value = ctx.module_constants.get(name)
        if value is not None:
            if _is_upper(name):
                return True
            if id(value) in self.seen:
                return True
            self.seen.add(id(value))
            return self.check(value, depth=d)
        return _is_upper(name)  # also imported constants: from .config import TABLE

    def _guarded(self, node: ast.Name, scope: ast.AST) -> bool:
        facts = _facts(self.ctx, scope)
        line = node.lineno
        for end, _, container in facts.guards.get(node.id, ()):
            if end < line and self._container(container):
                return True
        for start, end, container in facts.contained.get(node.id, ()):
            if start <= line <= end and self._container(container):
                return True
        return False

    def _container(self, node: ast.expr) -> bool:
        return self.check(node)

    def _iterable(
        self, node: ast.expr, env: FrozenSet[str], dyn: FrozenSet[str], d: int
    ) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("range", "enumerate", "zip", "sorted", "reversed"):
                if node.func.id == "range":
                    return True
                return all(self._iterable(a, env, dyn, d) for a in node.args)
        return self.check(node, env, dyn, d)

    # -- attributes ------------------------------------------------------------------
    def _attribute(
        self, node: ast.Attribute, env: FrozenSet[str], dyn: FrozenSet[str], d: int
    ) -> bool:
        attr = node.attr
        if attr in _IDENTIFIER_ATTRS:
            return True
        if _is_upper(attr):
            return attr not in _REQUEST_ATTRS and not _from_request(node.value)
        if (
            attr in ("value", "name")
            and isinstance(node.value, ast.Attribute)
            and _is_upper(node.value.attr)
        ):
            return True  # Status.ACTIVE.value: an enum member
        if isinstance(node.value, ast.Attribute) and node.value.attr in (
            "_meta",
            "__table__",
        ):
            return attr in ("db_table", "name", "fullname", "model_name")
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            cls = _enclosing_class(self.ctx, node)
            if cls is not None:
                value = _class_constants(self.ctx, cls).get(attr)
                if value is not None and id(value) not in self.seen:
                    self.seen.add(id(value))
                    return self.check(value, depth=d)
        return False

    # -- operators ---------------------------------------------------------------------
    def _binop(
        self, node: ast.BinOp, env: FrozenSet[str], dyn: FrozenSet[str], d: int
    ) -> bool:
        left = self.check(node.left, env, dyn, d)
        right = self.check(node.right, env, dyn, d)
        if left and right:
            return True
        if isinstance(node.op, ast.Mult):
            # ["%s"] * len(ids), "?," * n: a constant sequence repeated;
            # (page - 1) * size: a number
            if (left and _is_sequence_literal(node.left)) or (
                right and _is_sequence_literal(node.right)
            ):
                return True
            if _is_sequence_literal(node.left) or _is_sequence_literal(node.right):
                return False  # (name,) * 7: a non-static sequence repeated
            return _is_derived_number(node.left) or _is_derived_number(node.right)
        if isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow)):
            return True  # arithmetic: a number, whatever its operands
        return False

    def _ifexp(
        self, node: ast.IfExp, env: FrozenSet[str], dyn: FrozenSet[str], d: int
    ) -> bool:
        test = node.test
        body_ok = self.check(node.body, env, dyn, d)
        if (
            not body_ok
            and isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.In, ast.Eq))
            and isinstance(test.left, ast.Name)
            and isinstance(node.body, ast.Name)
            and node.body.id == test.left.id
        ):
            body_ok = self.check(test.comparators[0], env, dyn, d)
        return body_ok and self.check(node.orelse, env, dyn, d)

    def _comprehension(
        self, node: ast.AST, env: FrozenSet[str], dyn: FrozenSet[str], d: int
    ) -> bool:
        inner_env = set(env)
        inner_dyn = set(dyn)
        for gen in node.generators:  # type: ignore[attr-defined]
            names = {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
            if self._iterable(gen.iter, frozenset(inner_env), frozenset(inner_dyn), d):
                inner_env |= names
                inner_dyn -= names
            else:
                inner_dyn |= names
                inner_env -= names
        fenv, fdyn = frozenset(inner_env), frozenset(inner_dyn)
        if isinstance(node, ast.DictComp):
            return self.check(node.key, fenv, fdyn, d) and self.check(
                node.value, fenv, fdyn, d
            )
        return self.check(node.elt, fenv, fdyn, d)  # type: ignore[attr-defined]

    def _subscript(
        self, node: ast.Subscript, env: FrozenSet[str], dyn: FrozenSet[str], d: int
    ) -> bool:
        # a value picked from a constant table (an allow-list) is constant
        return self.check(node.value, env, dyn, d)

    # -- calls -------------------------------------------------------------------------
    def _call(
        self, node: ast.Call, env: FrozenSet[str], dyn: FrozenSet[str], d: int
    ) -> bool:
        func = node.func
        args = list(node.args) + [kw.value for kw in node.keywords]
        if isinstance(func, ast.Name):
            if func.id in _NUMERIC_CALLS and func.id not in self.ctx.aliases:
                return True
            if func.id in (
                "str",
                "list",
                "tuple",
                "set",
                "frozenset",
                "sorted",
                "dict",
            ):
                return all(self.check(a, env, dyn, d) for a in args)
            if func.id in ("map", "filter") and node.args:
                callee = node.args[0]
                if isinstance(callee, ast.Name) and callee.id in _NUMERIC_CALLS:
                    return True
                return all(self.check(a, env, dyn, d) for a in node.args[1:])
            if func.id == "range":
                return True
        name = _callee_name(func)
        if name and _SANITISER_RE.match(name):
            return True
        if isinstance(func, ast.Name) and self._aliases_sanitiser(func):
            return True  # qn = connection.ops.quote_name; qn(table)
        if name in _DB_QUOTERS and isinstance(func, ast.Attribute):
            owner = _callee_name(func.value) or ""
            if _DB_OWNER_RE.search(owner):
                return True
        if name in _CONTAINER_CALLS:
            return all(self.check(a, env, dyn, d) for a in args)
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if (
                func.attr in ("join", "format", "format_map")
                or func.attr in _STR_METHODS
            ):
                return self.check(receiver, env, dyn, d) and all(
                    self.check(a, env, dyn, d) for a in args
                )
            if func.attr == "get" and node.args:
                # CONSTANT_TABLE.get(key, "default")
                return self.check(receiver, env, dyn, d) and all(
                    self.check(a, env, dyn, d) for a in node.args[1:]
                )
            if func.attr in ("count", "index", "find", "rfind", "bit_length"):
                return True  # a number
        return False

    def _aliases_sanitiser(self, func: ast.Name) -> bool:
        values = _relevant_values(self.ctx, func)
        return bool(values) and all(
            isinstance(v, (ast.Attribute, ast.Name))
            and _SANITISER_RE.match(_callee_name(v) or "") is not None
            for v in values
        )


def _is_number(node: ast.AST) -> bool:
    # An expression that can only be a number: arithmetic other than + and *,
    # a numeric literal, int()/len()/float() calls.
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow)) or (
            _is_number(node.left) and _is_number(node.right)
        )
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.USub, ast.UAdd))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in _NUMERIC_CALLS
    return False


def _is_derived_number(node: ast.AST) -> bool:
    # A number computed from other values ((page - 1), int(x), len(x)); a literal
    # multiplier alone (x * 7) says nothing about x.
    return _is_number(node) and not isinstance(node, ast.Constant)


def _numeric_format(spec: Optional[ast.expr]) -> bool:
    if not isinstance(spec, ast.JoinedStr) or len(spec.values) != 1:
        return False
    text = spec.values[0]
    return (
        isinstance(text, ast.Constant)
        and isinstance(text.value, str)
        and text.value[-1:] in _NUMERIC_SPECS
    )


def _from_request(node: ast.AST) -> bool:
    # request.GET, self.request.POST, req.META: request data, not constants
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Attribute) and "request" in node.attr.lower():
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and node.id.lower() in ("request", "req", "r")


def _callee_name(func: ast.AST) -> Optional[str]:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_upper(name: str) -> bool:
    stripped = name.strip("_")
    return len(stripped) > 1 and stripped.isupper() and stripped[0].isalpha()


def _is_sequence_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes))
    return isinstance(node, (ast.List, ast.Tuple, ast.JoinedStr))


def _reaching(
    ctx: FileContext,
    node: ast.Name,
    scope: ast.AST,
    all_bindings: List[Tuple[int, int, Optional[ast.AST]]],
) -> List[Tuple[int, int, Optional[ast.AST]]]:
    # Bindings that may reach ``node``: before it (or in a loop around it), minus
    # those overwritten by a later plain assignment that always runs before the use.
    loop = _loop_span(ctx, node, scope)
    use = (node.lineno, node.col_offset)
    relevant = [
        b
        for b in all_bindings
        if (b[0], b[1]) < use or (loop is not None and loop[0] <= b[0] <= loop[1])
    ]
    for index in range(len(relevant) - 1, 0, -1):
        line, col, value = relevant[index]
        if (line, col) >= use or value is None or isinstance(value, ast.AugAssign):
            continue
        statement = ctx.parent(value)
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and _dominates(
            ctx, statement, node
        ):
            return relevant[index:]
    return relevant


def _dominates(ctx: FileContext, statement: ast.stmt, use: ast.AST) -> bool:
    # Return True when ``statement`` always runs before ``use`` (same block).
    block_owner = ctx.parent(statement)
    if block_owner is None:
        return False
    child: ast.AST = use
    for ancestor in ctx.ancestors(use):
        if ancestor is block_owner:
            break
        child = ancestor
    else:
        return False
    for field in ("body", "orelse", "finalbody"):
        items = getattr(block_owner, field, None)
        if isinstance(items, list) and statement in items and child in items:
            return items.index(statement) < items.index(child)
    return False


def _loop_span(
    ctx: FileContext, node: ast.AST, scope: ast.AST
) -> Optional[Tuple[int, int]]:
    span = None
    for ancestor in ctx.ancestors(node):
        if ancestor is scope:
            break
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
            span = (ancestor.lineno, getattr(ancestor, "end_lineno", ancestor.lineno))
    return span


def is_static(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    """Return True when the value of ``node`` is fixed by the code.

    Args:
        ctx: The file being checked.
        node: An expression the walk has reached.

    Returns:
        True for constants and for values built only from static parts (see the
        module docstring); False when any part may come from outside.
    """
    return _Static(ctx).check(node)


# ---- is it a string built with a non-static part? ----------------------------------
def _relevant_values(ctx: FileContext, node: ast.Name) -> List[Optional[ast.AST]]:
    # Return the values a local name may hold at ``node`` (see reaching_values).
    scope = _scope_of(ctx, node)
    all_bindings = bindings(ctx, scope).get(node.id)  # type: ignore[arg-type]
    if not all_bindings:
        return []
    return [value for _, _, value in _reaching(ctx, node, scope, all_bindings)]


class _Builder:
    # One unsafe-build query: the construction kind of the first unsafe part.

    def __init__(
        self, ctx: FileContext, wrapper_is_sink: Optional[SinkPredicate] = None
    ) -> None:
        self.ctx = ctx
        self.static = _Static(ctx)
        self.seen: Set[int] = set()
        self.wrapper_is_sink = wrapper_is_sink

    def is_static(self, node: Optional[ast.AST]) -> bool:
        self.static.seen = set()
        return self.static.check(node)

    def find(self, node: Optional[ast.AST], depth: int = 0) -> Optional[str]:
        if node is None or depth > _MAX_DEPTH:
            return None
        d = depth + 1
        if isinstance(node, ast.JoinedStr):
            return None if self.is_static(node) else F_STRING
        if isinstance(node, ast.BinOp):
            return self._binop(node, d)
        if isinstance(node, ast.Call):
            return self._call(node, d)
        if isinstance(node, ast.Name):
            return self._name(node, d)
        if isinstance(node, ast.IfExp):
            return self.find(node.body, d) or self.find(node.orelse, d)
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                found = self.find(value, d)
                if found:
                    return found
            return None
        if isinstance(node, ast.NamedExpr):
            return self.find(node.value, d)
        return None

    def _binop(self, node: ast.BinOp, d: int) -> Optional[str]:
        if isinstance(node.op, ast.Mod):
            if self.is_static(node.right):
                return self.find(node.left, d)
            return PERCENT
        if isinstance(node.op, ast.Add):
            if self.is_static(node):
                return None
            for side in (node.left, node.right):
                if isinstance(side, ast.JoinedStr) and not self.is_static(side):
                    return F_STRING
            inner = self.find(node.left, d) or self.find(node.right, d)
            if inner in (F_STRING, PERCENT, FORMAT, JOIN):
                return inner
            return CONCAT
        return None

    def _call(self, node: ast.Call, d: int) -> Optional[str]:
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if _is_composition(receiver):
                # psycopg sql.SQL("...").format(sql.Identifier(x)) / .join(...)
                return self._wrapped(receiver, d)
            if func.attr in ("format", "format_map") and _is_text_receiver(receiver):
                if self.is_static(node):
                    return None
                return FORMAT
            if func.attr == "join" and node.args and self._is_separator(receiver):
                if self.is_static(node):
                    return None
                return JOIN
            if func.attr in _WRAPPER_METHODS and isinstance(receiver, ast.Call):
                return self._call(receiver, d)
        name = _callee_name(func)
        if name in SQL_WRAPPERS:
            return self._wrapped(node, d)
        return None

    def _is_separator(self, receiver: ast.expr) -> bool:
        # ``", ".join(...)``: the receiver is a string (not ``select(...).join``).
        if isinstance(receiver, (ast.Constant, ast.JoinedStr)):
            return isinstance(getattr(receiver, "value", ""), str)
        if isinstance(receiver, (ast.Name, ast.Attribute)):
            value = const_value(self.ctx, receiver)
            if isinstance(value, str):
                return True
            if isinstance(receiver, ast.Name):
                values = _relevant_values(self.ctx, receiver)
                return bool(values) and all(
                    isinstance(v, ast.Constant) and isinstance(v.value, str)
                    for v in values
                )
        return False

    def _wrapped(self, node: ast.AST, d: int) -> Optional[str]:
        # Judge the SQL inside ``text(...)``/``sql.SQL(...)`` unless reported there.
        if not isinstance(node, ast.Call):
            return None
        if self.wrapper_is_sink is not None and self.wrapper_is_sink(node):
            return None
        if not node.args:
            for kw in node.keywords:
                if kw.arg in ("text", "sql", "string"):
                    return self.find(kw.value, d)
            return None
        return self.find(node.args[0], d)

    def _name(self, node: ast.Name, d: int) -> Optional[str]:
        key = id(node)
        if key in self.seen:
            return None
        self.seen.add(key)
        for value in _relevant_values(self.ctx, node):
            if value is None:
                continue
            if isinstance(value, ast.AugAssign):
                if self.is_static(value.value):
                    continue
                if isinstance(value.op, ast.Add):
                    if isinstance(value.value, ast.JoinedStr):
                        return F_STRING
                    inner = self.find(value.value, d)
                    return inner if inner in (PERCENT, FORMAT, JOIN) else CONCAT
                if isinstance(value.op, ast.Mod):
                    return PERCENT
                continue
            found = self.find(value, d)
            if found:
                return found
        return None


def _is_text_receiver(node: ast.expr) -> bool:
    # Return True when ``node.format(...)`` is ``str.format`` on a template.
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, (ast.JoinedStr, ast.Name, ast.Attribute, ast.BinOp)):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in _STR_METHODS  # "...".strip().format(...)
    return False


def _is_composition(node: ast.AST) -> bool:
    # Return True for a psycopg ``sql.SQL(...)``/``sql.Composed(...)`` object.
    if isinstance(node, ast.Call):
        name = _callee_name(node.func)
        return name in ("SQL", "Composed", "Identifier", "Literal", "Placeholder")
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "sql" and node.attr in ("SQL", "Composed")
    return False


def unsafe_build(
    ctx: FileContext,
    node: Optional[ast.AST],
    wrapper_is_sink: Optional[SinkPredicate] = None,
) -> Optional[str]:
    """Return how ``node`` builds a string from a non-static part, or None.

    Args:
        ctx: The file being checked.
        node: The expression passed to a sink.
        wrapper_is_sink: Optional predicate; a ``text()``/``sql.SQL()`` call for
            which it returns True is reported on its own and not looked into.

    Returns:
        ``"an f-string"``, ``"% formatting"``, ``".format()"``,
        ``"concatenation"`` or ``"str.join()"``; None when the value is not built,
        or is built from static parts only.
    """
    return _Builder(ctx, wrapper_is_sink).find(node)


# ---- constant text, for "does it look like SQL?" ------------------------------------
def sql_text(ctx: FileContext, node: Optional[ast.AST]) -> str:
    """Return the constant text of a string construction, through local variables.

    Args:
        ctx: The file being checked.
        node: The expression passed to a sink.

    Returns:
        The constant fragments found (joined by spaces), possibly empty.
    """
    parts: List[str] = []
    seen: Set[int] = set()
    stack: List[Tuple[ast.AST, int]] = [(node, 0)] if node is not None else []
    while stack and len(parts) < 200:
        current, depth = stack.pop()
        if depth > _MAX_DEPTH or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ast.Constant):
            if isinstance(current.value, str):
                parts.append(current.value)
            continue
        if isinstance(current, ast.Name):
            values = _relevant_values(ctx, current)
            if not values:
                module_value = ctx.module_constants.get(current.id)
                if module_value is not None:
                    value = const_value(ctx, module_value)
                    if isinstance(value, str):
                        parts.append(value)
                    else:
                        stack.append((module_value, depth + 1))
            for value in values:
                if value is not None:
                    stack.append((value, depth + 1))
            continue
        if isinstance(current, ast.AugAssign):
            stack.append((current.value, depth + 1))
            continue
        if isinstance(current, ast.Attribute):
            value = const_value(ctx, current)
            if value is not UNKNOWN and isinstance(value, str):
                parts.append(value)
            continue
        if isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            stack.append((current.func.value, depth + 1))
            for arg in current.args:
                stack.append((arg, depth + 1))
            continue
        if isinstance(current, ast.Call):
            for arg in current.args[:1]:
                stack.append((arg, depth + 1))
            continue
        for child in ast.iter_child_nodes(current):
            stack.append((child, depth + 1))
    return " ".join(reversed(parts))


def locally_bound(ctx: FileContext, node: ast.Name) -> bool:
    """Return True when ``node``'s name is bound in the file rather than imported.

    A parameter, local variable or nested def of an enclosing function, or a def,
    class or assignment at module level hides a builtin or a module-level import
    of the same name.

    Args:
        ctx: The file being checked.
        node: A name the walk has reached.

    Returns:
        True when a binding in an enclosing function or at module level hides it.
    """
    prepare(ctx, node)
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.id in bindings(ctx, ancestor):
                return True
        elif isinstance(ancestor, ast.Lambda):
            args = ancestor.args
            names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            if node.id in names:
                return True
    return node.id in bindings(ctx, ctx.tree)  # type: ignore[arg-type]
