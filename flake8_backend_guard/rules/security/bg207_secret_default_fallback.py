"""BG207 secret-default-fallback: an env-read secret with a literal default."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional

from ...analysis.names import is_sensitive
from ...analysis.secrets import (
    ENV_DEFAULT_KEYWORDS,
    ENV_READ_NAMES,
    env_read,
    file_facts,
    is_secret_literal,
    may_read_env,
    reach,
    target_name,
)
from ...analysis.values import UNKNOWN, const_value
from ...analysis.web import has_word
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG207",
    name="secret-default-fallback",
    message="`{name}` silently falls back to a hard-coded value when it is not set",
    hint=(
        'require it (`os.environ["{name}"]`, a settings field without a default) and '
        "fail at start-up when it is missing"
    ),
    rationale=(
        '`os.getenv("SECRET_KEY", "dev")` and `os.environ.get("SECRET_KEY") or '
        '"change-me"` look configurable, but when the variable is missing in '
        "production (a typo in the deployment, a renamed secret, a new environment) "
        "the application starts anyway and signs sessions and tokens with a key that "
        "is published in the repository. Nothing fails, so nobody notices. A secret "
        "must be required: read it with `os.environ[...]` or a settings field without "
        "a default, so that a missing value stops the application at start-up. The "
        "same holds for pydantic `BaseSettings` fields with a literal default and for "
        "`decouple`/`starlette.config`/`environs` readers with `default=`. An empty "
        'default (`os.getenv("API_KEY", "")`) is not reported: it holds no secret '
        "and usually feeds an explicit check."
    ),
    bad=Example("import os\n\n" 'SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret")\n'),
    good=Example("import os\n\n" 'SECRET_KEY = os.environ["SECRET_KEY"]\n'),
    severity="error",
    cwe=1188,
    overlaps=(),
    options=("bg-sensitive-names",),
)

_CONFIG_OWNERS = frozenset(
    {
        "config",
        "settings",
        "environ",
        "env",
        "conf",
        "secrets",
        "app_config",
        "configuration",
    }
)


def _literal(ctx: FileContext, node: Optional[ast.AST]) -> object:
    if node is None:
        return UNKNOWN
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        func = node.func
        callee = (
            func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        )
        if callee in ("SecretStr", "SecretBytes", "Secret"):
            return _literal(ctx, node.args[0])
    value = const_value(ctx, node)
    if isinstance(value, (str, bytes)):
        return value
    return UNKNOWN


def _bound_name(ctx: FileContext, node: ast.AST) -> Optional[str]:
    # Return the name the value of ``node`` is bound to (target, keyword, dict key).
    child = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.BoolOp, ast.IfExp)):
            child = ancestor
            continue
        if isinstance(ancestor, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            targets = (
                ancestor.targets
                if isinstance(ancestor, ast.Assign)
                else [ancestor.target]  # type: ignore[union-attr]
            )
            for target in targets:
                name = target_name(target)
                if name:
                    return name
            return None
        if isinstance(ancestor, ast.keyword):
            return ancestor.arg
        if isinstance(ancestor, ast.Dict):
            for key, value in zip(ancestor.keys, ancestor.values):
                if value is child and isinstance(key, ast.Constant):
                    return key.value if isinstance(key.value, str) else None
            return None
        return None
    return None


def _config_lookup(ctx: FileContext, call: ast.Call) -> Optional[ast.AST]:
    # Return the literal default of ``getattr(settings, "X", "d")`` or
    # ``config.get("X", "d")``.
    func = call.func
    if isinstance(func, ast.Name) and func.id == "getattr" and len(call.args) == 3:
        owner = ctx.qualname(call.args[0]) or ""
        if owner.rsplit(".", 1)[-1].lower() in _CONFIG_OWNERS:
            return call.args[2]
        return None
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and len(call.args) == 2
        and not call.keywords
    ):
        owner = ctx.qualname(func.value) or ""
        if owner.rsplit(".", 1)[-1].lower() in _CONFIG_OWNERS:
            return call.args[1]
    return None


def _read_name(ctx: FileContext, call: ast.Call) -> Optional[str]:
    read = env_read(ctx, call)
    if read is not None:
        return read.name
    if _config_lookup(ctx, call) is not None:
        key = call.args[1] if isinstance(call.func, ast.Name) else call.args[0]
        value = const_value(ctx, key)
        return value if isinstance(value, str) else None
    return None


def _is_read(ctx: FileContext, node: ast.AST) -> bool:
    if isinstance(node, ast.Subscript):
        return ctx.qualname(node.value) in ("os.environ", "os.environb")
    if not isinstance(node, ast.Call):
        return False
    return env_read(ctx, node) is not None or _config_lookup(ctx, node) is not None


def _read_of(ctx: FileContext, node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Subscript):
        key = const_value(ctx, node.slice)
        return key if isinstance(key, str) else None
    if isinstance(node, ast.Call):
        return _read_name(ctx, node)
    return None


def _sensitive(ctx: FileContext, *names: Optional[str]) -> Optional[str]:
    for name in names:
        if name and is_sensitive(name, ctx.config.sensitive_names):
            return name
    return None


def _report(
    ctx: FileContext,
    default: ast.AST,
    read_name: Optional[str],
    anchor: ast.AST,
    use_binding: bool = True,
) -> Iterator[Finding]:
    if isinstance(default, ast.Name):
        reach(ctx, anchor)
    literal = _literal(ctx, default)
    if literal is UNKNOWN:
        return
    bound = _bound_name(ctx, anchor) if use_binding else None
    name = _sensitive(ctx, read_name, bound)
    if name is None:
        return
    if not is_secret_literal(literal, name, prose_filter=False, name_filters=False):
        return
    yield RULE.finding(default, name=name)


# Keyed: a read with a default is an env read (its callee named as one, or a reader
# object of the file called with ``default=``) or ``getattr(settings, "X", "d")``
# / ``config.get("X", "d")`` (``get`` is one of the env read names).
@RULE.on(ast.Call, names=ENV_READ_NAMES | {"getattr"}, keywords=ENV_DEFAULT_KEYWORDS)
def _check_call(node: ast.Call, ctx: FileContext) -> Optional[List[Finding]]:
    if len(node.args) < 2 and not node.keywords:
        return None  # no default: a second positional or a keyword argument
    func = node.func
    if not may_read_env(ctx, node) and not (
        isinstance(func, ast.Name) and func.id == "getattr"
    ):
        return None  # neither an env read nor a config look-up
    read = env_read(ctx, node)
    if read is not None:
        if read.default is not None:
            return list(_report(ctx, read.default, read.name, node)) or None
        return None
    default = _config_lookup(ctx, node)
    if default is not None:
        # configparser's ``config.get("database", "password")`` is (section, option):
        # only the looked-up key itself decides here, not the name it is bound to.
        found = _report(ctx, default, _read_name(ctx, node), node, use_binding=False)
        return list(found) or None
    return None


@RULE.on(ast.BoolOp)
def _check_or(node: ast.BoolOp, ctx: FileContext) -> Optional[List[Finding]]:
    if not isinstance(node.op, ast.Or):
        return None
    # Only a value that is neither a call nor a subscript, after a read (which is
    # one), is reported: most ``or`` expressions have no such pair.
    may_read = False
    for value in node.values:
        if isinstance(value, (ast.Call, ast.Subscript)):
            may_read = True
        elif may_read:
            break
    else:
        return None
    found: List[Finding] = []
    read_name: Optional[str] = None
    seen_read = False
    for value in node.values:
        if _is_read(ctx, value):
            seen_read = True
            read_name = read_name or _read_of(ctx, value)
        elif seen_read and not isinstance(value, (ast.Call, ast.Subscript)):
            found.extend(_report(ctx, value, read_name, node))
    return found or None


@RULE.on(ast.IfExp)
def _check_ifexp(node: ast.IfExp, ctx: FileContext) -> Iterator[Finding]:
    for read, other in ((node.body, node.orelse), (node.orelse, node.body)):
        if _is_read(ctx, read) and not _is_read(ctx, other):
            yield from _report(ctx, other, _read_of(ctx, read), node)


@RULE.on(ast.ClassDef)
def _check_settings(node: ast.ClassDef, ctx: FileContext) -> Iterator[Finding]:
    if not node.bases or not ctx.cached(
        ("BG207", "BaseSettings"), lambda: has_word(ctx, "BaseSettings")
    ):
        return  # settings classes derive from a BaseSettings base of the file
    facts = file_facts(ctx).classes.get(node.name)
    if facts is None or facts.node is not node or not facts.settings:
        return
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name, value = stmt.target.id, stmt.value
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            name, value = stmt.targets[0].id, stmt.value
        else:
            continue
        if value is None or not is_sensitive(name, ctx.config.sensitive_names):
            continue
        default = _field_default(value)
        if default is None:
            continue
        literal = _literal(ctx, default)
        if literal is UNKNOWN:
            continue
        if is_secret_literal(literal, name, prose_filter=False, name_filters=False):
            yield RULE.finding(default, name=name)


def _field_default(value: ast.expr) -> Optional[ast.expr]:
    # Return the default of a settings field: ``"x"``, ``Field("x")``,
    # ``Field(default="x")``.
    if isinstance(value, ast.Call):
        func = value.func
        callee = (
            func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        )
        if callee == "Field":
            for kw in value.keywords:
                if kw.arg == "default":
                    return kw.value
            if value.args and not isinstance(value.args[0], ast.Starred):
                return value.args[0]
            return None
        if callee in ("SecretStr", "SecretBytes", "Secret"):
            return value
        return None
    return value
