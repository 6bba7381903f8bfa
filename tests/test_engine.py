"""The engine and FileContext: one walk, dispatch, aliases, BG000, deep nesting."""

from __future__ import annotations

import ast
from typing import Iterator, List

import pytest

from flake8_backend_guard.context import FileContext
from flake8_backend_guard.engine import Engine, check_source
from flake8_backend_guard.rule import REGISTRY, Example, Finding, Rule, RuleDeclarationError


def _ctx(source: str) -> FileContext:
    return FileContext(ast.parse(source))


def test_qualname_through_aliases() -> None:
    """Aliases and from-imports resolve to qualified names."""
    ctx = _ctx(
        "import subprocess as sp\n"
        "from os import system as run\n"
        "from yaml import load\n"
        "import os.path\n"
        "from . import models\n"
        "from ..db import session as s\n"
    )
    call = ast.parse("sp.run(x)").body[0].value  # type: ignore[attr-defined]
    assert ctx.call_name(call) == "subprocess.run"
    assert ctx.qualname(ast.parse("run").body[0].value) == "os.system"  # type: ignore
    assert ctx.qualname(ast.parse("load").body[0].value) == "yaml.load"  # type: ignore
    assert ctx.qualname(ast.parse("os.path.join").body[0].value) == "os.path.join"  # type: ignore
    assert ctx.qualname(ast.parse("models.User").body[0].value) == ".models.User"  # type: ignore
    assert ctx.qualname(ast.parse("s.query").body[0].value) == "..db.session.query"  # type: ignore
    assert ctx.qualname(ast.parse("cursor.execute").body[0].value) == "cursor.execute"  # type: ignore
    assert ctx.qualname(ast.parse("f().x").body[0].value) is None  # type: ignore


def test_imports_inside_try_and_if_are_known_up_front() -> None:
    """Module-level imports in try/if blocks count before the walk reaches them."""
    ctx = _ctx("try:\n    import cPickle as pickle\nexcept ImportError:\n    import pickle\n")
    assert ctx.aliases["pickle"] == "pickle"


def test_module_constants_bound_once() -> None:
    """Only names bound exactly once at module level are constants."""
    ctx = _ctx("A = 1\nB = 2\nB = 3\nC: int = 4\nD = 5\nD += 1\n(E, F) = (1, 2)\n")
    assert set(ctx.module_constants) == {"A", "C"}


def _make_rule(code: str, handler_types, func, leave=False) -> Rule:
    rule = Rule(
        code=code,
        name=f"test-rule-{code.lower()}",
        message="m",
        hint="h",
        rationale="r" * 100,
        bad=Example("x = 1\n"),
        good=Example("x = 1\n"),
    )
    REGISTRY.pop(code, None)  # test rules are not part of the catalogue
    register = rule.on_leave if leave else rule.on
    register(*handler_types)(func)
    return rule


def test_exception_becomes_one_bg000() -> None:
    """A crashing rule yields a single BG000 per file; other rules keep working."""

    def boom(node: ast.AST, ctx: FileContext) -> None:
        raise ValueError("kaput")

    def names(node: ast.Name, ctx: FileContext) -> Iterator[Finding]:
        yield RULE_OK.finding(node)

    rule_bad = _make_rule("BG398", (ast.Name,), boom)
    RULE_OK = _make_rule("BG399", (ast.Name,), names)
    findings = Engine([rule_bad, RULE_OK]).check(ast.parse("a = b\nc = d\n"))
    internal = [f for f in findings if f.code == "BG000"]
    assert len(internal) == 1
    assert "BG398" in internal[0].message and "ValueError" in internal[0].message
    assert sum(f.code == "BG399" for f in findings) == 4


def test_scopes_and_leave_order() -> None:
    """Handlers see the enclosing scope; leave handlers run after the children."""
    events: List[str] = []

    def enter(node: ast.AST, ctx: FileContext) -> None:
        name = getattr(node, "name", getattr(node, "id", "?"))
        scope = ctx.scopes[-1].name if ctx.scopes else "<module>"  # type: ignore
        events.append(f"enter {name} in {scope}")

    def leave(node: ast.AST, ctx: FileContext) -> None:
        events.append(f"leave {node.name}")  # type: ignore[attr-defined]

    r1 = _make_rule("BG397", (ast.FunctionDef, ast.Name), enter)
    r2 = _make_rule("BG396", (ast.FunctionDef,), leave, leave=True)
    Engine([r1, r2]).check(ast.parse("def f():\n    def g():\n        x\n    y\n"))
    assert events == [
        "enter f in <module>",
        "enter g in f",
        "enter x in g",
        "leave g",
        "enter y in f",
        "leave f",
    ]


def test_deep_nesting_does_not_recurse() -> None:
    """The walk is iterative: deeply nested trees do not hit the recursion limit."""
    depth = 5000
    pos = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 1}
    inner: ast.expr = ast.Name(id="x", ctx=ast.Load(), **pos)
    for _ in range(depth):
        inner = ast.UnaryOp(op=ast.Not(), operand=inner, **pos)
    tree = ast.Module(body=[ast.Expr(value=inner, **pos)], type_ignores=[])
    assert not [f for f in Engine().check(tree) if f.code == "BG000"]


def test_declaration_validation() -> None:
    """Bad declarations are refused at import time."""
    with pytest.raises(RuleDeclarationError):
        Rule(code="BX1", name="Bad Name", message="", hint="h", rationale="r",
             bad=Example(""), good=Example(""))
    with pytest.raises(RuleDeclarationError, match="CWE"):
        Rule(code="BG299", name="no-cwe", message="m", hint="h", rationale="r",
             bad=Example(""), good=Example(""))


def test_check_source_select() -> None:
    """check_source limits rules by prefix."""
    src = "import sys\nsys.path.append('x')\n"
    assert [f.code for f in check_source(src, select=["BG104"])] == ["BG104"]
    assert check_source(src, select=["BG3"]) == [] or all(
        f.code.startswith("BG3") for f in check_source(src, select=["BG3"])
    )


@pytest.mark.skipif(not hasattr(ast, "TypeAlias"), reason="PEP 695 needs Python 3.12")
def test_type_alias_name_is_walked_and_linked() -> None:
    """``type X = ...`` stores ``X`` in a Name node: walked, indexed and linked."""
    from flake8_backend_guard.context import node_fields, walk_nodes

    tree = ast.parse("type Alias = list[int]\n")
    alias = tree.body[0]
    assert "name" in node_fields(type(alias))
    names = [n for n in walk_nodes(tree) if isinstance(n, ast.Name)]
    assert alias.name in names  # type: ignore[attr-defined]
    ctx = FileContext(tree)
    assert ctx.parent(alias.name) is alias  # type: ignore[attr-defined]


def test_check_source_splits_lines_as_the_tokenizer_does() -> None:
    from flake8_backend_guard.fix import split_lines

    source = (
        "\x0cimport os\n\n\x0c\n"
        "def run(cmd):\n"
        "    os.system(cmd)  # a form feed: \x0c\n"
    )
    expected = Engine().check(ast.parse(source), "<unknown>", split_lines(source))
    assert check_source(source) == expected
    assert "BG202" in [f.code for f in expected]


def test_may_contain_word_part_is_case_insensitive_and_uses_the_engine_words() -> None:
    source = 'KEY = "AKIAIOSFODNN7EXAMPL3"  # caf\u00e9\n'
    ctx = FileContext(ast.parse(source), "a.py", [source])
    assert ctx.may_contain_word_part("akia", "nothing")
    assert not ctx.may_contain_word_part("ghp_", "xox")
    assert FileContext(ast.parse(source), "a.py", None).may_contain_word_part("ghp_")
    ctx = FileContext(ast.parse(source), "a.py", [source])
    ctx.words = {b"ghp_token"}  # as the engine hands them over
    assert ctx.may_contain_word_part("ghp_") and not ctx.may_contain_word_part("akia")


def test_checking_leaves_no_reference_cycle_behind() -> None:
    # The CLI keeps the cyclic collector paused for a whole run: a cycle through
    # a file's context would keep that file's tree alive until the end.
    import gc
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    paths = sorted((root / "tests" / "fixtures").rglob("*.py"))
    paths += sorted((root / "examples").rglob("*.py"))
    sources = [(str(p), p.read_text("utf-8")) for p in paths]
    engine = Engine()
    for path, text in sources:  # warm the per-process caches first
        engine.check(ast.parse(text), path, text.splitlines(True))
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for path, text in sources:
            engine.check(ast.parse(text), path, text.splitlines(True))
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_may_contain_consults_the_word_index_when_the_engine_built_it() -> None:
    """A word with a run of word characters in no word of the file is absent
    without a text search; present words are still searched as written."""
    import ast as _ast

    from flake8_backend_guard.context import FileContext, word_index

    text = "KEY = 'x'\nprivate = 1\n"
    ctx = FileContext(_ast.parse(text), "m.py", text.splitlines(True))
    ctx.word_index = word_index(text)
    assert ctx.may_contain("PRIVATE KEY") is False  # both runs exist, not the phrase
    assert ctx.may_contain("BEGIN KEY") is False  # "begin" is in no word
    assert ctx.may_contain("KEY =") is True
    assert ctx.may_contain("Key") is False  # case-sensitive in the text


_WALK_SAMPLE = '''
import os, sys as system
from . import sibling
@decorator(arg=1)
async def handler(a, /, b: int = 2, *args, c, d=None, **kw) -> "Result":
    """Doc."""
    global counter
    x = {1: 2, **kw}
    y = [i async for i in aiter() if i] + [*args]
    z = lambda q, *, r=1: (yield from q) if r else f"{q!r:>{r}}"
    async with open(a) as f, lock:
        del x[1:2:3], y
    try:
        pass
    except (ValueError, TypeError) as err:
        raise RuntimeError(err) from None
    else:
        assert b, "message"
    finally:
        return not -a < b <= c is not d
    match command:
        case {"k": [1, *rest]} | Point(x=0, y=_) as p if p:
            pass
        case None | True:
            nonlocal_name = ...
    while (n := next(it)):
        break
    for i, (j, k) in enumerate(pairs):
        continue
    else:
        print(*args, sep="")
class Model(Base, metaclass=Meta):
    field: int = 0
    items = {k: v for k, v in {}.items()}
    s = {e for e in ()}
    g = (e for e in ())
    def m(self): return self[0], self.attr, ~a ** b @ c
'''


def _reference_parents(tree: ast.AST) -> dict:
    # What the walk must link: every child node from ast.iter_child_nodes, but
    # expression contexts and operators (which it skips unless a rule wants them).
    singletons = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, singletons):
                parents[child] = node
    return parents


def test_the_walk_links_every_node_to_its_parent() -> None:
    """The walk records the parent of every node ``ast.walk`` reaches."""
    # The walk pushes children with code generated per node class from the
    # classes' ASDL signatures: it must reach exactly the nodes ast.walk reaches.
    tree = ast.parse(_WALK_SAMPLE)
    ctx = FileContext(tree, "sample.py", _WALK_SAMPLE.splitlines(True))
    Engine([])._walk(ctx)
    expected = _reference_parents(tree)
    assert ctx.parents.keys() == expected.keys()
    assert all(ctx.parents[child] is parent for child, parent in expected.items())


def test_a_node_built_by_hand_without_its_fields_is_walked_generically() -> None:
    """A node missing a field is walked as the generic loop would, once."""
    # A node built without one of its list fields has no attribute for it: the
    # generated pusher fails half-way, and the walk takes back what it
    # pushed and reads the fields one by one (no duplicate, nothing lost).
    inner = ast.Call(func=ast.Name(id="eval", ctx=ast.Load()), args=[], keywords=[])
    call = ast.Call(func=ast.Name(id="f", ctx=ast.Load()), args=[inner])  # no keywords
    if "keywords" in vars(call):
        del call.keywords  # Python 3.13+ fills in omitted list fields
    ret = ast.Return()  # ``value`` may be a class-level default only
    # ``left`` missing: its pusher has pushed ``right`` when it fails
    later = ast.Call(func=ast.Name(id="h", ctx=ast.Load()), args=[], keywords=[])
    binop = ast.BinOp(op=ast.Add(), right=later)
    func = ast.FunctionDef(
        name="g",
        args=ast.arguments(
            posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
        ),
        body=[ast.Expr(value=call), ast.Expr(value=binop), ret],
        decorator_list=[],
    )
    tree = ast.Module(body=[func], type_ignores=[])
    ast.fix_missing_locations(tree)
    seen: List[ast.AST] = []
    rule = _make_rule("BG398", (ast.Call,), lambda node, ctx: seen.append(node))
    ctx = FileContext(tree, "hand.py", None)
    Engine([rule])._walk(ctx)
    assert seen == [call, inner, later]
    assert ctx.parents[inner] is call and ctx.parents[call.func] is call
    assert ctx.parents[later] is binop


@pytest.mark.parametrize(
    "template, fields",
    [
        ("parameter `{param}` of `{func}`; annotate `{param}: <type>`", {"param": "a", "func": "f"}),
        ("no field {{ at }} all", {}),
        ("{x!r} and {x:>6} and {y!s}", {"x": "v", "y": 3}),
        ("quotes ' \" and a backslash \\ around {x}", {"x": 1}),
        ("unused fields are ignored: {x}", {"x": 1, "extra": 2}),
        ("{0} and {x.attr} keep str.format", None),
    ],
)
def test_compiled_message_templates_render_as_str_format(
    template: str, fields: object
) -> None:
    """A rule's message template compiled into an f-string renders like format."""
    from flake8_backend_guard.rule import _compile_template

    render = _compile_template(template)
    if fields is None:
        assert render == template.format  # not compiled: str.format itself
        return
    assert isinstance(fields, dict)
    assert render(**fields) == template.format(**fields)


def test_every_declared_template_is_compiled() -> None:
    """All catalogue messages take the fast path, and render as before."""
    for rule in REGISTRY.values():
        if not rule.code.startswith("BG39"):
            assert rule._render.__name__ == "render", rule.code
