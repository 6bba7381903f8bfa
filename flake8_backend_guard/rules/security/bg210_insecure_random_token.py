"""BG210 insecure-random-token: ``random`` values used as tokens, codes, keys, salts."""

from __future__ import annotations

import ast
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Union

from ...analysis.names import is_random_sensitive, is_sensitive, split_name
from ...analysis.secrets import assignment_pairs, target_name
from ...analysis.values import const_value, string_keys
from ...context import FUNCTION_TYPES, FileContext, scope_nodes, walk_children
from ...options import Config
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG210",
    name="insecure-random-token",
    message="`{call}` is predictable but makes `{name}`",
    hint=(
        "use secrets.token_urlsafe(32) (or `secrets.choice`, `secrets.randbelow` for "
        "codes)"
    ),
    rationale=(
        "The `random` module is a Mersenne Twister seeded from the clock or a few "
        "bytes of entropy: after observing about 624 outputs an attacker can compute "
        "every past and future value, and a seed guessed from the start time "
        "reproduces all of them. Password-reset tokens, one-time codes, API keys, "
        "session ids, CSRF tokens, nonces and salts made with `random` can therefore "
        "be predicted and accounts taken over. The `secrets` module (or "
        "`random.SystemRandom`) draws from the operating system's CSPRNG. Only values "
        "that end up in a sensitive name are reported (bound to it, returned from a "
        "function named like one, or built into one), so `random.shuffle(cards)` or "
        "`delay = random.uniform(0, 1)` stay quiet."
    ),
    bad=Example(
        "import random\n"
        "import string\n\n\n"
        "def make_reset_token():\n"
        "    return ''.join(random.choices(string.ascii_letters, k=32))\n"
    ),
    good=Example(
        "import secrets\n\n\n"
        "def make_reset_token():\n"
        "    return secrets.token_urlsafe(32)\n"
    ),
    severity="error",
    cwe=338,
    overlaps=("S311", "B311"),
    options=("bg-sensitive-names",),
    # Nothing is reported in a file that imports neither ``random`` nor ``numpy``.
    requires=("random", "numpy"),
)

_RANDOM_FUNCS = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "sample",
        "getrandbits",
        "randbytes",
        "uniform",
        "triangular",
        "gauss",
        "normalvariate",
        "binomialvariate",
    }
)
_NUMPY_FUNCS = frozenset(
    {
        "rand",
        "randint",
        "random",
        "random_sample",
        "ranf",
        "sample",
        "choice",
        "bytes",
        "random_integers",
        "permutation",
    }
)
_GENERATING = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "getrandbits",
        "randbytes",
        "uniform",
        "rand",
        "random_sample",
        "ranf",
        "bytes",
        "random_integers",
    }
)
_PASSTHROUGH_FUNCS = frozenset(
    {
        "str",
        "int",
        "float",
        "hex",
        "oct",
        "bin",
        "bytes",
        "bytearray",
        "repr",
        "format",
        "abs",
        "round",
        "list",
        "tuple",
        "chr",
        "sorted",
    }
)
_PASSTHROUGH_METHODS = frozenset(
    {
        "join",
        "format",
        "encode",
        "decode",
        "hex",
        "hexdigest",
        "digest",
        "upper",
        "lower",
        "zfill",
        "rjust",
        "ljust",
        "center",
        "strip",
        "replace",
        "to_bytes",
        "tobytes",
    }
)
_PASSTHROUGH_MODULES = ("hashlib.", "base64.", "binascii.", "uuid.UUID")
_MUTATORS = frozenset({"append", "extend", "insert", "add"})

Found = Union[ast.Call, ast.Name]


def _root_name(node: ast.AST) -> Optional[ast.Name]:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _rng_instance(ctx: FileContext, node: ast.AST) -> bool:
    # Return True for ``random.Random(...)`` or a module name bound to one.
    if isinstance(node, ast.Call):
        return ctx.call_name(node) == "random.Random"
    if isinstance(node, ast.Name):
        value = ctx.module_constants.get(node.id)
        return isinstance(value, ast.Call) and ctx.call_name(value) == "random.Random"
    return False


def _random_call(ctx: FileContext, node: ast.AST) -> Optional[str]:
    # Return the display name of an insecure random call, or None.
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute):
        last = func.attr
    elif isinstance(func, ast.Name):
        qualname = ctx.aliases.get(func.id)
        if qualname is None:
            return None
        last = qualname.rsplit(".", 1)[-1]
    else:
        return None
    if not (last in _RANDOM_FUNCS or last in _NUMPY_FUNCS):
        return None
    if isinstance(func, ast.Attribute) and _rng_instance(ctx, func.value):
        return f"random.Random().{last}" if last in _RANDOM_FUNCS else None
    root = _root_name(func)
    if root is None or not ctx.is_imported(root.id):
        return None
    qualname = ctx.qualname(func) or ""
    if qualname == f"random.{last}" and last in _RANDOM_FUNCS:
        return qualname
    if (
        qualname in (f"numpy.random.{last}", f"np.random.{last}")
        and last in _NUMPY_FUNCS
    ):
        return qualname
    return None


def _is_charset(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    if node is None:
        return False
    if isinstance(node, (ast.Attribute, ast.Name)):
        qualname = ctx.qualname(node) or ""
        if qualname.startswith("string."):
            return True
    if isinstance(node, ast.BinOp):
        return _is_charset(ctx, node.left) or _is_charset(ctx, node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in ("range", "list", "str") and node.args:
            return node.func.id == "range" or _is_charset(ctx, node.args[0])
    value = const_value(ctx, node)
    return isinstance(value, (str, bytes))


def _generates(ctx: FileContext, found: Found) -> bool:
    # Return True when a random call makes new values (not a pick among objects).
    if not isinstance(found, ast.Call):
        return True
    last = (_random_call(ctx, found) or "").rsplit(".", 1)[-1]
    if last in _GENERATING:
        return True
    population = found.args[0] if found.args else None
    for kw in found.keywords:
        if kw.arg in ("population", "seq", "a"):
            population = kw.value
    return _is_charset(ctx, population)


def _find(
    ctx: FileContext, expr: Optional[ast.AST], tainted: FrozenSet[str]
) -> Optional[Found]:
    # Return the random call (or tainted local) whose value flows into ``expr``.
    stack: List[ast.AST] = [expr] if expr is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            if _random_call(ctx, node) is not None:
                return node
            stack.extend(_passthrough_parts(ctx, node))
        elif isinstance(node, ast.Name):
            if node.id in tainted:
                return node
        elif isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Mult) and (
                _is_str_constant(node.left) or _is_str_constant(node.right)
            ):
                continue  # "x" * n: a random length, not a random value
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.JoinedStr):
            stack.extend(node.values)
        elif isinstance(node, ast.FormattedValue):
            stack.append(node.value)
        elif isinstance(node, ast.IfExp):
            stack.extend((node.body, node.orelse))
        elif isinstance(node, ast.BoolOp):
            stack.extend(node.values)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            stack.extend(node.elts)
        elif isinstance(node, ast.Starred):
            stack.append(node.value)
        elif isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            stack.append(node.elt)
        elif isinstance(node, ast.DictComp):
            stack.extend((node.key, node.value))
        elif isinstance(node, ast.Subscript):
            stack.extend((node.value, node.slice))
        elif isinstance(node, ast.UnaryOp):
            stack.append(node.operand)
        elif isinstance(node, ast.Await):
            stack.append(node.value)
    return None


def _is_str_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


def _passthrough_parts(ctx: FileContext, call: ast.Call) -> List[ast.AST]:
    func = call.func
    args: List[ast.AST] = list(call.args) + [kw.value for kw in call.keywords]
    if isinstance(func, ast.Name):
        if func.id in _PASSTHROUGH_FUNCS:
            return args
    elif isinstance(func, ast.Attribute):
        if func.attr in _PASSTHROUGH_METHODS:
            return [func.value] + args
    qualname = ctx.call_name(call) or ""
    if qualname.startswith(_PASSTHROUGH_MODULES):
        return args
    return []


def _origins(ctx: FileContext, scope: ast.AST) -> Dict[str, Found]:
    # Map each random-holding local name of ``scope`` to the random call it holds.

    def compute() -> Dict[str, Found]:
        flows: List[tuple] = []
        for node in scope_nodes(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    flows.append((target, node.value))
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
                if node.value is not None:
                    flows.append((node.target, node.value))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _MUTATORS
                and isinstance(node.func.value, ast.Name)
            ):
                for arg in node.args:
                    flows.append((node.func.value, arg))
        if not any(
            isinstance(n, ast.Call) and _random_call(ctx, n) is not None
            for _, value in flows
            for n in walk_children(value)
        ):
            return {}
        tainted: Dict[str, Found] = {}
        for _ in range(6):
            before = len(tainted)
            frozen = frozenset(tainted)
            for target, value in flows:
                for simple, simple_value in assignment_pairs(target, value):
                    if not isinstance(simple, ast.Name) or simple.id in tainted:
                        continue
                    found = _find(
                        ctx, simple_value if simple_value is not None else value, frozen
                    )
                    if found is not None:
                        origin = (
                            tainted.get(found.id)
                            if isinstance(found, ast.Name)
                            else found
                        )
                        tainted[simple.id] = origin if origin is not None else found
            if len(tainted) == before:
                break
        return tainted

    return ctx.cached(("BG210", "origins", id(scope)), compute)


def _scope_of(ctx: FileContext, node: ast.AST) -> ast.AST:
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, FUNCTION_TYPES):
            return ancestor
        if isinstance(ancestor, (ast.ClassDef, ast.Lambda)):
            return ancestor
    return ctx.tree


def _reported(ctx: FileContext) -> Set[int]:
    return ctx.cached(("BG210", "reported"), set)


def _sensitive_name(ctx: FileContext, name: Optional[str]) -> bool:
    return bool(name) and is_random_sensitive(name, ctx.config.sensitive_names)


# Qualifiers that make ``<qualifier>_key`` a look-up key rather than a secret
# (``cache_key``, ``partition_key``, ``sort_key``).
_LOOKUP_KEY_PARTS = frozenset(
    {
        "cache",
        "partition",
        "shard",
        "sort",
        "order",
        "lock",
        "bucket",
        "group",
        "lookup",
        "index",
        "idx",
        "row",
        "primary",
        "foreign",
        "redis",
        "storage",
        "object",
        "file",
        "blob",
        "path",
        "queue",
        "routing",
        "route",
        "dedup",
        "dedupe",
        "idempotency",
        "metric",
        "config",
        "setting",
        "settings",
        "feature",
        "translation",
        "label",
        "field",
        "column",
        "attribute",
        "attr",
        "dict",
        "map",
        "sample",
        "job",
        "task",
        "event",
        "message",
        "stream",
        "topic",
        "experiment",
        "variant",
        "color",
        "node",
        "server",
        "host",
        "record",
        "item",
        "entry",
        "test",
        "fake",
        "dummy",
        "mock",
        "react",
        "widget",
        "component",
    }
)


def _only_key(ctx: FileContext, name: str) -> bool:
    # Return True when ``name`` is sensitive for BG210 only through ``key``.
    if is_sensitive(name, ctx.config.sensitive_names):
        return False
    parts = split_name(name)
    return bool(parts) and parts[-1] == "key"


def _lookup_key(ctx: FileContext, name: str) -> bool:
    # ``cache_key``, ``partition_key``: a key that locates data, not a secret.
    if not _only_key(ctx, name):
        return False
    return any(part in _LOOKUP_KEY_PARTS for part in split_name(name)[:-1])


def _uses_random(ctx: FileContext) -> bool:
    # Return True when the file imports ``random`` or ``numpy`` (cheap pre-check).

    known: Dict[str, int] = ctx.cached(("BG210", "uses-random"), dict)
    aliases = ctx.aliases
    if known.get("size") != len(aliases):  # function-level imports add aliases
        roots = {q.lstrip(".").split(".")[0] for q in aliases.values()}
        known["size"] = len(aliases)
        known["found"] = int(bool(roots & {"random", "numpy"}))
    return bool(known["found"])


def _report(
    ctx: FileContext, anchor: ast.AST, value: Optional[ast.AST], name: str
) -> Iterator[Finding]:
    if not _uses_random(ctx):
        return
    scope = _scope_of(ctx, anchor)
    origins = _origins(ctx, scope)
    found = _find(ctx, value, frozenset(origins))
    if found is None:
        return
    origin = origins.get(found.id, found) if isinstance(found, ast.Name) else found
    if id(origin) in _reported(ctx):
        return
    if _only_key(ctx, name) and not _generates(ctx, origin):
        return
    if _lookup_key(ctx, name):
        return
    _reported(ctx).add(id(origin))
    call = "random"
    if isinstance(origin, ast.Call):
        call = _random_call(ctx, origin) or call
    # Report at the ``random`` call: that is the line to change (``secrets``).
    yield RULE.finding(
        origin if isinstance(origin, ast.Call) else found, call=call, name=name
    )


def _random_binding(name: str, config: Config) -> bool:
    # The ``names=`` test of the assignment and keyword handlers: see
    # ``_sensitive_name``.
    return is_random_sensitive(name, config.sensitive_names)


# The handlers are plain functions (``_report`` is consumed at once, in order):
# most nodes they see bind, return or pass no sensitive name.
@RULE.on(ast.AugAssign, ast.NamedExpr)
@RULE.on(ast.Assign, ast.AnnAssign, names=_random_binding)
def _check_binding(node: ast.AST, ctx: FileContext) -> Optional[List[Finding]]:
    value = getattr(node, "value", None)
    if value is None:
        return None
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore
    found: List[Finding] = []
    for target in targets:
        for simple, simple_value in assignment_pairs(target, value):
            name = target_name(simple)
            if not name or not _sensitive_name(ctx, name):
                continue
            found.extend(
                _report(
                    ctx, node, simple_value if simple_value is not None else value, name
                )
            )
    return found or None


@RULE.on(ast.Return)
def _check_return(node: ast.Return, ctx: FileContext) -> Optional[List[Finding]]:
    if node.value is None:
        return None
    function = ctx.function
    if function is None or not _sensitive_name(ctx, function.name):
        return None
    return list(_report(ctx, node, node.value, function.name)) or None


# keyed on the keyword's name: see ``_sensitive_name``
@RULE.on(ast.keyword, names=_random_binding)
def _check_keyword(node: ast.keyword, ctx: FileContext) -> Iterator[Finding]:
    if node.arg and _sensitive_name(ctx, node.arg):
        yield from _report(ctx, node, node.value, node.arg)


@RULE.on(ast.Dict)
def _check_dict(node: ast.Dict, ctx: FileContext) -> Optional[List[Finding]]:
    extra = ctx.config.sensitive_names
    if not any(is_random_sensitive(key, extra) for key in string_keys(node)):
        return None  # most dicts: no key that calls for a secure random value
    found: List[Finding] = []
    for key, value in zip(node.keys, node.values):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            if _sensitive_name(ctx, key.value):
                found.extend(_report(ctx, node, value, key.value))
    return found or None


@RULE.on(ast.Call, names=_MUTATORS)
def _check_mutation(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in _MUTATORS
        and isinstance(func.value, (ast.Name, ast.Attribute))
    ):
        name = target_name(func.value)
        if name and _sensitive_name(ctx, name):
            for arg in node.args:
                yield from _report(ctx, node, arg, name)
