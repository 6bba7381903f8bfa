"""Helpers shared by the secret and password rules (BG206 to BG210).

What is here:

- literal judgement: whether a string bound to a sensitive name is plainly not a
  secret (an env-var reference, a format template, a file path, a header name, a
  redaction mask...), and whether a string has a known credential format;
- environment reads (``os.getenv``, ``os.environ.get``, decouple/starlette/environs
  readers) and their literal defaults;
- class facts of a module (ORM models, user classes, pydantic settings, enums,
  password setters), for the file being checked and, read as text and parsed once
  per process, for the modules it imports models from;
- password values (``password``, ``form.password.data``, ``data["password"]``,
  values built from them in the same function) and hashed values.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from ..context import (
    FUNCTION_TYPES,
    FileContext,
    link_parents,
    module_level_statements,
    node_fields,
)
from .dataflow import reaching_values
from .names import PASSWORD_WORDS, is_password_name, split_name
from .values import UNKNOWN, const_value
from .web import has_word

# ---- walk position ----------------------------------------------------------------


def reach(ctx: FileContext, node: ast.AST) -> None:
    """Record the parents of ``node``'s descendants before the walk reaches them.

    The engine records a node's parent when it descends into the parent, after the
    parent's handlers ran; ``dataflow.reaching_values`` and
    ``ctx.enclosing_function`` need the parent chain of the names they are given.
    A handler calls this on its own node before asking about its sub-expressions.
    The parents recorded are the same the engine records later.

    Args:
        ctx: The file context.
        node: A node the walk has reached (the handler's node).
    """
    done: Set[int] = ctx.cached(("secrets", "reached"), set)
    if id(node) in done:
        return
    done.add(id(node))
    link_parents(node, ctx.parents)


# ---- literal values -----------------------------------------------------------------

_ENV_REF_RE = re.compile(
    r"^\$\{?[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}?$|\$\{[A-Za-z_]\w*"
)
_TEMPLATE_RE = re.compile(
    r"\{[A-Za-z_][A-Za-z0-9_.\[\]]*(?:![rsa])?(?::[^{}]*)?\}|\{\d*\}|%\([A-Za-z_]\w*\)[sdr]"
    r"|%[sdr]\b|\{\{\s*[A-Za-z_][\w.]*\s*\}\}"
)
_URL_RE = re.compile(r"^[a-z][a-z0-9+.\-]*://[^\s]*$", re.IGNORECASE)
_URL_CREDENTIALS_RE = re.compile(
    r"^[a-z][a-z0-9+.\-]*://[^/\s:@]*:[^/\s@]+@", re.IGNORECASE
)
_FILE_RE = re.compile(
    r"^[\w.~/\\:\-]*[\w\-]\.(?:pem|key|crt|cer|der|p8|p12|pfx|json|txt|ya?ml|env|jks|"
    r"pub|gpg|asc|ini|cfg|conf|toml|secret|token)$",
    re.IGNORECASE,
)
_UPPER_ENV_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_HEADER_RE = re.compile(r"^(?:X-)?[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)*$")
_MASK_RE = re.compile(r"^[:\s]*[*\u2022\u25cf.]{3,}[:\s]*$")
_ASCII_ALNUM_RE = re.compile(r"[A-Za-z0-9]")
_PASSWORD_HASH_RE = re.compile(
    r"^\$(?:2[abxy]?|argon2(?:id|i|d)|pbkdf2[\w-]*|scrypt|[156]|sha(?:256|512)|apr1)\$"
    r"|^(?:pbkdf2|scrypt):[\w:]+\$"
)
_TOKEN_CHARSET_RE = re.compile(r"^[A-Za-z0-9_\-.=+/:~]{8,}$")
_WORDS_RE = re.compile(r"^_?[a-z]+(?:[-_.][a-z]+)*$")
_TOKEN_WORDS = frozenset({"token", "tokens", "bearer"})
# Words before ``token`` that make it an authentication token rather than a
# lexer/parser token (``csrf_token`` vs ``_WILDCARD_TOKEN``).
_AUTH_QUALIFIERS = frozenset(
    {
        "api",
        "auth",
        "access",
        "refresh",
        "csrf",
        "xsrf",
        "session",
        "github",
        "gh",
        "gitlab",
        "slack",
        "bot",
        "admin",
        "secret",
        "jwt",
        "oauth",
        "id",
        "reset",
        "verify",
        "verification",
        "personal",
        "app",
        "service",
        "client",
        "bearer",
        "security",
        "webhook",
        "signing",
        "remember",
        "confirm",
        "confirmation",
        "activation",
        "invite",
        "login",
        "magic",
        "device",
        "push",
        "user",
        "master",
        "private",
        "vault",
        "hf",
        "npm",
        "pypi",
        "sentry",
        "stripe",
        "twilio",
        "telegram",
        "discord",
        "openai",
        "dev",
        "prod",
        "test",
        "x",
    }
)
_REDACTED_RE = re.compile(
    r"^[\[<(*\s]*(?:redacted|filtered|hidden|masked|removed|omitted|sanitized|"
    r"not[ _-]?set|unset)[\]>)*\s]*$",
    re.IGNORECASE,
)
_PLACEHOLDER_RE = re.compile(r"^<[^<>]{1,60}>$|^\[[A-Za-z_ ]{1,30}\]$")
_SCHEME_WORDS = frozenset(
    {
        "bearer",
        "basic",
        "token",
        "digest",
        "jwt",
        "oauth",
        "oauth2",
        "hmac",
        "negotiate",
    }
)
# HTTP header names that carry credentials: ``AUTH_TOKEN = "Authorization"`` names the
# header to read, it is not a credential.
_AUTH_HEADER_NAMES = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "www-authenticate",
        "proxy-authenticate",
        "cookie",
        "set-cookie",
    }
)
_NON_SECRET_WORDS = frozenset(
    {
        "true",
        "false",
        "none",
        "null",
        "required",
        "optional",
        "string",
        "str",
        "text",
        "include",
        "omit",
        "same-origin",
        "write_only",
        "writeonly",
    }
)
# Values a password column holds for accounts that sign in elsewhere or cannot
# sign in with a password (mealie's ``"password": "LDAP"``), not passwords.
_PASSWORD_SENTINELS = frozenset(
    {
        "ldap",
        "oidc",
        "sso",
        "saml",
        "oauth",
        "oauth2",
        "openid",
        "external",
        "disabled",
        "unusable",
        "locked",
    }
)
_SENSITIVE_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "key",
        "apikey",
        "credential",
        "credentials",
        "otp",
        "pin",
        "authorization",
        "bearer",
    }
)


def _value_text(value: object) -> Optional[str]:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def is_secret_literal(
    value: object, name: str, prose_filter: bool = True, name_filters: bool = True
) -> bool:
    """Return True when ``value`` bound to sensitive ``name`` may be a real secret.

    Any non-empty string (or bytes) counts, except values that plainly are not a
    secret: the field's own name (``PASSWORD = "password"``, ``AUTHORIZATION =
    "Authorization"``), an env-var name or reference (``"DB_PASSWORD"``,
    ``"${DB_PASSWORD}"``), a format template (``"{password}"``, ``"%s"``), a URL
    path or URL without credentials, a key or certificate file name, a header name
    (``"X-API-Key"``), a redaction mask (``"********"``, ``"[REDACTED]"``), an
    angle-bracket placeholder or special token (``"<your-key>"``, ``"<pad>"``), an
    auth scheme word (``"Bearer"``) and a message about the value
    (``"Invalid token."``; only with ``prose_filter``).

    Args:
        value: The constant value (str or bytes; anything else is not a secret).
        name: The sensitive name the value is bound to.
        prose_filter: Whether sentences that mention the secret are exempt.
        name_filters: Whether values that name a field, an env var, a header or an
            auth scheme are exempt (not for defaults, where they are the value).

    Returns:
        True when the value should be reported as a hard-coded secret.
    """
    text = _value_text(value)
    if text is None:
        return isinstance(value, bytes) and bool(value)
    stripped = text.strip()
    if len(stripped) < 2 or not _ASCII_ALNUM_RE.search(stripped):
        return False
    lower = stripped.lower()
    value_parts = split_name(stripped) if len(stripped) <= 80 else ()
    name_parts = split_name(name)
    if name_filters and name_parts and not _plausible_for(name_parts, stripped):
        return False
    if is_hash_like_name(name) or _PASSWORD_HASH_RE.match(stripped):
        return False  # a stored hash (``hashed_password = "$2b$12$..."``)
    if (
        lower in _PASSWORD_SENTINELS
        and name_parts
        and name_parts[-1] in PASSWORD_WORDS
    ):
        return False  # ``"password": "LDAP"``: the account signs in elsewhere
    if (
        name_filters
        and lower in ("passwd", "pwd", "pass")
        and name_parts[-1] in PASSWORD_WORDS
    ):
        return False  # ``dict(password="passwd")`` maps an argument name
    if (
        name_filters
        and _CAMEL_IDENTIFIER_RE.match(stripped)
        and sum(ch.isupper() for ch in stripped) >= 2
        and _mentions_sensitive(value_parts)
    ):
        return False  # ``"AWSSecretKey"``, ``"accessToken"``: the name of a field
    if len(stripped) >= 16 and "EXAMPLE" in stripped:
        return False  # documentation samples such as AWS's ``...EXAMPLEKEY``
    if (
        name_filters
        and value_parts == name_parts
        and " " not in stripped
        and not any(ch.isdigit() for ch in stripped)  # ``"password123"`` is one
    ):
        # ``password = "password"`` in a test is a real (weak) password; an
        # upper-case constant or a capitalised/compound value names the field.
        if not (name.islower() and stripped.islower() and stripped.isalpha()):
            return False
    if name_filters:
        if lower in _NON_SECRET_WORDS:
            return False
        if lower in _SCHEME_WORDS or lower in _AUTH_HEADER_NAMES:
            return False
        if _UPPER_ENV_RE.match(stripped) and _mentions_sensitive(value_parts):
            return False
        if (
            _HEADER_RE.match(stripped)
            and "-" in stripped
            and _mentions_sensitive(value_parts)
        ):
            return False
    if _ENV_REF_RE.search(stripped) or _TEMPLATE_RE.search(stripped):
        return False
    if stripped.startswith("/") and " " not in stripped:
        return False
    if _URL_RE.match(stripped) and not _URL_CREDENTIALS_RE.match(stripped):
        return False
    if _FILE_RE.match(stripped) and ("/" in stripped or "." in stripped):
        return False
    if _MASK_RE.match(stripped) or _REDACTED_RE.match(stripped):
        return False
    if _PLACEHOLDER_RE.match(stripped):
        return False
    if prose_filter and _is_prose_about_secret(stripped):
        return False
    return True


# Earlier name parts that make ``GRANT_TYPE_PASSWORD`` or ``FIELD_TOKEN`` the name of
# a kind of field rather than a credential.
_DESCRIPTOR_PARTS = frozenset(
    {
        "type",
        "kind",
        "field",
        "fields",
        "column",
        "param",
        "parameter",
        "header",
        "name",
        "label",
        "attr",
        "attribute",
        "grant",
        "scope",
        "mode",
        "prefix",
        "suffix",
        "placeholder",
        "input",
        "widget",
        "form",
        "query",
        "cookie",
        "claim",
        "method",
        "format",
        "prompt",
        "message",
        "msg",
        "error",
        "help",
        "hint",
        "title",
        "url",
        "endpoint",
        "path",
        "route",
    }
)
_IDENTIFIER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-.]*$")


_NAME_LIKE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
# ``<...>_USERNAME_KEY``: the part before ``key`` names the field the key looks up
# (Flask-JWT's ``JWT_AUTH_USERNAME_KEY = "email"``), so a value that is a lower-case
# identifier is the field's name, not a secret.
_FIELD_QUALIFIERS = frozenset(
    {"username", "user", "password", "email", "identity", "login", "id", "claim"}
)
_FIELD_VALUE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_CAMEL_IDENTIFIER_RE = re.compile(r"^[A-Za-z][a-z]*(?:[A-Z]+[a-z]*)+$")


def is_name_like(key: str) -> bool:
    """Return True for a key that can name a field or header (``X-API-Key``).

    ``"AWS::IAM::AccessKey"`` (a resource type) or ``"a.b.generate_private_key"``
    (a dotted path) are not the names of fields.

    Args:
        key: A dict key or subscript key.

    Returns:
        True when the key looks like an identifier or a header name.
    """
    return bool(_NAME_LIKE_RE.match(key))


def _plausible_for(name_parts: Tuple[str, ...], text: str) -> bool:
    # Return False when ``text`` cannot be the kind of secret the name says.
    #
    # Names ending in ``token`` are also lexer and parser tokens: a word value
    # (``"with"``, ``"set-password"``, ``"DEFAULT"``) is not an authentication
    # token, and without an authentication qualifier before ``token`` only values
    # that look generated (token characters, 8 or more, digits or mixed case) count.
    # A PIN holds digits.
    last = name_parts[-1]
    if (
        not (last == "key" and name_parts[0] == "secret")  # SECRET_COOKIE_KEY
        and any(part in _DESCRIPTOR_PARTS for part in name_parts[:-1])
        and _IDENTIFIER_RE.match(text)
    ):
        return False
    if (
        last == "key"
        and len(name_parts) >= 3
        and name_parts[-2] in _FIELD_QUALIFIERS
        and _FIELD_VALUE_RE.match(text)
    ):
        return False  # ``JWT_AUTH_USERNAME_KEY = "email"``: the key of a field
    if last == "pin":
        return any(ch.isdigit() for ch in text)
    if last not in _TOKEN_WORDS:
        return True
    if _WORDS_RE.match(text) or (text.isalpha() and (text.isupper() or text.islower())):
        return False
    if any(part in _AUTH_QUALIFIERS for part in name_parts[:-1]):
        return True
    if not _TOKEN_CHARSET_RE.match(text):
        return False
    has_digit = any(ch.isdigit() for ch in text)
    mixed = any(ch.isupper() for ch in text) and any(ch.islower() for ch in text)
    return has_digit or (mixed and len(text) >= 20)


def _mentions_sensitive(parts: Tuple[str, ...]) -> bool:
    return any(part in _SENSITIVE_WORDS for part in parts)


def _is_prose_about_secret(text: str) -> bool:
    # Return True for a message such as ``"Invalid token."`` or ``"Password: "``.
    words = text.split()
    if len(words) < 2 and not text.rstrip().endswith(":"):
        return False
    if not (text[0].isupper() or text.rstrip()[-1] in ".!?:"):
        return False
    lowered = {w.strip(".,!?:;()'\"").lower() for w in words}
    if not all(word.replace("-", "").isalpha() for word in lowered if word):
        return False  # "Bearer 9f8e7d6c": a scheme and a credential, not a sentence
    return bool(lowered & _SENSITIVE_WORDS)


_CREDENTIAL_FORMATS: Tuple[Tuple[str, "re.Pattern[str]"], ...] = (
    (
        "an AWS access key id",
        re.compile(r"(?<![A-Za-z0-9])AKIA[0-9A-Z]{16}(?![A-Za-z0-9])"),
    ),
    (
        "a GitHub token",
        re.compile(
            r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})"
            r"(?![A-Za-z0-9_])"
        ),
    ),
    (
        "a Slack token",
        re.compile(r"(?<![A-Za-z0-9])xox[abprs]-[0-9]{6,}-[0-9A-Za-z-]{8,}"),
    ),
    (
        "a Stripe live secret key",
        re.compile(r"(?<![A-Za-z0-9])[sr]k_live_[0-9A-Za-z]{20,}"),
    ),
    (
        "a Google API key",
        re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_\-])"),
    ),
    (
        "a private key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"[\s\S]*?[A-Za-z0-9+/]{40,}"
        ),
    ),
)
_CREDENTIAL_HINTS = (
    "AKIA",
    "gh",
    "github_pat_",
    "xox",
    "k_live_",
    "AIza",
    "PRIVATE KEY",
)


def credential_format(value: object) -> Optional[str]:
    """Return what kind of credential ``value`` holds (``"a GitHub token"``), if any.

    Documentation placeholders (``AKIAIOSFODNN7EXAMPLE``, runs of ``X``) are ignored.

    Args:
        value: A constant value (str or bytes).

    Returns:
        A short description of the credential format, or None.
    """
    text = _value_text(value)
    if text is None or len(text) < 20:
        return None
    if not any(hint in text for hint in _CREDENTIAL_HINTS):
        return None
    for kind, pattern in _CREDENTIAL_FORMATS:
        match = pattern.search(text)
        if match is None:
            continue
        found = match.group(0)
        if "EXAMPLE" in found.upper() or re.search(r"(.)\1{7,}", found):
            continue
        if kind != "a private key" and len(set(found)) < 10:
            continue
        return kind
    return None


# ``scheme://user:password@host`` of a database, cache or broker.
_DATABASE_URL_RE = re.compile(
    r"\b(?:postgres(?:ql)?|mysql|mariadb|mssql|sqlserver|oracle|cockroachdb"
    r"|mongodb(?:\+srv)?|redis|rediss|amqps?)(?:\+\w+)?://"
    r"[^\s:/@]*:([^\s@/]+)@([\w.\[\]:-]+)",
    re.IGNORECASE,
)
# Passwords of documentation URLs and templates, not secrets.
_URL_PASSWORD_PLACEHOLDERS = frozenset(
    {
        "password",
        "pass",
        "passwd",
        "pwd",
        "pw",
        "secret",
        "your_password",
        "your-password",
        "yourpassword",
        "mypassword",
        "placeholder",
        "redacted",
    }
)
_LOCAL_HOSTS = ("localhost", "127.", "0.0.0.0", "[::1]", "::1")
#: Word parts of the URL schemes ``database_url_password`` knows.
DATABASE_URL_SCHEMES = (
    "postgres",
    "mysql",
    "mariadb",
    "mssql",
    "sqlserver",
    "oracle",
    "cockroachdb",
    "mongodb",
    "redis",
    "amqp",
)


def database_url_password(value: object) -> bool:
    """Return True for a database, cache or broker URL that holds its password.

    ``postgresql://app:s3cret@db/app`` does; ``postgresql://db/app``,
    ``postgresql://app:{password}@db/app``, ``redis://:${REDIS_PASSWORD}@cache``,
    ``mysql://user:password@db`` (a documentation placeholder) and a database on
    the developer's own machine (``postgres:postgres@localhost``, a development
    default that protects nothing deployed) do not.

    Args:
        value: A constant value.

    Returns:
        Whether the value is such a URL with a literal password.
    """
    text = _value_text(value)
    if text is None or "://" not in text or "@" not in text or len(text) > 2000:
        return False
    for match in _DATABASE_URL_RE.finditer(text):
        password, host = match.group(1), match.group(2).lower()
        if host.startswith(_LOCAL_HOSTS):
            continue
        lower = password.lower()
        if (
            lower in _URL_PASSWORD_PLACEHOLDERS
            or len(set(lower)) == 1  # ``xxxx``, ``****``
            or _ENV_REF_RE.search(password)
            or _TEMPLATE_RE.search(password)
            or _MASK_RE.match(password)
            or _PLACEHOLDER_RE.match(password)
        ):
            continue
        return True
    return False


# ---- names of values ---------------------------------------------------------------

_HASH_PARTS = frozenset(
    {
        "hash",
        "hashed",
        "hashes",
        "digest",
        "encrypted",
        "crypted",
        "hmac",
        "bcrypt",
        "argon",
    }
)


def is_hash_like_name(name: str) -> bool:
    """Return True for names that say they hold a hash (``password_hash``, ``pw_hash``).

    Args:
        name: The name to judge.

    Returns:
        True when a part of the name is ``hash``, ``hashed``, ``digest``...
    """
    return any(part in _HASH_PARTS for part in split_name(name))


def _const_str(node: Optional[ast.AST]) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def value_name(node: Optional[ast.AST]) -> Optional[str]:
    """Return the name a value is known by.

    ``password`` -> ``password``, ``user.password`` -> ``password``,
    ``form.password.data`` -> ``password``, ``data["password"]`` -> ``password``,
    ``request.headers.get("X-API-Key")`` -> ``X-API-Key``,
    ``os.getenv("API_KEY")`` -> ``API_KEY``.

    Args:
        node: An expression.

    Returns:
        The name, or None when the expression has no name.
    """
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        if node.attr == "data" and isinstance(node.value, ast.Attribute):
            return node.value.attr
        return node.attr
    if isinstance(node, ast.Subscript):
        return _const_str(node.slice)
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        attr = (
            func.attr
            if isinstance(func, ast.Attribute)
            else (func.id if isinstance(func, ast.Name) else None)
        )
        if attr in ("get", "getenv", "getlist", "pop"):
            return _const_str(node.args[0])
    return None


def target_name(node: ast.AST) -> Optional[str]:
    """Return the name an assignment target binds (Name, attribute, constant key).

    Args:
        node: An assignment target.

    Returns:
        The name, or None for targets without one (``x[i]``, tuples).
    """
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return value_name(node)
    return None


def assignment_pairs(
    target: ast.AST, value: Optional[ast.AST]
) -> Iterator[Tuple[ast.AST, Optional[ast.AST]]]:
    """Yield (target, value) pairs, unpacking ``a, b = "x", "y"`` element-wise.

    Args:
        target: An assignment target.
        value: The assigned value (None when unknown).

    Yields:
        Pairs of a simple target and the value it receives (None when unknown).
    """
    if isinstance(target, (ast.Tuple, ast.List)):
        values: List[Optional[ast.AST]] = [None] * len(target.elts)
        if (
            isinstance(value, (ast.Tuple, ast.List))
            and len(value.elts) == len(target.elts)
            and not any(isinstance(e, ast.Starred) for e in target.elts + value.elts)
        ):
            values = list(value.elts)
        for elt, elt_value in zip(target.elts, values):
            yield from assignment_pairs(elt, elt_value)
    elif isinstance(target, ast.Starred):
        return
    else:
        yield target, value


# ---- environment reads --------------------------------------------------------------

_ENV_GETTERS = frozenset(
    {"os.getenv", "os.environ.get", "os.environb.get", "os.getenvb"}
)
_ENV_SETDEFAULT = frozenset({"os.environ.setdefault"})
_CONFIG_READERS = frozenset({"decouple.config", "prettyconf.config"})
_CONFIG_FACTORIES = frozenset(
    {
        "decouple.AutoConfig",
        "decouple.Config",
        "decouple.RepositoryEnv",
        "starlette.config.Config",
        "environ.Env",
        "environs.Env",
    }
)
# The modules of the factories.
_CONFIG_FACTORY_MODULES = tuple(
    sorted({name.split(".")[0] for name in _CONFIG_FACTORIES})
)
_ENV_METHODS = frozenset(
    {
        "str",
        "int",
        "bool",
        "json",
        "url",
        "db",
        "db_url",
        "cache",
        "list",
        "dict",
        "path",
    }
)
_ENV_ATTRS = _ENV_METHODS | {"get", "getenv", "getenvb", "setdefault", "config"}
#: The callee names of the env reads with a positional default, as written or as
#: imported (``os.getenv``, ``from os import getenv as g``, ``env.str``): a handler
#: keyed on them and on :data:`ENV_DEFAULT_KEYWORDS` sees every read
#: :func:`env_read` finds a default in (a reader object of the file called
#: directly, ``env("X", default=...)``, takes its default as a keyword).
ENV_READ_NAMES = _ENV_ATTRS
#: The keyword arguments that pass an env read's default.
ENV_DEFAULT_KEYWORDS = frozenset({"default", "value"})


@dataclass(frozen=True)
class EnvRead:
    """A read of one setting from the environment (or a config reader)."""

    call: ast.Call
    name: Optional[str]  # the variable's name when constant
    default: Optional[ast.expr]  # the literal default expression, if any


def _config_reader_names(ctx: FileContext) -> FrozenSet[str]:
    # Module-level names bound to a config reader (``config = Config(".env")``).

    def compute() -> FrozenSet[str]:
        names: Set[str] = set()
        if not has_word(ctx, *_CONFIG_FACTORY_MODULES):
            return frozenset()  # no factory can be named in the file
        for stmt in ctx.module_statements:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                if ctx.call_name(stmt.value) in _CONFIG_FACTORIES:
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            names.add(target.id)
        return frozenset(names)

    return ctx.cached(("secrets", "config-readers"), compute)


def env_read(ctx: FileContext, call: ast.AST) -> Optional[EnvRead]:
    """Return the env read ``call`` performs, with its literal default, if it is one.

    Covers ``os.getenv(name, default)``, ``os.environ.get(name, default)`` (also
    through ``from os import environ/getenv``), ``os.environ.setdefault``,
    ``decouple.config(name, default=...)``, and calls of module-level readers
    built by ``decouple.AutoConfig``, ``starlette.config.Config``,
    ``environ.Env`` or ``environs.Env`` (``env("X", default=...)``,
    ``env.str("X", "dev")``).

    Args:
        ctx: The file context.
        call: Any node.

    Returns:
        The read, or None when ``call`` is not an env read.
    """
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr not in _ENV_ATTRS:
            return None
    elif not isinstance(func, ast.Name):
        return None
    qualname = ctx.qualname(func)
    if qualname is None:
        return None
    positional_default = False
    if qualname in _ENV_GETTERS or qualname in _ENV_SETDEFAULT:
        positional_default = True
    elif qualname in _CONFIG_READERS:
        pass
    else:
        root = qualname.partition(".")[0]
        readers = _config_reader_names(ctx)
        if root not in readers or ctx.is_imported(root):
            return None
        if "." in qualname:
            # ``env.str("X", "dev")``: typed readers take the default second
            if qualname.split(".", 1)[1] not in _ENV_METHODS:
                return None
            positional_default = True
    if not call.args and not call.keywords:
        return None
    name_node: Optional[ast.expr] = call.args[0] if call.args else None
    if name_node is None:
        for kw in call.keywords:
            if kw.arg in ("key", "var", "name", "option"):
                name_node = kw.value
    name_value = const_value(ctx, name_node) if name_node is not None else UNKNOWN
    name = _value_text(name_value) if name_value is not UNKNOWN else None
    default: Optional[ast.expr] = None
    for kw in call.keywords:
        if kw.arg in ENV_DEFAULT_KEYWORDS:
            default = kw.value
    if default is None and positional_default and len(call.args) >= 2:
        if not isinstance(call.args[1], ast.Starred):
            default = call.args[1]
    return EnvRead(call, name, default)


def may_read_env(ctx: FileContext, call: ast.Call) -> bool:
    """Return False when :func:`env_read` certainly finds no env read in ``call``.

    A cheap test on the callee's name, for handlers that see every call.

    Args:
        ctx: The file context.
        call: A call.

    Returns:
        False for calls whose callee is neither a reader method, an imported name
        nor a module-level config reader.
    """
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr in _ENV_ATTRS
    if isinstance(func, ast.Name):
        return func.id in ctx.aliases or func.id in _config_reader_names(ctx)
    return False


def is_env_read(ctx: FileContext, node: ast.AST) -> bool:
    """Return True for ``os.getenv(...)``, ``os.environ.get(...)``, ``os.environ[...]``.

    Args:
        ctx: The file context.
        node: Any expression.

    Returns:
        True when ``node`` reads a variable from the environment.
    """
    if isinstance(node, ast.Subscript):
        return ctx.qualname(node.value) in ("os.environ", "os.environb")
    return env_read(ctx, node) is not None


# ---- class facts ---------------------------------------------------------------------

_ORM_LAST = frozenset({"Model", "DeclarativeBase", "DeclarativeBaseNoMeta", "Document"})
_USER_BASES = frozenset({"UserMixin", "AbstractUser", "AbstractBaseUser", "BaseUser"})
_USER_WORDS = frozenset(
    {
        "user",
        "users",
        "account",
        "member",
        "customer",
        "admin",
        "administrator",
        "employee",
        "person",
        "profile",
        "patient",
        "student",
        "teacher",
        "player",
        "owner",
        "staff",
        "subscriber",
        "author",
        "seller",
        "buyer",
        "login",
    }
)
_ENUM_LAST = frozenset(
    {
        "Enum",
        "StrEnum",
        "IntEnum",
        "Flag",
        "IntFlag",
        "TextChoices",
        "Choices",
        "IntegerChoices",
    }
)


@dataclass
class ClassFacts:
    """What the secret and password rules need to know about one class."""

    node: ast.ClassDef
    base_names: Tuple[str, ...]
    orm: bool = False
    userish: bool = False
    settings: bool = False
    enum: bool = False
    password_setter: bool = False
    custom_init: bool = False
    sqlmodel: bool = False
    fields: FrozenSet[str] = frozenset()


@dataclass
class ModuleFacts:
    """Classes and import aliases of one module (module-level only)."""

    aliases: Dict[str, str] = field(default_factory=dict)
    classes: Dict[str, ClassFacts] = field(default_factory=dict)
    declarative_bases: Set[str] = field(default_factory=set)


def _module_aliases(tree: ast.Module) -> Dict[str, str]:
    aliases: Dict[str, str] = {}
    for stmt in module_level_statements(tree):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    aliases[top] = top
        elif isinstance(stmt, ast.ImportFrom):
            module = "." * (stmt.level or 0) + (stmt.module or "")
            for alias in stmt.names:
                if alias.name == "*":
                    continue
                sep = "" if module.endswith(".") else "."
                aliases[alias.asname or alias.name] = f"{module}{sep}{alias.name}"
    return aliases


def _dotted(node: ast.AST, aliases: Dict[str, str]) -> Optional[str]:
    parts: List[str] = []
    current = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if isinstance(current, ast.Call):
        return _dotted(current.func, aliases)
    if isinstance(current, ast.Subscript):  # Generic[T], Model[...]
        return _dotted(current.value, aliases)
    if not isinstance(current, ast.Name):
        return None
    parts.append(aliases.get(current.id, current.id))
    return ".".join(reversed(parts))


def _is_password_property(stmt: ast.stmt) -> bool:
    if isinstance(stmt, FUNCTION_TYPES):
        for decorator in stmt.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (
                isinstance(target, ast.Attribute)
                and target.attr in ("setter", "expression", "inplace")
                and isinstance(target.value, ast.Name)
                and target.value.id.lstrip("_") in PASSWORD_WORDS
            ):
                return True
            if isinstance(decorator, ast.Call) and isinstance(
                target, (ast.Name, ast.Attribute)
            ):
                callee = target.id if isinstance(target, ast.Name) else target.attr
                if callee == "validates" and any(
                    _const_str(arg) in PASSWORD_WORDS for arg in decorator.args
                ):
                    return True
        return False
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        if isinstance(value, ast.Call) and any(
            isinstance(t, ast.Name) and t.id in PASSWORD_WORDS for t in targets
        ):
            callee = value.func
            callee_name = (
                callee.attr
                if isinstance(callee, ast.Attribute)
                else (callee.id if isinstance(callee, ast.Name) else "")
            )
            return callee_name in ("property", "synonym", "hybrid_property")
    return False


def _table_keyword(cls: ast.ClassDef) -> bool:
    return any(
        kw.arg == "table"
        and isinstance(kw.value, ast.Constant)
        and kw.value.value is True
        for kw in cls.keywords
    )


def build_module_facts(
    tree: ast.Module, aliases: Optional[Dict[str, str]] = None
) -> ModuleFacts:
    """Compute the class facts of a module.

    Args:
        tree: The parsed module.
        aliases: Its import aliases (computed from the tree when not given).

    Returns:
        The module's facts.
    """
    facts = ModuleFacts(
        aliases=dict(aliases) if aliases is not None else _module_aliases(tree)
    )
    for stmt in module_level_statements(tree):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            callee = _dotted(stmt.value.func, facts.aliases) or ""
            if callee.rsplit(".", 1)[-1] in ("declarative_base", "generate_base"):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        facts.declarative_bases.add(target.id)
    ordered: List[ast.ClassDef] = [
        s for s in module_level_statements(tree) if isinstance(s, ast.ClassDef)
    ]
    for cls in ordered:
        bases = tuple(_dotted(b, facts.aliases) or "" for b in cls.bases)
        info = ClassFacts(node=cls, base_names=bases)
        sqlmodel = False
        for raw, base in zip(cls.bases, bases):
            last = base.rsplit(".", 1)[-1]
            local = facts.classes.get(base) if isinstance(raw, ast.Name) else None
            if local is not None:
                info.orm |= local.orm
                info.userish |= local.userish
                info.settings |= local.settings
                info.enum |= local.enum
                info.password_setter |= local.password_setter
                sqlmodel |= local.sqlmodel
                continue
            if last == "SQLModel":
                sqlmodel = True
            elif last in _ORM_LAST and (base != last or base in facts.aliases):
                info.orm = True
            elif last == "Base" or base in facts.declarative_bases:
                info.orm = True
            elif last in _USER_BASES:
                info.userish = True
            elif last == "BaseSettings":
                info.settings = True
            elif last in _ENUM_LAST:
                info.enum = True
        if sqlmodel and _table_keyword(cls):
            info.orm = True
        info.sqlmodel = sqlmodel
        if info.orm:
            info.userish = True
        if not info.userish and (not bases or bases == ("object",)):
            parts = split_name(cls.name)
            info.userish = bool(parts) and parts[-1] in _USER_WORDS
        fields: Set[str] = set()
        for stmt in cls.body:
            # columns and fields: names bound to a call (``db.Column(...)``) or
            # annotated (``Mapped[str]``); ``_password = None`` is no column
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                fields.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                fields.add(stmt.target.id)
            if _is_password_property(stmt):
                info.password_setter = True
            if isinstance(stmt, FUNCTION_TYPES) and stmt.name == "__init__":
                info.custom_init = True
        info.fields = frozenset(fields)
        facts.classes[cls.name] = info
    return facts


def file_facts(ctx: FileContext) -> ModuleFacts:
    """Return the class facts of the file being checked (cached).

    Args:
        ctx: The file context.

    Returns:
        The file's facts.
    """
    return ctx.cached(
        ("secrets", "module-facts"), lambda: build_module_facts(ctx.tree, ctx.aliases)
    )


def enclosing_class_facts(ctx: FileContext, node: ast.AST) -> Optional[ClassFacts]:
    """Return the facts of the class whose body (directly) holds ``node``.

    Args:
        ctx: The file context.
        node: A statement or expression already reached by the walk.

    Returns:
        The class facts, or None when ``node`` is not in a class body.
    """
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.ClassDef):
            facts = file_facts(ctx).classes.get(ancestor.name)
            if facts is not None and facts.node is ancestor:
                return facts
            return build_module_facts(
                ast.Module(body=[ancestor], type_ignores=[]), ctx.aliases
            ).classes.get(ancestor.name)
        if isinstance(ancestor, FUNCTION_TYPES) or isinstance(ancestor, ast.Lambda):
            return None
    return None


def method_class_facts(ctx: FileContext, node: ast.AST) -> Optional[ClassFacts]:
    """Return the facts of the class a method holding ``node`` belongs to.

    Args:
        ctx: The file context.
        node: A node inside a method body.

    Returns:
        The class facts, or None when ``node`` is not inside a method.
    """
    seen_function = False
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, FUNCTION_TYPES):
            if seen_function:
                return None
            seen_function = True
        elif isinstance(ancestor, ast.ClassDef):
            if not seen_function:
                return None
            return (
                enclosing_class_facts(ctx, ancestor.body[0]) if ancestor.body else None
            )
    return None


# Modules read from disk for the facts of imported model classes: path -> facts.
_DISK_FACTS: Dict[Tuple[str, float], Optional[ModuleFacts]] = {}


def _disk_module_facts(path: str) -> Optional[ModuleFacts]:
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    key = (path, mtime)
    if key not in _DISK_FACTS:
        facts: Optional[ModuleFacts] = None
        try:
            with open(path, "rb") as handle:
                tree = ast.parse(handle.read(), filename=path)
            facts = build_module_facts(tree)
        except (OSError, SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
            facts = None
        if len(_DISK_FACTS) > 2048:
            _DISK_FACTS.clear()
        _DISK_FACTS[key] = facts
    return _DISK_FACTS[key]


def _module_files(ctx: FileContext, module: str, from_dir: str) -> List[str]:
    # Candidate files of an imported module, relative imports already resolved.
    parts = [p for p in module.split(".") if p]
    if not parts:
        return []
    roots: List[str] = []
    info = ctx.package
    if info.in_package and parts[0] == info.top_name:
        roots.append(os.path.dirname(info.top_dir))
    roots.append(from_dir)
    candidates = []
    for root in roots:
        base = os.path.join(root, *parts)
        candidates.append(base + ".py")
        candidates.append(os.path.join(base, "__init__.py"))
    return candidates


def _resolve_relative_module(ctx: FileContext, dotted: str) -> Optional[str]:
    level = len(dotted) - len(dotted.lstrip("."))
    rest = dotted[level:]
    info = ctx.package
    if not info.in_package:
        return rest or None
    parts = info.package_parts
    if level - 1 > len(parts) - 1:
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([rest] if rest else []))


def class_facts(ctx: FileContext, name: str) -> Optional[ClassFacts]:
    """Return the facts of class ``name`` as used in the checked file.

    Classes defined in the file come first; an imported name is looked up in the
    module it comes from when that module is a file of the project (read as text,
    parsed once per process; one level of re-export is followed).

    Args:
        ctx: The file context.
        name: A local name (``User``).

    Returns:
        The class facts, or None when the class cannot be found.
    """
    own = file_facts(ctx)
    if name in own.classes:
        return own.classes[name]
    qualified = ctx.aliases.get(name)
    if qualified is None or "." not in qualified.lstrip("."):
        return None
    if ctx.filename in ("stdin", "-", "<stdin>", "<unknown>", "<string>"):
        return None
    key = ("secrets", "class", name)
    return ctx.cached(key, lambda: _imported_class(ctx, qualified, 0))


def _imported_class(
    ctx: FileContext, qualified: str, depth: int
) -> Optional[ClassFacts]:
    module, _, cls_name = qualified.rpartition(".")
    if module.startswith(".") or not module:
        resolved = _resolve_relative_module(ctx, module or ".")
        if resolved is None:
            return None
        module = resolved
    from_dir = os.path.dirname(os.path.abspath(ctx.filename))
    for path in _module_files(ctx, module, from_dir):
        if not os.path.isfile(path):
            continue
        facts = _disk_module_facts(path)
        if facts is None:
            return None
        if cls_name in facts.classes:
            return facts.classes[cls_name]
        again = facts.aliases.get(cls_name)
        if again is not None and depth < 2:
            if again.startswith("."):
                level = len(again) - len(again.lstrip("."))
                pkg_parts = module.split(".")
                if not path.endswith("__init__.py"):
                    pkg_parts = pkg_parts[:-1]
                keep = len(pkg_parts) - (level - 1)
                if keep < 0:
                    return None
                again = ".".join(pkg_parts[:keep] + [again.lstrip(".")])
            return _imported_class(ctx, again, depth + 1)
        return None
    return None


def known_classes(ctx: FileContext) -> Iterator[ClassFacts]:
    """Yield the facts of every class defined in or imported by the file.

    Args:
        ctx: The file context.

    Yields:
        Class facts (imported classes that cannot be found are skipped).
    """
    seen: Set[str] = set()
    for name, facts in file_facts(ctx).classes.items():
        seen.add(name)
        yield facts
    for local in list(ctx.aliases):
        if local in seen or not local[:1].isupper():
            continue
        facts = class_facts(ctx, local)
        if facts is not None:
            yield facts


# ---- password values and hashes ---------------------------------------------------

_HASH_CALL_WORDS = (
    "hash",
    "crypt",
    "make_password",
    "pbkdf2",
    "argon",
    "digest",
    "kdf",
)
_PASSTHROUGH_METHODS = frozenset(
    {"encode", "decode", "strip", "lstrip", "rstrip", "lower", "upper", "casefold"}
)


def _call_label(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        prefix = ""
        if isinstance(owner, ast.Name):
            prefix = owner.id + "."
        elif isinstance(owner, ast.Attribute):
            prefix = owner.attr + "."
        return prefix + func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def is_hashing_call(call: ast.AST) -> bool:
    """Return True for a call whose name says it hashes (``generate_password_hash``).

    Args:
        call: Any node.

    Returns:
        True for calls named with ``hash``, ``crypt``, ``make_password``, ``pbkdf2``,
        ``argon``, ``digest`` or ``kdf``.
    """
    if not isinstance(call, ast.Call):
        return False
    label = _call_label(call).lower()
    return any(word in label for word in _HASH_CALL_WORDS)


def is_hashed_value(ctx: FileContext, expr: Optional[ast.AST], depth: int = 0) -> bool:
    """Return True when ``expr`` is a hash (or no password at all: ``None``, ``""``).

    A call anywhere in the expression that hashes, a name that says it holds a hash,
    or a local variable assigned such a value counts.

    Args:
        ctx: The file context.
        expr: The stored expression.
        depth: Recursion depth through local variables.

    Returns:
        True when storing ``expr`` does not store a plain-text password.
    """
    if expr is None:
        return False
    if isinstance(expr, ast.Constant):
        return expr.value is None or expr.value in ("", b"")
    if isinstance(expr, ast.Name) and depth < 3:
        known = [
            value
            for value in reaching_values(ctx, expr)
            if value is not None and not isinstance(value, ast.AugAssign)
        ]
        if known:  # the assigned values decide, not what the name claims
            return any(is_hashed_value(ctx, value, depth + 1) for value in known)
    for node in _walk_no_lambda(expr):
        if isinstance(node, ast.Call) and is_hashing_call(node):
            return True
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        if name is not None and is_hash_like_name(name):
            return True
    return False


def _walk_no_lambda(node: ast.AST) -> Iterator[ast.AST]:
    # Depth first, without lambdas, contexts and operators.
    stack = [node]
    ast_type = ast.AST
    lambda_type = ast.Lambda
    while stack:
        current = stack.pop()
        yield current
        for field_name in node_fields(current.__class__):
            value = getattr(current, field_name, None)
            if value.__class__ is list:
                for child in value:
                    if isinstance(child, ast_type) and child.__class__ is not lambda_type:
                        stack.append(child)
            elif isinstance(value, ast_type) and value.__class__ is not lambda_type:
                stack.append(value)


def is_password_word_name(name: Optional[str]) -> bool:
    """Return True for a password name that does not say it holds a hash.

    Args:
        name: A name or None.

    Returns:
        True for ``password``, ``new_password``, ``pwd``...; False for
        ``hashed_password``, ``password_hash``, ``password_field``.
    """
    return bool(name) and is_password_name(name) and not is_hash_like_name(name)


def password_value(ctx: FileContext, expr: Optional[ast.AST], depth: int = 0) -> bool:
    """Return True when ``expr`` is (or is built from) a plain password value.

    ``password``, ``user.password``, ``form.password.data``, ``data["password"]``,
    ``request.form.get("password")``, ``password.encode()``, ``salt + password``,
    ``f"{salt}{password}"``, and local variables assigned one of those in the
    same function.

    Args:
        ctx: The file context.
        expr: Any expression.
        depth: Recursion depth through local variables.

    Returns:
        True for password values.
    """
    if expr is None or depth > 4:
        return False
    if isinstance(expr, ast.Name):
        if is_password_word_name(expr.id):
            return True
        if depth >= 3:
            return False
        for value in reaching_values(ctx, expr):
            if value is None or isinstance(value, ast.AugAssign):
                continue
            if password_value(ctx, value, depth + 1):
                return True
        return False
    if isinstance(expr, (ast.Attribute, ast.Subscript)):
        return is_password_word_name(value_name(expr))
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute):
            if func.attr in _PASSTHROUGH_METHODS:
                return password_value(ctx, func.value, depth + 1)
            if func.attr in ("get", "pop", "getlist"):
                return is_password_word_name(value_name(expr))
            if func.attr == "join" and expr.args:
                return password_value(ctx, expr.args[0], depth + 1)
        if (
            isinstance(func, ast.Name)
            and func.id in ("str", "bytes", "bytearray")
            and expr.args
        ):
            return password_value(ctx, expr.args[0], depth + 1)
        return False
    if isinstance(expr, ast.BinOp):
        return password_value(ctx, expr.left, depth + 1) or password_value(
            ctx, expr.right, depth + 1
        )
    if isinstance(expr, ast.JoinedStr):
        return any(
            isinstance(v, ast.FormattedValue)
            and password_value(ctx, v.value, depth + 1)
            for v in expr.values
        )
    if isinstance(expr, (ast.List, ast.Tuple)):
        return any(password_value(ctx, e, depth + 1) for e in expr.elts)
    return False


def plain_password_value(ctx: FileContext, expr: Optional[ast.AST]) -> bool:
    """Return True for a password value that was not hashed on its way.

    Args:
        ctx: The file context.
        expr: Any expression.

    Returns:
        True when ``expr`` is a password value and not a hash of one.
    """
    return password_value(ctx, expr) and not is_hashed_value(ctx, expr)
