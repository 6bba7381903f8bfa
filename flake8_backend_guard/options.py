"""The one option schema shared by the flake8 plugin and the standalone command.

Each option has one name everywhere (``bg-max-token-lifetime``): a flake8 command-line
option, a flake8 config key, and a key of ``[tool.backend-guard]``. Values are
validated here, because flake8 skips type checks for values read from config files;
a bad value raises :class:`OptionError` whose text is one line naming the option.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Pattern
from typing import Tuple

DEFAULT_AUTH_ROUTE_PATTERN = (
    "login|logout|signin|signup|register|token|auth|password|reset|otp|verify|2fa|mfa"
)
DEFAULT_IGNORE_NAMES = (
    "setUp",
    "tearDown",
    "setUpClass",
    "tearDownClass",
    "setUpModule",
    "tearDownModule",
    "asyncSetUp",
    "asyncTearDown",
    "setUpTestData",
    "addCleanup",
    "maxDiff",
    "longMessage",
    "visit_*",
    "depart_*",
    "leave_*",
    "do_*",
)
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$", re.IGNORECASE)
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class OptionError(ValueError):
    """An option has a bad value; ``str(error)`` is a one-line message."""


def _as_list(name: str, raw: Any) -> List[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        items: Iterable[Any] = raw.replace("\n", ",").split(",")
    elif isinstance(raw, (list, tuple, set, frozenset)):
        items = raw
    else:
        raise OptionError(f"{name}: expected a comma-separated list, got {raw!r}")
    result = []
    for item in items:
        if not isinstance(item, str):
            raise OptionError(f"{name}: list items must be strings, got {item!r}")
        item = item.strip()
        if item:
            result.append(item)
    return result


def _identifiers(name: str, raw: Any) -> FrozenSet[str]:
    values = _as_list(name, raw)
    for value in values:
        if not all(part.isidentifier() for part in value.split(".")):
            raise OptionError(f"{name}: {value!r} is not a dotted Python name")
    return frozenset(values)


def _words(name: str, raw: Any) -> FrozenSet[str]:
    values = _as_list(name, raw)
    for value in values:
        if not re.match(r"^[A-Za-z0-9_]+$", value):
            raise OptionError(f"{name}: {value!r} is not a word (letters, digits, _)")
    return frozenset(v.lower() for v in values)


def _paths(name: str, raw: Any) -> Tuple[str, ...]:
    return tuple(os.path.normcase(os.path.abspath(p)) for p in _as_list(name, raw))


def _patterns(name: str, raw: Any) -> Tuple[str, ...]:
    return tuple(_as_list(name, raw))


def _regex(name: str, raw: Any) -> Pattern[str]:
    if isinstance(raw, (list, tuple)):
        raw = "|".join(str(r) for r in raw)
    if not isinstance(raw, str) or not raw.strip():
        raise OptionError(f"{name}: expected a regular expression, got {raw!r}")
    try:
        return re.compile(raw.strip(), re.IGNORECASE)
    except re.error as exc:
        raise OptionError(f"{name}: invalid regular expression {raw!r}: {exc}") from None


def _duration(name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise OptionError(f"{name}: expected a duration in seconds, got {raw!r}")
    if isinstance(raw, int):
        value = raw
    else:
        match = _DURATION_RE.match(str(raw))
        if not match:
            raise OptionError(
                f"{name}: expected a duration in seconds (e.g. 3600, 60m, 1h, 30d), "
                f"got {raw!r}"
            )
        value = int(match.group(1)) * _DURATION_UNITS[match.group(2).lower()]
    if value <= 0:
        raise OptionError(f"{name}: the duration must be positive, got {raw!r}")
    return value


def _docstring_style(name: str, raw: Any) -> str:
    value = str(raw).strip().lower()
    if value not in ("google", "numpy", "sphinx"):
        raise OptionError(f"{name}: expected one of google, numpy, sphinx, got {raw!r}")
    return value


def _url_prefix(name: str, raw: Any) -> str:
    value = str(raw).strip() if isinstance(raw, str) else ""
    if not value.startswith("/") or any(c.isspace() for c in value):
        raise OptionError(f"{name}: expected a URL path starting with '/', got {raw!r}")
    return value.rstrip("/") or "/"


@dataclass(frozen=True)
class OptionSpec:
    """One option: its name, default, parser, help and documentation kind."""

    name: str
    default: Any
    parse: Callable[[str, Any], Any]
    help: str
    kind: str
    is_list: bool = False

    @property
    def attr(self) -> str:
        """Return the attribute name on :class:`Config` (``max_token_lifetime``)."""
        return self.name[3:].replace("-", "_")

    @property
    def dest(self) -> str:
        """Return the argparse destination used by flake8 (``bg_max_token_lifetime``)."""
        return self.name.replace("-", "_")


_SPECS = (
    OptionSpec(
        "bg-internal-packages",
        (),
        _identifiers,
        "Extra top-level package names treated as internal by BG101.",
        "list of names",
        True,
    ),
    OptionSpec(
        "bg-namespace-packages",
        (),
        _paths,
        "Directories allowed to be PEP 420 namespace packages (no __init__.py).",
        "list of paths",
        True,
    ),
    OptionSpec(
        "bg-sensitive-names",
        (),
        _words,
        "Extra words that make a name sensitive (secrets, tokens, personal data).",
        "list of words",
        True,
    ),
    OptionSpec(
        "bg-auth-route-pattern",
        DEFAULT_AUTH_ROUTE_PATTERN,
        _regex,
        "Regular expression matched against route path segments and function name "
        "parts to find authentication routes (BG214).",
        "regular expression",
    ),
    OptionSpec(
        "bg-rate-limit-decorators",
        (),
        _identifiers,
        "Extra decorator or dependency names that rate-limit a route (BG214).",
        "list of names",
        True,
    ),
    OptionSpec(
        "bg-filename-sanitizers",
        (),
        _identifiers,
        "Extra functions that sanitise an uploaded file name (BG216).",
        "list of names",
        True,
    ),
    OptionSpec(
        "bg-max-token-lifetime",
        3600,
        _duration,
        "Longest allowed access-token lifetime, in seconds or with a unit "
        "(60m, 1h) (BG213).",
        "duration",
    ),
    OptionSpec(
        "bg-max-refresh-lifetime",
        30 * 86400,
        _duration,
        "Longest allowed refresh-token lifetime, in seconds or with a unit "
        "(30d) (BG213).",
        "duration",
    ),
    OptionSpec(
        "bg-docstring-style",
        "google",
        _docstring_style,
        "Docstring convention: google, numpy or sphinx (BG303 to BG305).",
        "google | numpy | sphinx",
    ),
    OptionSpec(
        "bg-api-prefix",
        "/api",
        _url_prefix,
        "URL prefix every registered Blueprint or router must start with (BG317).",
        "URL path",
    ),
    OptionSpec(
        "bg-ignore-names",
        DEFAULT_IGNORE_NAMES,
        _patterns,
        "Names (glob patterns) exempt from the naming rules BG308 and BG310.",
        "list of glob patterns",
        True,
    ),
)

SCHEMA: Dict[str, OptionSpec] = {spec.name: spec for spec in _SPECS}


@dataclass(frozen=True)
class Config:
    """Validated option values, one attribute per option (``config.api_prefix``)."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Store each option as a plain instance attribute.

        Rules read options tens of thousands of times per run: an instance
        attribute is read directly, while ``__getattr__`` only runs after a failed
        look-up (about 2 us against 25 ns). Equality, hashing and ``repr`` still
        use ``values`` only.
        """
        for attr, value in self.values.items():
            if isinstance(attr, str) and not hasattr(Config, attr):
                object.__setattr__(self, attr, value)

    def __getattr__(self, attr: str) -> Any:
        """Return the value of the option named by ``attr``.

        Args:
            attr: The option's attribute name (``api_prefix`` for ``bg-api-prefix``).

        Returns:
            The validated value of that option.

        Raises:
            AttributeError: When no option has that attribute name.
        """
        if attr == "values":  # not set yet (an instance being unpickled)
            raise AttributeError(attr)
        try:
            return self.values[attr]
        except KeyError:
            raise AttributeError(attr) from None


def build_config(raw: Mapping[str, Any]) -> Config:
    """Validate raw option values (keys with ``-`` or ``_``) and return a Config.

    Args:
        raw: Option values by name, with or without the ``bg-`` prefix; missing keys
            and None values take their defaults.

    Returns:
        The validated configuration.

    Raises:
        OptionError: When a key names no known option or a value is invalid.
    """
    normalized: Dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("_", "-")
        if not name.startswith("bg-"):
            name = "bg-" + name
        if name not in SCHEMA:
            raise OptionError(f"{key}: unknown option (known: {', '.join(SCHEMA)})")
        normalized[name] = value
    values = {}
    for spec in _SPECS:
        value = normalized.get(spec.name)
        if value is None:
            values[spec.attr] = spec.parse(spec.name, spec.default)
        else:
            values[spec.attr] = spec.parse(spec.name, value)
    return Config(values)


DEFAULT_CONFIG = build_config({})
