"""BG205 dynamic-code-execution: ``eval``/``exec``/``compile`` of non-constant code.

* The builtins ``eval``, ``exec`` and ``compile`` (also ``builtins.eval`` ...) when
  their code argument is not static (see :mod:`..analysis.sql`: constants, module
  constants, f-strings of constants, a local variable that only holds constants).
  A name shadowed in the file (an import such as ``from sympy import eval``, a def,
  a parameter, an assignment) is not the builtin; methods (``self.eval(x)``,
  ``model.eval()``, ``re.compile(p)``, ``ast.literal_eval``) are never judged.
  ``compile(..., ast.PyCF_ONLY_AST)`` only parses and is fine, and so is a
  ``compile(...)`` statement whose result is dropped (a syntax check).
  ``eval``/``exec`` of
  a code object made by ``compile`` in the same function is reported once, at the
  ``compile`` call.
* Expression evaluators that run Python code: ``PIL.ImageMath.eval`` and
  ``unsafe_eval`` (Pillow), ``pandas.eval`` (its documentation warns it can run
  arbitrary code), with a non-static expression. ``DataFrame.eval``/``query`` are
  not judged: the receiver's type is unknown from the source alone.
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from ...analysis.dataflow import reaching_values
from ...analysis.sql import is_static, locally_bound, prepare
from ...analysis.values import argument, const_value, keyword_value
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG205",
    name="dynamic-code-execution",
    message="{call} runs code built from a non-constant value",
    hint=(
        "parse data instead (json.loads, ast.literal_eval) or dispatch to an "
        "allow-listed function through a dict"
    ),
    rationale=(
        "Why is this bad? `eval`, `exec` and `compile` turn text into running "
        "Python: if any part of that text comes from a request, a file or a database, "
        "whoever controls it controls the process (`__import__('os').system(...)`). "
        "Restricting `__builtins__` does not help; there are well-known escapes. "
        "Data should be parsed (`json.loads`, `ast.literal_eval` for Python literals), "
        "and a choice between operations made through an explicit dict of allowed "
        "functions. Expression evaluators such as Pillow's `ImageMath.eval` and "
        "`pandas.eval` are `eval` in disguise."
    ),
    bad=Example("def calculate(expression):\n    return eval(expression)\n"),
    good=Example(
        "import ast\n\n\n"
        "def parse_value(text):\n"
        "    return ast.literal_eval(text)\n"
    ),
    severity="error",
    cwe=95,
    overlaps=("S307", "S102", "B307", "B102"),
    requires=("eval", "exec", "compile"),
)

_BUILTINS = frozenset({"eval", "exec", "compile"})
_EVALUATORS = frozenset(
    {
        "PIL.ImageMath.eval",
        "PIL.ImageMath.unsafe_eval",
        "pandas.eval",
        "pandas.core.computation.eval.eval",
    }
)
_CHEAP = _BUILTINS | frozenset({"unsafe_eval"})
_CODE_KEYWORDS = {"eval": "source", "exec": "source", "compile": "source"}


def _builtin_name(ctx: FileContext, func: ast.expr) -> Optional[str]:
    # Return "eval"/"exec"/"compile" when ``func`` is that builtin.
    if isinstance(func, ast.Name):
        if func.id not in _BUILTINS or func.id in ctx.aliases:
            return None
        if locally_bound(ctx, func):
            return None
        return func.id
    if isinstance(func, ast.Attribute) and func.attr in _BUILTINS:
        qualname = ctx.qualname(func)
        if qualname in (f"builtins.{func.attr}", f"__builtin__.{func.attr}"):
            return func.attr
    return None


def _only_parses(ctx: FileContext, call: ast.Call) -> bool:
    # ``compile(source, filename, mode, ast.PyCF_ONLY_AST)`` builds an AST only.
    flags = argument(call, 3, "flags")
    if flags is None:
        return False
    for node in ast.walk(flags):
        if isinstance(node, (ast.Name, ast.Attribute)):
            qualname = ctx.qualname(node) or ""
            if qualname.endswith("PyCF_ONLY_AST") or qualname.endswith(
                "PyCF_TYPE_COMMENTS"
            ):
                return True
    value = const_value(ctx, flags)
    return isinstance(value, int) and bool(value & 0x400)


def _is_compile_call(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "compile"
        and _builtin_name(ctx, node.func) == "compile"
    )


def _compiled_code(ctx: FileContext, code: ast.expr) -> bool:
    # Return True when ``code`` is (a name holding) a ``compile(...)`` result.
    if _is_compile_call(ctx, code):
        return True
    if isinstance(code, ast.Name):
        values = reaching_values(ctx, code)
        return bool(values) and all(_is_compile_call(ctx, v) for v in values)
    return False


@RULE.on(ast.Call, names=_CHEAP)
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if isinstance(func, ast.Name):
        last = func.id
    elif isinstance(func, ast.Attribute):
        last = func.attr
    else:
        return
    if last not in _CHEAP and not (isinstance(func, ast.Name) and last in ctx.aliases):
        return
    builtin = _builtin_name(ctx, func)
    if builtin is not None:
        code = argument(node, 0, _CODE_KEYWORDS[builtin])
        if code is None:
            return
        prepare(ctx, node)
        if is_static(ctx, code):
            return
        if builtin == "compile" and (
            _only_parses(ctx, node) or isinstance(ctx.parent(node), ast.Expr)
        ):
            return  # parses only, or a syntax check whose result is dropped
        if builtin != "compile" and _compiled_code(ctx, code):
            return
        yield RULE.finding(node, call=f"`{builtin}()`")
        return
    qualname = ctx.qualname(func)
    if qualname in _EVALUATORS:
        expression = argument(node, 0, "expr") or keyword_value(node, "expression")
        if expression is None:
            return
        prepare(ctx, node)
        if not is_static(ctx, expression):
            yield RULE.finding(node, call=f"`{qualname}()`")
