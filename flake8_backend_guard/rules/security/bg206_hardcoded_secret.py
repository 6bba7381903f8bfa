"""BG206 hardcoded-secret: literals bound to sensitive names, credential formats."""

from __future__ import annotations

import ast
from typing import FrozenSet, Iterator, List, Optional, Set, Tuple

from ...analysis.dataflow import reaching_values
from ...analysis.names import is_sensitive
from ...analysis.secrets import (
    DATABASE_URL_SCHEMES,
    assignment_pairs,
    credential_format,
    database_url_password,
    enclosing_class_facts,
    is_env_read,
    is_name_like,
    is_secret_literal,
    reach,
    target_name,
    value_name,
)
from ...analysis.values import UNKNOWN, const_value, string_keys
from ...context import FileContext, walk_nodes
from ...options import Config
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG206",
    name="hardcoded-secret",
    message="hard-coded secret {where}",
    hint=(
        'read it from the environment (`os.environ["SECRET_KEY"]`) or a secret '
        "manager and fail at start-up when it is missing"
    ),
    rationale=(
        "A secret written in the source ends up in every clone, fork, backup, CI log "
        "and container image of the repository, and stays in the Git history after it "
        "is removed. Anyone who can read the code can sign session cookies and JWTs, "
        "call the paid API or log in to the database, and rotating the secret needs a "
        "code change and a deployment. Secrets belong in the environment or a secret "
        "manager; the code only names them. Unlike name-only checks, environment "
        'variable names (`os.getenv("API_KEY")`), field names (`password_field = '
        '"password"`), templates, URL paths and header names are not reported, and '
        "string literals with the format of real credentials (AWS, GitHub, Slack, "
        "Stripe, Google keys, PEM private keys) are reported wherever they appear, "
        "and so are database, cache and broker URLs that carry a password "
        "(`postgresql://user:<password>@host/db` with the password written out; "
        "not for a database on `localhost`). "
        "A literal password given to a hashing or checking function "
        '(`generate_password_hash("admin")`, `bcrypt.hashpw(b"admin", ...)`, '
        '`user.set_password("admin")`) is the known password of a seeded account '
        "or a back door, and is reported too; a lookup key that names a field "
        '(`JWT_AUTH_USERNAME_KEY = "email"`) is not a secret.'
    ),
    bad=Example(
        "from flask import Flask\n\n"
        "app = Flask(__name__)\n"
        'app.config["SECRET_KEY"] = "s3cr3t-k3y-2024"\n'
    ),
    good=Example(
        "import os\n\n"
        "from flask import Flask\n\n"
        "app = Flask(__name__)\n"
        'app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\n'
    ),
    severity="error",
    cwe=798,
    overlaps=("S105", "S106", "S107", "B105", "B106", "B107"),
    options=("bg-sensitive-names",),
)

# Calls whose argument at (position, keyword) is a signing or encryption key.
_KEY_ARGUMENTS = {
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "jwt.api_jwt.encode": (1, "key"),
    "jwt.api_jwt.decode": (1, "key"),
    "jose.jwt.encode": (1, "key"),
    "jose.jwt.decode": (1, "key"),
    "jose.jws.sign": (1, "key"),
    "jose.jws.verify": (1, "key"),
    "authlib.jose.jwt.encode": (2, "key"),
    "authlib.jose.jwt.decode": (1, "key"),
    "hmac.new": (0, "key"),
    "hmac.digest": (0, "key"),
    "hmac.HMAC": (0, "key"),
    "cryptography.fernet.Fernet": (0, "key"),
}
# Symmetric ciphers: a key in the source decrypts every message and file they
# protect (PyCryptodome's ``AES.new(key, ...)``, cryptography's ``AESGCM(key)``).
_KEY_ARGUMENTS.update(
    {
        f"{package}.Cipher.{cipher}.new": (0, "key")
        for package in ("Crypto", "Cryptodome")
        for cipher in (
            "AES",
            "ARC2",
            "ARC4",
            "Blowfish",
            "CAST",
            "ChaCha20",
            "ChaCha20_Poly1305",
            "DES",
            "DES3",
            "Salsa20",
        )
    }
)
_KEY_ARGUMENTS.update(
    {
        f"cryptography.hazmat.primitives.ciphers.{module}.{cipher}": (0, "key")
        for module, ciphers in (
            ("algorithms", ("AES", "AES128", "AES256", "Camellia", "ChaCha20")),
            ("algorithms", ("TripleDES", "Blowfish", "CAST5", "SEED", "SM4")),
            ("aead", ("AESGCM", "AESCCM", "AESOCB3", "AESSIV", "ChaCha20Poly1305")),
        )
        for cipher in ciphers
    }
)
_KEY_ARGUMENTS["nacl.secret.SecretBox"] = (0, "key")
_KEY_PREFIXES = (("itsdangerous.", (0, "secret_key")),)
# Calls whose argument at (position, keyword) is a password.
_PASSWORD_ARGUMENTS = {
    "requests.auth.HTTPBasicAuth": (1, "password"),
    "requests.auth.HTTPDigestAuth": (1, "password"),
    "requests.auth.HTTPProxyAuth": (1, "password"),
    "requests.HTTPBasicAuth": (1, "password"),
    "httpx.BasicAuth": (1, "password"),
    "httpx.DigestAuth": (1, "password"),
    "aiohttp.BasicAuth": (1, "password"),
    "aiohttp.helpers.BasicAuth": (1, "password"),
    "pymysql.connect": (2, "password"),
    "MySQLdb.connect": (2, "passwd"),
    "smtplib.SMTP.login": (1, "password"),
    # a literal password hashed or checked: a default account's known password
    "werkzeug.security.generate_password_hash": (0, "password"),
    "werkzeug.generate_password_hash": (0, "password"),
    "werkzeug.security.check_password_hash": (1, "password"),
    "werkzeug.check_password_hash": (1, "password"),
    "flask_bcrypt.generate_password_hash": (0, "password"),
    "flask_bcrypt.check_password_hash": (1, "password"),
    "bcrypt.hashpw": (0, "password"),
    "bcrypt.checkpw": (0, "password"),
    "django.contrib.auth.hashers.make_password": (0, "password"),
    "django.contrib.auth.hashers.check_password": (0, "password"),
}
_COMPARE_DIGEST = frozenset({"hmac.compare_digest", "secrets.compare_digest"})
_CALL_LAST_NAMES = frozenset(
    q.rsplit(".", 1)[-1] for q in list(_KEY_ARGUMENTS) + list(_PASSWORD_ARGUMENTS)
) | {"compare_digest", "login", "set_password", "hash", "encrypt"}
_SIGNER_SUFFIXES = ("Serializer", "Signer")
_SECRET_WRAPPERS = frozenset({"SecretStr", "SecretBytes", "Secret"})
_EXAMPLE_KEYS = frozenset(
    {
        "example",
        "examples",
        "json_schema_extra",
        "schema_extra",
        "openapi_examples",
        "openapi_extra",
    }
)


def _reported(ctx: FileContext) -> Set[int]:
    return ctx.cached(("BG206", "reported"), set)


def _literal(
    ctx: FileContext, node: Optional[ast.AST], anchor: ast.AST
) -> Tuple[Optional[ast.AST], object]:
    # Return (node to report, constant value) for a literal or a name holding one.
    #
    # A module constant whose own name is sensitive is reported where it is defined,
    # so it is not returned again at its uses.
    if node is None:
        return None, UNKNOWN
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (str, bytes)):
            return node, node.value
        return None, UNKNOWN
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        func = node.func
        callee = (
            func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        )
        if callee in _SECRET_WRAPPERS and isinstance(node.args[0], ast.Constant):
            return _literal(ctx, node.args[0], anchor)
        return None, UNKNOWN
    if not isinstance(node, ast.Name):
        return None, UNKNOWN
    if is_sensitive(node.id, ctx.config.sensitive_names):
        return None, UNKNOWN  # reported at its own definition
    reach(ctx, anchor)
    if ctx.enclosing_function(node) is not None:
        values = reaching_values(ctx, node)
        if values:
            if len(values) == 1 and isinstance(values[0], ast.Constant):
                value = values[0].value
                if isinstance(value, (str, bytes)):
                    # reported at the literal: where the fix goes, once for all uses
                    return values[0], value
            return None, UNKNOWN
    value = const_value(ctx, node)
    if isinstance(value, (str, bytes)):
        return node, value
    return None, UNKNOWN


def _finding(
    ctx: FileContext, node: Optional[ast.AST], value: object, name: str, where: str
) -> Optional[Finding]:
    if node is None or id(node) in _reported(ctx):
        return None
    if not is_secret_literal(value, name):
        return None
    _reported(ctx).add(id(node))
    return RULE.finding(node, where=where)


def _in_special_class(ctx: FileContext, node: ast.AST) -> bool:
    # Return True for statements in an Enum body or a pydantic settings class (BG207).
    facts = enclosing_class_facts(ctx, node)
    return facts is not None and (facts.enum or facts.settings)


def _binding(
    ctx: FileContext, node: ast.AST, targets: List[ast.AST], value: Optional[ast.AST]
) -> Optional[List[Finding]]:
    if value is None or isinstance(value, (ast.BoolOp, ast.IfExp)):
        return None
    extra = ctx.config.sensitive_names
    found: List[Finding] = []
    checked_class = False
    for target in targets:
        for simple, simple_value in assignment_pairs(target, value):
            name = target_name(simple)
            if not name or not is_sensitive(name, extra):
                continue
            if isinstance(simple, ast.Subscript) and not is_name_like(name):
                continue
            if not checked_class:
                if _in_special_class(ctx, node):
                    return found or None
                checked_class = True
            report, literal = _literal(ctx, simple_value, node)
            finding = _finding(ctx, report, literal, name, f"assigned to `{name}`")
            if finding is not None:
                found.append(finding)
    return found or None


def _may_bind_secret(ctx: FileContext, targets: List[ast.AST]) -> bool:
    # False when no target can bind a sensitive name; the cheap first test of the
    # assignment handlers, which see every assignment of a subscript or a tuple.
    extra = ctx.config.sensitive_names
    return any(_may_be_secret_target(target, extra) for target in targets)


def _may_be_secret_target(target: ast.AST, extra: FrozenSet[str]) -> bool:
    # True when a simple target ``assignment_pairs`` gives for ``target`` has a
    # sensitive ``target_name`` (``_binding`` judges only those).
    cls = target.__class__
    if cls is ast.Name:
        return is_sensitive(target.id, extra)  # type: ignore[attr-defined]
    if cls is ast.Attribute:
        return is_sensitive(target.attr, extra)  # type: ignore[attr-defined]
    if cls is ast.Subscript:
        name = target_name(target)
        return name is not None and is_sensitive(name, extra)
    if cls is ast.Tuple or cls is ast.List:
        return any(
            _may_be_secret_target(elt, extra)
            for elt in target.elts  # type: ignore[attr-defined]
        )
    return False  # starred targets are not unpacked; other shapes have no name


def _sensitive_binding(name: str, config: Config) -> bool:
    # The ``names=`` test of the assignment handler: a sensitive bound name.
    return is_sensitive(name, config.sensitive_names)


@RULE.on(ast.Assign, names=_sensitive_binding)
def _check_assign(node: ast.Assign, ctx: FileContext) -> Optional[List[Finding]]:
    if not _may_bind_secret(ctx, node.targets):  # type: ignore[arg-type]
        return None
    return _binding(ctx, node, node.targets, node.value)  # type: ignore[arg-type]


@RULE.on(ast.NamedExpr)
@RULE.on(ast.AnnAssign, names=_sensitive_binding)
def _check_ann_assign(node: ast.AST, ctx: FileContext) -> Optional[List[Finding]]:
    targets = [node.target]  # type: ignore[attr-defined]
    if not _may_bind_secret(ctx, targets):
        return None
    return _binding(ctx, node, targets, node.value)  # type: ignore[attr-defined]


def _in_example(ctx: FileContext, node: ast.AST) -> bool:
    # Return True for values inside an OpenAPI/pydantic ``example`` structure.
    child = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.Dict):
            for key, value in zip(ancestor.keys, ancestor.values):
                if (
                    value is child
                    and isinstance(key, ast.Constant)
                    and key.value in _EXAMPLE_KEYS
                ):
                    return True
        elif isinstance(ancestor, ast.keyword):
            if ancestor.arg in _EXAMPLE_KEYS:
                return True
        elif isinstance(ancestor, (ast.Assign, ast.AnnAssign)):
            targets = (
                ancestor.targets
                if isinstance(ancestor, ast.Assign)
                else [ancestor.target]
            )
            return any(target_name(t) in _EXAMPLE_KEYS for t in targets)
        elif isinstance(ancestor, ast.stmt):
            return False
        child = ancestor
    return False


@RULE.on(ast.Dict)
def _check_dict(node: ast.Dict, ctx: FileContext) -> Optional[List[Finding]]:
    extra = ctx.config.sensitive_names
    if not any(is_sensitive(key, extra) for key in string_keys(node)):
        return None  # most dicts: no key names a secret
    found: List[Finding] = []
    example: Optional[bool] = None
    for key, value in zip(node.keys, node.values):
        if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            continue
        if not is_sensitive(key.value, extra):
            continue
        if not is_name_like(key.value):
            continue
        if not isinstance(value, (ast.Constant, ast.Name, ast.Call)):
            continue
        if example is None:
            example = _in_example(ctx, node)
        if example:
            break
        report, literal = _literal(ctx, value, node)
        finding = _finding(
            ctx, report, literal, key.value, f"in the `{key.value}` entry"
        )
        if finding is not None:
            found.append(finding)
    return found or None


def _argument(call: ast.Call, position: int, name: str) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if position < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def _keyword_findings(ctx: FileContext, node: ast.Call) -> List[Finding]:
    # Secrets passed as keyword arguments: ``auth=(user, "pw")``, ``api_key="..."``.
    found: List[Finding] = []
    sensitive = ctx.config.sensitive_names
    env = None
    for kw in node.keywords:
        if kw.arg is None:
            continue
        if (
            kw.arg == "auth"
            and isinstance(kw.value, ast.Tuple)
            and len(kw.value.elts) == 2
        ):
            report, literal = _literal(ctx, kw.value.elts[1], node)
            finding = _finding(
                ctx, report, literal, "password", "passed as the `auth` password"
            )
            if finding is not None:
                found.append(finding)
            continue
        if not is_sensitive(kw.arg, sensitive):
            continue
        if env is None:
            env = is_env_read(ctx, node)
        if env:
            break
        report, literal = _literal(ctx, kw.value, node)
        finding = _finding(ctx, report, literal, kw.arg, f"passed as `{kw.arg}=`")
        if finding is not None:
            found.append(finding)
    return found


def _signing_callee(name: str, config: Config) -> bool:
    # The ``names=`` test of the call handler: a callee taking a key or password.
    return name in _CALL_LAST_NAMES or name.endswith(_SIGNER_SUFFIXES)


def _secret_keyword(name: str, config: Config) -> bool:
    # The ``keywords=`` test of the call handler (see ``_keyword_findings``).
    return name == "auth" or is_sensitive(name, config.sensitive_names)


# Methods judged on any receiver: (position of the password, positional count).
_PASSWORD_METHODS = {
    "login": (1, 2),  # ``smtp.login("me@example.com", "app-password")``
    "set_password": (0, 1),  # ``admin.set_password("admin")`` (Django, Flask apps)
}


def _argument_spec(qualname: str, last: str) -> Tuple[Optional[Tuple[int, str]], str]:
    # ((position, keyword) of the key or password argument, its label), or
    # (None, "") for a callee that takes none.
    spec = _KEY_ARGUMENTS.get(qualname)
    if spec is not None:
        return spec, "key"
    spec = _PASSWORD_ARGUMENTS.get(qualname)
    if spec is not None:
        return spec, "password"
    if qualname.startswith("passlib.hash.") and last in ("hash", "encrypt"):
        return (0, "secret"), "password"  # ``pbkdf2_sha256.hash("123456")``
    for prefix, prefix_spec in _KEY_PREFIXES:
        if qualname.startswith(prefix) and qualname[len(prefix) :][:1].isupper():
            return prefix_spec, "key"
    return None, ""


def _add_literal(
    found: List[Finding],
    ctx: FileContext,
    node: ast.Call,
    argument: Optional[ast.AST],
    label: str,
    where: str,
) -> None:
    # Append the finding for ``argument`` of ``node`` when it holds a secret.
    report, literal = _literal(ctx, argument, node)
    finding = _finding(ctx, report, literal, label, where)
    if finding is not None:
        found.append(finding)


@RULE.on(ast.Call, names=_signing_callee, keywords=_secret_keyword)
def _check_call(node: ast.Call, ctx: FileContext) -> Optional[List[Finding]]:
    if node.keywords:
        found = _keyword_findings(ctx, node)
    elif node.args:
        found = []
    else:
        return None
    func = node.func
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if last is None or not (
        last in _CALL_LAST_NAMES or last.endswith(_SIGNER_SUFFIXES)
    ):
        return found or None
    method = _PASSWORD_METHODS.get(last)
    if method is not None and isinstance(func, ast.Attribute):
        position, count = method
        if len(node.args) == count and (last == "login" or not node.keywords):
            where = f"passed to `{last}()`"
            _add_literal(found, ctx, node, node.args[position], "password", where)
            return found or None
    qualname = ctx.call_name(node)
    if qualname is None:
        return found or None
    spec, label = _argument_spec(qualname, last)
    if spec is not None:
        position, keyword_name = spec
        argument = _argument(node, position, keyword_name)
        where = f"passed as the {label} of `{qualname}`"
        _add_literal(found, ctx, node, argument, label, where)
    elif qualname in _COMPARE_DIGEST and len(node.args) == 2:
        found.extend(_compare_pair(ctx, node, node.args[0], node.args[1]))
    return found or None


def _compare_pair(
    ctx: FileContext, anchor: ast.AST, left: ast.AST, right: ast.AST
) -> Iterator[Finding]:
    for named, other in ((left, right), (right, left)):
        if not isinstance(other, ast.Constant):
            continue
        name = value_name(named)
        if not name or not is_sensitive(name, ctx.config.sensitive_names):
            continue
        report, literal = _literal(ctx, other, anchor)
        finding = _finding(ctx, report, literal, name, f"compared with `{name}`")
        if finding is not None:
            yield finding


@RULE.on(ast.Compare)
def _check_compare(node: ast.Compare, ctx: FileContext) -> Optional[List[Finding]]:
    comparators = node.comparators
    if len(comparators) == 1:  # the usual ``a == b``: a cheap first test
        if node.ops[0].__class__ not in (ast.Eq, ast.NotEq) or (
            node.left.__class__ is not ast.Constant
            and comparators[0].__class__ is not ast.Constant
        ):
            return None
    found: Optional[List[Finding]] = None
    operands = [node.left] + list(comparators)
    for index, op in enumerate(node.ops):
        if isinstance(op, (ast.Eq, ast.NotEq)):
            left, right = operands[index], operands[index + 1]
            if not (
                isinstance(left, ast.Constant) or isinstance(right, ast.Constant)
            ):
                continue
            pairs = list(_compare_pair(ctx, node, left, right))
            if pairs:
                found = (found or []) + pairs
    return found


@RULE.on(ast.arguments)
def _check_defaults(node: ast.arguments, ctx: FileContext) -> Optional[List[Finding]]:
    defaults = node.defaults
    kw_defaults = node.kw_defaults
    if not defaults and not kw_defaults:
        return None  # most defs: no default at all
    if not any(d.__class__ is ast.Constant for d in defaults) and not any(
        d.__class__ is ast.Constant for d in kw_defaults
    ):
        return None  # only constant defaults are judged
    positional = list(node.posonlyargs) + list(node.args)
    pairs = list(zip(positional[len(positional) - len(defaults) :], defaults))
    pairs += [(a, d) for a, d in zip(node.kwonlyargs, kw_defaults) if d is not None]
    found: Optional[List[Finding]] = None
    extra = ctx.config.sensitive_names
    for arg, default in pairs:
        if not isinstance(default, ast.Constant):
            continue
        if not is_sensitive(arg.arg, extra):
            continue
        report, literal = _literal(ctx, default, node)
        finding = _finding(
            ctx, report, literal, arg.arg, f"as the default of parameter `{arg.arg}`"
        )
        if finding is not None:
            found = (found or []) + [finding]
    return found


# Word parts that any string in a credential format contains (see
# ``secrets.credential_format``: AKIA..., ghp_..., github_pat_..., xoxb-...,
# sk_live_..., AIza...); files whose words contain none (case-insensitively) and
# without "PRIVATE KEY" (``-----BEGIN PRIVATE KEY-----``) are not scanned.
_CREDENTIAL_MARKERS = (
    "akia",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "k_live_",
    "aiza",
)


def _constants(tree: ast.AST) -> Iterator[ast.Constant]:
    # The constants of ``tree`` (the order does not matter: each is judged alone).
    for node in walk_nodes(tree):
        if node.__class__ is ast.Constant:
            yield node  # type: ignore[misc]


@RULE.on_leave(ast.Module)
def _check_constants(node: ast.Module, ctx: FileContext) -> Optional[List[Finding]]:
    # Strings in a credential format, wherever they are. Scanned once the walk is
    # over: a string already reported as bound to a sensitive name (always by a
    # handler of one of its ancestors) is not reported again.
    formats = ctx.may_contain_word_part(*_CREDENTIAL_MARKERS) or ctx.may_contain(
        "PRIVATE KEY"
    )
    urls = ctx.may_contain("://") and ctx.may_contain_word_part(*DATABASE_URL_SCHEMES)
    if not formats and not urls:
        return None
    found: Optional[List[Finding]] = None
    reported = _reported(ctx)
    for constant in _constants(node):
        value = constant.value
        if not isinstance(value, (str, bytes)) or len(value) < 12:
            continue
        if id(constant) in reported:
            continue
        kind = credential_format(value) if formats and len(value) >= 20 else None
        if (
            kind is None
            and urls
            and database_url_password(value)
            and not isinstance(ctx.parent(constant), ast.Expr)  # a docstring
        ):
            kind = "a database URL with its password"
        if kind is not None:
            reported.add(id(constant))
            finding = RULE.finding(constant, where=f"in a string that looks like {kind}")
            found = (found or []) + [finding]
    return found
