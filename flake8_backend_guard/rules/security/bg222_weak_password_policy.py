"""BG222 weak-password-policy: password fields of input schemas without a minimum."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from ...analysis.schemas import (
    SchemaClass,
    SchemaField,
    SchemaModel,
    is_internal_name,
    is_service_credentials,
    is_settings_name,
    password_field_kind,
    schema_model,
)
from ...analysis.values import UNKNOWN
from ...context import FileContext
from ...rule import Example, Finding, Rule

MIN_PASSWORD_LENGTH = 8

RULE = Rule(
    code="BG222",
    name="weak-password-policy",
    message="password field `{field}` of {schema} {problem}",
    hint=(
        "require at least 8 characters (`Field(min_length=8)`, "
        "`constr(min_length=8)` or marshmallow `validate.Length(min=8)`)"
    ),
    rationale=(
        "An input schema that sets a password is where the password policy is "
        "enforced. Without a minimum length, users can register with `a` or `1234`, "
        "which falls to the first guesses of any online or offline attack. NIST SP "
        "800-63B asks for at least 8 characters. Declare the minimum on the field so "
        "that the API rejects short passwords with a clear validation error before "
        "anything is hashed or stored."
    ),
    bad=Example(
        "from pydantic import BaseModel\n\n\n"
        "class UserCreate(BaseModel):\n"
        "    email: str\n"
        "    password: str\n"
    ),
    good=Example(
        "from pydantic import BaseModel, Field\n\n\n"
        "class UserCreate(BaseModel):\n"
        "    email: str\n"
        "    password: str = Field(min_length=12, max_length=128)\n"
    ),
    severity="warning",
    cwe=521,
    overlaps=(),
    # a field that sets a password: its name (of a class of the file) has a part
    # ``password``, ``passwd``, ``passphrase`` or ``pwd`` (case-insensitive)
    requires=("assw", "assphrase", "pwd"),
)

# Types whose policy the file shows: plain strings and secrets (pydantic), string
# fields (marshmallow). A project type (``password: PasswordStr``) or custom field
# class may carry its own policy and is not judged.
_STRING_TYPES = frozenset(
    {
        "str",
        "bytes",
        "SecretStr",
        "SecretBytes",
        "constr",
        "conbytes",
        "Any",
        "String",
        "Str",
        "Raw",
        "Field",
    }
)


@RULE.on(ast.ClassDef)
def _check_class(node: ast.ClassDef, ctx: FileContext) -> Iterator[Finding]:
    model = schema_model(ctx)
    cls = model.get(node.name)
    if cls is None or cls.node is not node or not _is_judged(model, cls):
        return
    for name, schema_field in model.all_fields(cls).items():
        if password_field_kind(name) != "sets":
            continue
        owner = model.get(schema_field.owner)
        if owner is not cls and owner is not None and _is_judged(model, owner):
            continue  # reported where the base defines it
        problem = _problem(model, cls, schema_field)
        if problem is None:
            continue
        if owner is cls:
            yield RULE.finding(
                schema_field.node, field=name, schema=f"`{cls.name}`", problem=problem
            )
        else:
            yield RULE.finding(
                node,
                field=name,
                schema=f"`{cls.name}` (inherited from `{schema_field.owner}`)",
                problem=problem,
            )


def _is_judged(model: SchemaModel, cls: SchemaClass) -> bool:
    # Input schemas that may set a password: not settings, tables, internal,
    # output or login/credential/token schemas.
    if cls.kind == "settings" or cls.is_table:
        return False
    if is_settings_name(cls.name) or is_internal_name(cls.name):
        return False
    if is_service_credentials(model, cls):
        return False
    return not (model.is_output(cls) or model.is_login(cls))


def _problem(
    model: SchemaModel, cls: SchemaClass, schema_field: SchemaField
) -> Optional[str]:
    if schema_field.type_name not in _STRING_TYPES:
        return None
    if schema_field.custom_policy or model.has_validator(cls, schema_field.name):
        return None
    minimum = schema_field.min_length
    if minimum is None:
        minimum = model.str_min_length(cls)
    if minimum is UNKNOWN:
        return None
    if minimum is None:
        return "has no minimum length"
    if minimum < MIN_PASSWORD_LENGTH:
        return f"accepts passwords of {minimum} characters"
    return None
