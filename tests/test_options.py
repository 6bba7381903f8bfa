"""The option schema: parsing and one-line errors."""

from __future__ import annotations

import pytest

from flake8_backend_guard.options import SCHEMA, OptionError, build_config


def test_defaults() -> None:
    """Defaults match RULES.md."""
    config = build_config({})
    assert config.max_token_lifetime == 3600
    assert config.max_refresh_lifetime == 30 * 86400
    assert config.api_prefix == "/api"
    assert config.docstring_style == "google"
    assert config.auth_route_pattern.fullmatch("login")
    assert "visit_*" in config.ignore_names


@pytest.mark.parametrize(
    "raw, attr, expected",
    [
        ({"bg-max-token-lifetime": "7200"}, "max_token_lifetime", 7200),
        ({"bg-max-token-lifetime": "15m"}, "max_token_lifetime", 900),
        ({"bg_max_refresh_lifetime": "7d"}, "max_refresh_lifetime", 604800),
        ({"max-token-lifetime": 60}, "max_token_lifetime", 60),
        ({"bg-internal-packages": "app, core"}, "internal_packages", frozenset({"app", "core"})),
        ({"bg-internal-packages": ["app"]}, "internal_packages", frozenset({"app"})),
        ({"bg-sensitive-names": "IBAN,dob"}, "sensitive_names", frozenset({"iban", "dob"})),
        ({"bg-api-prefix": "/api/v1/"}, "api_prefix", "/api/v1"),
        ({"bg-docstring-style": "NumPy"}, "docstring_style", "numpy"),
    ],
)
def test_parsing(raw, attr, expected) -> None:
    """Values from INI strings, TOML lists and ints parse alike."""
    assert getattr(build_config(raw), attr) == expected


@pytest.mark.parametrize(
    "raw",
    [
        {"bg-max-token-lifetime": "soon"},
        {"bg-max-token-lifetime": 0},
        {"bg-max-token-lifetime": True},
        {"bg-docstring-style": "epydoc"},
        {"bg-api-prefix": "api"},
        {"bg-auth-route-pattern": "(unclosed"},
        {"bg-internal-packages": "my-package"},
        {"bg-sensitive-names": "a b"},
        {"bg-no-such-option": "1"},
    ],
)
def test_errors_are_one_line_naming_the_option(raw) -> None:
    """A bad value raises OptionError with one line naming the option."""
    with pytest.raises(OptionError) as info:
        build_config(raw)
    text = str(info.value)
    assert "\n" not in text
    assert list(raw)[0] in text


def test_every_option_documented() -> None:
    """Every option has help text and a kind."""
    for spec in SCHEMA.values():
        assert spec.help and spec.kind and spec.name.startswith("bg-")


def test_config_options_are_attributes_and_it_pickles() -> None:
    """Options are plain attributes (no ``__getattr__`` on the hot path), and a
    Config survives pickling (``__getattr__`` used to recurse on ``values``)."""
    import pickle

    from flake8_backend_guard.options import build_config

    config = build_config({"bg-api-prefix": "/v1"})
    assert vars(config)["api_prefix"] == "/v1"
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config and copy.api_prefix == "/v1"
