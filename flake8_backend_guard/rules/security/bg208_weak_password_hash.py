"""BG208 weak-password-hash: fast or broken hashes for passwords, weak KDF settings."""

from __future__ import annotations

import ast
from typing import FrozenSet, Iterator, List, Optional, Sequence

from ...analysis.dataflow import reaching_values
from ...analysis.names import PASSWORD_WORDS, split_name
from ...analysis.secrets import is_hash_like_name, password_value, reach
from ...analysis.values import UNKNOWN, const_value, keyword_value
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG208",
    name="weak-password-hash",
    message="{what}",
    hint=(
        "use bcrypt or argon2 for passwords (`bcrypt.hashpw`, argon2-cffi, Werkzeug "
        "`generate_password_hash`); for a checksum that protects nothing pass "
        "`usedforsecurity=False`"
    ),
    rationale=(
        "A stolen password table is attacked offline: a GPU computes billions of MD5 "
        "or SHA-256 hashes per second, so fast hashes, even salted, give up most real "
        "passwords within hours. Password hashes must be deliberately slow and "
        "memory-hard (bcrypt, scrypt, argon2) or at least use a high iteration count "
        "(PBKDF2 with 600,000 iterations, OWASP 2023). Ruff's S324 even suggests "
        "SHA-256 instead of MD5, which is no better for passwords. MD5 and SHA-1 are "
        "also broken for signatures and integrity; when one is used as a plain "
        "checksum, say so with `usedforsecurity=False`. Hashing a random API token "
        "with SHA-256 for look-up, or file contents for an ETag, is fine and is not "
        "reported."
    ),
    bad=Example(
        "import hashlib\n\n\n"
        "def store(user, password):\n"
        "    user.password_hash = hashlib.sha256(password.encode()).hexdigest()\n"
    ),
    good=Example(
        "from werkzeug.security import generate_password_hash\n\n\n"
        "def store(user, password):\n"
        "    user.password_hash = generate_password_hash(password)\n"
    ),
    severity="error",
    cwe=916,
    overlaps=("S324", "S303", "B303", "B324"),
    requires=(
        "hashlib",
        "hmac",
        "passlib",
        "generate_password_hash",
        "CryptContext",
        "make_password",
        "password_hashers",  # Django's PASSWORD_HASHERS setting
    ),
)

_FAST_HASHES = frozenset(
    {
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha512_224",
        "sha512_256",
        "blake2b",
        "blake2s",
        "sha3_224",
        "sha3_256",
        "sha3_384",
        "sha3_512",
        "shake_128",
        "shake_256",
        "md5-sha1",
        "ripemd160",
        "sm3",
    }
)
_BROKEN = frozenset({"md5", "sha1", "md5-sha1"})
_MIN_PBKDF2_ITERATIONS = 600_000
_WEAK_PASSLIB = frozenset(
    {
        "md5_crypt",
        "apr_md5_crypt",
        "sun_md5_crypt",
        "plaintext",
        "des_crypt",
        "bsdi_crypt",
        "bigcrypt",
        "crypt16",
        "mysql323",
        "mysql41",
        "postgres_md5",
        "oracle10",
        "oracle11",
        "lmhash",
        "nthash",
        "msdcc",
        "msdcc2",
        "hex_md4",
        "hex_md5",
        "hex_sha1",
        "hex_sha256",
        "hex_sha512",
        "htdigest",
        "cisco_pix",
        "cisco_asa",
        "cisco_type7",
        "roundup_plaintext",
    }
)
# Django's fast hashers: class name -> algorithm name (``make_password(hasher=)``).
_WEAK_DJANGO_HASHER_CLASSES = {
    "MD5PasswordHasher": "md5",
    "SHA1PasswordHasher": "sha1",
    "UnsaltedMD5PasswordHasher": "unsalted_md5",
    "UnsaltedSHA1PasswordHasher": "unsalted_sha1",
    "CryptPasswordHasher": "crypt",
}
_WEAK_DJANGO_HASHERS = frozenset(_WEAK_DJANGO_HASHER_CLASSES.values())
_HASH_ENTRY_POINTS = frozenset(_FAST_HASHES | {"new", "pbkdf2_hmac", "file_digest"})
# Every callee name the call handler looks at.
_CALL_NAMES = _HASH_ENTRY_POINTS | frozenset(
    {
        "update",
        "digest",
        "generate_password_hash",
        "CryptContext",
        "hash",
        "encrypt",
        "genhash",
        "make_password",
    }
)


def _is_weak_passlib(scheme: str) -> bool:
    return scheme in _WEAK_PASSLIB or scheme.startswith("ldap_")


def _data_argument(call: ast.Call, position: int) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg in ("data", "string"):
            return kw.value
    if position < len(call.args) and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return None


def _used_for_security(ctx: FileContext, call: ast.Call) -> bool:
    value = keyword_value(call, "usedforsecurity")
    if value is None:
        return not any(kw.arg is None for kw in call.keywords)
    constant = const_value(ctx, value)
    return constant is UNKNOWN or bool(constant)


def _hash_algorithm(ctx: FileContext, call: ast.Call) -> Optional[str]:
    # Return the algorithm of a ``hashlib.<name>(...)``/``hashlib.new(name)`` call.
    qualname = ctx.call_name(call)
    if qualname is None or not qualname.startswith("hashlib."):
        return None
    function = qualname[len("hashlib.") :]
    if function in _FAST_HASHES:
        return function
    if function == "new":
        name_node = call.args[0] if call.args else keyword_value(call, "name")
        value = const_value(ctx, name_node)
        if isinstance(value, str) and value.lower() in _FAST_HASHES:
            return value.lower()
    return None


def _is_hash_object(ctx: FileContext, node: ast.AST, depth: int = 0) -> bool:
    if isinstance(node, ast.Call):
        return _hash_algorithm(ctx, node) is not None
    if isinstance(node, ast.Name) and depth < 2:
        return any(
            value is not None and _is_hash_object(ctx, value, depth + 1)
            for value in reaching_values(ctx, node)
        )
    return False


def _check_hashlib(
    ctx: FileContext, node: ast.Call, qualname: str
) -> Iterator[Finding]:
    function = qualname[len("hashlib.") :]
    if function == "pbkdf2_hmac":
        yield from _check_pbkdf2(ctx, node)
        return
    algorithm = _hash_algorithm(ctx, node)
    if algorithm is None:
        return
    data = _data_argument(node, 1 if function == "new" else 0)
    if data is not None:
        reach(ctx, node)
    if data is not None and (
        password_value(ctx, data) or _password_function_input(ctx, node, data)
    ):
        yield RULE.finding(
            node, what=f"`{qualname}` is a fast hash applied to a password"
        )
        return
    if algorithm in _BROKEN and _used_for_security(ctx, node):
        shown = qualname if function != "new" else f"hashlib.new({algorithm!r})"
        yield RULE.finding(
            node,
            what=f"`{shown}` is a broken hash, used without `usedforsecurity=False`",
        )


# Parts of a function name that make it about something other than the password
# itself (``password_reset_token``, ``send_password_email``).
_NOT_PASSWORD_FUNCTION_PARTS = frozenset(
    {
        "token",
        "link",
        "url",
        "email",
        "mail",
        "code",
        "key",
        "otp",
        "strength",
        "policy",
        "length",
        "expired",
        "expiry",
        "age",
        "field",
        "fields",
        "form",
        "prompt",
        "generate",
        "random",
        "gen",
    }
)
_PASSTHROUGH = frozenset(
    {"encode", "decode", "strip", "lower", "upper", "casefold", "format", "join"}
)


def _password_function_params(ctx: FileContext, node: ast.AST) -> FrozenSet[str]:
    # Return the parameters of the enclosing function when its name says it hashes
    # or checks a password (``hash_password(raw)``, ``check_password(self, value)``).
    function = ctx.enclosing_function(node)
    if function is None:
        return frozenset()
    parts = split_name(function.name)
    if not any(part in PASSWORD_WORDS for part in parts) or any(
        part in _NOT_PASSWORD_FUNCTION_PARTS for part in parts
    ):
        return frozenset()
    args = function.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    return frozenset(
        name
        for name in names
        if name not in ("self", "cls") and not is_hash_like_name(name)
    )


def _from_params(
    ctx: FileContext, expr: Optional[ast.AST], params: FrozenSet[str], depth: int = 0
) -> bool:
    # Return True when ``expr`` is built from one of ``params``.
    if expr is None or depth > 4:
        return False
    if isinstance(expr, ast.Name):
        if expr.id in params:
            return True
        return depth < 3 and any(
            value is not None
            and not isinstance(value, ast.AugAssign)
            and _from_params(ctx, value, params, depth + 1)
            for value in reaching_values(ctx, expr)
        )
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in _PASSTHROUGH:
            return _from_params(ctx, func.value, params, depth + 1) or any(
                _from_params(ctx, arg, params, depth + 1) for arg in expr.args
            )
        if isinstance(func, ast.Name) and func.id in ("str", "bytes") and expr.args:
            return _from_params(ctx, expr.args[0], params, depth + 1)
        return False
    if isinstance(expr, ast.BinOp):
        return _from_params(ctx, expr.left, params, depth + 1) or _from_params(
            ctx, expr.right, params, depth + 1
        )
    if isinstance(expr, ast.JoinedStr):
        return any(
            isinstance(v, ast.FormattedValue)
            and _from_params(ctx, v.value, params, depth + 1)
            for v in expr.values
        )
    return False


def _password_function_input(ctx: FileContext, node: ast.AST, data: ast.AST) -> bool:
    # A fast hash of a parameter of ``hash_password(raw)``/``encrypt_pwd(value)``.
    params = _password_function_params(ctx, node)
    return bool(params) and _from_params(ctx, data, params)


def _check_pbkdf2(ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
    iterations = keyword_value(node, "iterations")
    if (
        iterations is None
        and len(node.args) >= 4
        and not any(isinstance(a, ast.Starred) for a in node.args[:4])
    ):
        iterations = node.args[3]
    value = const_value(ctx, iterations)
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value < _MIN_PBKDF2_ITERATIONS
    ):
        yield RULE.finding(
            node,
            what=(
                f"`hashlib.pbkdf2_hmac` with {value:,} iterations "
                f"(fewer than {_MIN_PBKDF2_ITERATIONS:,})"
            ),
        )


def _check_update(ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or len(node.args) != 1:
        return
    reach(ctx, node)
    if not password_value(ctx, node.args[0]):
        return
    if _is_hash_object(ctx, func.value):
        yield RULE.finding(node, what="a fast hash is updated with a password")


def _check_werkzeug(ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
    method_node = keyword_value(node, "method")
    if (
        method_node is None
        and len(node.args) >= 2
        and not isinstance(node.args[0], ast.Starred)
    ):
        method_node = node.args[1]
    method = const_value(ctx, method_node)
    if not isinstance(method, str):
        return
    parts = method.lower().split(":")
    if parts[0] not in ("scrypt", "pbkdf2"):
        yield RULE.finding(
            node, what=f"`generate_password_hash` with the weak method {method!r}"
        )
    elif parts[0] == "pbkdf2" and len(parts) >= 3 and parts[2].isdigit():
        if int(parts[2]) < _MIN_PBKDF2_ITERATIONS:
            yield RULE.finding(
                node,
                what=(
                    f"`generate_password_hash` with {int(parts[2]):,} PBKDF2 "
                    f"iterations (fewer than {_MIN_PBKDF2_ITERATIONS:,})"
                ),
            )


def _scheme_list(ctx: FileContext, node: Optional[ast.AST]) -> List[str]:
    value = const_value(ctx, node)
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, (list, tuple, frozenset)):
        return [s for s in value if isinstance(s, str)]
    return []


def _check_crypt_context(ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
    schemes_node = keyword_value(node, "schemes")
    if schemes_node is None and node.args and not isinstance(node.args[0], ast.Starred):
        schemes_node = node.args[0]
    schemes = _scheme_list(ctx, schemes_node)
    if not schemes:
        return
    deprecated_node = keyword_value(node, "deprecated")
    deprecated = _scheme_list(ctx, deprecated_node)
    default_node = keyword_value(node, "default")
    default = const_value(ctx, default_node)
    default_scheme = default if isinstance(default, str) else schemes[0]
    weak: List[str] = []
    for scheme in schemes:
        if not _is_weak_passlib(scheme):
            continue
        if scheme in deprecated:
            continue
        if "auto" in deprecated and scheme != default_scheme:
            continue
        weak.append(scheme)
    if weak:
        yield RULE.finding(
            node,
            what=f"passlib `CryptContext` accepts the weak scheme(s) {_join(weak)}",
        )


def _join(items: Sequence[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def _passlib_handler(ctx: FileContext, node: ast.Call) -> Optional[str]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in (
        "hash",
        "encrypt",
        "genhash",
    ):
        return None
    owner = func.value
    if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Attribute):
        if owner.func.attr == "using":
            owner = owner.func.value
    qualname = ctx.qualname(owner)
    if qualname and qualname.startswith("passlib.hash."):
        scheme = qualname[len("passlib.hash.") :]
        if _is_weak_passlib(scheme):
            return scheme
    return None


@RULE.on(ast.Call, names=_CALL_NAMES)
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    attr = (
        func.attr
        if isinstance(func, ast.Attribute)
        else (func.id if isinstance(func, ast.Name) else None)
    )
    if attr is None:
        return
    if attr in _HASH_ENTRY_POINTS:
        qualname = ctx.call_name(node)
        if qualname and qualname.startswith("hashlib."):
            yield from _check_hashlib(ctx, node, qualname)
            return
    if attr == "update":
        yield from _check_update(ctx, node)
    elif attr in ("new", "digest"):
        yield from _check_hmac(ctx, node)
    elif attr == "generate_password_hash":
        yield from _check_werkzeug(ctx, node)
    elif attr == "CryptContext":
        yield from _check_crypt_context(ctx, node)
    elif attr in ("hash", "encrypt", "genhash"):
        scheme = _passlib_handler(ctx, node)
        if scheme is not None:
            yield RULE.finding(node, what=f"passlib `{scheme}` is a weak password hash")
    elif attr == "make_password":
        hasher = keyword_value(node, "hasher")
        if hasher is None and len(node.args) >= 3:
            hasher = node.args[2]
        value = const_value(ctx, hasher)
        if isinstance(value, str) and value.lower() in _WEAK_DJANGO_HASHERS:
            yield RULE.finding(
                node, what=f"`make_password` with the weak hasher {value!r}"
            )


def _check_hmac(ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
    qualname = ctx.call_name(node)
    if qualname not in ("hmac.new", "hmac.digest"):
        return
    message = keyword_value(node, "msg")
    if message is None and len(node.args) >= 2:
        message = node.args[1]
    if message is not None:
        reach(ctx, node)
    if message is not None and password_value(ctx, message):
        yield RULE.finding(
            node, what=f"`{qualname}` is a fast keyed hash of a password"
        )


# The first entry of ``PASSWORD_HASHERS`` hashes every new password; the others
# only verify old hashes.
@RULE.on(ast.Assign, names={"PASSWORD_HASHERS"})
def _check_django_hashers(node: ast.Assign, ctx: FileContext) -> Iterator[Finding]:
    value = node.value
    if not isinstance(value, (ast.List, ast.Tuple)) or not value.elts:
        return
    first = value.elts[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        hasher = first.value.rsplit(".", 1)[-1]
        if hasher in _WEAK_DJANGO_HASHER_CLASSES:
            what = f"Django's `PASSWORD_HASHERS` hashes new passwords with `{hasher}`"
            yield RULE.finding(first, what=what)
