"""BG218 debug-mode-enabled: debug servers, debug flags and reloaders set in code."""

from __future__ import annotations

import ast
import os
from typing import Any, Iterator, List, Optional, Set

from ...analysis.structure import under_main_guard
from ...analysis.values import UNKNOWN, const_value
from ...analysis.web import has_word
from ...context import FileContext, is_main_guard
from ...options import Config
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG218",
    name="debug-mode-enabled",
    message="{what} enables {feature}",
    hint=(
        "read the setting from the environment, off by default "
        '(`debug=os.getenv("APP_DEBUG") == "1"`), and never enable it in production'
    ),
    rationale=(
        "Debug mode turns the application into a development tool: Flask/Werkzeug's "
        "interactive debugger runs arbitrary Python typed into the error page (remote "
        "code execution for anyone who can trigger an exception and guess the PIN), "
        "and every framework's debug mode answers errors with full tracebacks, local "
        "variables and settings. A flag written as a literal in code ships to "
        "production with the code. The auto-reloader (`uvicorn.run(reload=True)`) "
        "is a development tool too: outside a `__main__` guard it runs wherever the "
        "module is started."
    ),
    bad=Example(
        "from flask import Flask\n\n"
        "app = Flask(__name__)\n\n"
        'if __name__ == "__main__":\n'
        "    app.run(debug=True)\n"
    ),
    good=Example(
        "import os\n\n"
        "from flask import Flask\n\n"
        "app = Flask(__name__)\n\n"
        'if __name__ == "__main__":\n'
        '    app.run(debug=os.getenv("FLASK_DEBUG") == "1")\n'
    ),
    severity="error",
    cwe=489,
    overlaps=("S201", "B201"),
    # debug keywords, attributes and settings, ``DebuggedApplication``, ``reload=``
    requires=("debug", "reload"),  # case-insensitive
)

_DEBUGGER = "debug mode (interactive debugger and tracebacks)"
_RUN_METHODS = frozenset({"run", "run_server"})
_NOT_SERVERS = frozenset({"asyncio", "trio", "anyio", "uvloop", "unittest", "pytest"})
_APP_CLASSES = frozenset(
    {
        "fastapi.FastAPI",
        "fastapi.applications.FastAPI",
        "starlette.applications.Starlette",
        "starlette.Starlette",
        "aiohttp.web.Application",
        "aiohttp.web_app.Application",
        "tornado.web.Application",
        "litestar.Litestar",
        "sanic.Sanic",
        "quart.Quart",
    }
)
_APP_CLASS_NAMES = frozenset({"FastAPI", "Starlette", "Litestar"})
_DEBUG_NAMES = frozenset({"DEBUG", "FLASK_DEBUG", "APP_DEBUG"})
_TRUE_STRINGS = frozenset({"1", "true", "yes", "on"})
_SETTINGS_DIRS = frozenset({"settings", "config", "configs", "conf", "configuration"})
_SETTINGS_CLASS_SUFFIXES = ("Settings",)


def _is_on(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    # Return True for a literal (or module constant) that switches a flag on.
    value: Any = const_value(ctx, node)
    if value is UNKNOWN or value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_STRINGS
    if isinstance(value, (bool, int)):
        return bool(value)
    return False


def _under_main_guard(ctx: FileContext, node: ast.AST) -> bool:
    # Return True in the body of ``if __name__ == "__main__":`` (not its ``else:``,
    # which runs on import), or in a function that is only started from there
    # (``def main(): uvicorn.run(...)``).
    if under_main_guard(ctx, node):
        return True
    function = ctx.enclosing_function(node)
    return function is not None and function.name in _main_guard_calls(ctx)


def _main_guard_calls(ctx: FileContext) -> Set[str]:
    # Return the names of functions called in the body of the file's ``__main__``
    # guard.

    def compute() -> Set[str]:
        names: Set[str] = set()
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.If) and is_main_guard(stmt.test):
                for part in stmt.body:
                    for sub in ast.walk(part):
                        if isinstance(sub, ast.Call) and isinstance(
                            sub.func, ast.Name
                        ):
                            names.add(sub.func.id)
        return names

    return ctx.cached(("BG218", "main-guard-calls"), compute)


def _is_config(node: ast.AST) -> bool:
    # Return True for ``X.config`` (Flask's config object) and ``config``.
    if isinstance(node, ast.Attribute):
        return node.attr == "config"
    return isinstance(node, ast.Name) and node.id in ("config", "app_config")


def _is_app_object(node: ast.AST) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    name = name.lower()
    return name in ("app", "application", "current_app", "api") or name.endswith("_app")


_CONFIG_UPDATES = frozenset({"update", "from_mapping"})
# The keywords a call other than ``config.update(...)`` is judged by.
_FLAG_KEYWORDS = frozenset({"use_debugger", "debug", "reload", "evalex"})


@RULE.on(ast.Call, names=_CONFIG_UPDATES, keywords=_FLAG_KEYWORDS)
def _check_call(node: ast.Call, ctx: FileContext) -> Optional[Iterator[Finding]]:
    func = node.func
    attr = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if attr not in _CONFIG_UPDATES:
        for kw in node.keywords:
            if kw.arg in _FLAG_KEYWORDS:
                break
        else:
            return None  # no flag to judge (this also covers calls without keywords)
    return _call_findings(node, ctx, func, attr)


def _call_findings(
    node: ast.Call, ctx: FileContext, func: ast.expr, attr: str
) -> Iterator[Finding]:
    for kw in node.keywords:
        if kw.arg == "use_debugger" and _is_on(ctx, kw.value):
            yield RULE.finding(node, what="`use_debugger=True`", feature=_DEBUGGER)
            return
    if attr in _RUN_METHODS:
        debug = _keyword(node, "debug")
        name = ctx.call_name(node) or ""
        if (
            debug is not None
            and _is_on(ctx, debug)
            and name.split(".")[0] not in (_NOT_SERVERS)
        ):
            yield RULE.finding(
                node, what=f"`{_written(func)}(debug=True)`", feature=_DEBUGGER
            )
            return
        reload = _keyword(node, "reload")
        if (
            reload is not None
            and name.startswith("uvicorn.")
            and _is_on(ctx, reload)
            and not _under_main_guard(ctx, node)
        ):
            yield RULE.finding(
                node,
                what="`uvicorn.run(..., reload=True)` outside a `__main__` guard",
                feature="the auto-reloader",
            )
        return
    if attr in ("update", "from_mapping") and isinstance(func, ast.Attribute):
        if _is_config(func.value) and _config_update_debug(ctx, node):
            yield RULE.finding(
                node, what=f"`config.{attr}(DEBUG=True)`", feature=_DEBUGGER
            )
        return
    if attr == "DebuggedApplication" and _is_on(ctx, _keyword(node, "evalex")):
        yield RULE.finding(
            node, what="`DebuggedApplication(evalex=True)`", feature=_DEBUGGER
        )
        return
    debug = _keyword(node, "debug")
    if debug is None or not _is_on(ctx, debug):
        return
    name = ctx.call_name(node) or ""
    if name in _APP_CLASSES or name.rsplit(".", 1)[-1] in _APP_CLASS_NAMES:
        yield RULE.finding(
            node, what=f"`{_written(func)}(debug=True)`", feature=_DEBUGGER
        )


def _written(node: ast.AST) -> str:
    # Return the callee as written (``app.run``, ``web.Application``), short.
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts[:2])) or "call"


def _keyword(node: ast.Call, name: str) -> Optional[ast.expr]:
    for kw in node.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _config_update_debug(ctx: FileContext, node: ast.Call) -> bool:
    for kw in node.keywords:
        if kw.arg in _DEBUG_NAMES and _is_on(ctx, kw.value):
            return True
    for arg in node.args:
        if isinstance(arg, ast.Dict):
            for key, value in zip(arg.keys, arg.values):
                if (
                    isinstance(key, ast.Constant)
                    and key.value in _DEBUG_NAMES
                    and _is_on(ctx, value)
                ):
                    return True
    return False


def _may_judge(target: ast.expr) -> bool:
    # A first, cheap condition of each branch of ``_assign_findings``.
    if isinstance(target, ast.Attribute):
        return target.attr == "debug"
    if isinstance(target, ast.Subscript):
        return _is_config(target.value)
    if isinstance(target, ast.Name):
        return target.id.upper() in _DEBUG_NAMES
    return False


def _debug_binding(name: str, config: Config) -> bool:
    # The ``names=`` test of the assignment handler (see ``_may_judge``).
    return name == "debug" or name.upper() in _DEBUG_NAMES


@RULE.on(ast.Assign, ast.AnnAssign, names=_debug_binding)
def _check_assign(node: ast.stmt, ctx: FileContext) -> Optional[Iterator[Finding]]:
    value = node.value  # type: ignore[attr-defined]
    if value is None:
        return None
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if _may_judge(target):
            return _assign_findings(node, ctx, targets, value)
    return None


def _assign_findings(
    node: ast.stmt, ctx: FileContext, targets: List[ast.expr], value: ast.expr
) -> Iterator[Finding]:
    for target in targets:
        if isinstance(target, ast.Attribute):
            if target.attr == "debug" and _is_app_object(target.value):
                if _is_on(ctx, value):
                    yield RULE.finding(
                        node, what="`app.debug = True`", feature=_DEBUGGER
                    )
                    return
        elif isinstance(target, ast.Subscript):
            key = const_value(ctx, target.slice)
            if (
                isinstance(key, str)
                and key in _DEBUG_NAMES
                and _is_config(target.value)
                and _is_on(ctx, value)
            ):
                yield RULE.finding(
                    node, what=f'`config["{key}"] = True`', feature=_DEBUGGER
                )
                return
        elif isinstance(target, ast.Name):
            if target.id.upper() in _DEBUG_NAMES and _in_config_scope(ctx, node):
                if _is_on(ctx, value):
                    yield RULE.finding(
                        node,
                        what=f"`{target.id} = True` in a settings module",
                        feature=_DEBUGGER,
                    )
                    return


def _in_config_scope(ctx: FileContext, node: ast.stmt) -> bool:
    # Return True at module level or in a class body of a settings/config module,
    # and in the body of a settings class (``class Settings(BaseSettings)``) anywhere.
    scopes = ctx.scopes
    if len(scopes) == 1 and isinstance(scopes[0], ast.ClassDef):
        return _is_config_module(ctx) or _is_settings_class(ctx, scopes[0])
    return not scopes and _is_config_module(ctx)


def _is_settings_class(ctx: FileContext, cls: ast.ClassDef) -> bool:
    # Return True for a class named or derived like a settings class.
    names = [cls.name] + [
        (ctx.qualname(base) or "").rsplit(".", 1)[-1] for base in cls.bases
    ]
    return any(name.endswith(_SETTINGS_CLASS_SUFFIXES) for name in names)


def _is_config_module(ctx: FileContext) -> bool:
    def compute() -> bool:
        base = ctx.basename.lower()
        if "settings" in base or "config" in base:
            return True
        # Django-style settings packages: ``config/settings/local.py``
        parent = os.path.basename(os.path.dirname(os.path.abspath(ctx.filename)))
        if parent.lower() in _SETTINGS_DIRS:
            return True
        # Flask's ``app.config.from_object(__name__)`` loads this module's names
        if not has_word(ctx, "from_object"):
            return False
        for stmt in ctx.module_statements:
            for sub in ast.walk(stmt):
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr == "from_object"
                    and sub.args
                    and isinstance(sub.args[0], ast.Name)
                    and sub.args[0].id == "__name__"
                ):
                    return True
        return False

    return ctx.cached(("BG218", "config-module"), compute)
