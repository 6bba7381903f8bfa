"""BG106 script-path-execution: a package module run by file path."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional

from ...analysis.commands import script_in_argv, script_in_command
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG106",
    name="script-path-execution",
    message="`{path}` is run by file path",
    hint="run it as a module: `python -m {module}` (ASGI/WSGI servers: `{module}:app`)",
    rationale=(
        "Running a module of a package by its file path (`python src/main.py`) puts "
        "the file's directory, not the project root, on `sys.path`: the package's own "
        "imports then fail with `ModuleNotFoundError`, or relative imports fail with "
        "`attempted relative import with no known parent package`, and teams reach "
        "for `sys.path` hacks. `python -m src.main` (and `uvicorn src.main:app`) "
        "import the module as part of its package."
    ),
    bad=Example(
        "import subprocess\n\n"
        'subprocess.run(["python", "src/main.py"], check=True, timeout=60)\n'
    ),
    good=Example(
        "import subprocess\n\n"
        'subprocess.run(["python", "-m", "src.main"], check=True, timeout=60)\n'
    ),
    # A script path run by file path ends in ``.py`` in a string of the file.
    requires=(".py",),
)


def _module_of(path: str) -> str:
    if path.startswith("./"):
        path = path[2:]
    return path[: -len(".py")].replace("/", ".")


def _argv_word(ctx: FileContext, node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if ctx.qualname(node) == "sys.executable":
        return "sys.executable"
    return None


def _is_py_string(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.endswith(".py")
    )


@RULE.on(ast.List, ast.Tuple)
def _check_sequence(node: ast.expr, ctx: FileContext) -> Iterator[Finding]:
    elts = node.elts  # type: ignore[attr-defined]
    if len(elts) < 2 or not any(_is_py_string(elt) for elt in elts):
        return  # the script path is one of the strings, ending in ``.py``
    first = _argv_word(ctx, elts[0])
    if first is None:
        return
    argv: List[str] = []
    for elt in elts:
        word = _argv_word(ctx, elt)
        argv.append("<expr>" if word is None else word)
    path = script_in_argv(argv)
    if path:
        yield RULE.finding(node, path=path, module=_module_of(path))


@RULE.on(ast.Constant)
def _check_string(node: ast.Constant, ctx: FileContext) -> Optional[List[Finding]]:
    # A plain function, not a generator: it sees every constant of the file and
    # returns at once for nearly all of them.
    value = node.value
    if value.__class__ is not str or ".py" not in value or " " not in value:
        return None
    parent = ctx.parent(node)
    if isinstance(parent, ast.Expr):
        return None  # docstrings and bare strings are prose
    if isinstance(parent, (ast.List, ast.Tuple)):
        return None  # judged as an argv list
    path = script_in_command(value)
    if path:
        return [RULE.finding(node, path=path, module=_module_of(path))]
    return None
