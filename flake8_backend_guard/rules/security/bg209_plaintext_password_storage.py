"""BG209 plaintext-password-storage: a password stored on a model without hashing."""

from __future__ import annotations

import ast
import re
from typing import Iterator, List, Optional, Tuple

from ...analysis.dataflow import reaching_values
from ...analysis.names import PASSWORD_WORDS, mentions_password, split_name
from ...analysis.secrets import (
    ClassFacts,
    class_facts,
    is_hash_like_name,
    is_hashed_value,
    known_classes,
    method_class_facts,
    plain_password_value,
    reach,
    value_name,
)
from ...analysis.values import const_value
from ...context import FileContext, source_excerpt
from ...options import Config
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG209",
    name="plaintext-password-storage",
    message="{what} stores a password in plain text",
    hint=(
        "store only a hash: `generate_password_hash(password)`, `bcrypt.hashpw(...)` "
        "or argon2's `PasswordHasher().hash(...)`"
    ),
    rationale=(
        "A password stored as typed is exposed to everyone who ever reads the "
        "database: a SQL injection, a leaked backup, a support engineer, a log of "
        "queries. Users reuse passwords, so the leak also opens their mail and bank "
        "accounts. Only a slow, salted hash (bcrypt, argon2, scrypt, PBKDF2) may be "
        "stored; a login compares hashes with the library's verify function. The rule "
        "looks at assignments of a `password` attribute on model and user objects, "
        "at password keywords of ORM model constructors and `Model.objects.create`, "
        "and at SQL `INSERT`/`UPDATE` statements and MongoDB writes that store a "
        "password value; a value from a hashing call (any call whose name contains "
        "`hash`, `bcrypt.hashpw`, `make_password`...) or a model with a `password` "
        "property setter that hashes is fine. An ORM look-up by the typed password "
        "(`User.query.filter_by(password=...)`, `User.objects.get(password=...)`) "
        "finds a row only when the column holds plain passwords, so it is reported "
        "too, and so is a login that compares the stored password with the typed "
        "one (`user.password == password`)."
    ),
    bad=Example(
        "from flask_sqlalchemy import SQLAlchemy\n\n"
        "db = SQLAlchemy()\n\n\n"
        "class User(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    password = db.Column(db.String(128))\n\n\n"
        "def register(form):\n"
        "    user = User(password=form.password.data)\n"
        "    db.session.add(user)\n"
    ),
    good=Example(
        "from flask_sqlalchemy import SQLAlchemy\n"
        "from werkzeug.security import generate_password_hash\n\n"
        "db = SQLAlchemy()\n\n\n"
        "class User(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    password_hash = db.Column(db.String(256))\n\n\n"
        "def register(form):\n"
        "    user = User(password_hash=generate_password_hash(form.password.data))\n"
        "    db.session.add(user)\n"
    ),
    severity="error",
    cwe=256,
    overlaps=(),
    # Password fields and values are named with a password word (``password``,
    # ``passwd``, ``passphrase``, ``pwd``) in one of its spellings.
    requires=("assw", "assphrase", "pwd"),  # case-insensitive
)

# Qualifiers that keep ``<qualifier>_password`` a user's password field.
_FIELD_QUALIFIERS = frozenset(
    {
        "user",
        "plain",
        "plaintext",
        "raw",
        "clear",
        "cleartext",
        "account",
        "login",
        "new",
    }
)
_USER_WORDS = frozenset(
    {
        "user",
        "account",
        "member",
        "customer",
        "admin",
        "employee",
        "person",
        "profile",
        "patient",
        "student",
        "player",
        "owner",
        "staff",
        "subscriber",
    }
)
_DB_MODULES = frozenset(
    {
        "sqlalchemy",
        "flask_sqlalchemy",
        "sqlmodel",
        "django",
        "peewee",
        "tortoise",
        "mongoengine",
        "pymongo",
        "motor",
        "beanie",
        "odmantic",
        "ormar",
        "piccolo",
        "pony",
        "databases",
        "asyncpg",
        "psycopg",
        "psycopg2",
        "sqlite3",
        "aiosqlite",
        "pymysql",
        "MySQLdb",
        "mysql",
        "redis",
        "flask_login",
        "flask_security",
        "fastapi_users",
    }
)
_QUERY_FUNCS = frozenset(
    {"get", "get_or_404", "first_or_404", "one_or_404", "query", "scalar"}
)
_MONGO_WRITES = frozenset(
    {
        "insert_one",
        "insert_many",
        "insert",
        "replace_one",
        "update_one",
        "update_many",
        "find_one_and_update",
        "find_one_and_replace",
    }
)
_SQL_STORE_RE = re.compile(
    r"\b(?:insert\s+(?:or\s+\w+\s+)?into|update\s+\S+\s+set|replace\s+into)\b", re.I
)


def _is_password_field(name: Optional[str]) -> bool:
    # ``password``, ``pwd``, ``user_password``, ``_password``; not ``db_password``.
    if not name:
        return False
    parts = split_name(name)
    if not parts or parts[-1] not in PASSWORD_WORDS or is_hash_like_name(name):
        return False
    return all(part in _FIELD_QUALIFIERS for part in parts[:-1])


def _is_hash_field(name: Optional[str]) -> bool:
    # ``hashed_password``, ``password_hash``: a field that must receive a hash.
    return bool(name) and mentions_password(name) and is_hash_like_name(name)


def _is_user_name(name: str) -> bool:
    parts = split_name(name)
    return bool(parts) and parts[-1] in _USER_WORDS


def _model_class(facts: Optional[ClassFacts]) -> bool:
    return facts is not None and (facts.orm or facts.userish)


def _setter_hashes(ctx: FileContext, receiver_name: str) -> bool:
    # Return True when the receiver's class probably hashes in a ``password`` setter.
    #
    # The classes of the file and those it imports whose name shares the receiver's
    # last word (``current_user`` -> ``User``, ``AppUser``) decide; when none does,
    # any user class with a setter does.
    word = split_name(receiver_name)[-1]

    def compute() -> bool:
        userish = [f for f in known_classes(ctx) if f.userish]
        related = [f for f in userish if word in split_name(f.node.name)]
        return any(f.password_setter for f in (related or userish))

    return ctx.cached(("BG209", "setter", word), compute)


def _class_of_value(ctx: FileContext, value: ast.AST) -> Optional[str]:
    # Return the class name a value comes from: ``User(...)``, ``User.query...``.
    current: Optional[ast.AST] = value
    for _ in range(12):
        if isinstance(current, ast.Await):
            current = current.value
        if isinstance(current, ast.Call):
            func = current.func
            if isinstance(func, ast.Name):
                if func.id[:1].isupper():
                    return func.id
                return None
            if isinstance(func, ast.Attribute):
                if func.attr in _QUERY_FUNCS:
                    for arg in current.args[:1]:
                        if isinstance(arg, ast.Name) and arg.id[:1].isupper():
                            return arg.id
                current = func.value
                continue
            return None
        if isinstance(current, ast.Attribute):
            if isinstance(current.value, ast.Name) and current.value.id[:1].isupper():
                return current.value.id
            current = current.value
            continue
        return None
    return None


def _receiver_facts(ctx: FileContext, receiver: ast.expr) -> Optional[ClassFacts]:
    if not isinstance(receiver, ast.Name):
        return None
    if receiver.id in ("self", "cls"):
        return method_class_facts(ctx, receiver)
    for value in reaching_values(ctx, receiver):
        if value is None or isinstance(value, ast.AugAssign):
            continue
        name = _class_of_value(ctx, value)
        if name is not None:
            facts = class_facts(ctx, name)
            if facts is not None:
                return facts
    return None


def _judge_receiver(ctx: FileContext, receiver: ast.expr, attr: str) -> bool:
    # Return True when assigning ``receiver.<attr>`` stores a user's password.
    #
    # A private attribute (``_password``) counts only when the class declares it as
    # a field (``_password = db.Column(...)``): Django keeps the raw password in
    # ``self._password`` for a moment, in memory only.
    facts = _receiver_facts(ctx, receiver)
    if facts is not None:
        if attr.startswith("_") and attr not in facts.fields:
            return False
        return _model_class(facts) and not facts.password_setter
    if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
        return False
    if attr.startswith("_"):
        return False
    name = value_name(receiver)
    if not name or not _is_user_name(name) or not _persists(ctx):
        return False
    return not _setter_hashes(ctx, name)


def _persists(ctx: FileContext) -> bool:
    # Return True when the file works with a database or with model classes.
    #
    # Without any, ``user.password = ...`` on an object of unknown class (an
    # in-memory fake, a DTO) is not judged.

    def compute() -> bool:
        for qualname in ctx.aliases.values():
            parts = qualname.lstrip(".").split(".")
            if (
                parts[0] in _DB_MODULES
                or "models" in parts
                or parts[-1] in ("db", "database")
            ):
                return True
        return any(f.orm for f in known_classes(ctx))

    return ctx.cached(("BG209", "persists"), compute)


def _target_label(target: ast.Attribute) -> str:
    owner = value_name(target.value) or "..."
    return f"`{owner}.{target.attr} = ...`"


def _password_binding(name: str, config: Config) -> bool:
    # The ``names=`` test of the assignment handler: a hash or password field
    # (both have a part ``password``, ``passwd``, ``passphrase`` or ``pwd``).
    lowered = name.lower()
    if "pass" not in lowered and "pwd" not in lowered:
        return False
    return _is_hash_field(name) or _is_password_field(name)


@RULE.on(ast.Assign, ast.AnnAssign, names=_password_binding)
def _check_assign(node: ast.AST, ctx: FileContext) -> Iterator[Finding]:
    targets: List[ast.expr] = (
        node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore
    )
    value = node.value  # type: ignore[attr-defined]
    if value is None:
        return
    for target in targets:
        if not isinstance(target, ast.Attribute):
            continue
        if _is_hash_field(target.attr):
            reach(ctx, node)
            if not plain_password_value(ctx, value):
                continue
        elif not _is_password_field(target.attr):
            continue
        else:
            reach(ctx, node)
            if is_hashed_value(ctx, value):
                continue
        if not _judge_receiver(ctx, target.value, target.attr):
            continue
        yield RULE.finding(node, what=_target_label(target))


def _constructor_class(ctx: FileContext, call: ast.Call) -> Optional[ClassFacts]:
    func = call.func
    if isinstance(func, ast.Name):
        return class_facts(ctx, func.id)
    return None


def _check_keywords(ctx: FileContext, call: ast.Call, what: str) -> Iterator[Finding]:
    for kw in call.keywords:
        if kw.arg is None:
            continue
        if _is_password_field(kw.arg):
            reach(ctx, call)
            if not is_hashed_value(ctx, kw.value):
                yield RULE.finding(kw.value, what=what.format(kw.arg))
        elif _is_hash_field(kw.arg):
            reach(ctx, call)
            if plain_password_value(ctx, kw.value):
                yield RULE.finding(kw.value, what=what.format(kw.arg))


def _sql_node(
    ctx: FileContext, node: Optional[ast.AST], depth: int = 0
) -> Optional[ast.AST]:
    # Return the string node a SQL argument holds (through ``text()`` and a local
    # variable): a constant, an f-string, ``"..." % (...)``, ``"...".format(...)``
    # or a ``+`` concatenation.
    if node is None or depth > 3:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return node
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return node
    if (
        isinstance(node, ast.Call)
        and node.args
        and isinstance(node.func, (ast.Name, ast.Attribute))
    ):
        callee = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        if callee == "text":
            return _sql_node(ctx, node.args[0], depth + 1)
    if isinstance(node, ast.Name):
        values = reaching_values(ctx, node)
        if len(values) == 1 and values[0] is not None:
            return _sql_node(ctx, values[0], depth + 1)
    return None


def _sql_parts(
    ctx: FileContext, node: Optional[ast.AST], depth: int = 0
) -> Tuple[str, List[ast.AST]]:
    # Return the constant text of a built SQL string and the values spliced in.
    if node is None or depth > 20:
        return "", []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, []
    if isinstance(node, ast.Name):
        constant = const_value(ctx, node)
        if isinstance(constant, str):
            return constant, []
        values = reaching_values(ctx, node)
        if len(values) == 1 and isinstance(values[0], ast.Constant):
            return _sql_parts(ctx, values[0], depth + 1)
        return "", []
    if isinstance(node, ast.JoinedStr):
        text = ""
        values: List[ast.AST] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
            elif isinstance(part, ast.FormattedValue):
                text += "{}"
                values.append(part.value)
        return text, values
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        text, _ = _sql_parts(ctx, node.left, depth + 1)
        right = node.right
        if isinstance(right, ast.Tuple):
            return text, list(right.elts)
        if isinstance(right, ast.Dict):
            return text, [v for v in right.values if v is not None]
        return text, [right]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left_text, left_values = _sql_parts(ctx, node.left, depth + 1)
        right_text, right_values = _sql_parts(ctx, node.right, depth + 1)
        extra: List[ast.AST] = []
        for side in (node.left, node.right):
            if not isinstance(
                side, (ast.Constant, ast.JoinedStr, ast.BinOp)
            ) and not isinstance(const_value(ctx, side), str):
                extra.append(side)
        return left_text + right_text, left_values + right_values + extra
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        text, _ = _sql_parts(ctx, node.func.value, depth + 1)
        values = [a for a in node.args if not isinstance(a, ast.Starred)]
        values.extend(kw.value for kw in node.keywords if kw.arg is not None)
        return text, values
    return "", []


def _stores_plain_password(
    ctx: FileContext, node: Optional[ast.AST], depth: int = 0
) -> bool:
    if node is None or depth > 3:
        return False
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_stores_plain_password(ctx, e, depth + 1) for e in node.elts)
    if isinstance(node, ast.Dict):
        return any(
            _stores_plain_password(ctx, v, depth + 1)
            for v in node.values
            if not isinstance(v, ast.Dict)
        )
    if isinstance(node, ast.Name) and not _is_plain_name(node):
        values = reaching_values(ctx, node)
        if any(isinstance(v, (ast.Tuple, ast.List, ast.Dict)) for v in values):
            return any(
                isinstance(v, (ast.Tuple, ast.List, ast.Dict))
                and _stores_plain_password(ctx, v, depth + 1)
                for v in values
            )
    return plain_password_value(ctx, node)


def _is_plain_name(node: ast.Name) -> bool:
    return _is_password_field(node.id)


def _check_sql(ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
    if not node.args:
        return
    sql_node = _sql_node(ctx, node.args[0])
    text, spliced = _sql_parts(ctx, sql_node)
    if not text or not _SQL_STORE_RE.search(text):
        return
    for value in spliced:
        if plain_password_value(ctx, value):
            yield RULE.finding(node, what="this SQL statement")
            return
    params = node.args[1] if len(node.args) >= 2 else None
    if params is None:
        for kw in node.keywords:
            if kw.arg in ("parameters", "params", "args", "vars"):
                params = kw.value
    if params is not None and _stores_plain_password(ctx, params):
        yield RULE.finding(node, what="this SQL statement")


def _password_entry(ctx: FileContext, document: ast.AST, depth: int = 0) -> bool:
    if not isinstance(document, ast.Dict) or depth > 2:
        return False
    for key, value in zip(document.keys, document.values):
        if isinstance(key, ast.Constant) and key.value in ("$set", "$setOnInsert"):
            if _password_entry(ctx, value, depth + 1):
                return True
        elif isinstance(key, ast.Constant) and isinstance(key.value, str):
            if _is_password_field(key.value) and plain_password_value(ctx, value):
                return True
    return False


def _check_mongo(ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
    documents: List[ast.AST] = []
    for arg in node.args[:2]:
        if isinstance(arg, ast.List):
            documents.extend(arg.elts)
        else:
            documents.append(arg)
    for document in documents:
        if isinstance(document, ast.Name):
            values = reaching_values(ctx, document)
            if len(values) == 1 and values[0] is not None:
                document = values[0]
        if _password_entry(ctx, document):
            yield RULE.finding(node, what=f"`{node.func.attr}(...)`")  # type: ignore
            return


# Methods judged on any receiver; constructors of ORM models are judged by their
# password keyword arguments.
_CALL_METHODS = _MONGO_WRITES | {
    "execute",
    "executemany",
    "create",
    "update",
    "get_or_create",
    "update_or_create",
}


@RULE.on(ast.Compare)
def _check_compare(node: ast.Compare, ctx: FileContext) -> Optional[List[Finding]]:
    # ``user.password == password``: a login that compares the typed password
    # with the stored one finds a match only when the column holds it as typed.
    if len(node.ops) != 1 or node.ops[0].__class__ not in (ast.Eq, ast.NotEq):
        return None
    left, right = node.left, node.comparators[0]
    for stored, typed in ((left, right), (right, left)):
        if not (
            isinstance(stored, ast.Attribute)
            and isinstance(stored.value, ast.Name)
            and _is_password_field(stored.attr)
            and _is_user_name(stored.value.id)
        ):
            continue
        if isinstance(typed, ast.Constant) or (
            isinstance(typed, ast.Attribute)
            and isinstance(typed.value, ast.Name)
            and (
                typed.value.id in ("self", "other", stored.value.id)
                or _is_user_name(typed.value.id)
            )
        ):
            continue  # a marker value, or two stored records compared
        reach(ctx, node)
        if plain_password_value(ctx, typed):
            owner = f"{stored.value.id}.{stored.attr}"
            return [
                RULE.finding(
                    node,
                    what=(
                        f"`{owner} == ...` compares the typed password with the "
                        "stored one, so the database"
                    ),
                )
            ]
    return None


# ORM look-ups by field values: ``User.objects.get(password=...)`` (Django),
# ``User.query.filter_by(password=...)`` (Flask-SQLAlchemy, SQLAlchemy).
_LOOKUP_METHODS = frozenset({"get", "filter", "exclude", "filter_by"})


def _check_lookup(ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
    # A look-up by the password as typed finds a row only when the column holds the
    # plain password: the code that stored it did not hash it.
    func = node.func
    owner = func.value  # type: ignore[attr-defined]
    attr = func.attr  # type: ignore[attr-defined]
    if attr != "filter_by" and not (
        isinstance(owner, ast.Attribute) and owner.attr in ("objects", "query")
    ):
        return
    for kw in node.keywords:
        if kw.arg is not None and _is_password_field(kw.arg):
            reach(ctx, node)
            if plain_password_value(ctx, kw.value):
                yield RULE.finding(
                    kw.value,
                    what=(
                        f"`{source_excerpt(owner)}.{attr}({kw.arg}=...)` matches the "
                        "typed password against the database, so the database"
                    ),
                )


@RULE.on(ast.Call, names=_CALL_METHODS, keywords=_password_binding)
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if isinstance(func, ast.Attribute):
        attr = func.attr
        if attr in _LOOKUP_METHODS:
            yield from _check_lookup(ctx, node)
            return
        if attr in ("execute", "executemany") or attr in _MONGO_WRITES:
            reach(ctx, node)
        if attr in ("execute", "executemany"):
            yield from _check_sql(ctx, node)
        elif attr in _MONGO_WRITES:
            yield from _check_mongo(ctx, node)
        elif attr in ("create", "update", "get_or_create", "update_or_create"):
            if not node.keywords:
                return
            owner = func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "objects":
                model = (ctx.qualname(owner.value) or "").rsplit(".", 1)[-1]
                yield from _check_keywords(
                    ctx, node, f"`{model}.objects.{attr}({{}}=...)`"
                )
            elif isinstance(owner, ast.Name) and owner.id[:1].isupper():
                # peewee / Tortoise: ``await User.create(password=...)``
                facts = class_facts(ctx, owner.id)
                if facts is not None and facts.orm and not facts.password_setter:
                    yield from _check_keywords(
                        ctx, node, f"`{owner.id}.{attr}({{}}=...)`"
                    )
        return
    if not isinstance(func, ast.Name) or not node.keywords or not func.id[:1].isupper():
        return
    if not any(
        kw.arg is not None and (_is_password_field(kw.arg) or _is_hash_field(kw.arg))
        for kw in node.keywords
    ):
        return
    facts = _constructor_class(ctx, node)
    if facts is None or not facts.orm or facts.password_setter or facts.custom_init:
        return
    yield from _check_keywords(ctx, node, f"`{func.id}({{}}=...)`")
