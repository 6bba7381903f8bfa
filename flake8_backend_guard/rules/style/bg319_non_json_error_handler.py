"""BG319 non-json-error-handler: error handlers that answer with text or HTML."""

from __future__ import annotations

import ast
from typing import Iterator, Union

from ...analysis.structure import own_statements, response_kind
from ...analysis.web import ERROR_HANDLER_REGISTRARS, is_error_handler
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG319",
    name="non-json-error-handler",
    message="error handler `{func}` answers with {what} instead of JSON",
    hint="return a JSON body with the status code "
    "(`jsonify(error=...), 404` or `JSONResponse({{...}}, status_code=404)`)",
    rationale=(
        "API clients parse error responses: a plain-text or HTML error page from "
        "an error handler breaks them (`JSON.parse` fails, the error code and "
        "message are lost) and leaks framework details. Registered error handlers "
        "(Flask `errorhandler`/`app_errorhandler`/`register_error_handler`, FastAPI "
        "`exception_handler`/`add_exception_handler`) should answer with JSON: "
        "`jsonify(...)`, a dict, `JSONResponse(...)`, or a tuple whose first item "
        "is one of these. Returns whose body is a string, `render_template(...)`, "
        "`HTMLResponse` or `PlainTextResponse` are reported."
    ),
    bad=Example(
        "from flask import Flask, render_template\n\n\n"
        "def create_app() -> Flask:\n"
        "    app = Flask(__name__)\n\n"
        "    @app.errorhandler(404)\n"
        "    def not_found(error):\n"
        '        return render_template("404.html"), 404\n\n'
        "    return app\n"
    ),
    good=Example(
        "from flask import Flask, jsonify\n\n\n"
        "def create_app() -> Flask:\n"
        "    app = Flask(__name__)\n\n"
        "    @app.errorhandler(404)\n"
        "    def not_found(error):\n"
        '        return jsonify(error="not found"), 404\n\n'
        "    return app\n"
    ),
    overlaps=(),
    # the decorators `errorhandler`/`app_errorhandler`/`exception_handler` and the
    # registrations `register_error_handler`/`add_exception_handler`
    requires=("errorhandler", "exception_handler", "register_error_handler"),
)

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
_WHAT = {"html": "HTML", "text": "a plain string"}


@RULE.on_leave(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_handler(node: FunctionNode, ctx: FileContext) -> Iterator[Finding]:
    if not is_error_handler(ctx, node):
        return
    for inner in own_statements(node):
        if isinstance(inner, ast.Return) and inner.value is not None:
            kind = response_kind(ctx, inner.value)
            if kind in _WHAT:
                yield RULE.finding(inner, func=node.name, what=_WHAT[kind])


@RULE.on_leave(ast.Call, names=ERROR_HANDLER_REGISTRARS)
def _check_registration(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in ERROR_HANDLER_REGISTRARS:
        return
    handlers = list(node.args[1:2]) + [
        kw.value for kw in node.keywords if kw.arg in ("f", "handler")
    ]
    for handler in handlers:
        if isinstance(handler, ast.Lambda):
            kind = response_kind(ctx, handler.body)
            if kind in _WHAT:
                yield RULE.finding(handler, func="<lambda>", what=_WHAT[kind])
