"""Sensitive-name matching by name parts (see RULES.md, "Sensitive names").

A name is split into lower-case parts on ``_``, ``-``, other separators and
camelCase boundaries (``apiKey`` -> ``api key``, ``DB_PASSWORD`` -> ``db password``);
the last part (or last two parts) decides, so ``auth_token`` is sensitive and
``token_type`` is not.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, Optional, Tuple

SENSITIVE_LAST = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "otp",
        "pin",
        "ssn",
        "cvv",
        "authorization",
        "bearer",
    }
)
SENSITIVE_LAST_TWO = frozenset(
    {
        ("secret", "key"),
        ("api", "key"),
        ("private", "key"),
        ("access", "key"),
        ("signing", "key"),
        ("encryption", "key"),
        ("client", "secret"),
        ("session", "id"),
        ("card", "number"),
        ("credit", "card"),
    }
)
KEY_QUALIFIERS = frozenset({"secret", "jwt", "hmac", "signing", "master"})
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase"})
RANDOM_EXTRA_LAST = frozenset({"nonce", "salt", "key"})
CODE_QUALIFIERS = frozenset(
    {
        "reset",
        "verify",
        "verification",
        "auth",
        "confirm",
        "confirmation",
        "activation",
        "invite",
        "otp",
        "mfa",
        "2fa",
        "share",
        "door",
        "access",
        "pairing",
        "login",
        "recovery",
        "backup",
    }
)

_PART_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+[a-z]*")


@lru_cache(maxsize=32768)
def split_name(name: str) -> Tuple[str, ...]:
    """Return the lower-case parts of ``name``, trailing numbers dropped.

    ``split_name("JWT_SECRET_KEY") == ("jwt", "secret", "key")``,
    ``split_name("apiKey") == ("api", "key")``,
    ``split_name("password2") == ("password",)``.

    Args:
        name: An identifier or key in any case style (snake, kebab, camel, upper).

    Returns:
        The lower-case parts in order, without trailing all-digit parts.
    """
    parts = [p.lower() for p in _PART_RE.findall(name)]
    while parts and parts[-1].isdigit():
        parts.pop()
    return tuple(parts)


def _sensitive_parts(parts: Tuple[str, ...], extra: FrozenSet[str]) -> bool:
    if not parts:
        return False
    last = parts[-1]
    if last in SENSITIVE_LAST or last in extra:
        return True
    if len(parts) >= 2 and (parts[-2], last) in SENSITIVE_LAST_TWO:
        return True
    if last == "key" and any(p in KEY_QUALIFIERS for p in parts[:-1]):
        return True
    return False


# Judgements per (name, extra words): names repeat across the files of a run.
_SENSITIVE_MEMO: Dict[Tuple[str, FrozenSet[str]], bool] = {}
_RANDOM_MEMO: Dict[Tuple[str, FrozenSet[str]], bool] = {}
_MEMO_LIMIT = 1 << 16


def _parts_pattern(singles: FrozenSet[str], pairs: FrozenSet[Tuple[str, str]]) -> Any:
    # A lowered name holds one of ``singles``, or the two words of a pair in order.
    alternatives = [re.escape(word) for word in sorted(singles)]
    alternatives += [f"{re.escape(a)}.*{re.escape(b)}" for a, b in sorted(pairs)]
    return re.compile("|".join(alternatives), re.DOTALL)


# What the lowered name of a sensitive name contains: its last part, or its last
# two parts in order (split_name's parts are ASCII substrings of the name). A
# name without it is judged without being split.
_KEY_PAIRS = frozenset((qualifier, "key") for qualifier in KEY_QUALIFIERS)
_MAY_BE_SENSITIVE = _parts_pattern(SENSITIVE_LAST, SENSITIVE_LAST_TWO | _KEY_PAIRS)
_MAY_BE_RANDOM_SENSITIVE = _parts_pattern(
    SENSITIVE_LAST | RANDOM_EXTRA_LAST | {"csrf", "nonce"},
    SENSITIVE_LAST_TWO
    | _KEY_PAIRS
    | frozenset((qualifier, "code") for qualifier in CODE_QUALIFIERS),
)


def is_sensitive(name: str, extra: FrozenSet[str] = frozenset()) -> bool:
    """Return True when ``name`` holds a secret by the RULES.md definition.

    Args:
        name: The variable, attribute, argument or key name to judge.
        extra: The ``bg-sensitive-names`` words (lower case), accepted as last parts.

    Returns:
        Whether the name's last part (or last two parts) marks it as sensitive.
    """
    return _memo_judge(
        _SENSITIVE_MEMO, _MAY_BE_SENSITIVE, _sensitive_parts, name, extra
    )


def is_password_name(name: str) -> bool:
    """Return True when the last part of ``name`` is a password word.

    Args:
        name: The name to judge (``db_password`` yes, ``password_hash`` no).

    Returns:
        Whether the last part is ``password``, ``passwd``, ``pwd`` or ``passphrase``.
    """
    parts = split_name(name)
    return bool(parts) and parts[-1] in PASSWORD_WORDS


def mentions_password(name: str) -> bool:
    """Return True when any part of ``name`` is a password word (``password_hash``).

    Args:
        name: The name to judge.

    Returns:
        Whether any part is ``password``, ``passwd``, ``pwd`` or ``passphrase``.
    """
    return any(part in PASSWORD_WORDS for part in split_name(name))


def is_random_sensitive(name: str, extra: FrozenSet[str] = frozenset()) -> bool:
    """Return True for names that must not hold ``random`` values (BG210).

    Sensitive names, plus last parts ``nonce``, ``salt``, ``key``, ``csrf``, and
    ``code`` after a qualifier such as ``reset`` or ``verify`` (``reset_code`` yes,
    ``status_code`` no).

    Args:
        name: The name a random value is bound to.
        extra: The ``bg-sensitive-names`` words (lower case), accepted as last parts.

    Returns:
        Whether the name calls for a cryptographically secure random value.
    """
    return _memo_judge(
        _RANDOM_MEMO, _MAY_BE_RANDOM_SENSITIVE, _random_sensitive, name, extra
    )


def _memo_judge(
    memo: Dict[Tuple[str, FrozenSet[str]], bool],
    candidate: Any,
    judge: Callable[[Tuple[str, ...], FrozenSet[str]], bool],
    name: str,
    extra: FrozenSet[str],
) -> bool:
    # ``judge(split_name(name), extra)``, memoised per (name, extra) in ``memo``;
    # False at once for a name ``candidate`` (a pattern of the words the judge
    # needs) and ``extra`` find no word in.
    key = (name, extra)
    try:
        found = memo.get(key)
    except TypeError:  # an unhashable ``extra``: judge without the memo
        return judge(split_name(name), extra)
    if found is None:
        lowered = name.lower()
        if candidate.search(lowered) is not None or (
            extra and any(word in lowered for word in extra)
        ):
            found = judge(split_name(name), extra)
        else:
            found = False
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = found
    return found


def _random_sensitive(parts: Tuple[str, ...], extra: FrozenSet[str]) -> bool:
    if _sensitive_parts(parts, extra):
        return True
    if not parts:
        return False
    last = parts[-1]
    if last in RANDOM_EXTRA_LAST or last in ("csrf", "nonce"):
        return True
    if last == "code" and any(p in CODE_QUALIFIERS for p in parts[:-1]):
        return True
    return False


def node_name(node: Optional[ast.AST]) -> Optional[str]:
    """Return the name a node is known by.

    Args:
        node: The expression (or argument) to name; None is accepted.

    Returns:
        A Name's id, an Attribute's attr, a Subscript's constant string key, a
        string constant itself or an argument's name; None for anything else.
    """
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        index_type = getattr(ast, "Index", None)  # Python 3.8 AST shape
        if index_type is not None and type(key) is index_type:
            key = key.value  # type: ignore[attr-defined]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.arg):
        return node.arg
    return None
