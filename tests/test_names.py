"""The RULES.md "Sensitive names" examples, pinned for ``analysis/names.py``."""

from __future__ import annotations

import pytest

from flake8_backend_guard.analysis.names import (
    is_password_name,
    is_random_sensitive,
    is_sensitive,
    node_name,
    split_name,
)

SENSITIVE = [
    "db_password",
    "apiKey",
    "auth_token",
    "JWT_SECRET_KEY",
    "csrf_token",
    "SECRET_COOKIE_KEY",
    "x_auth_token",
    "DB_PASSWORD",
]
NOT_SENSITIVE = [
    "token_type",
    "password_field",
    "TOKEN_URL",
    "SESSION_COOKIE_SAMESITE",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "password_min_length",
    "password_hash",
    "user_id",
    "cache_key",
]
RANDOM_SENSITIVE = ["reset_code", "share_code", "door_code"]
RANDOM_NOT_SENSITIVE = ["status_code", "color_code", "zip_code"]


@pytest.mark.parametrize("name", SENSITIVE)
def test_sensitive_examples(name: str) -> None:
    """The catalogue's sensitive examples are sensitive."""
    assert is_sensitive(name)


@pytest.mark.parametrize("name", NOT_SENSITIVE)
def test_not_sensitive_examples(name: str) -> None:
    """The catalogue's counter-examples qualify a secret rather than hold it."""
    assert not is_sensitive(name)


@pytest.mark.parametrize("name", RANDOM_SENSITIVE)
def test_random_code_names(name: str) -> None:
    """BG210: ``code`` after a qualifier such as ``reset`` counts."""
    assert is_random_sensitive(name)


@pytest.mark.parametrize("name", RANDOM_NOT_SENSITIVE)
def test_random_code_counter_examples(name: str) -> None:
    """BG210: ``status_code`` and the like do not count."""
    assert not is_random_sensitive(name)


@pytest.mark.parametrize("name", SENSITIVE)
def test_sensitive_names_are_random_sensitive(name: str) -> None:
    """Every sensitive name is also sensitive for BG210."""
    assert is_random_sensitive(name)


@pytest.mark.parametrize("name", ["nonce", "salt", "key", "csrf", "signing_nonce"])
def test_random_extra_last_parts(name: str) -> None:
    """BG210 adds the last parts ``nonce``, ``salt``, ``key`` (and bare ``csrf``)."""
    assert is_random_sensitive(name)
    assert not is_sensitive(name)


def test_split_name_examples() -> None:
    """Parts split on ``_`` and camelCase, lower case, trailing digits dropped."""
    assert split_name("apiKey") == ("api", "key")
    assert split_name("DB_PASSWORD") == ("db", "password")
    assert split_name("JWT_SECRET_KEY") == ("jwt", "secret", "key")
    assert split_name("password2") == ("password",)
    assert split_name("X-API-Key") == ("x", "api", "key")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("password", True),
        ("new_password", True),
        ("DB_PASSWD", True),
        ("pwd", True),
        ("passphrase", True),
        ("password_hash", False),
        ("password_field", False),
        ("api_token", False),
    ],
)
def test_password_words(name: str, expected: bool) -> None:
    """Password-only rules use the last part ``password passwd pwd passphrase``."""
    assert is_password_name(name) is expected


def test_extra_words_add_but_never_remove() -> None:
    """``bg-sensitive-names`` adds words; the built-in list stays."""
    extra = frozenset({"iban"})
    assert is_sensitive("customer_iban", extra)
    assert not is_sensitive("customer_iban")
    assert is_sensitive("db_password", extra)


def test_node_name_shapes() -> None:
    """Names, attributes, constant subscript keys and string constants have names."""
    import ast

    assert node_name(ast.parse("password", mode="eval").body) == "password"
    assert node_name(ast.parse("user.password", mode="eval").body) == "password"
    assert node_name(ast.parse('cfg["SECRET_KEY"]', mode="eval").body) == "SECRET_KEY"
    assert node_name(ast.parse("cfg[key]", mode="eval").body) is None
    assert node_name(ast.parse('"API_KEY"', mode="eval").body) == "API_KEY"
