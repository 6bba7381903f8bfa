"""BG312 prefer-fstring: ``"..." % values`` and ``"...".format()`` outside logging."""

from __future__ import annotations

import ast
import re
from typing import Iterator, List, Optional

from ...analysis.structure import inside_logging_call
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG312",
    name="prefer-fstring",
    message="{what} builds a string",
    hint="use an f-string",
    rationale=(
        "f-strings put each value where it appears in the text, are faster than "
        "`%` formatting and `str.format()`, and avoid the classic bugs of both "
        "(a single value that happens to be a tuple, positional indexes that drift "
        "from their arguments). Logging calls are the exception: there lazy `%` "
        "formatting (`logger.info('user %s', user_id)`) is right, so nothing inside "
        "a logging call is flagged. Not flagged either: bytes `%` formatting, "
        "`.format` on a template held in a name (`TEMPLATE.format(...)`) or "
        "returned by a call (`_('...') % x` for translations), `.format(**data)` / "
        "`.format(*args)` whose fields come from a runtime mapping, and SQL text "
        "(building SQL is BG201's business, and an f-string is no fix there)."
    ),
    bad=Example('def greet(name: str) -> str:\n    return "Hello, %s!" % name\n'),
    good=Example('def greet(name: str) -> str:\n    return f"Hello, {name}!"\n'),
    overlaps=("UP031", "UP032"),
    fixable=True,
    requires=("%", "format"),  # `"..." % values`, `"...".format(...)`
)

_SQL_RE = re.compile(
    r"^\s*(select\s.*\bfrom\b|insert\s+(or\s+\w+\s+)?into\s|update\s+\S+\s+set\s"
    r"|delete\s+from\s|(create|drop|alter)\s+(temporary\s+|unique\s+)?"
    r"(table|index|view|database|schema|sequence|trigger|function|extension)\b"
    r"|truncate\s|with\s+(recursive\s+)?\w+\s+as\s*\()",
    re.IGNORECASE | re.DOTALL,
)
_SQL_SINKS = frozenset(
    {"execute", "executemany", "executescript", "mogrify", "raw", "extra", "text"}
    | {"read_sql", "read_sql_query", "exec_driver_sql", "RawSQL"}
)


def _is_sql_context(ctx: FileContext, node: ast.AST, text: str) -> bool:
    if _SQL_RE.match(text):
        return True
    parent = ctx.parent(node)
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node:
        func = parent.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in _SQL_SINKS
    return False


@RULE.on(ast.BinOp)
def _check_percent(node: ast.BinOp, ctx: FileContext) -> Optional[List[Finding]]:
    if node.op.__class__ is not ast.Mod:
        return None
    left = node.left
    if not isinstance(left, ast.Constant) or not isinstance(left.value, str):
        return None
    if _is_sql_context(ctx, node, left.value) or inside_logging_call(ctx, node):
        return None
    return [RULE.finding(node, what="`%` formatting")]


@RULE.on(ast.Call, names={"format"})
def _check_format(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr != "format":
        return
    template = func.value
    if not isinstance(template, ast.Constant) or not isinstance(template.value, str):
        return
    if not node.args and not node.keywords:
        return
    if any(isinstance(arg, ast.Starred) for arg in node.args):
        return
    if any(kw.arg is None for kw in node.keywords):
        return
    if _is_sql_context(ctx, node, template.value) or inside_logging_call(ctx, node):
        return
    yield RULE.finding(node, what="`str.format()`")
