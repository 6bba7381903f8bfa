"""BG201 sql-string-building: SQL built from values instead of bound parameters.

Sinks: ``.execute``, ``.executemany``, ``.executescript``, ``.mogrify``, ``.raw``,
``.extra``, SQLAlchemy ``text()``, Django ``RawSQL()``, pandas ``read_sql``/
``read_sql_query``, ``exec_driver_sql``; also the asyncpg/``databases`` query methods
(``fetch``, ``fetchrow``, ``fetchval``, ``fetch_all``, ``fetch_one``, ``fetch_val``),
peewee's ``execute_sql`` and Tortoise's ``execute_query``/``execute_query_dict``,
which take SQL the same way, and the names applications give their own helpers
around a cursor (``db.execute_read(sql)``, ``run_query``, ``query_db``...).

Only the SQL argument is judged, and only when it is *built* (f-string, ``%``,
``.format()``, ``+``/``+=``, ``join``) from a part that is not static (see
:mod:`..analysis.sql`), directly or through a local variable of the same function.
``.execute``/``.executemany``/``.raw`` and the other query methods exist on objects
that are not databases (``executor.execute(task)``, ``shell.execute(cmd)``,
``http.fetch(url)``): there the string must read like SQL (``SELECT ... FROM``,
``INSERT INTO``, ``" WHERE x = "``...) or the receiver must be named like a
database handle (``cursor``, ``conn``, ``db``, ``session``, ``engine``) or be
created by ``.cursor()``/``connect()``.

``text()`` is SQLAlchemy's only (``sqlalchemy.text``, ``sqlalchemy.sql.text``,
``sa.text``, ``sqlmodel.text``, Flask-SQLAlchemy's ``db.text``), not a local function
of that name. A ``text()``/``RawSQL()`` call is reported where it is made; the
``execute`` it is passed to is then not reported again. Placeholders with a
parameters argument are safe whenever the SQL string itself is static, also an
f-string of constants (``f"SELECT * FROM {TABLE} WHERE id = %s"``).
"""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional

from ...analysis.dataflow import reaching_values
from ...analysis.names import split_name
from ...analysis.sql import (
    SinkPredicate,
    locally_bound,
    looks_like_sql,
    prepare,
    sql_text,
    unsafe_build,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG201",
    name="sql-string-building",
    message="`{sink}` receives SQL built with {how}",
    hint='pass values as parameters: cursor.execute("... WHERE id = %s", (user_id,))',
    rationale=(
        "Why is this bad? A value pasted into SQL text becomes SQL: a name such as "
        "`x' OR '1'='1` or `1; DROP TABLE users` changes what the query does (SQL "
        "injection, the most exploited web flaw for two decades). Placeholders "
        "(`%s`, `?`, `:name`, `$1`) send the values separately from the statement, so "
        "the database never parses them as SQL. Table or column names that must vary "
        "are picked from a fixed allow-list or quoted with `psycopg.sql.Identifier`. "
        "Unlike a regular expression over every string that looks like SQL, this rule "
        "looks only at what reaches a query function, follows the query through local "
        "variables (also when it is built over several statements with `+=`), and "
        "stays "
        "quiet on SQL built only from constants and on log messages."
    ),
    bad=Example(
        "def find_user(cursor, name):\n"
        "    cursor.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n"
        "    return cursor.fetchone()\n"
    ),
    good=Example(
        "def find_user(cursor, name):\n"
        '    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))\n'
        "    return cursor.fetchone()\n"
    ),
    severity="error",
    cwe=89,
    overlaps=("S608", "B608"),
    # Every sink is named in the file: a query method (``execute``, ``mogrify``,
    # ``*sql*``, ``raw``, ``fetch*``, ``extra``), ``text()`` of sqlalchemy or sqlmodel
    # (or ``db.text``), ``RawSQL``.
    requires=("execute", "mogrify", "sql", "raw", "fetch", "extra", "db"),
)

# Sinks whose name alone says "SQL".
_STRONG_ATTRS = frozenset(
    {"executescript", "mogrify", "exec_driver_sql", "read_sql", "read_sql_query"}
)
# Names applications give their own query helpers, as methods or functions: judged
# like ``execute`` (a database receiver, or an argument that reads as SQL).
_HELPERS = frozenset(
    {
        "execute_read",
        "execute_write",
        "execute_raw",
        "execute_statement",
        "exec_sql",
        "run_query",
        "run_sql",
        "raw_query",
        "query_db",
        "db_query",
    }
)
# Sinks whose name is shared with non-database objects.
_WEAK_ATTRS = frozenset(
    {
        "execute",
        "executemany",
        "raw",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetch_all",
        "fetch_one",
        "fetch_val",
        "execute_sql",
        "execute_query",
        "execute_query_dict",
    }
) | _HELPERS
_NAME_SINKS = frozenset({"text", "TextClause", "RawSQL", "read_sql", "read_sql_query"})
_ATTRS = (
    _STRONG_ATTRS | _WEAK_ATTRS | frozenset({"extra", "text", "TextClause", "RawSQL"})
)
_SQL_KEYWORDS = (
    "sql",
    "query",
    "operation",
    "statement",
    "stmt",
    "raw_query",
    "sql_script",
)
_DB_SUBSTRINGS = ("cursor", "conn", "session", "engine", "database")
_DB_PARTS = frozenset(
    {"db", "cur", "curs", "con", "sess", "tx", "txn", "pool", "pg", "sqlite"}
)
_DB_FACTORIES = frozenset(
    {
        "cursor",
        "connect",
        "connection",
        "get_connection",
        "get_db",
        "get_conn",
        "get_cursor",
        "Session",
        "session",
        "SessionLocal",
        "begin",
        "acquire",
        "create_engine",
        "create_async_engine",
    }
)
_EXTRA_ARGS = ("select", "where", "params", "tables", "order_by")


def _is_text_sink(ctx: FileContext, call: ast.Call) -> bool:
    # ``sqlalchemy.text(...)`` (also ``sa.text``, ``sqlmodel.text``, ``db.text``).
    func = call.func
    qualname = ctx.qualname(func) or ""
    if qualname.rsplit(".", 1)[-1] not in ("text", "TextClause"):
        return False
    root = qualname.split(".")[0]
    if isinstance(func, ast.Attribute) and root in ("sqlalchemy", "sqlmodel"):
        return True
    if isinstance(func, ast.Attribute):
        owner = ctx.qualname(func.value) or ""
        return owner.split(".")[-1] == "db"  # Flask-SQLAlchemy's db.text
    return root in ("sqlalchemy", "sqlmodel") and not locally_bound(ctx, func)


def _is_raw_sql(ctx: FileContext, call: ast.Call) -> bool:
    qualname = ctx.qualname(call.func) or ""
    return qualname.split(".")[-1] == "RawSQL" and (
        qualname.startswith("django.") or "." not in qualname
    )


def _standalone_sink(ctx: FileContext) -> SinkPredicate:
    def check(call: ast.Call) -> bool:
        return _is_text_sink(ctx, call) or _is_raw_sql(ctx, call)

    return check


def _sql_argument(call: ast.Call) -> Optional[ast.expr]:
    if call.args:
        first = call.args[0]
        return None if isinstance(first, ast.Starred) else first
    for kw in call.keywords:
        if kw.arg in _SQL_KEYWORDS or kw.arg == "text":
            return kw.value
    return None


def _receiver_is_db(ctx: FileContext, receiver: ast.AST, depth: int = 0) -> bool:
    # Return True when ``receiver`` is named or created like a database handle.
    if depth > 3:
        return False
    if isinstance(receiver, ast.Call):
        func = receiver.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in _DB_FACTORIES or _name_is_db(name)
    name: Optional[str] = None
    if isinstance(receiver, ast.Attribute):
        name = receiver.attr
    elif isinstance(receiver, ast.Name):
        name = receiver.id
    if name is None:
        return False
    if _name_is_db(name):
        return True
    if name == "objects":
        return True
    if isinstance(receiver, ast.Name):
        for value in reaching_values(ctx, receiver):
            if isinstance(value, ast.AST) and _receiver_is_db(ctx, value, depth + 1):
                return True
    return False


def _name_is_db(name: str) -> bool:
    lowered = name.lower()
    if any(part in lowered for part in _DB_SUBSTRINGS):
        return True
    return any(part in _DB_PARTS for part in split_name(name))


def _display(func: ast.expr) -> str:
    try:
        text = ast.unparse(func)
    except Exception:  # pragma: no cover (unparse handles every expression)
        text = ""
    if not text or len(text) > 40 or "\n" in text:
        text = f".{func.attr}" if isinstance(func, ast.Attribute) else "query"
    return f"{text}()"


def _extra_fragments(call: ast.Call) -> List[ast.expr]:
    fragments: List[ast.expr] = []
    values: List[ast.expr] = list(call.args[:2])
    values += [
        kw.value
        for kw in call.keywords
        if kw.arg in ("select", "where", "tables", "order_by")
    ]
    for value in values:
        if isinstance(value, ast.Dict):
            fragments.extend(v for v in value.values if v is not None)
        elif isinstance(value, (ast.List, ast.Tuple)):
            fragments.extend(e for e in value.elts if not isinstance(e, ast.Starred))
    return fragments


@RULE.on(ast.Call, names=_ATTRS | _NAME_SINKS)
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if isinstance(func, ast.Attribute):
        attr = func.attr
        if attr not in _ATTRS:
            return
    elif isinstance(func, ast.Name):
        attr = func.id
        if attr in _HELPERS:
            pass  # a module-level helper: ``run_query(sql)``
        elif attr not in _NAME_SINKS:
            if attr not in ctx.aliases:
                return
            attr = ctx.aliases[attr].rsplit(".", 1)[-1]  # from x import text as t
            if attr not in _NAME_SINKS:
                return
    else:
        return
    prepare(ctx, node)
    sink_check = _standalone_sink(ctx)
    if attr in ("text", "TextClause", "RawSQL"):
        if not (_is_text_sink(ctx, node) or _is_raw_sql(ctx, node)):
            return
        how = unsafe_build(ctx, _sql_argument(node), sink_check)
        if how:
            yield RULE.finding(node, how=how, sink=_display(func))
        return
    if attr == "extra":
        if not isinstance(func, ast.Attribute):
            return
        for fragment in _extra_fragments(node):
            how = unsafe_build(ctx, fragment, sink_check)
            if how:
                yield RULE.finding(node, how=how, sink=_display(func))
                return
        return
    if attr in ("read_sql", "read_sql_query") and isinstance(func, ast.Name):
        qualname = ctx.qualname(func) or ""
        if not qualname.startswith("pandas"):
            return
    argument = _sql_argument(node)
    if argument is None:
        return
    how = unsafe_build(ctx, argument, sink_check)
    if not how:
        return
    if attr in _WEAK_ATTRS:
        strong = isinstance(func, ast.Attribute) and _receiver_is_db(ctx, func.value)
        if not strong and not looks_like_sql(sql_text(ctx, argument)):
            return
    yield RULE.finding(node, how=how, sink=_display(func))
