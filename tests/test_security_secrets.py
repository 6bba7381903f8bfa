"""Unit tests of the secret and password helpers (BG206 to BG210) and their edges."""

from __future__ import annotations

from typing import List

import pytest

from flake8_backend_guard.analysis.secrets import credential_format, is_secret_literal
from helpers import check


def _codes(source: str, code: str, filename: str = "example.py") -> List[int]:
    return [f.line for f in check(source, filename, select=[code]) if f.code == code]


@pytest.mark.parametrize(
    "value, name",
    [
        ("hunter2", "db_password"),
        ("super-secret-key", "SECRET_KEY"),
        ("secret", "SECRET_KEY"),
        ("password", "password"),  # a test's weak password is still a password
        ("password", "DB_PASSWORD"),
        ("changeme", "API_KEY"),
        ("Bearer 9f8e7d6c5b4a", "Authorization"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "token"),
        ("you will never guess", "SECRET_KEY"),
        ("1234", "pin"),
        (b"\x01\x02key", "secret_key"),
    ],
)
def test_secret_literals(value: object, name: str) -> None:
    """Non-empty values bound to sensitive names are secrets."""
    assert is_secret_literal(value, name)


@pytest.mark.parametrize(
    "value, name",
    [
        ("", "password"),
        ("   ", "password"),
        ("PASSWORD", "PASSWORD"),
        ("password", "PASSWORD"),
        ("password", "GRANT_TYPE_PASSWORD"),
        ("Authorization", "AUTHORIZATION"),
        ("X-API-Key", "api_key"),
        ("DB_PASSWORD", "password_env"),
        ("DB_PASSWORD", "db_password"),
        ("${DB_PASSWORD}", "db_password"),
        ("{password}", "dsn_password"),
        ("%(password)s", "password"),
        ("/auth/token", "token"),
        ("https://example.com/oauth/token", "token"),
        ("keys/private.pem", "PRIVATE_KEY"),
        ("********", "password"),
        ("[REDACTED]", "token"),
        ("<your-api-key>", "api_key"),
        ("Invalid token.", "INVALID_TOKEN"),
        ("bearer", "token_type"),
        ("with", "token"),
        ("DEFAULT", "_DEFAULT_TOKEN"),
        ("set-password", "reset_url_token"),
        ("off", "pin"),
        ("-", "password"),
        ("\U0001f4b3", "credit_card"),
        ("AWSSecretKey", "SECRET_KEY"),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", "SecretAccessKey"),
    ],
)
def test_not_secret_literals(value: object, name: str) -> None:
    """Field names, env-var references, templates, paths and masks are not secrets."""
    assert not is_secret_literal(value, name)


def test_defaults_keep_field_like_values() -> None:
    """For fallbacks (BG207) a value equal to the name is still a default password."""
    assert is_secret_literal("password", "DB_PASSWORD", False, False)
    assert not is_secret_literal("${DB_PASSWORD}", "DB_PASSWORD", False, False)


@pytest.mark.parametrize(
    "value, kind",
    [
        ("AKIA" "Z7VQ4XKJ2LMNP3RT", "AWS"),
        ("ghp_" "0123456789abcdefghijABCDEFGHIJklmnop", "GitHub"),
        ("xoxb-" "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack"),
        ("sk_" "live_4eC39HqLyjWDarjtT1zdp7dc9a", "Stripe"),
        ("AIza" "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "Google"),
        (
            "-----BEGIN RSA "
            "PRIVATE KEY-----\n"
            "MIIEowIBAAKCAQEAuK1bXc3d4e5f6g7h8i9j0kLmNoPqRsTuVw\n",
            "private key",
        ),
    ],
)
def test_credential_formats(value: str, kind: str) -> None:
    """Known credential formats are recognised anywhere."""
    found = credential_format(value)
    assert found is not None and kind in found


@pytest.mark.parametrize(
    "value",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "AKIAXXXXXXXXXXXXXXXX",
        "ghp_ is the prefix of a GitHub personal access token",
        "-----BEGIN RSA PRIVATE KEY-----",
        "if data.startswith(b'-----BEGIN PRIVATE KEY-----'):",
        "sk_live_ keys start with this prefix",
        "AIza",
        "the xoxb- prefix marks Slack bot tokens",
    ],
)
def test_credential_format_prose(value: str) -> None:
    """Prefixes mentioned in prose, markers and documented samples are not keys."""
    assert credential_format(value) is None


def test_bg206_module_constant_reported_once() -> None:
    """A sensitive constant is reported where defined, not again where used."""
    source = """\
        import jwt

        JWT_SECRET = "k3y-for-signing"
        PLAIN = "also-a-key-123"


        def sign(payload):
            jwt.encode(payload, JWT_SECRET, algorithm="HS256")
            return jwt.encode(payload, PLAIN, algorithm="HS256")
        """
    assert _codes(source, "BG206") == [3, 9]


def test_bg206_settings_field_is_bg207s() -> None:
    """A pydantic settings default is reported by BG207 only."""
    source = """\
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            secret_key: str = "dev-secret"
        """
    assert _codes(source, "BG206") == []
    assert _codes(source, "BG207") == [5]


def test_bg207_getenv_default_is_not_bg206() -> None:
    """The literal default of ``os.getenv`` is BG207's, not BG206's."""
    source = """\
        import os

        SECRET_KEY = os.getenv("SECRET_KEY", "dev")
        API_KEY = os.environ.get("API_KEY") or "local-key"
        """
    assert _codes(source, "BG206") == []
    assert _codes(source, "BG207") == [3, 4]


def test_bg207_sensitive_names_option() -> None:
    """``bg-sensitive-names`` adds words for the env-var name test."""
    source = 'import os\n\nIBAN = os.getenv("COMPANY_IBAN", "DE00123")\n'
    assert _codes(source, "BG207") == []
    lines = [
        f.line
        for f in check(source, select=["BG207"], bg_sensitive_names="iban")
        if f.code == "BG207"
    ]
    assert lines == [3]


def test_bg209_stdin_without_siblings() -> None:
    """Over stdin an imported model cannot be read; the keyword form is not judged."""
    source = """\
        from .models import User


        def register(form):
            return User(password=form.password.data)
        """
    assert _codes(source, "BG209", filename="stdin") == []


def test_bg210_function_level_import() -> None:
    """``import random`` inside the function still counts."""
    source = """\
        def make_token():
            import random

            return str(random.random())
        """
    assert _codes(source, "BG210") == [4]
