"""BG315 swallowed-exception: bare ``except:`` and silent ``except Exception``."""

from __future__ import annotations

import ast
from typing import List, Optional

from ...analysis.structure import own_nodes
from ...analysis.values import UNKNOWN, const_value
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG315",
    name="swallowed-exception",
    message="{what}",
    hint="catch the exceptions you expect, and log (`logger.exception(...)`) or "
    "re-raise the rest",
    rationale=(
        "An exception that is caught and dropped hides the bug that raised it: the "
        "request 'succeeds' with wrong data, and nobody can find out why. A bare "
        "`except:` also catches `KeyboardInterrupt` and `SystemExit`, so it is "
        "flagged unless it re-raises. `except Exception`/`except BaseException` is "
        "flagged when its body only swallows the error: `pass`, `...`, `continue`, "
        "`break` or `return` of a constant. A handler that logs, calls anything, "
        "re-raises, or returns or assigns a computed value is handling the error. "
        "Specific exceptions (`except KeyError: pass`) and "
        "`contextlib.suppress(...)` are explicit and not flagged."
    ),
    bad=Example(
        "def load(path: str) -> str:\n"
        "    try:\n"
        "        with open(path) as handle:\n"
        "            return handle.read()\n"
        "    except Exception:\n"
        "        pass\n"
        '    return ""\n'
    ),
    good=Example(
        "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
        "def load(path: str) -> str:\n"
        "    try:\n"
        "        with open(path) as handle:\n"
        "            return handle.read()\n"
        "    except OSError:\n"
        '        logger.exception("cannot read %s", path)\n'
        '        return ""\n'
    ),
    overlaps=("E722", "S110", "S112", "BLE001"),
)

_BROAD = frozenset(
    {"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"}
)


def _broad_name(ctx: FileContext, handler_type: Optional[ast.expr]) -> Optional[str]:
    if handler_type is None:
        return None
    candidates: List[ast.expr] = (
        list(handler_type.elts)
        if isinstance(handler_type, ast.Tuple)
        else [handler_type]
    )
    for candidate in candidates:
        name = ctx.qualname(candidate)
        if name in _BROAD:
            return name.rsplit(".", 1)[-1]
    return None


def _is_constant(ctx: FileContext, node: Optional[ast.expr]) -> bool:
    if node is None:
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_constant(ctx, elt) for elt in node.elts)
    if isinstance(node, ast.Dict):
        return all(
            k is not None and _is_constant(ctx, k) and _is_constant(ctx, v)
            for k, v in zip(node.keys, node.values)
        )
    return const_value(ctx, node) is not UNKNOWN


def _swallows(ctx: FileContext, stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True  # `...` or a string used as a comment
    if isinstance(stmt, ast.Return):
        return _is_constant(ctx, stmt.value)
    return False


def _reraises(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    for node in own_nodes(handler):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.withitem):  # `with util.safe_reraise():`
            name = ctx.call_name(node.context_expr) or ""
            if "reraise" in name.rsplit(".", 1)[-1].lower():
                return True
    return False


@RULE.on(ast.ExceptHandler)
def _check_handler(
    node: ast.ExceptHandler, ctx: FileContext
) -> Optional[List[Finding]]:
    if node.type is None:
        if _reraises(ctx, node):
            return None
        return [
            RULE.finding(
                node,
                what="bare `except:` catches every exception, even KeyboardInterrupt "
                "and SystemExit",
            )
        ]
    broad = _broad_name(ctx, node.type)
    if broad is None:
        return None
    if all(_swallows(ctx, stmt) for stmt in node.body):
        what = f"`except {broad}` swallows the error silently"
        return [RULE.finding(node, what=what)]
    return None
