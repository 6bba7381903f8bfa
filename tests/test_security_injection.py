"""Unit tests for the injection rules BG201-BG205 and analysis.sql."""

from __future__ import annotations

import ast
from typing import List, Tuple

import pytest

from flake8_backend_guard.analysis.sql import looks_like_sql
from helpers import check

CODES = ("BG201", "BG202", "BG203", "BG204", "BG205")


def _found(source: str, code: str) -> List[Tuple[int, str]]:
    findings = check(source, select=[code])
    assert not [f for f in findings if f.code == "BG000"], findings
    return [(f.line, f.message) for f in findings if f.code == code]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT id FROM users WHERE name = '",
        "select * from t where x = ",
        "INSERT INTO log VALUES (",
        "update users set name = '",
        "DELETE FROM sessions WHERE id = ",
        " WHERE id = ",
        " AND status = '",
        " ORDER BY ",
        "CREATE TABLE ",
        "PRAGMA table_info(",
    ],
)
def test_looks_like_sql(text: str) -> None:
    """SQL statements and clause fragments read as SQL.

    Args:
        text: Constant text from a query construction.
    """
    assert looks_like_sql(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ls -la ",
        "Please select a file from the list",
        "rm -rf /tmp/",
        "query { user(id: ",
        "https://api.example.com/items/",
        "Where are you from?",
    ],
)
def test_prose_is_not_sql(text: str) -> None:
    """Prose, shell commands, URLs and GraphQL do not read as SQL.

    Args:
        text: Constant text that is not SQL.
    """
    assert not looks_like_sql(text)


@pytest.mark.parametrize(
    "expr, how",
    [
        ("f\"SELECT * FROM t WHERE a = '{v}'\"", "f-string"),
        ("\"SELECT * FROM t WHERE a = '%s'\" % v", "% formatting"),
        ("\"SELECT * FROM t WHERE a = '{}'\".format(v)", ".format()"),
        ('"SELECT * FROM t WHERE a = \'" + v + "\'"', "concatenation"),
        ('"SELECT * FROM t WHERE a IN (" + ",".join(v) + ")"', "join"),
    ],
)
def test_bg201_names_the_construction(expr: str, how: str) -> None:
    """The message says how the SQL was built and how to fix it.

    Args:
        expr: The SQL argument passed to ``cursor.execute``.
        how: The construction the message must name.
    """
    found = _found(f"def f(cursor, v):\n    cursor.execute({expr})\n", "BG201")
    assert len(found) == 1
    assert how in found[0][1]
    assert "pass values as parameters" in found[0][1]


def test_bg201_follows_statements() -> None:
    """A query built over several statements is followed to the sink."""
    source = """
    def f(cursor, v):
        q = "SELECT * FROM t"
        q += " WHERE name = '" + v + "'"
        rows = cursor.execute(q)
        return rows
    """
    assert [line for line, _ in _found(source, "BG201")] == [5]


def test_bg201_constant_only_variable_is_quiet() -> None:
    """A variable that only ever holds constants is not SQL string building."""
    source = """
    TABLE = "users"

    def f(cursor, v, flag):
        q = f"SELECT * FROM {TABLE}"
        if flag:
            q += " WHERE active"
        q = q + " LIMIT %s"
        cursor.execute(q, (v,))
    """
    assert _found(source, "BG201") == []


def test_bg201_reassigned_parameter_is_static() -> None:
    """A parameter overwritten by a constant before the use is constant."""
    source = """
    def f(cursor, order):
        order = "DESC" if order == "desc" else "ASC"
        cursor.execute(f"SELECT * FROM t ORDER BY id {order}")
    """
    assert _found(source, "BG201") == []


def test_bg201_conditional_reassignment_is_not_static() -> None:
    """A parameter overwritten only on one branch may still hold the input."""
    source = """
    def f(cursor, order, flag):
        if flag:
            order = "ASC"
        cursor.execute(f"SELECT * FROM t ORDER BY id {order}")
    """
    assert len(_found(source, "BG201")) == 1


def test_bg201_execute_on_unrelated_object() -> None:
    """`.execute` of a non-database object with non-SQL text is not judged."""
    source = """
    def f(runner, task_queue, name):
        runner.execute(f"deploy --tag {name}")
        task_queue.execute(name)
    """
    assert _found(source, "BG201") == []


def test_bg201_text_must_be_sqlalchemy() -> None:
    """Only SQLAlchemy's ``text`` is a sink; another ``text`` is not."""
    source = """
    from myapp.i18n import text

    def f(name):
        return text(f"Hello {name}, SELECT a plan FROM the list")
    """
    assert _found(source, "BG201") == []


def test_bg202_spawn_shell_forms() -> None:
    """Only os.spawn* calls that start a shell with -c are shell forms."""
    source = """
    import os

    def f(cmd, path):
        os.spawnlp(os.P_WAIT, "sh", "sh", "-c", cmd)
        os.spawnve(os.P_WAIT, "/bin/bash", ["bash", "-c", cmd], {})
        os.spawnle(os.P_WAIT, "/bin/sh", "sh", "-c", cmd, {"PATH": "/bin"})
        os.spawnlp(os.P_WAIT, "cp", "cp", path, "/backup")
        os.spawnv(os.P_WAIT, "/bin/sh", ["sh", "script.sh"])
    """
    assert [line for line, _ in _found(source, "BG202")] == [5, 6, 7]


def test_bg203_session_attribute_in_class() -> None:
    """``self.session = requests.Session()`` makes ``self.session.get`` a session."""
    source = """
    import requests

    class Client:
        def __init__(self):
            self.session = requests.Session()
            self.cache = {}

        def fetch(self, url):
            self.cache.get(url)
            return self.session.get(url)
    """
    assert [line for line, _ in _found(source, "BG203")] == [11]


def test_bg204_yaml_loader_alias_fallback() -> None:
    """The C-loader fallback idiom resolves to the loader finally imported."""
    unsafe = """
    import yaml
    try:
        from yaml import CLoader as Loader
    except ImportError:
        from yaml import Loader

    def f(stream):
        return yaml.load(stream, Loader=Loader)
    """
    safe = unsafe.replace("CLoader as Loader", "CSafeLoader as Loader").replace(
        "from yaml import Loader", "from yaml import SafeLoader as Loader"
    )
    assert len(_found(unsafe, "BG204")) == 1
    assert _found(safe, "BG204") == []


def test_bg205_syntax_check_only() -> None:
    """A dropped ``compile()`` result is a syntax check; a kept one is code."""
    source = """
    def f(src):
        compile(src, "<input>", "eval")
        code = compile(src, "<input>", "exec")
        exec(code)
    """
    assert [line for line, _ in _found(source, "BG205")] == [4]


ODD_SOURCE = """
import os, subprocess, pickle, yaml, requests
from sqlalchemy import text

def f(cursor, *a, **kw):
    cursor.execute(*a)
    cursor.execute(**kw)
    cursor.execute()
    text()
    eval(*a)
    exec(**kw)
    compile()
    yaml.load(*a)
    yaml.load(**kw)
    os.spawnl(*a)
    os.spawnv(os.P_WAIT, "/bin/sh", a)
    requests.get(**kw)
    (lambda q: cursor.execute(f"SELECT * FROM t WHERE x={q}"))(1)
    if (q := f"SELECT * FROM t WHERE id = {a}"):
        cursor.execute(q)
    match a:
        case [x]:
            cursor.execute("DELETE FROM t WHERE id = " + x)
    x = y = f"SELECT * FROM t WHERE id = {a}"
    cursor.execute(y)

    class K:
        q = f"SELECT {a}"
        cursor.execute(q)
"""


@pytest.mark.parametrize("code", CODES)
def test_unusual_syntax_never_crashes(code: str) -> None:
    """Star-args, missing arguments, walrus, match and lambdas raise no BG000.

    Args:
        code: The rule under test.
    """
    ast.parse(ODD_SOURCE)
    findings = check(ODD_SOURCE, select=[code])
    assert not [f for f in findings if f.code == "BG000"], findings
