"""Unit tests for BG218-BG223 and the schema model (``analysis/schemas.py``)."""

from __future__ import annotations

import ast
import textwrap
from typing import List

import pytest

from flake8_backend_guard.analysis.schemas import (
    SchemaModel,
    holds_password,
    is_internal_name,
    is_login_name,
    is_output_name,
    password_field_kind,
    schema_model,
)
from flake8_backend_guard.analysis.values import UNKNOWN
from flake8_backend_guard.context import FileContext
from helpers import check, codes


def _model(source: str) -> SchemaModel:
    tree = ast.parse(textwrap.dedent(source))
    return schema_model(FileContext(tree, "schemas.py"))


def _codes(source: str, code: str, filename: str = "example.py") -> List[int]:
    return [f.line for f in check(source, filename, select=[code]) if f.code == code]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("UserOut", True),
        ("UserResponse", True),
        ("UserPublic", True),
        ("UserRead", True),
        ("UserReadSchema", True),
        ("ProfileView", True),
        ("OrderDetail", True),
        ("Logout", False),
        ("Checkout", False),
        ("UserCreate", False),
        ("Out", False),
    ],
)
def test_output_names(name: str, expected: bool) -> None:
    """Output schema names end in an output word, after Schema/Model/DTO.

    Args:
        name: a class name.
        expected: whether it names an output schema.
    """
    assert is_output_name(name) is expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("UserLogin", True),
        ("SignInRequest", True),
        ("Credentials", True),
        ("TokenData", True),
        ("ResetPasswordToken", False),
        ("UserCreate", False),
        ("AuthRegister", False),
    ],
)
def test_login_names(name: str, expected: bool) -> None:
    """Login/credential/token schemas never set a password.

    Args:
        name: a class name.
        expected: whether it names a login schema.
    """
    assert is_login_name(name) is expected


def test_internal_names() -> None:
    """``InDB``/``Internal`` models are internal."""
    assert is_internal_name("UserInDB")
    assert is_internal_name("InternalUser")
    assert not is_internal_name("UserCreate")


@pytest.mark.parametrize(
    "name, kind",
    [
        ("password", "sets"),
        ("new_password", "sets"),
        ("password1", "sets"),
        ("password2", "confirm"),
        ("confirm_password", "confirm"),
        ("current_password", "other"),
        ("old_password", "other"),
        ("smtp_password", "other"),
        ("password_hash", None),
        ("email", None),
    ],
)
def test_password_field_kind(name: str, kind: str) -> None:
    """Only fields that set a user's password are judged by BG222.

    Args:
        name: a field name.
        kind: the expected classification.
    """
    assert password_field_kind(name) == kind


def test_schema_model_fields_and_constraints() -> None:
    """Constraints, exclusions and secrets are read from every supported form."""
    model = _model("""
        from typing import Annotated
        from marshmallow import Schema, fields, validate
        from pydantic import BaseModel, Field, SecretStr, StringConstraints, constr

        Pw = Annotated[str, StringConstraints(min_length=10)]

        class Base(BaseModel):
            email: str

        class UserCreate(Base):
            a: str = Field(min_length=8)
            b: constr(min_length=6)
            c: Pw
            d: SecretStr
            e: str = Field(exclude=True)
            f: str

        class UserSchema(Schema):
            password = fields.Str(load_only=True, validate=validate.Length(min=9))
            other = fields.Str(validate=[validate.Length(max=5)])
        """)
    user = model.get("UserCreate")
    assert user is not None and user.kind == "pydantic" and user.bases == ("Base",)
    fields = model.all_fields(user)
    assert set(fields) == {"email", "a", "b", "c", "d", "e", "f"}
    assert fields["a"].min_length == 8
    assert fields["b"].min_length == 6
    assert fields["c"].min_length == 10
    assert fields["d"].secret and fields["d"].min_length is None
    assert fields["e"].excluded
    assert fields["f"].min_length is None
    schema = model.get("UserSchema")
    assert schema is not None and schema.kind == "marshmallow"
    assert schema.fields["password"].excluded
    assert schema.fields["password"].min_length == 9
    assert schema.fields["other"].min_length is None


def test_schema_model_skips_orm_and_reads_uses() -> None:
    """ORM models are not schemas; response models and login routes are recorded."""
    model = _model("""
        from typing import List
        from fastapi import APIRouter
        from pydantic import BaseModel
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import BaseModel as OrmBase, BaseSchema

        router = APIRouter()

        class User(OrmBase):
            __tablename__ = "users"
            password: Mapped[str] = mapped_column()

        class Account(BaseSchema):
            password: str

        class Item(BaseModel):
            name: str

        class LoginBody(BaseModel):
            password: str

        @router.get("/items", response_model=List[Item])
        async def items() -> list:
            return []

        @router.post("/login")
        async def login(body: LoginBody) -> dict:
            return {}
        """)
    assert model.get("User") is None
    assert model.get("Account") is not None
    assert model.is_output(model.get("Item"))
    assert model.is_login(model.get("LoginBody"))
    assert not model.is_login(model.get("Account"))


def test_holds_password() -> None:
    """Password or hash fields, not flags or dates about them."""
    model = _model("""
        from datetime import datetime
        from pydantic import BaseModel

        class UserOut(BaseModel):
            hashed_password: str
            password_hash: str
            pwd: str
            has_password: bool
            password_changed_at: datetime
            password_reset_token: str
        """)
    fields = model.get("UserOut").fields
    held = {name for name, field in fields.items() if holds_password(field)}
    assert held == {"hashed_password", "password_hash", "pwd"}


def test_unknown_min_length_is_accepted() -> None:
    """A computed minimum (a setting) is not judged."""
    model = _model("""
        from pydantic import BaseModel, Field
        from .config import settings

        class UserCreate(BaseModel):
            password: str = Field(min_length=settings.MIN_PASSWORD)
        """)
    assert model.get("UserCreate").fields["password"].min_length is UNKNOWN
    assert not _codes(
        """
        from pydantic import BaseModel, Field
        from .config import settings

        class UserCreate(BaseModel):
            password: str = Field(min_length=settings.MIN_PASSWORD)
        """,
        "BG222",
    )


def test_bg218_debug_variants() -> None:
    """Literal debug flags fire anywhere; the reloader only outside __main__."""
    source = """
        import uvicorn
        from flask import Flask

        app = Flask(__name__)
        app.run(debug="1")
        uvicorn.run("m:app", reload=True)
        if __name__ == "__main__":
            uvicorn.run("m:app", reload=True)
            app.run(debug=True)
    """
    assert _codes(source, "BG218") == [6, 7, 10]


def test_bg218_settings_module_only() -> None:
    """``DEBUG = True`` is judged in settings/config modules only."""
    assert _codes("DEBUG = True\n", "BG218", "app/settings.py") == [1]
    assert _codes("DEBUG = True\n", "BG218", "app/production_config.py") == [1]
    assert _codes("DEBUG = True\n", "BG218", "app/views.py") == []
    assert _codes(
        "from flask import Flask\nDEBUG = True\napp = Flask(__name__)\n"
        "app.config.from_object(__name__)\n",
        "BG218",
        "flaskr.py",
    ) == [2]


def test_bg219_sensitive_names_option() -> None:
    """``bg-sensitive-names`` adds words."""
    source = """
        import logging

        def f(iban: str) -> None:
            logging.info("paying %s", iban)
    """
    assert _codes(source, "BG219") == []
    findings = check(source, select=["BG219"], bg_sensitive_names="iban")
    assert codes(findings) == ["BG219"]


def test_bg219_local_values() -> None:
    """Values flow through local names; safe transformations do not leak."""
    source = """
        import logging
        from flask import request

        log = logging.getLogger(__name__)

        def view() -> None:
            auth = request.headers.get("Authorization")
            agent = request.headers.get("User-Agent")
            payload = {"user": 1, "api_key": auth}
            log.info("auth %s", auth)
            log.info("agent %s", agent)
            log.info("payload %s", payload)
            log.info("has auth %s", auth is not None)
    """
    assert _codes(source, "BG219") == [11, 13]


def test_bg220_columns_point_at_the_keyword() -> None:
    """The finding is on the ``verify=False`` argument of a multi-line call."""
    source = """
        import requests

        requests.post(
            "https://x",
            json={},
            timeout=5,
            verify=False,
        )
    """
    assert _codes(source, "BG220") == [8]


def test_bg221_flask_config_settings() -> None:
    """flask-cors settings in config: credentials with a wildcard origin."""
    source = """
        from flask import Flask
        from flask_cors import CORS

        app = Flask(__name__)
        app.config["CORS_SUPPORTS_CREDENTIALS"] = True
        CORS(app)
    """
    assert _codes(source, "BG221") == [7]
    explicit = source.replace("CORS(app)", 'CORS(app, origins=["https://a.example"])')
    assert _codes(explicit, "BG221") == []


def test_bg223_inherited_field_reported_on_class() -> None:
    """An output schema inheriting a password field is reported at its class."""
    source = """
        from pydantic import BaseModel

        class UserBase(BaseModel):
            email: str
            hashed_password: str

        class UserOut(UserBase):
            id: int

        class UserIn(UserBase):
            pass
    """
    assert _codes(source, "BG223") == [8]
