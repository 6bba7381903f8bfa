"""BG217 exception-detail-in-response: exception text or tracebacks sent to clients."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Set, Union

from ...analysis.docstrings import builtin_exception
from ...analysis.web import (
    LocalFlow,
    error_handler_exception_param,
    error_handler_exception_types,
    function_nodes,
    is_error_handler,
    is_route_handler,
    is_view_method,
    local_flow,
    may_answer_client,
    mentions,
)
from ...context import FileContext, source_excerpt
from ...rule import Example, Finding, Rule

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

RULE = Rule(
    code="BG217",
    name="exception-detail-in-response",
    message="{detail} is sent to the client ({sink})",
    hint=(
        "log the exception on the server (`logger.exception(...)`) and return a "
        'generic message such as `{{"error": "internal error"}}`'
    ),
    rationale=(
        "Why is this bad? Exception messages and tracebacks are written for "
        "developers: they name files, functions, SQL statements, table and column "
        "names, hosts, library versions and sometimes the data being processed. "
        "Returned to the client they map the application for an attacker (CWE-209) "
        "and turn every unexpected error into an information leak. Log the detail "
        "with a request id on the server and answer with a generic message; errors "
        "meant for clients (validation messages, HTTP errors) are fine. Detail "
        "rendered into a page (`render_template`, `render_template_string`, "
        "Django's `render` and its context dict) or flashed (`flash`, Django's "
        "`messages`) reaches the client too; "
        "detail shown only under a debug flag (`if app.debug:`) is not reported."
    ),
    bad=Example(
        "from flask import Flask, jsonify\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.get("/api/report")\n'
        "def report():\n"
        "    try:\n"
        "        return jsonify(build_report())\n"
        "    except Exception as e:\n"
        "        return jsonify(error=str(e)), 500\n"
    ),
    good=Example(
        "import logging\n\n"
        "from flask import Flask, jsonify\n\n"
        "app = Flask(__name__)\n"
        "logger = logging.getLogger(__name__)\n\n\n"
        '@app.get("/api/report")\n'
        "def report():\n"
        "    try:\n"
        "        return jsonify(build_report())\n"
        "    except Exception:\n"
        '        logger.exception("report failed")\n'
        '        return jsonify(error="internal error"), 500\n'
    ),
    severity="warning",
    cwe=209,
    overlaps=(),
    options=(),
    # the detail: a caught exception, a traceback, or an error handler's argument
    requires=(
        "except",
        "format_exc",  # also format_exception
        "format_tb",
        "format_stack",
        "errorhandler",
        "exception_handler",
        "register_error_handler",
    ),
)

_TRACEBACK_FUNCS = frozenset(
    {
        "traceback.format_exc",
        "traceback.format_exception",
        "traceback.format_exception_only",
        "traceback.format_tb",
        "traceback.format_stack",
    }
)
_TRACEBACK_NAMES = frozenset(
    {
        "format_exc",
        "format_exception",
        "format_exception_only",
        "format_tb",
        "format_stack",
    }
)
_DETAIL_ATTRS = frozenset(
    {
        "args",
        "orig",
        "strerror",
        "stderr",
        "stdout",
        "output",
        "statement",
        "params",
        "original_exception",
        "__traceback__",
        "__cause__",
        "__context__",
        "__str__",
    }
)
# The text of an exception caught as ``Exception`` or a built-in class (Python 2's
# ``e.message``); on an application's own exception class it is usually the message
# written for clients (Flask's API-exception pattern), so it is not judged there.
_MESSAGE_ATTRS = frozenset({"message", "msg"})
_WRAPPED_ATTRS = frozenset(
    {"original_exception", "__cause__", "__context__", "__traceback__"}
)
_CLIENT_MEANT_TYPES = frozenset(
    {
        "HTTPException",
        "StarletteHTTPException",
        "WebSocketException",
        "BadRequest",
        "BadRequestKeyError",
        "Unauthorized",
        "Forbidden",
        "NotFound",
        "MethodNotAllowed",
        "NotAcceptable",
        "Conflict",
        "Gone",
        "PreconditionFailed",
        "RequestEntityTooLarge",
        "UnsupportedMediaType",
        "UnprocessableEntity",
        "TooManyRequests",
        "ValidationError",
        "ValidationErrors",
        "RequestValidationError",
        "WebSocketRequestValidationError",
        "MarshmallowError",
        "NoAuthorizationError",
        "CSRFError",
    }
)
_RESPONSE_CALLS = frozenset(
    {
        "jsonify",
        "make_response",
        "JSONResponse",
        "ORJSONResponse",
        "UJSONResponse",
        "PlainTextResponse",
        "HTMLResponse",
        "Response",
        "JsonResponse",
        "HttpResponse",
        "HttpResponseServerError",
        "HttpResponseBadRequest",
        "json_response",
    }
)
_HTTP_EXCEPTIONS = frozenset(
    {"HTTPException", "StarletteHTTPException", "WebSocketException"}
)
# Django's calls that render a page for the client from a context.
_DJANGO_RENDER = frozenset(
    {
        "django.shortcuts.render",
        "django.shortcuts.render_to_response",
        "django.template.response.TemplateResponse",
    }
)
# Django's messages framework: shown to the user on the next page.
_DJANGO_MESSAGES = frozenset(
    {"add_message", "debug", "info", "success", "warning", "error"}
)
_PASS_THROUGH_CALLS = frozenset(
    {"dict", "list", "tuple", "getattr", "render_template", "render_template_string"}
)
_STR_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "lower",
        "upper",
        "splitlines",
        "split",
        "encode",
    }
)


def _last(name: Optional[str]) -> str:
    return (name or "").rsplit(".", 1)[-1]


def _client_meant_type(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    # Return True when every exception class in ``node`` is meant for clients.
    if node is None:
        return False
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    if not items:
        return False
    for item in items:
        if isinstance(item, ast.Constant) and isinstance(item.value, int):
            continue  # @app.errorhandler(404): an HTTPException
        name = _last(ctx.qualname(item) or getattr(item, "attr", ""))
        if name == "ResponseValidationError":
            return False
        if name not in _CLIENT_MEANT_TYPES and not name.endswith("ValidationError"):
            return False
    return True


class _Analysis:
    # Exception names, detail expressions and response sinks of one function.

    def __init__(self, ctx: FileContext, func: FunctionNode) -> None:
        self.ctx = ctx
        self.func = func
        self.returns_to_client = (
            is_route_handler(ctx, func)
            or is_error_handler(ctx, func)
            or is_view_method(ctx, func, ctx.class_)
        )
        self.handler_param: Optional[str] = None
        self.client_param: Optional[str] = None
        if is_error_handler(ctx, func):
            types = error_handler_exception_types(ctx, func)
            param = error_handler_exception_param(ctx, func)
            if types and all(_client_meant_type(self.ctx, t) for t in types):
                self.client_param = param
            else:
                self.handler_param = param
        self._cache: Dict[int, Optional[str]] = {}
        self._stores: Optional[Dict[str, List[ast.Assign]]] = None

    @property
    def flow(self) -> LocalFlow:
        """Return the ordered bindings of the function (built on first use).

        Returns:
            The function's :class:`LocalFlow`.
        """
        return local_flow(self.ctx, self.func)

    # ---- exceptions and their detail -------------------------------------------------
    def exception_kind(self, node: ast.AST) -> Optional[str]:
        # Return "internal" or "client" for a caught exception's name, else None.
        #
        # "client": an exception meant for clients (HTTP errors, validation errors);
        # only its wrapped cause (``original_exception``, ``__cause__``) is detail.
        if not isinstance(node, ast.Name):
            return None
        kind: Optional[str] = None
        for _pos, _value, stmt, binding in self.flow.reaching_bindings(node):
            if binding == "except" and isinstance(stmt, ast.ExceptHandler):
                if not _client_meant_type(self.ctx, stmt.type):
                    return "internal"
                kind = "client"
            elif binding == "param" and node.id == self.handler_param:
                return "internal"
            elif binding == "param" and node.id == self.client_param:
                kind = "client"
        return kind

    def _caught_broadly(self, node: ast.AST) -> bool:
        # Return True when the exception named ``node`` is caught by ``except:``,
        # ``except Exception`` or another built-in class (not an app's own class).
        if not isinstance(node, ast.Name):
            return False
        for _pos, _value, stmt, binding in self.flow.reaching_bindings(node):
            if binding != "except" or not isinstance(stmt, ast.ExceptHandler):
                continue
            caught = stmt.type
            items = caught.elts if isinstance(caught, ast.Tuple) else [caught]
            if all(
                item is None
                or (isinstance(item, ast.Name) and builtin_exception(item.id) is not None)
                for item in items
            ):
                return True
        return False

    def is_exception(self, node: ast.AST) -> bool:
        # Return True when ``node`` names a caught exception (not a client error).
        return self.exception_kind(node) == "internal"

    def detail(self, node: Optional[ast.AST], depth: int = 0) -> Optional[str]:
        # Return a short text of the exception detail ``node`` carries, or None.
        if node is None or depth > 8:
            return None
        key = id(node)
        if key in self._cache:
            return self._cache[key]
        self._cache[key] = None
        found = self._detail(node, depth)
        self._cache[key] = found
        return found

    def _any(self, nodes: List[Optional[ast.AST]], depth: int) -> Optional[str]:
        for item in nodes:
            found = self.detail(item, depth + 1)
            if found:
                return found
        return None

    def _detail(self, node: ast.AST, depth: int) -> Optional[str]:
        if isinstance(node, ast.Call):
            return self._call_detail(node, depth)
        if isinstance(node, ast.Attribute):
            kind = self.exception_kind(node.value)
            if kind == "internal" and (
                node.attr in _DETAIL_ATTRS
                or (node.attr in _MESSAGE_ATTRS and self._caught_broadly(node.value))
            ):
                return f"`{source_excerpt(node)}`"
            if kind == "client" and node.attr in _WRAPPED_ATTRS:
                return f"`{source_excerpt(node)}`"
            return None
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    if self.is_exception(part.value):
                        return "an f-string with the exception"
                    found = self.detail(part.value, depth + 1)
                    if found:
                        return found
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            right = node.right
            if isinstance(node.op, ast.Mod):
                parts = right.elts if isinstance(right, ast.Tuple) else [right]
                if any(self.is_exception(p) for p in parts):
                    return "the exception formatted with `%`"
            return self._any([node.left, node.right], depth)
        if isinstance(node, (ast.Dict,)):
            return self._any(list(node.values), depth)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return self._any(list(node.elts), depth)
        if isinstance(node, ast.IfExp):
            branch = _debug_branch(node.test)
            if branch == "body":  # detail only when debugging
                return self.detail(node.orelse, depth + 1)
            if branch == "orelse":
                return self.detail(node.body, depth + 1)
            return self._any([node.body, node.orelse], depth)
        if isinstance(node, ast.BoolOp):
            return self._any(list(node.values), depth)
        if isinstance(node, ast.Subscript):
            return self.detail(node.value, depth + 1)
        if isinstance(node, ast.Name):
            for _pos, value, stmt, kind in self.flow.reaching_bindings(node):
                if kind == "assign" and not self._under_debug(stmt):
                    found = self.detail(value, depth + 1)
                    if found:
                        return found
            for stmt in self._item_stores(node):
                if not self._under_debug(stmt):
                    found = self.detail(stmt.value, depth + 1)
                    if found:
                        return found
            return None
        return None

    def _item_stores(self, use: ast.Name) -> List[ast.Assign]:
        # The ``name[key] = value`` statements of the function before ``use``:
        # what a dict or list that is sent whole (a template context) was given.
        stores = self._stores
        if stores is None:
            stores = self._stores = {}
            for node in function_nodes(self.ctx, self.func):
                if node.__class__ is ast.Assign:
                    for target in node.targets:  # type: ignore[attr-defined]
                        if isinstance(target, ast.Subscript) and isinstance(
                            target.value, ast.Name
                        ):
                            stores.setdefault(target.value.id, []).append(node)
        found = stores.get(use.id)
        if not found:
            return []
        position = (use.lineno, use.col_offset)
        return [
            stmt
            for stmt in found
            if (stmt.lineno, stmt.col_offset) < position  # type: ignore[operator]
        ]

    def _under_debug(self, node: ast.AST) -> bool:
        # Return True for a node in the debug-only branch of an ``if`` on a debug
        # flag: the body of ``if settings.DEBUG:``, the ``else:`` of ``if not
        # app.debug:`` (detail shown to developers only).
        child = node
        for ancestor in self.flow.ancestors(node):
            if isinstance(ancestor, ast.If):
                branch = _debug_branch(ancestor.test)
                if branch is not None and any(
                    x is child for x in getattr(ancestor, branch)
                ):
                    return True
            child = ancestor
        return False

    def _call_detail(self, node: ast.Call, depth: int) -> Optional[str]:
        name = self.ctx.call_name(node) or ""
        func = node.func
        if name in _TRACEBACK_FUNCS or (
            name in _TRACEBACK_NAMES
            and self.ctx.aliases.get(name, "").startswith("traceback")
        ):
            return f"`{_last(name)}()`"
        if name in ("str", "repr", "format", "ascii") and node.args:
            if self.is_exception(node.args[0]):
                return f"`{name}({source_excerpt(node.args[0])})`"
            return self.detail(node.args[0], depth + 1)
        if isinstance(func, ast.Attribute):
            if func.attr == "format":
                args: List[Optional[ast.AST]] = list(node.args) + [
                    kw.value for kw in node.keywords
                ]
                if any(self.is_exception(a) for a in args if a is not None):
                    return "the exception formatted with `.format()`"
                return self._any(args, depth)
            if func.attr == "join" and node.args:
                return self.detail(node.args[0], depth + 1)
            if func.attr in _STR_METHODS:
                return self.detail(func.value, depth + 1)
        if _last(name) in _PASS_THROUGH_CALLS:
            return self._any(
                list(node.args) + [kw.value for kw in node.keywords], depth
            )
        return None

    # ---- sinks ----------------------------------------------------------------
    def _sink_arguments(self, node: ast.Call) -> Optional[List[ast.AST]]:
        # Return the arguments of a response-building call that reach the client.
        name = self.ctx.call_name(node) or ""
        last = _last(name)
        if not last:
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else ""
        keywords = [kw.value for kw in node.keywords if kw.arg is not None]
        if last in _RESPONSE_CALLS:
            return list(node.args) + keywords
        if last in _HTTP_EXCEPTIONS:
            return list(node.args[1:2]) + [
                kw.value for kw in node.keywords if kw.arg in ("detail", "reason")
            ]
        if last == "abort":
            return list(node.args[1:]) + [
                kw.value
                for kw in node.keywords
                if kw.arg in ("description", "message", "detail", "response")
            ]
        if name.startswith("werkzeug.exceptions."):
            return list(node.args[:1]) + [
                kw.value for kw in node.keywords if kw.arg == "description"
            ]
        if last == "render_template_string":  # the page's source and variables
            return list(node.args) + keywords
        if last == "render_template":  # the page's variables
            return list(node.args[1:]) + keywords
        if last == "flash" and (name == "flask.flash" or name == "flash"):
            return list(node.args[:1]) + [
                kw.value for kw in node.keywords if kw.arg == "message"
            ]
        if name in _DJANGO_RENDER:  # render(request, template, context)
            return list(node.args[2:3]) + [
                kw.value for kw in node.keywords if kw.arg == "context"
            ]
        if name.startswith("django.contrib.messages.") and last in _DJANGO_MESSAGES:
            # messages.error(request, text) / add_message(request, level, text)
            position = 2 if last == "add_message" else 1
            return list(node.args[position : position + 1]) + [
                kw.value for kw in node.keywords if kw.arg == "message"
            ]
        return None

    def findings(self) -> Iterator[Finding]:
        sink_calls: Set[int] = set()
        nodes = function_nodes(self.ctx, self.func)
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            args = self._sink_arguments(node)
            if args is None:
                continue
            sink_calls.add(id(node))
            for arg in args:
                found = self.detail(arg)
                if found is None and self._bare_exception_as_detail(node, arg):
                    found = f"the exception `{source_excerpt(arg)}`"
                if found:
                    if not self._under_debug(node):  # detail shown in debug only
                        yield RULE.finding(
                            node, detail=found, sink=f"`{_sink_text(self.ctx, node)}`"
                        )
                    break
        if not self.returns_to_client:
            return
        for node in nodes:
            if isinstance(node, ast.Return) and node.value is not None:
                if self._contains_sink(node.value, sink_calls):
                    continue
                found = self.detail(node.value)
                if found is None and self.is_exception(node.value):
                    found = f"the exception `{source_excerpt(node.value)}`"
                if found and not self._under_debug(node):
                    yield RULE.finding(
                        node, detail=found, sink="returned by the handler"
                    )

    def _bare_exception_as_detail(self, call: ast.Call, arg: ast.AST) -> bool:
        last = _last(self.ctx.call_name(call))
        return last in _HTTP_EXCEPTIONS | {"abort"} and self.is_exception(arg)

    @staticmethod
    def _contains_sink(node: ast.AST, sink_calls: Set[int]) -> bool:
        return any(id(sub) in sink_calls for sub in ast.walk(node))


_OTHER_BRANCH = {"body": "orelse", "orelse": "body"}


def _debug_branch(test: ast.expr) -> Optional[str]:
    # Which branch of an ``if``/``IfExp`` on ``test`` runs only when debugging:
    # "body" for ``if DEBUG:`` (``== True``, ``DEBUG and x``), "orelse" for ``if
    # not DEBUG:`` (``is False``); None when the test reads no debug flag.
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _OTHER_BRANCH.get(_debug_branch(test.operand) or "")
    if isinstance(test, ast.BoolOp):
        found = any(_debug_branch(value) == "body" for value in test.values)
        return "body" if found else None
    if isinstance(test, ast.Compare):
        if len(test.ops) != 1:
            return None
        op, right = test.ops[0], test.comparators[0]
        if isinstance(right, ast.Constant) and isinstance(right.value, bool):
            if isinstance(op, (ast.Eq, ast.Is)):
                flip = not right.value
            elif isinstance(op, (ast.NotEq, ast.IsNot)):
                flip = right.value
            else:
                return None
            branch = _debug_branch(test.left)
            return _OTHER_BRANCH.get(branch or "") if flip else branch
        if not isinstance(op, (ast.Eq, ast.Is, ast.In)):
            return None
    return "body" if _mentions_debug(test) else None


def _mentions_debug(node: ast.AST) -> bool:
    # Return True when a test reads a debug flag (``settings.DEBUG``, ``app.debug``).
    for sub in ast.walk(node):
        name = sub.id if isinstance(sub, ast.Name) else getattr(sub, "attr", None)
        if isinstance(name, str) and "debug" in name.lower():
            return True
        if isinstance(sub, ast.Constant) and sub.value == "DEBUG":
            return True
    return False


def _sink_text(ctx: FileContext, node: ast.Call) -> str:
    name = ctx.qualname(node.func) or getattr(node.func, "attr", "call")
    return f"{_last(name)}(...)"


# (``format_exc`` also finds ``format_exception``)
_SOURCE_WORDS = ("except", "format_exc", "format_tb", "format_stack")
_SINK_WORDS = (
    "jsonify",
    "Response",
    "HTTPException",
    "abort",
    "make_response",
    "json_response",
    "description",
    "render",  # render_template(...), Django's render(...)
    "flash",
    "messages",  # Django's messages.error(request, ...)
)


def _sink_words_in_file(ctx: FileContext) -> bool:
    return ctx.cached(
        ("BG217", "sink-words"),
        lambda: any(
            ctx.may_contain(word) for word in _SINK_WORDS
        ),
    )


@RULE.on_leave(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(
    node: FunctionNode, ctx: FileContext
) -> Optional[Iterator[Finding]]:
    if not _sink_words_in_file(ctx) and not may_answer_client(ctx, node):
        # No def of the file mentions a sink (below), so only a def that answers
        # clients can report: most files, without a scan of each def's text.
        return None
    handler = is_error_handler(ctx, node)
    if not handler and not mentions(ctx, node, _SOURCE_WORDS):
        return None
    to_client = (
        handler
        or (node.decorator_list and is_route_handler(ctx, node))
        or is_view_method(ctx, node, ctx.class_)
    )
    if not to_client and not mentions(ctx, node, _SINK_WORDS):
        return None
    return _Analysis(ctx, node).findings()
