"""BG316 flask-app-at-module-level: ``app = Flask(__name__)`` at import time."""

from __future__ import annotations

import ast
from typing import Iterator, Union

from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG316",
    name="flask-app-at-module-level",
    message="`{name} = {cls}(...)` creates the application when the module is imported",
    hint="build it in an application factory `create_app()` and register blueprints "
    "there",
    rationale=(
        "A Flask application created at module level in a package exists once, "
        "configured at import time: tests cannot create a fresh app with other "
        "settings, extensions and blueprints end up imported in a fixed order, and "
        "circular imports between the app module and the views follow. An "
        "application factory (`def create_app(config=None): app = Flask(__name__); "
        "...; return app`) builds it on demand; `app = create_app()` in a `wsgi.py` "
        "is fine. Only modules inside a package are judged: a single-file script "
        "may create its app directly."
    ),
    bad=Example(
        "from flask import Flask\n\napp = Flask(__name__)\n",
        path="app/__init__.py",
    ),
    good=Example(
        "from flask import Flask\n\n\n"
        "def create_app() -> Flask:\n"
        "    app = Flask(__name__)\n"
        "    return app\n",
        path="app/__init__.py",
    ),
    overlaps=(),
    requires=("Flask", "Quart"),  # the class name, as written or imported
)

_APP_CLASSES = frozenset(
    {"flask.Flask", "flask.app.Flask", "quart.Quart", "apiflask.APIFlask"}
)


@RULE.on(ast.Assign, ast.AnnAssign)
def _check_assign(
    node: Union[ast.Assign, ast.AnnAssign], ctx: FileContext
) -> Iterator[Finding]:
    if not ctx.at_module_level or not isinstance(node.value, ast.Call):
        return
    callee = ctx.call_name(node.value)
    if callee not in _APP_CLASSES:
        return
    if not ctx.package.in_package:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    target = targets[0]
    name = target.id if isinstance(target, ast.Name) else "app"
    yield RULE.finding(node, name=name, cls=callee.rsplit(".", 1)[-1])
