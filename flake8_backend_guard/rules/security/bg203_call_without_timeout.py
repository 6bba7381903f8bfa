"""BG203 call-without-timeout: network and process calls that can wait forever.

* ``subprocess.run/call/check_call/check_output`` and the ``requests`` request
  functions (``get post put patch delete head options request``, also through
  ``requests.api``) and the same methods on a ``requests.Session``: flagged without
  ``timeout=`` or with ``timeout=None``. A session is recognised when the receiver
  is ``requests.Session()`` itself, a local or module name bound to it (also by
  ``with requests.Session() as s:``), a parameter annotated ``requests.Session``,
  or ``self.<attr>`` assigned ``requests.Session()`` anywhere in the class.
* ``httpx`` functions (``httpx.get`` ...), ``httpx.Client(...)``/``AsyncClient(...)``
  and the request methods of such clients: only an explicit ``timeout=None`` (or
  ``httpx.Timeout(None)``) is flagged, because httpx applies a 5 s default.
* Calls passing ``**kwargs`` are not judged (RULES.md Clarifications).
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional

from ...analysis.dataflow import reaching_values
from ...analysis.values import UNKNOWN, const_value, has_star_kwargs, keyword
from ...analysis.web import has_word
from ...context import FileContext, node_fields, walk_nodes
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG203",
    name="call-without-timeout",
    message="{call} {problem}",
    hint="pass timeout=<seconds> so a stalled server or command cannot hang the worker",
    rationale=(
        "Why is this bad? `requests`, `subprocess` and `urllib.request.urlopen` "
        "wait forever by default. One "
        "slow or dead upstream service, or one command that never exits, then holds a "
        "worker thread or process for good; a few of them exhaust the pool and the "
        "whole service stops answering (an easy denial of service). An explicit "
        "timeout turns the hang into an exception the code can handle. httpx has a "
        "default timeout, so only an explicit `timeout=None` is reported for it."
    ),
    bad=Example(
        "import requests\n\n\n"
        "def fetch_rates():\n"
        "    return requests.get('https://api.example.com/rates').json()\n"
    ),
    good=Example(
        "import requests\n\n\n"
        "def fetch_rates():\n"
        "    return requests.get('https://api.example.com/rates', timeout=10).json()\n"
    ),
    severity="error",
    cwe=400,
    overlaps=("S113", "B113"),
    requires=("subprocess", "requests", "httpx", "urlopen"),
)

_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request"}
)
_HTTPX_METHODS = _METHODS | frozenset({"stream", "send"})
_SUBPROCESS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
    }
)
_REQUESTS_FUNCS = frozenset(
    {f"requests.{m}" for m in _METHODS} | {f"requests.api.{m}" for m in _METHODS}
)
_HTTPX_FUNCS = frozenset(f"httpx.{m}" for m in _HTTPX_METHODS if m != "send")
_SESSION_TYPES = frozenset(
    {
        "requests.Session",
        "requests.session",
        "requests.sessions.Session",
        "requests.sessions.session",
    }
)
_HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})
# ``urlopen(url, data=None, timeout=...)``: without a timeout it waits as long as
# the socket default, which is forever unless the process set one.
_URLOPEN = frozenset(
    {"urllib.request.urlopen", "urllib2.urlopen", "six.moves.urllib.request.urlopen"}
)
_CHEAP = _METHODS | frozenset(
    {
        "run",
        "call",
        "check_call",
        "check_output",
        "stream",
        "send",
        "Client",
        "AsyncClient",
        "urlopen",
    }
)

REQUESTS = "requests"
HTTPX = "httpx"


def _type_kind(name: Optional[str]) -> Optional[str]:
    if name in _SESSION_TYPES:
        return REQUESTS
    if name in _HTTPX_CLIENTS:
        return HTTPX
    return None


def _with_items(ctx: FileContext, scope: ast.AST) -> Dict[str, List[ast.expr]]:
    # ``with X(...) as name`` in ``scope``'s own body: name -> context expressions.

    def compute() -> Dict[str, List[ast.expr]]:
        result: Dict[str, List[ast.expr]] = {}
        stack: List[ast.AST] = list(getattr(scope, "body", []))
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name):
                        result.setdefault(item.optional_vars.id, []).append(
                            item.context_expr
                        )
            for field_name in node_fields(node.__class__):
                value = getattr(node, field_name, None)
                if value.__class__ is list:
                    stack.extend(v for v in value if isinstance(v, ast.AST))
                elif isinstance(value, ast.AST):
                    stack.append(value)
        return result

    return ctx.cached(("BG203", "with", id(scope)), compute)


def _annotation_kind(ctx: FileContext, scope: ast.AST, name: str) -> Optional[str]:
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    args = scope.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        if arg.arg == name and arg.annotation is not None:
            annotation = arg.annotation
            if isinstance(annotation, ast.Constant) and isinstance(
                annotation.value, str
            ):
                return _type_kind(annotation.value)
            return _type_kind(ctx.qualname(annotation))
    return None


def _class_attribute_kind(
    ctx: FileContext, cls: ast.ClassDef, attr: str
) -> Optional[str]:
    def compute() -> Dict[str, Optional[str]]:
        kinds: Dict[str, Optional[str]] = {}
        for node in walk_nodes(cls):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            kind = _call_kind(ctx, value)
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in ("self", "cls")
                ):
                    name = target.attr
                elif isinstance(target, ast.Name):
                    name = target.id
                else:
                    continue
                if name in kinds and kinds[name] != kind:
                    kinds[name] = None  # bound to different things: unknown
                else:
                    kinds[name] = kind
        return kinds

    return ctx.cached(("BG203", "class", id(cls)), compute).get(attr)


def _call_kind(ctx: FileContext, node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Call):
        return _type_kind(ctx.qualname(node.func))
    return None


def _receiver_kind(ctx: FileContext, receiver: ast.AST) -> Optional[str]:
    # Return "requests" for a requests session, "httpx" for an httpx client.
    if not has_word(ctx, REQUESTS, HTTPX):
        return None  # no name can resolve to a requests/httpx type
    if not has_word(ctx, "Session", "Client", "AsyncClient"):
        # No call or annotation of the file names a session or client type
        # (``Session``, ``session``, ``Client``, ``AsyncClient``, as written or as
        # imported): only a string annotation may still name one.
        if isinstance(receiver, ast.Name):
            scope = ctx.enclosing_function(receiver) or ctx.tree
            return _annotation_kind(ctx, scope, receiver.id)
        return None
    if isinstance(receiver, ast.Call):
        return _call_kind(ctx, receiver)
    if isinstance(receiver, ast.Name):
        values = reaching_values(ctx, receiver)
        scope: ast.AST = ctx.enclosing_function(receiver) or ctx.tree
        kinds = {_call_kind(ctx, v) for v in values if v is not None}
        for expr in _with_items(ctx, scope).get(receiver.id, ()):
            kinds.add(_call_kind(ctx, expr))
        annotated = _annotation_kind(ctx, scope, receiver.id)
        if annotated:
            kinds.add(annotated)
        if not values:
            module_value = ctx.module_constants.get(receiver.id)
            if module_value is not None:
                kinds.add(_call_kind(ctx, module_value))
            for expr in _with_items(ctx, ctx.tree).get(receiver.id, ()):
                kinds.add(_call_kind(ctx, expr))
        kinds.discard(None)
        return kinds.pop() if len(kinds) == 1 else None
    if (
        isinstance(receiver, ast.Attribute)
        and isinstance(receiver.value, ast.Name)
        and receiver.value.id in ("self", "cls")
    ):
        for ancestor in ctx.ancestors(receiver):
            if isinstance(ancestor, ast.ClassDef):
                return _class_attribute_kind(ctx, ancestor, receiver.attr)
    return None


def _is_none_timeout(ctx: FileContext, value: ast.expr) -> bool:
    if const_value(ctx, value) is None:
        return True
    if (
        isinstance(value, ast.Call)
        and ctx.qualname(value.func) == "httpx.Timeout"
        and len(value.args) == 1
        and not value.keywords
    ):
        return const_value(ctx, value.args[0]) is None
    return False


def _problem(ctx: FileContext, call: ast.Call, missing_counts: bool) -> Optional[str]:
    if has_star_kwargs(call):
        return None
    kw = keyword(call, "timeout")
    if kw is None:
        return "has no timeout" if missing_counts else None
    value = const_value(ctx, kw.value)
    if value is UNKNOWN and not isinstance(kw.value, ast.Call):
        return None
    if _is_none_timeout(ctx, kw.value):
        return "sets timeout=None and can wait forever"
    return None


def _display(func: ast.expr) -> str:
    try:
        text = ast.unparse(func)
    except Exception:  # pragma: no cover
        text = ""
    if not text or len(text) > 40 or "\n" in text:
        text = f".{func.attr}" if isinstance(func, ast.Attribute) else "call"
    return f"`{text}()`"


@RULE.on(ast.Call, names=_CHEAP)
def _check_call(node: ast.Call, ctx: FileContext) -> Optional[List[Finding]]:
    func = node.func
    if isinstance(func, ast.Attribute):
        last = func.attr
    elif isinstance(func, ast.Name):
        last = func.id
    else:
        return None
    if last not in _CHEAP and not (isinstance(func, ast.Name) and last in ctx.aliases):
        return None
    name = ctx.qualname(func)
    if name in _SUBPROCESS or name in _REQUESTS_FUNCS:
        problem = _problem(ctx, node, True)
    elif name in _HTTPX_FUNCS or name in _HTTPX_CLIENTS:
        problem = _problem(ctx, node, False)
    elif name in _URLOPEN:
        if len(node.args) >= 3:  # the timeout given by position
            return None
        problem = _problem(ctx, node, True)
    elif isinstance(func, ast.Attribute) and last in _HTTPX_METHODS:
        receiver = func.value
        # the walk links the receiver to the call's func only after this handler;
        # its other ancestors are linked already
        ctx.parents.setdefault(receiver, func)
        kind = _receiver_kind(ctx, receiver)
        if kind == REQUESTS and last in _METHODS:
            problem = _problem(ctx, node, True)
        elif kind == HTTPX:
            problem = _problem(ctx, node, False)
        else:
            return None
        if problem:
            return [RULE.finding(node, call=_display(func), problem=problem)]
        return None
    else:
        return None
    if problem:
        return [RULE.finding(node, call=f"`{name}()`", problem=problem)]
    return None
