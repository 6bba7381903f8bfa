"""The schema model of a file: pydantic and marshmallow classes and their fields.

A *schema class* is a class whose bases are (transitively, through classes of the
same file) pydantic (``BaseModel``, ``RootModel``, ``SQLModel``, ``BaseSettings``)
or marshmallow (``Schema``, ``ma.SQLAlchemyAutoSchema``...) classes, or an imported
project base named like one (``BaseSchema``, ``CamelModel``). ORM models (bodies with
``__tablename__``, ``Mapped[...]`` or ``Column(...)``) are not schemas.

For every field the model records its minimum length (``Field(min_length=...)``,
``constr``, ``StringConstraints``, ``MinLen``, marshmallow ``validate.Length``),
whether a custom validator may enforce a policy, whether it is ever serialised
(marshmallow ``load_only``, pydantic ``Field(exclude=True)``) and whether it is a
``SecretStr``; field validators and model validators that measure a field count as
a policy. The file's ``response_model=`` uses (also ``responses={...: {"model": X}}``,
the return annotations of FastAPI route handlers without one, and flask-smorest /
apiflask ``@bp.response(200, X)`` / ``@app.output(X)``) tell which classes are sent
to clients; the routes that use a class in their parameters or body tell whether it
is only used to log in. Everything is computed lazily, once per file
(``schema_model(ctx)``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from ..context import FileContext
from .names import PASSWORD_WORDS, split_name
from .values import UNKNOWN, const_value
from .web import is_route_handler, routes

PYDANTIC_BASES = frozenset(
    {
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
        "pydantic.v1.BaseModel",
        "pydantic.v1.main.BaseModel",
        "pydantic.RootModel",
        "pydantic.root_model.RootModel",
        "pydantic.generics.GenericModel",
        "sqlmodel.SQLModel",
        "sqlmodel.main.SQLModel",
        "beanie.Document",
        "odmantic.Model",
        "odmantic.EmbeddedModel",
        "fastapi_camelcase.CamelModel",
    }
)
SETTINGS_BASES = frozenset(
    {
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
    }
)
_ORM_ROOTS = frozenset(
    {"django", "sqlalchemy", "flask_sqlalchemy", "peewee", "tortoise", "mongoengine"}
)
_ORM_BASE_NAMES = frozenset({"Model", "Base", "DeclarativeBase", "Document"})
_ORM_FIELD_CALLS = frozenset(
    {"Column", "mapped_column", "relationship", "column_property", "ForeignKey"}
)
_MARSHMALLOW_SKIP_CALLS = frozenset({"Nested", "Pluck", "Method", "Function"})
_VALIDATOR_DECORATORS = frozenset({"field_validator", "validator", "validates"})
_MODEL_VALIDATOR_DECORATORS = frozenset(
    {"model_validator", "root_validator", "validates_schema", "pre_load", "post_load"}
)
_ANNOTATED_VALIDATORS = frozenset(
    {"AfterValidator", "BeforeValidator", "PlainValidator", "WrapValidator"}
)
_LENGTH_CALLS = frozenset({"constr", "conbytes", "Field", "StringConstraints"})
_SECRET_TYPES = frozenset({"SecretStr", "SecretBytes"})
_OUTPUT_SUFFIXES = frozenset(
    {"response", "out", "output", "public", "read", "view", "detail", "details"}
)
_SCHEMA_SUFFIXES = frozenset({"schema", "model", "dto", "serializer"})
_LOGIN_WORDS = frozenset(
    {
        "verify",
        "verification",
        "confirm",
        "confirmation",
        "delete",
        "deletion",
        "deactivate",
        "unlock",
        "reauth",
        "reauthenticate",
        "check",
        "login",
        "signin",
        "logon",
        "credential",
        "credentials",
        "token",
        "auth",
        "authenticate",
        "authentication",
        "session",
    }
)
_LOGIN_ROUTE_WORDS = frozenset(
    {"login", "signin", "logon", "token", "authenticate", "session", "sessions"}
)
_SETS_PASSWORD_WORDS = frozenset(
    {
        "register",
        "registration",
        "signup",
        "reset",
        "change",
        "create",
        "new",
        "update",
        "set",
        "forgot",
        "invite",
        "activate",
        "activation",
        "password",
        "users",
        "user",
    }
)
_SERVICE_WORDS = frozenset(
    {
        "connection",
        "conn",
        "dsn",
        "database",
        "smtp",
        "mail",
        "mailbox",
        "imap",
        "pop",
        "ftp",
        "sftp",
        "ssh",
        "ldap",
        "proxy",
        "redis",
        "mqtt",
        "wifi",
        "router",
        "device",
        "camera",
        "broker",
        "vpn",
        "datasource",
        "integration",
    }
)
_CONNECTION_FIELDS = frozenset(
    {
        "host",
        "hostname",
        "port",
        "server",
        "url",
        "uri",
        "dsn",
        "endpoint",
        "base_url",
        "server_url",
        "ssid",
    }
)
_INTERNAL_WORDS = frozenset({"db", "internal", "stored", "entity", "orm"})
_RESPONSE_DECORATORS = frozenset({"response", "output"})
_MIN_RE = re.compile(r"\{(\d+),")
_CHECK_WORDS = (
    "valid",
    "strength",
    "strong",
    "check",
    "policy",
    "complex",
    "zxcvbn",
    "match",
    "search",
)


@dataclass
class SchemaField:
    """One field of a schema class.

    ``min_length`` is None when no minimum length is declared, an int for a
    constant minimum and :data:`~.values.UNKNOWN` for a computed one.
    """

    name: str
    node: ast.stmt
    owner: str
    style: str  # "pydantic" or "marshmallow"
    annotation: Optional[ast.expr] = None
    value: Optional[ast.expr] = None
    min_length: Any = None
    custom_policy: bool = False
    excluded: bool = False
    secret: bool = False
    type_name: Optional[str] = None


@dataclass
class SchemaClass:
    """A pydantic or marshmallow class of the file."""

    node: ast.ClassDef
    name: str
    kind: str  # "pydantic", "marshmallow", "settings" or "unknown"
    bases: Tuple[str, ...] = ()  # names of schema bases defined in the same file
    fields: Dict[str, SchemaField] = field(default_factory=dict)
    validated: FrozenSet[str] = frozenset()
    length_checked: FrozenSet[str] = frozenset()
    meta_load_only: FrozenSet[str] = frozenset()
    meta_exclude: FrozenSet[str] = frozenset()
    meta_fields: Optional[FrozenSet[str]] = None
    is_table: bool = False
    str_min_length: Any = None  # ConfigDict(str_min_length=...) / min_anystr_length


@dataclass
class SchemaModel:
    """The schema classes of a file and how the file uses them."""

    classes: Dict[str, SchemaClass] = field(default_factory=dict)
    # class name -> for each response use, the field names that use excludes
    response_uses: Dict[str, List[FrozenSet[str]]] = field(default_factory=dict)
    # class name -> True for a use in a login route, False for any other route
    route_uses: Dict[str, Set[bool]] = field(default_factory=dict)

    def get(self, name: str) -> Optional[SchemaClass]:
        """Return the schema class called ``name``, if the file defines one.

        Args:
            name: the class name.

        Returns:
            The class, or None.
        """
        return self.classes.get(name)

    def mro(self, cls: SchemaClass) -> List[SchemaClass]:
        """Return ``cls`` and its same-file schema bases, nearest first.

        Args:
            cls: a schema class of this model.

        Returns:
            The classes in (simplified, depth-first) method resolution order.
        """
        order: List[SchemaClass] = []
        seen: Set[str] = set()
        stack = [cls]
        while stack:
            current = stack.pop(0)
            if current.name in seen:
                continue
            seen.add(current.name)
            order.append(current)
            stack[0:0] = [self.classes[b] for b in current.bases if b in self.classes]
        return order

    def all_fields(self, cls: SchemaClass) -> Dict[str, SchemaField]:
        """Return every field of ``cls``, inherited ones included (nearest wins).

        Args:
            cls: a schema class of this model.

        Returns:
            Field name -> the definition that applies to ``cls``.
        """
        result: Dict[str, SchemaField] = {}
        for klass in reversed(self.mro(cls)):
            result.update(klass.fields)
        return result

    def has_validator(self, cls: SchemaClass, name: str) -> bool:
        """Return True when a validator of ``cls`` (or a base) checks ``name``.

        Args:
            cls: a schema class of this model.
            name: the field name.

        Returns:
            True for a field validator naming the field (or ``"*"``), or a model
            validator that measures the field with ``len()``.
        """
        for klass in self.mro(cls):
            if name in klass.validated or "*" in klass.validated:
                return True
            if name in klass.length_checked:
                return True
        return False

    def str_min_length(self, cls: SchemaClass) -> Any:
        """Return the class-wide minimum string length of ``cls`` (or a base).

        Args:
            cls: a schema class of this model.

        Returns:
            ``ConfigDict(str_min_length=...)`` / ``Config.min_anystr_length``, or
            None when no class in the MRO sets one.
        """
        for klass in self.mro(cls):
            if klass.str_min_length is not None:
                return klass.str_min_length
        return None

    def is_output(self, cls: SchemaClass) -> bool:
        """Return True for an output schema (RULES.md, BG223).

        Args:
            cls: a schema class of this model.

        Returns:
            True when the name ends in an output word (``UserOut``,
            ``UserResponse``, ``UserPublic``...) or the class is a response model
            in this file.
        """
        return is_output_name(cls.name) or cls.name in self.response_uses

    def is_exposed(self, cls: SchemaClass, schema_field: SchemaField) -> bool:
        """Return True when ``schema_field`` is serialised in ``cls``'s output.

        Args:
            cls: the (output) schema class.
            schema_field: a field of ``cls`` (own or inherited).

        Returns:
            False for excluded, load-only, secret or Meta-excluded fields and for
            fields excluded by every ``response_model_exclude`` of the class.
        """
        if schema_field.excluded or schema_field.secret:
            return False
        name = schema_field.name
        for klass in self.mro(cls):
            if name in klass.meta_load_only or name in klass.meta_exclude:
                return False
            if klass.meta_fields is not None and name not in klass.meta_fields:
                return False
        if is_output_name(cls.name):
            return True
        uses = self.response_uses.get(cls.name, [])
        return not uses or any(name not in excluded for excluded in uses)

    def is_login(self, cls: SchemaClass) -> bool:
        """Return True for a login/credential/token schema (never sets a password).

        Args:
            cls: a schema class of this model.

        Returns:
            True when the name says so (``LoginRequest``, ``UserCredentials``,
            ``TokenData``) or every route using the class is a login route.
        """
        if is_login_name(cls.name):
            return True
        uses = self.route_uses.get(cls.name)
        return bool(uses) and uses == {True}


def is_output_name(name: str) -> bool:
    """Return True for class names of output schemas (``UserOut``, ``UserReadSchema``).

    Args:
        name: a class name.

    Returns:
        True when the last name part (after a trailing ``Schema``/``Model``/``DTO``)
        is ``Response``, ``Out``, ``Output``, ``Public``, ``Read``, ``View`` or
        ``Detail(s)``.
    """
    parts = list(split_name(name))
    if len(parts) > 1 and parts[-1] in _SCHEMA_SUFFIXES:
        parts.pop()
    return len(parts) > 1 and parts[-1] in _OUTPUT_SUFFIXES


def _has_pair(parts: Tuple[str, ...], first: str, second: str) -> bool:
    return any(a == first and b == second for a, b in zip(parts, parts[1:]))


def is_login_name(name: str) -> bool:
    """Return True for names of login, credential or token schemas.

    Args:
        name: a class name.

    Returns:
        True for ``UserLogin``, ``SignInRequest``, ``Credentials``, ``TokenData``,
        but not for names that also say they set a password (``ResetPasswordToken``).
    """
    parts = split_name(name)
    login = any(p in _LOGIN_WORDS for p in parts) or (
        _has_pair(parts, "sign", "in") or _has_pair(parts, "log", "in")
    )
    if not login:
        return False
    return not (
        any(p in _SETS_PASSWORD_WORDS - {"password", "user", "users"} for p in parts)
        or _has_pair(parts, "sign", "up")
    )


def is_internal_name(name: str) -> bool:
    """Return True for internal models (``UserInDB``, ``InternalUser``).

    Args:
        name: a class name.

    Returns:
        True when a name part is ``db``, ``internal``, ``stored``, ``entity`` or
        ``orm``.
    """
    return any(p in _INTERNAL_WORDS for p in split_name(name))


def is_service_credentials(model: "SchemaModel", cls: "SchemaClass") -> bool:
    """Return True for credentials of another service (``host``, ``port``, ``smtp``).

    Args:
        model: the file's schema model.
        cls: a schema class of the model.

    Returns:
        True when the class (or a base) has a connection field (``host``,
        ``port``, ``url``, ``dsn``...) or its name names a service
        (``SmtpAccount``, ``RedisConnection``): its password is not a user's.
    """
    if any(p in _SERVICE_WORDS for p in split_name(cls.name)):
        return True
    return any(
        name in _CONNECTION_FIELDS and not _output_only(schema_field)
        for name, schema_field in model.all_fields(cls).items()
    )


def _output_only(schema_field: "SchemaField") -> bool:
    # A field only ever serialised (marshmallow ``dump_only=True``), such as a
    # user resource's ``url``: it configures no connection.
    value = schema_field.value
    if not isinstance(value, ast.Call):
        return False
    return any(
        kw.arg in ("dump_only", "read_only")
        and isinstance(kw.value, ast.Constant)
        and kw.value.value is True
        for kw in value.keywords
    )


def is_settings_name(name: str) -> bool:
    """Return True for settings classes (``Settings``, ``ProductionConfig``).

    Args:
        name: a class name.

    Returns:
        True when the last name part is ``settings``, ``config`` or
        ``configuration``.
    """
    parts = split_name(name)
    return bool(parts) and parts[-1] in ("settings", "config", "configuration")


def schema_model(ctx: FileContext) -> SchemaModel:
    """Return the schema model of the file being checked (computed once).

    Args:
        ctx: the file context.

    Returns:
        The file's :class:`SchemaModel`.
    """
    return ctx.cached(("schemas", "model"), lambda: _build(ctx))


# ---- building the model -----------------------------------------------------------


def _last(name: Optional[str]) -> str:
    return name.rsplit(".", 1)[-1] if name else ""


def _callee(ctx: FileContext, call: ast.AST) -> str:
    # Return the last part of a call's qualified name (``Field``, ``constr``).
    if not isinstance(call, ast.Call):
        return ""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return _last(ctx.qualname(func))
    return ""


def _base_kind(ctx: FileContext, base: ast.expr, known: Dict[str, SchemaClass]) -> str:
    # Return the kind a base gives a class: pydantic, marshmallow, settings, ...
    #
    # Returns "" for bases that make no schema, "orm" for ORM bases.
    if isinstance(base, ast.Subscript):  # Generic[T], BaseModel[...]
        base = base.value
    if isinstance(base, ast.Name) and base.id in known:
        return known[base.id].kind
    qualname = ctx.qualname(base)
    if not qualname:
        return ""
    if qualname in SETTINGS_BASES:
        return "settings"
    if qualname in PYDANTIC_BASES:
        return "pydantic"
    root = qualname.split(".")[0]
    last = _last(qualname)
    if root in _ORM_ROOTS or last in _ORM_BASE_NAMES:
        return "orm"
    if root == "marshmallow" or root.startswith("marshmallow_"):
        return "marshmallow" if last.endswith("Schema") else ""
    if root in ("flask_marshmallow", "apiflask", "flask_smorest"):
        return "marshmallow" if last.endswith("Schema") else ""
    if root == "pydantic" or root == "pydantic_settings":
        return "settings" if last.endswith("Settings") else "pydantic"
    if isinstance(base, ast.Attribute) and last.endswith("Schema"):
        return "unknown"  # ma.Schema, ma.SQLAlchemyAutoSchema, schemas.BaseSchema
    if isinstance(base, ast.Name) and ctx.is_imported(base.id):
        if last.endswith("Settings"):
            return "settings"
        if (
            "Schema" in last
            or "DTO" in last
            or (last.endswith("Model") and last != "Model")
        ):
            return "unknown"  # BaseSchema, SchemaBase, CamelModel, BaseDTO
    return ""


def _build(ctx: FileContext) -> SchemaModel:
    model = SchemaModel()
    # schema classes live at module level (also under if/try blocks)
    class_defs = [
        n for n in ctx.module_statements if isinstance(n, ast.ClassDef)
    ]
    for node in class_defs:
        kinds = []
        same_file = []
        for base in node.bases:
            kind = _base_kind(ctx, base, model.classes)
            if kind:
                kinds.append(kind)
            target = base.value if isinstance(base, ast.Subscript) else base
            if isinstance(target, ast.Name) and target.id in model.classes:
                same_file.append(target.id)
        if not kinds or "orm" in kinds:
            continue
        if "settings" in kinds:
            kind = "settings"
        elif "pydantic" in kinds:
            kind = "pydantic"
        elif "marshmallow" in kinds:
            kind = "marshmallow"
        else:
            kind = "unknown"
        cls = _read_class(ctx, node, kind, tuple(same_file))
        if cls is not None:
            model.classes[node.name] = cls
    if model.classes:
        _read_uses(ctx, model)
    return model


def _read_class(
    ctx: FileContext, node: ast.ClassDef, kind: str, bases: Tuple[str, ...]
) -> Optional[SchemaClass]:
    cls = SchemaClass(node=node, name=node.name, kind=kind, bases=bases)
    cls.is_table = any(
        kw.arg == "table" and const_value(ctx, kw.value) is True for kw in node.keywords
    )
    validated: Set[str] = set()
    length_checked: Set[str] = set()
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            if name == "__tablename__":
                return None
            if _is_orm_field(ctx, stmt.annotation, stmt.value):
                return None
            if kind == "marshmallow" or name.startswith("_"):
                continue
            if _is_classvar(stmt.annotation):
                continue
            cls.fields[name] = _pydantic_field(ctx, cls.name, stmt)
        elif isinstance(stmt, ast.Assign):
            names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            if "__tablename__" in names or "__table__" in names:
                return None
            if "model_config" in names and isinstance(stmt.value, ast.Call):
                for kw in stmt.value.keywords:
                    if kw.arg == "str_min_length":
                        cls.str_min_length = _int_or_unknown(ctx, kw.value)
            if _is_orm_field(ctx, None, stmt.value):
                return None
            if kind in ("pydantic", "settings") or not names:
                continue
            schema_field = _marshmallow_field(ctx, cls.name, stmt, names[0])
            if schema_field is not None and not names[0].startswith("_"):
                cls.fields[names[0]] = schema_field
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _read_validator(ctx, stmt, validated, length_checked)
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            _read_meta(ctx, cls, stmt)
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for sub in stmt.body:
                if isinstance(sub, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "min_anystr_length"
                    for t in sub.targets
                ):
                    cls.str_min_length = _int_or_unknown(ctx, sub.value)
    cls.validated = frozenset(validated)
    cls.length_checked = frozenset(length_checked)
    return cls


def _is_classvar(annotation: ast.expr) -> bool:
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return _last(_dotted(target)) in ("ClassVar", "Final")


def _dotted(node: ast.AST) -> Optional[str]:
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_orm_field(
    ctx: FileContext, annotation: Optional[ast.expr], value: Optional[ast.expr]
) -> bool:
    if annotation is not None:
        target = (
            annotation.value if isinstance(annotation, ast.Subscript) else annotation
        )
        if _last(_dotted(target)) == "Mapped":
            return True
    return isinstance(value, ast.Call) and _callee(ctx, value) in _ORM_FIELD_CALLS


def _type_name(annotation: Optional[ast.expr]) -> Optional[str]:
    # Return the simple type of an annotation (``Optional[bool]`` -> ``bool``).
    node = annotation
    for _ in range(4):
        if isinstance(node, ast.Subscript):
            outer = _last(_dotted(node.value))
            inner = node.slice
            if isinstance(inner, ast.Index):  # pragma: no cover (Python 3.8)
                inner = inner.value  # type: ignore[attr-defined]
            if outer in ("Optional", "Annotated", "Union"):
                node = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
                continue
            return outer
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left = node.left
            node = node.right if _last(_dotted(left)) == "None" else left
            continue
        break
    if isinstance(node, ast.Call):  # constr(min_length=8)
        return _last(_dotted(node.func))
    return _last(_dotted(node)) if node is not None else None


def _calls_in(node: Optional[ast.AST]) -> Iterator[ast.AST]:
    if node is None:
        return
    for child in ast.walk(node):
        if isinstance(child, (ast.Call, ast.Name, ast.Attribute)):
            yield child


def _resolve_alias(ctx: FileContext, annotation: ast.expr) -> ast.expr:
    # Follow a module-level type alias (``Password = Annotated[str, ...]``).
    seen: Set[str] = set()
    node = annotation
    while isinstance(node, ast.Name) and node.id not in seen:
        seen.add(node.id)
        value = ctx.module_constants.get(node.id)
        if value is None or isinstance(value, ast.Constant):
            break
        node = value
    return node


def _length_of(ctx: FileContext, call: ast.Call, callee: str) -> Any:
    # Return the minimum length a constraint call sets (None when it sets none).
    if callee in ("MinLen", "Len"):
        if call.args:
            return _int_or_unknown(ctx, call.args[0])
        for kw in call.keywords:
            if kw.arg == "min_length":
                return _int_or_unknown(ctx, kw.value)
        return None
    for kw in call.keywords:
        if kw.arg in ("min_length", "min_items"):
            return _int_or_unknown(ctx, kw.value)
    return None


def _int_or_unknown(ctx: FileContext, node: ast.expr) -> Any:
    value = const_value(ctx, node)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None:
        return None
    return UNKNOWN


def _pattern_min(ctx: FileContext, node: Optional[ast.expr]) -> Optional[int]:
    value = const_value(ctx, node)
    if not isinstance(value, str):
        return None
    found = [int(m) for m in _MIN_RE.findall(value)]
    return max(found) if found else None


def _combine(current: Any, new: Any) -> Any:
    if new is None:
        return current
    if current is None:
        return new
    if current is UNKNOWN or new is UNKNOWN:
        return UNKNOWN
    return max(current, new)


def _pydantic_field(ctx: FileContext, owner: str, stmt: ast.AnnAssign) -> SchemaField:
    annotation = stmt.annotation
    schema_field = SchemaField(
        name=stmt.target.id,  # type: ignore[attr-defined]
        node=stmt,
        owner=owner,
        style="pydantic",
        annotation=annotation,
        value=stmt.value,
    )
    resolved = _resolve_alias(ctx, annotation)
    schema_field.type_name = _type_name(resolved)
    for part in (resolved, stmt.value):
        for node in _calls_in(part):
            if isinstance(node, ast.Name) and node is not resolved:
                inner = _resolve_alias(ctx, node)
                if inner is not node:
                    _apply_constraints(ctx, schema_field, inner)
            _apply_one(ctx, schema_field, node)
    return schema_field


def _apply_constraints(
    ctx: FileContext, schema_field: SchemaField, node: ast.AST
) -> None:
    for child in _calls_in(node):
        _apply_one(ctx, schema_field, child)


def _apply_one(ctx: FileContext, schema_field: SchemaField, node: ast.AST) -> None:
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = node.id if isinstance(node, ast.Name) else node.attr
        if name in _SECRET_TYPES:
            schema_field.secret = True
        return
    if not isinstance(node, ast.Call):
        return
    callee = _callee(ctx, node)
    if callee in _LENGTH_CALLS or callee in ("MinLen", "Len"):
        schema_field.min_length = _combine(
            schema_field.min_length, _length_of(ctx, node, callee)
        )
        for kw in node.keywords:
            if kw.arg in ("pattern", "regex"):
                schema_field.min_length = _combine(
                    schema_field.min_length, _pattern_min(ctx, kw.value)
                )
            elif kw.arg == "exclude" and const_value(ctx, kw.value) is True:
                schema_field.excluded = True
    elif callee in _ANNOTATED_VALIDATORS:
        schema_field.custom_policy = True


def _marshmallow_field(
    ctx: FileContext, owner: str, stmt: ast.Assign, name: str
) -> Optional[SchemaField]:
    value = stmt.value
    if not isinstance(value, ast.Call) or not isinstance(
        value.func, (ast.Attribute, ast.Name)
    ):
        return None
    callee = _callee(ctx, value)
    if not callee or not callee[:1].isupper() or callee in _MARSHMALLOW_SKIP_CALLS:
        return None
    qualname = ctx.qualname(value.func) or ""
    if isinstance(value.func, ast.Name) and not qualname.startswith("marshmallow"):
        return None
    schema_field = SchemaField(
        name=name, node=stmt, owner=owner, style="marshmallow", value=value
    )
    schema_field.type_name = callee
    for kw in value.keywords:
        if kw.arg == "load_only" and const_value(ctx, kw.value) is True:
            schema_field.excluded = True
        elif kw.arg == "validate":
            _marshmallow_validate(ctx, schema_field, kw.value)
    return schema_field


def _marshmallow_validate(
    ctx: FileContext, schema_field: SchemaField, node: ast.expr
) -> None:
    items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
    for item in items:
        if isinstance(item, ast.Call):
            callee = _callee(ctx, item)
            if callee == "Length":
                minimum = None
                if item.args:
                    minimum = _int_or_unknown(ctx, item.args[0])
                for kw in item.keywords:
                    if kw.arg in ("min", "equal"):
                        minimum = _int_or_unknown(ctx, kw.value)
                schema_field.min_length = _combine(schema_field.min_length, minimum)
            elif callee == "Regexp":
                regex = item.args[0] if item.args else None
                for kw in item.keywords:
                    if kw.arg == "regex":
                        regex = kw.value
                schema_field.min_length = _combine(
                    schema_field.min_length, _pattern_min(ctx, regex)
                )
            elif callee in ("And",):
                _marshmallow_validate(ctx, schema_field, ast.List(elts=item.args))
            elif callee not in ("OneOf", "NoneOf", "Range", "Email", "URL", "Equal"):
                schema_field.custom_policy = True
        elif isinstance(item, (ast.Name, ast.Attribute, ast.Lambda)):
            schema_field.custom_policy = True


def _decorator_call_name(decorator: ast.expr) -> Tuple[str, Optional[ast.Call]]:
    call = decorator if isinstance(decorator, ast.Call) else None
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return _last(_dotted(target)), call


def _read_validator(
    ctx: FileContext,
    func: ast.AST,
    validated: Set[str],
    length_checked: Set[str],
) -> None:
    for decorator in func.decorator_list:  # type: ignore[attr-defined]
        name, call = _decorator_call_name(decorator)
        if name in _VALIDATOR_DECORATORS and call is not None:
            for arg in call.args:
                value = const_value(ctx, arg)
                if isinstance(value, str):
                    validated.add(value)
                elif isinstance(value, (list, tuple)):
                    validated.update(v for v in value if isinstance(v, str))
        elif name in _MODEL_VALIDATOR_DECORATORS:
            length_checked.update(_measured_names(func))


def _measured_names(func: ast.AST) -> Set[str]:
    # The names a model validator mentions when it measures or checks something:
    # ``len(...)``, a regex match, or a call named like a check
    # (``validate_password_strength(self.password)``). A validator that only
    # compares two fields (``password == password2``) enforces no policy.
    mentioned: Set[str] = set()
    measures = False
    body = ast.Module(body=list(getattr(func, "body", [])), type_ignores=[])
    for node in ast.walk(body):
        if isinstance(node, ast.Call):
            callee = _last(_dotted(node.func)).lower()
            if callee == "len" or any(word in callee for word in _CHECK_WORDS):
                measures = True
        if isinstance(node, ast.Attribute):
            mentioned.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            mentioned.add(node.value)
        elif isinstance(node, ast.Name):
            mentioned.add(node.id)
    return mentioned if measures else set()


def _string_items(ctx: FileContext, node: ast.expr) -> Optional[FrozenSet[str]]:
    value = const_value(ctx, node)
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, (list, tuple, frozenset)):
        return frozenset(v for v in value if isinstance(v, str))
    return None


def _read_meta(ctx: FileContext, cls: SchemaClass, meta: ast.ClassDef) -> None:
    for stmt in meta.body:
        if not isinstance(stmt, ast.Assign):
            continue
        for target in stmt.targets:
            if not isinstance(target, ast.Name):
                continue
            items = _string_items(ctx, stmt.value)
            if items is None:
                continue
            if target.id == "load_only":
                cls.meta_load_only = items
            elif target.id == "exclude":
                cls.meta_exclude = items
            elif target.id == "fields":
                cls.meta_fields = items


# ---- how the file uses its schema classes ------------------------------------------


def _class_names(node: Optional[ast.AST], model: SchemaModel) -> Set[str]:
    # Return the names of the model's classes mentioned in ``node``.
    if node is None:
        return set()
    return {
        child.id
        for child in ast.walk(node)
        if isinstance(child, ast.Name) and child.id in model.classes
    }


def _excluded_names(ctx: FileContext, call: ast.Call) -> FrozenSet[str]:
    for kw in call.keywords:
        if kw.arg == "response_model_exclude":
            value = kw.value
            if isinstance(value, (ast.Set, ast.List, ast.Tuple)):
                return frozenset(
                    e.value
                    for e in value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                )
            if isinstance(value, ast.Dict):
                return frozenset(
                    k.value
                    for k in value.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                )
    return frozenset()


def _is_login_route(ctx: FileContext, func: ast.AST) -> bool:
    words: List[str] = list(split_name(getattr(func, "name", "")))
    for info in routes(ctx, func):  # type: ignore[arg-type]
        if info.path:
            for segment in re.split(r"[/\-_.]", info.path):
                if segment.startswith(("{", "<")):
                    continue
                words.extend(split_name(segment))
    parts = tuple(words)
    login = any(w in _LOGIN_ROUTE_WORDS for w in parts) or (
        _has_pair(parts, "sign", "in") or _has_pair(parts, "log", "in")
    )
    sets_password = any(w in _SETS_PASSWORD_WORDS for w in parts) or _has_pair(
        parts, "sign", "up"
    )
    return login and not sets_password


def _read_uses(ctx: FileContext, model: SchemaModel) -> None:
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "response_model":
                    excluded = _excluded_names(ctx, node)
                    for name in _class_names(kw.value, model):
                        model.response_uses.setdefault(name, []).append(excluded)
                elif kw.arg == "responses" and isinstance(kw.value, ast.Dict):
                    for entry in kw.value.values:
                        if isinstance(entry, ast.Dict):
                            for key, value in zip(entry.keys, entry.values):
                                if (
                                    isinstance(key, ast.Constant)
                                    and key.value == "model"
                                ):
                                    for name in _class_names(value, model):
                                        model.response_uses.setdefault(name, []).append(
                                            frozenset()
                                        )
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not is_route_handler(ctx, node):
                continue
            _read_route(ctx, model, node)


def _read_route(ctx: FileContext, model: SchemaModel, func: ast.AST) -> None:
    infos = routes(ctx, func)  # type: ignore[arg-type]
    response_names: Set[str] = set()
    has_response_model = False
    for info in infos:
        for kw in info.decorator.keywords:
            if kw.arg == "response_model":
                has_response_model = True
                response_names |= _class_names(kw.value, model)
            elif kw.arg in ("responses", "response_class"):
                response_names |= _class_names(kw.value, model)
    returns = getattr(func, "returns", None)
    fastapi = any(info.framework == "fastapi" for info in infos)
    if fastapi and not has_response_model and returns is not None:
        for name in _class_names(returns, model):
            model.response_uses.setdefault(name, []).append(frozenset())
            response_names.add(name)
    login = _is_login_route(ctx, func)
    used: Set[str] = set()
    args = func.args  # type: ignore[attr-defined]
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        used |= _class_names(arg.annotation, model)
    for stmt in func.body:  # type: ignore[attr-defined]
        used |= _class_names(stmt, model)
    for decorator in func.decorator_list:  # type: ignore[attr-defined]
        if isinstance(decorator, ast.Call) and decorator in [
            i.decorator for i in infos
        ]:
            continue
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in _RESPONSE_DECORATORS
        ):
            # flask-smorest ``@bp.response(200, UserSchema)``, apiflask
            # ``@app.output(UserOut)``: the response model of a Flask route
            for name in _class_names(decorator, model):
                model.response_uses.setdefault(name, []).append(frozenset())
                response_names.add(name)
            continue
        used |= _class_names(decorator, model)
    for name in used - response_names:
        model.route_uses.setdefault(name, set()).add(login)


def password_field_kind(name: str) -> Optional[str]:
    """Classify a field name for the password rules.

    Args:
        name: a field name.

    Returns:
        "sets" for a field that sets a user's password (``password``,
        ``new_password``, ``password1``), "confirm" for a confirmation
        (``password2``, ``confirm_password``), "other" for other fields that hold
        a password (``current_password``, ``db_password``), None otherwise.
    """
    parts = split_name(name)
    if not parts or parts[-1] not in PASSWORD_WORDS:
        return None
    prefix = set(parts[:-1])
    if prefix & {
        "confirm",
        "confirmation",
        "repeat",
        "retype",
        "again",
        "re",
        "verify",
    }:
        return "confirm"
    if name.rstrip("_")[-1:].isdigit() and not name.rstrip("_").endswith("1"):
        return "confirm"
    if prefix <= {"new", "user", "account", "admin", "plain", "raw", "initial", "my"}:
        return "sets"
    return "other"


_HASH_SUFFIX = frozenset(
    {"hash", "hashed", "digest", "encrypted", "crypt", "enc", "salt"}
)
_FLAG_PREFIX = frozenset(
    {"has", "is", "needs", "must", "require", "requires", "should", "can", "allow"}
)
_NON_SECRET_TYPES = frozenset(
    {
        "bool",
        "int",
        "float",
        "datetime",
        "date",
        "time",
        "timedelta",
        "Boolean",
        "Bool",
        "Int",
        "Integer",
        "Float",
        "Number",
        "Decimal",
        "DateTime",
        "Date",
        "AwareDateTime",
        "NaiveDateTime",
        "TimeDelta",
    }
)


def holds_password(schema_field: SchemaField) -> bool:
    """Return True when a field holds a password or its hash (BG223).

    Args:
        schema_field: a schema field.

    Returns:
        True for ``password``, ``hashed_password``, ``password_hash``, ``pwd``;
        False for flags and dates (``has_password``, ``password_changed_at``).
    """
    parts = split_name(schema_field.name)
    positions = [i for i, p in enumerate(parts) if p in PASSWORD_WORDS]
    if not positions:
        return False
    if not set(parts[positions[-1] + 1 :]) <= _HASH_SUFFIX:
        return False
    if parts[0] in _FLAG_PREFIX:
        return False
    return schema_field.type_name not in _NON_SECRET_TYPES
