"""BG223 password-in-response-model: output schemas that carry a password or hash."""

from __future__ import annotations

import ast
from typing import Iterator

from ...analysis.schemas import holds_password, schema_model
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG223",
    name="password-in-response-model",
    message="output schema `{schema}` exposes {field}",
    hint=(
        "remove the field from the response model (or mark it `load_only=True` / "
        "`Field(exclude=True)`)"
    ),
    rationale=(
        "A response or output schema is what the API sends back to clients. A "
        "password field in it, even a hash, leaks the credential to every caller "
        "that can read the resource: hashes can be cracked offline, and a plain "
        "password in a response ends up in browser caches, proxies and logs. "
        "Output models should list only what the client needs; passwords belong "
        "in separate input models (`UserCreate`) and in the database model."
    ),
    bad=Example(
        "from pydantic import BaseModel\n\n\n"
        "class UserOut(BaseModel):\n"
        "    id: int\n"
        "    email: str\n"
        "    hashed_password: str\n"
    ),
    good=Example(
        "from pydantic import BaseModel\n\n\n"
        "class UserOut(BaseModel):\n"
        "    id: int\n"
        "    email: str\n"
    ),
    severity="error",
    cwe=200,
    overlaps=(),
    # a field that holds a password or its hash: its name (of a class of the
    # file) has a part ``password``, ``passwd``, ``passphrase`` or ``pwd``
    # (case-insensitive)
    requires=("assw", "assphrase", "pwd"),
)


@RULE.on(ast.ClassDef)
def _check_class(node: ast.ClassDef, ctx: FileContext) -> Iterator[Finding]:
    model = schema_model(ctx)
    cls = model.get(node.name)
    if cls is None or cls.node is not node or cls.kind == "settings":
        return
    if not model.is_output(cls):
        return
    for name, schema_field in model.all_fields(cls).items():
        if not holds_password(schema_field) or not model.is_exposed(cls, schema_field):
            continue
        if schema_field.owner == cls.name:
            yield RULE.finding(schema_field.node, schema=cls.name, field=f"`{name}`")
        else:
            yield RULE.finding(
                node,
                schema=cls.name,
                field=f"`{name}` (inherited from `{schema_field.owner}`)",
            )
