"""BG219 sensitive-data-in-log: secrets and whole request data written to logs."""

from __future__ import annotations

import ast
import re
from typing import FrozenSet, Iterator, List, Optional, Set, Tuple

from ...analysis.dataflow import reaching_values
from ...analysis.names import is_sensitive
from ...analysis.secrets import reach
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG219",
    name="sensitive-data-in-log",
    message="{call} writes {what} to the {sink}",
    hint=(
        "log an identifier (`user.id`) or a redacted value instead; never log "
        "secrets, tokens, headers or whole request bodies"
    ),
    rationale=(
        "Logs are copied to files, aggregators, backups and support tickets, and are "
        "read by far more people and systems than the database. A password, token, "
        "API key or session id written to a log is a credential anyone with log "
        "access can replay; request headers carry `Authorization` and `Cookie`, and "
        "request bodies carry passwords and personal data. Log what identifies the "
        "event (user id, request id, outcome), not the secret. A value the message "
        'itself labels as a secret (`f"Hashed password: {hashed}"`, `"token=%s"`) '
        "counts whatever its variable is called."
    ),
    bad=Example(
        "import logging\n\n"
        "logger = logging.getLogger(__name__)\n\n\n"
        "def login(username: str, password: str) -> None:\n"
        '    logger.info("login %s with %s", username, password)\n'
    ),
    good=Example(
        "import logging\n\n"
        "logger = logging.getLogger(__name__)\n\n\n"
        "def login(username: str, password: str) -> None:\n"
        '    logger.info("login attempt for %s", username)\n'
    ),
    severity="warning",
    cwe=532,
    overlaps=(),
    options=("bg-sensitive-names",),
)

_LEVELS = frozenset(
    {
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "fatal",
        "log",
        "trace",
        "success",
        "msg",
    }
)
_SKIP_KEYWORDS = frozenset(
    {"exc_info", "stack_info", "stacklevel", "sep", "end", "file", "flush", "level"}
)
_SAFE_FUNCS = frozenset(
    {"len", "bool", "type", "id", "isinstance", "hasattr", "callable", "hash"}
)
_SANITIZER_WORDS = (
    "mask",
    "redact",
    "hash",
    "obfusc",
    "censor",
    "anonym",
    "sanitiz",
    "sanitis",
    "scrub",
    "truncat",
    "fingerprint",
    "digest",
    "hide",
    "shorten",
    "partial",
)
_PASSTHROUGH_FUNCS = frozenset(
    {"str", "repr", "dict", "list", "tuple", "set", "sorted", "format", "ascii", "vars"}
)
_PASSTHROUGH_QUALNAMES = frozenset(
    {"json.dumps", "pprint.pformat", "orjson.dumps", "ujson.dumps", "jsonable_encoder"}
)
_RECEIVER_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "casefold",
        "decode",
        "encode",
        "items",
        "values",
        "copy",
        "to_dict",
        "dict",
        "model_dump",
        "model_dump_json",
        "json",
        "split",
        "splitlines",
        "replace",
        "get_secret_value",
    }
)
_ARG_METHODS = frozenset({"format", "join", "replace", "format_map"})
_VALUE_ATTRS = frozenset({"data", "value", "raw_data"})
_TOKEN_MINTERS = frozenset(
    {"secrets.token_urlsafe", "secrets.token_hex", "secrets.token_bytes"}
)
_NOT_MINTING = (
    "verify",
    "validate",
    "check",
    "decode",
    "revoke",
    "invalidate",
    "delete",
    "remove",
    "is_",
    "has_",
    "block",
    "blacklist",
    "parse",
    "count",
)
_KEY_METHODS = frozenset(
    {"get", "pop", "getlist", "get_all", "getone", "setdefault", "getenv"}
)
_REQUEST_NAMES = frozenset({"request", "req"})
_BODY_ATTRS = {
    "headers": "the request headers",
    "cookies": "the request cookies",
    "json": "the request body",
    "form": "the request body",
    "data": "the request body",
    "values": "the request body",
    "body": "the request body",
}
_BODY_METHODS = {
    "get_json": "the request body",
    "get_data": "the request body",
    "json": "the request body",
    "form": "the request body",
    "body": "the request body",
}
_BOUND_LOGGER_METHODS = frozenset({"bind", "opt", "new", "getChild", "patch"})
_MAX_DEPTH = 3


def _is_request(ctx: FileContext, node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        qualname = ctx.aliases.get(node.id, node.id)
        return node.id in _REQUEST_NAMES or qualname.endswith(".request")
    return isinstance(node, ast.Attribute) and node.attr in _REQUEST_NAMES


def _is_logger(ctx: FileContext, node: ast.AST) -> bool:
    # Return True for an expression naming a logger.
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _BOUND_LOGGER_METHODS:
            return _is_logger(ctx, func.value)  # logger.bind(...).info(...)
        callee = ctx.call_name(node) or ""
        return callee.endswith(("getLogger", "get_logger"))
    if isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.Name):
        qualname = ctx.aliases.get(node.id, "")
        if qualname in ("logging", "loguru.logger", "structlog") or qualname.endswith(
            ".logger"
        ):
            return True
        name = node.id
    else:
        return False
    low = name.lower().lstrip("_")
    if low in ("log", "logger", "logging") or low.endswith(("logger", "_log")):
        return True
    if isinstance(node, ast.Name):
        return _bound_to_logger(ctx, node)
    return False


def _bound_to_logger(ctx: FileContext, node: ast.Name) -> bool:
    value = ctx.module_constants.get(node.id)
    if isinstance(value, ast.Call):
        callee = ctx.call_name(value) or ""
        return callee.endswith(("getLogger", "get_logger", "getChild"))
    return False


def _call_label(ctx: FileContext, node: ast.Call) -> Optional[str]:
    # Return how to name the call when it is a logging call, else None.
    func = node.func
    if isinstance(func, ast.Name):
        if func.id == "print" and "print" not in ctx.aliases:
            return "`print()`"
        return None
    if not isinstance(func, ast.Attribute) or func.attr not in _LEVELS:
        return None
    if not _is_logger(ctx, func.value):
        return None
    receiver = ctx.qualname(func.value) or "logger"
    short = receiver.rsplit(".", 1)[-1]
    return f"`{short}.{func.attr}()`"


# Keyed on the callee: only ``print()`` and the logging methods are judged (see
# ``_call_label``). A plain function, not a generator: most calls named so are
# not logging calls (``parser.error()``, ``warnings.warn()``).
@RULE.on(ast.Call, names=_LEVELS | {"print"})
def _check_call(node: ast.Call, ctx: FileContext) -> Optional[List[Finding]]:
    label = _call_label(ctx, node)
    if label is None:
        return None
    # The walk links the arguments' parents only when it enters them; the
    # dataflow below needs them (where a name is, inside an f-string...).
    reach(ctx, node)
    finding = _leak(ctx, node, label)
    return None if finding is None else [finding]


def _leak(ctx: FileContext, node: ast.Call, label: str) -> Optional[Finding]:
    # The finding for the first argument (or keyword) of a logging call that
    # carries sensitive data.
    extra = ctx.config.sensitive_names
    sink = "output" if label == "`print()`" else "log"
    finder = _Finder(ctx, extra)
    args = list(node.args)
    if isinstance(node.func, ast.Attribute) and node.func.attr == "log" and args:
        args = args[1:]  # the level
    for arg in args:
        what = finder.leak(arg, 0)
        if what:
            return RULE.finding(node, call=label, what=what, sink=sink)
    what = _labelled(ctx, args, label == "`print()`")
    if what:
        return RULE.finding(node, call=label, what=what, sink=sink)
    keywords = list(node.keywords)
    receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
    if (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr in ("bind", "new")
    ):
        keywords.extend(receiver.keywords)  # ``logger.bind(token=t).info(...)``
    for kw in keywords:
        if kw.arg in _SKIP_KEYWORDS:
            continue
        if kw.arg is not None and is_sensitive(kw.arg, extra):
            if not isinstance(kw.value, ast.Constant):
                return RULE.finding(node, call=label, what=f"`{kw.arg}`", sink=sink)
        what = finder.leak(kw.value, 0)
        if what:
            return RULE.finding(node, call=label, what=what, sink=sink)
    return None


# A %-placeholder of a message (``%s``, ``%(name)r``, ``%.60r``; ``%%`` is text).
_PERCENT_FIELD_RE = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z%])"
)
# The words just before a placeholder: ``"Hashed password: "``, ``"api key="``.
_LABEL_RE = re.compile(
    r"([A-Za-z][A-Za-z0-9]*)(?:[ _-]([A-Za-z][A-Za-z0-9]*))?[\s:=\'\"(\[{<-]*$"
)
_NUMBER_CONVERSIONS = frozenset("diouxXeEfFgGc")
# Labels of values that are secrets though not named so by the sensitive words.
_LABEL_WORDS = frozenset({"cookie", "cookies"})


def _label_is_sensitive(text: str, extra: FrozenSet[str]) -> Optional[str]:
    # The sensitive name the text before a placeholder ends with, if any.
    match = _LABEL_RE.search(text[-60:])
    if match is None or not text.rstrip().endswith((":", "=")):
        return None  # only ``password: {x}`` / ``token=%s`` label the value
    first, second = match.group(1), match.group(2)
    if (second or first).lower() in _LABEL_WORDS:
        return second or first  # ``"Cookie: %s"``: a session cookie's value
    if second is None:
        return first if is_sensitive(first, extra) else None
    if is_sensitive(second, extra):
        return second  # ``"Hashed password: "``: the value is the password
    both = f"{first} {second}"
    return both if is_sensitive(f"{first}_{second}", extra) else None


def _message_parts(
    message: ast.AST, args: List[ast.expr]
) -> Iterator[Tuple[str, ast.AST]]:
    # (text before a placeholder, the value filling it) of a log message: an
    # f-string, or a %-template with its logging or ``%`` arguments.
    if isinstance(message, ast.JoinedStr):
        text = ""
        for part in message.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
            elif isinstance(part, ast.FormattedValue):
                spec = part.format_spec
                numeric = isinstance(spec, ast.JoinedStr) and any(
                    isinstance(v, ast.Constant)
                    and str(v.value)[-1:] in _NUMBER_CONVERSIONS
                    for v in spec.values
                )
                if not numeric:
                    yield text, part.value
                text = ""
        return
    if isinstance(message, ast.BinOp) and isinstance(message.op, ast.Mod):
        right = message.right
        values = list(right.elts) if isinstance(right, ast.Tuple) else [right]
        yield from _message_parts(message.left, values)
        return
    if not (isinstance(message, ast.Constant) and isinstance(message.value, str)):
        return
    template = message.value
    if "%" not in template or len(template) > 500:
        return
    start = index = 0
    for match in _PERCENT_FIELD_RE.finditer(template):
        conversion = match.group(1)
        if conversion == "%":
            continue
        if index >= len(args) or match.group(0).startswith("%("):
            return  # fewer values than placeholders, or a mapping: not judged
        if conversion not in _NUMBER_CONVERSIONS:
            yield template[start : match.start()], args[index]
        start = match.end()
        index += 1


def _labelled(
    ctx: FileContext, args: List[ast.expr], printed: bool
) -> Optional[str]:
    # "the value labelled `password`" when the message's own text names a secret
    # right before a placeholder: ``logger.info(f"Hashed password: {hashed}")``,
    # ``log.debug("token=%s", value)``, ``print("token:", value)``.
    if not args:
        return None
    parts = list(_message_parts(args[0], args[1:]))
    if printed:
        parts.extend(
            (label.value, value)
            for label, value in zip(args, args[1:])
            if isinstance(label, ast.Constant) and isinstance(label.value, str)
        )
    for text, value in parts:
        name = _label_is_sensitive(text, ctx.config.sensitive_names)
        if name is None or _harmless_value(ctx, value):
            continue
        return f"the value labelled `{name}` in the message"
    return None


def _harmless_value(ctx: FileContext, value: ast.AST) -> bool:
    # Constants, tests, sizes and masked values; an exception caught nearby
    # (``"Invalid token: %s", exc`` logs the error, not the token).
    if isinstance(value, (ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp)):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _SAFE_FUNCS or _is_sanitizer(name):
            return True
        if name in ("str", "repr") and value.args:
            return _harmless_value(ctx, value.args[0])
        return False
    if isinstance(value, ast.Name):
        for ancestor in ctx.ancestors(value):
            if isinstance(ancestor, ast.ExceptHandler) and ancestor.name == value.id:
                return True
    return False


class _Finder:
    # Find what sensitive data an expression carries (None when nothing).

    def __init__(self, ctx: FileContext, extra: FrozenSet[str]) -> None:
        self.ctx = ctx
        self.extra = extra
        self.seen: Set[int] = set()

    def sensitive(self, name: str) -> bool:
        return is_sensitive(name, self.extra)

    def leak(self, node: Optional[ast.AST], depth: int) -> Optional[str]:
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            return self._name(node, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(
            node, (ast.Await, ast.FormattedValue, ast.Starred, ast.NamedExpr)
        ):
            return self.leak(node.value, depth)
        if isinstance(node, ast.JoinedStr):
            return self._first(node.values, depth)
        if isinstance(node, ast.BinOp):
            return self._first([node.left, node.right], depth)
        if isinstance(node, ast.BoolOp):
            return self._first(node.values, depth)
        if isinstance(node, ast.IfExp):
            return self._first([node.body, node.orelse], depth)
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not):
            return self.leak(node.operand, depth)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return self._first(node.elts, depth)
        if isinstance(node, ast.Dict):
            return self._dict(node, depth)
        return None  # constants, comparisons, `not x`, lambdas, comprehensions

    def _first(self, nodes: List[ast.AST], depth: int) -> Optional[str]:
        for child in nodes:
            what = self.leak(child, depth)
            if what:
                return what
        return None

    def _name(self, node: ast.Name, depth: int) -> Optional[str]:
        if self.sensitive(node.id):
            return f"`{node.id}`"
        if self.ctx.enclosing_function(node) is None or id(node) in self.seen:
            return None
        self.seen.add(id(node))
        for value in reaching_values(self.ctx, node):
            if value is None or isinstance(value, ast.AugAssign):
                continue
            what = self.leak(value, depth + 1)
            if what:
                if "held in" in what:
                    return what
                return f"{what} (held in `{node.id}`)"
        return None

    def _attribute(self, node: ast.Attribute) -> Optional[str]:
        if node.attr in _BODY_ATTRS and _is_request(self.ctx, node.value):
            return _BODY_ATTRS[node.attr]
        if self.sensitive(node.attr):
            dotted = self.ctx.qualname(node)
            return f"`{dotted}`" if dotted and len(dotted) < 60 else f"`{node.attr}`"
        if node.attr in _VALUE_ATTRS and isinstance(node.value, ast.Attribute):
            # a form field's value: ``form.password.data`` (WTForms)
            inner = node.value
            if self.sensitive(inner.attr) and not _is_request(self.ctx, inner.value):
                return f"`{inner.attr}.{node.attr}`"
        return None

    def _subscript(self, node: ast.Subscript) -> Optional[str]:
        key = node.slice
        if isinstance(key, ast.Index):  # pragma: no cover (Python 3.8)
            key = key.value  # type: ignore[attr-defined]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return self._key(node.value, key.value)
        return None

    def _key(self, container: ast.AST, key: str) -> Optional[str]:
        if self.sensitive(key) or (key.lower() == "cookie" and _is_headers(container)):
            return f'`{_label(container)}["{key}"]`'
        return None

    def _call(self, node: ast.Call, depth: int) -> Optional[str]:
        minted = self._minted(node)
        if minted:
            return minted
        func = node.func
        if isinstance(func, ast.Name):
            name = func.id
            if name in _SAFE_FUNCS or _is_sanitizer(name):
                return None
            qualname = self.ctx.qualname(func) or name
            if name in _PASSTHROUGH_FUNCS or qualname in _PASSTHROUGH_QUALNAMES:
                return self._call_args(node, depth)
            return None
        if not isinstance(func, ast.Attribute):
            return None
        attr = func.attr
        if _is_sanitizer(attr):
            return None
        if attr in _BODY_METHODS and _is_request(self.ctx, func.value):
            return _BODY_METHODS[attr]
        if attr in _KEY_METHODS and node.args:
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return self._key(func.value, key.value)
            return None
        if (self.ctx.qualname(func) or "") in _PASSTHROUGH_QUALNAMES:
            return self._call_args(node, depth)
        if attr in _ARG_METHODS:
            return self._call_args(node, depth) or self.leak(func.value, depth)
        if attr in _RECEIVER_METHODS:
            return self.leak(func.value, depth)
        return None

    def _minted(self, node: ast.Call) -> Optional[str]:
        # A freshly issued secret: ``jwt.encode(...)``, ``secrets.token_urlsafe()``,
        # ``create_access_token(...)`` (a call named like a secret).
        func = node.func
        if isinstance(func, ast.Name):
            last = func.id
        elif isinstance(func, ast.Attribute):
            last = func.attr
        else:
            return None
        if _is_sanitizer(last) or last in _SAFE_FUNCS:
            return None
        qualname = self.ctx.qualname(func) or ""
        if qualname.endswith("jwt.encode") or qualname in _TOKEN_MINTERS:
            return f"a new token (`{qualname}()`)"
        if self.sensitive(last) and not last.lower().startswith(_NOT_MINTING):
            return f"the result of `{last}()`"
        return None

    def _call_args(self, node: ast.Call, depth: int) -> Optional[str]:
        what = self._first(list(node.args), depth)
        if what:
            return what
        for kw in node.keywords:
            if kw.arg is not None and self.sensitive(kw.arg):
                if not isinstance(kw.value, ast.Constant):
                    return f"`{kw.arg}`"
            what = self.leak(kw.value, depth)
            if what:
                return what
        return None

    def _dict(self, node: ast.Dict, depth: int) -> Optional[str]:
        for key, value in zip(node.keys, node.values):
            what = self.leak(value, depth)
            if what:
                return what
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and self.sensitive(key.value)
                and not isinstance(value, ast.Constant)
                and self._may_hold_value(value)
            ):
                return f'`"{key.value}"`'
        return None

    @staticmethod
    def _may_hold_value(value: ast.AST) -> bool:
        # Return False for values that cannot carry the secret (``len(x)``).
        if isinstance(value, (ast.Compare, ast.UnaryOp)):
            return not isinstance(
                getattr(value, "op", None), ast.Not
            ) and not isinstance(value, ast.Compare)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            return value.func.id not in _SAFE_FUNCS and not _is_sanitizer(value.func.id)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            return not _is_sanitizer(value.func.attr)
        return True


def _is_sanitizer(name: str) -> bool:
    low = name.lower()
    return any(word in low for word in _SANITIZER_WORDS)


def _is_headers(node: ast.AST) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return "header" in name.lower()


def _label(node: ast.AST) -> str:
    parts: List[str] = []
    current = node
    while isinstance(current, (ast.Attribute, ast.Subscript)):
        if isinstance(current, ast.Subscript):
            parts.append("[...]")
            current = current.value
            continue
        parts.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        parts.append(current.id)
        text = ".".join(reversed(parts)).replace(".[...]", "[...]")
        return text if len(text) < 40 else parts[0]
    if isinstance(current, ast.Call):
        return "..."
    return "..."
