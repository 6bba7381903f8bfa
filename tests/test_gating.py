"""Per-file rule gating and keyed dispatch never change a finding.

The engine skips rules whose ``requires`` words are absent from a file and calls
keyed handlers only for their names; ``Engine(gating=False)`` calls everything.
Both must report exactly the same findings on every fixture and example.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from flake8_backend_guard.engine import Engine
from flake8_backend_guard.rule import Example, Rule, RuleDeclarationError, all_rules

ROOT = Path(__file__).resolve().parent.parent


def _sources() -> List[Path]:
    paths = sorted((ROOT / "tests" / "fixtures").rglob("*.py"))
    paths += sorted((ROOT / "examples").rglob("*.py"))
    return paths


def _check(engine: Engine, path: Path) -> List[Tuple[int, int, str, str]]:
    text = path.read_text("utf-8")
    tree = ast.parse(text)
    return [
        (f.line, f.col, f.code, f.message)
        for f in engine.check(tree, str(path), text.splitlines(True))
    ]


def test_gating_changes_no_finding_on_fixtures_and_examples() -> None:
    gated = Engine(all_rules())
    full = Engine(all_rules(), gating=False)
    paths = _sources()
    assert len(paths) > 80
    compared = 0
    for path in paths:
        assert _check(gated, path) == _check(full, path), str(path)
        compared += 1
    assert compared == len(paths)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_gating_changes_no_finding_on_catalogue_examples(
    rule: Rule, tmp_path: Path
) -> None:
    gated = Engine([rule])
    full = Engine([rule], gating=False)
    for index, example in enumerate((rule.bad, rule.good)):
        base = tmp_path / str(index)
        for rel, content in example.files:
            target = base / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, "utf-8")
        path = base / example.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example.code, "utf-8")
        assert _check(gated, path) == _check(full, path)


def test_every_requires_word_list_is_consistent_with_the_bad_example() -> None:
    # A rule cannot report in a file without its words; its bad example reports.
    for rule in all_rules():
        if rule.requires:
            text = rule.bad.code
            assert any(word in text for word in rule.requires), rule.code


def _rule(code: str, **kwargs: object) -> Rule:
    return Rule(
        code=code,
        name="probe",
        message="m",
        hint="h",
        rationale="r",
        bad=Example("x = 1\n"),
        good=Example("x = 1\n"),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture()
def scratch_registry() -> Iterator[None]:
    from flake8_backend_guard.rule import REGISTRY

    before = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(before)


def test_requires_skips_files_without_the_words(scratch_registry: None) -> None:
    rule = _rule("BG398", requires=("needle",))
    seen: List[str] = []

    @rule.on(ast.Module)
    def _module(node: ast.Module, ctx: object) -> None:
        seen.append("module")

    engine = Engine([rule])
    engine.check(ast.parse("x = 1\n"), "a.py", ["x = 1\n"])
    assert seen == []
    engine.check(ast.parse("needle = 1\n"), "a.py", ["needle = 1\n"])
    assert seen == ["module"]
    engine.check(ast.parse("x = 1\n"), "a.py", None)  # text unknown: runs
    assert seen == ["module", "module"]
    Engine([rule], gating=False).check(ast.parse("x = 1\n"), "a.py", ["x = 1\n"])
    assert seen == ["module"] * 3


def _check_both_ways(rule: Rule, source: str, seen: List[str]) -> List[str]:
    # Check ``source`` with the gated engine (its handlers fill ``seen``), then
    # with the ungated one; return what the ungated run added to ``seen``.
    Engine([rule]).check(ast.parse(source), "a.py", source.splitlines(True))
    gated = len(seen)
    Engine([rule], gating=False).check(ast.parse(source), "a.py", None)
    ungated = seen[gated:]
    del seen[gated:]
    return ungated


def test_requires_words_match_case_insensitively_inside_words(
    scratch_registry: None,
) -> None:
    rule = _rule("BG398", requires=("jwt", ".py"))
    engine = Engine([rule])
    for text in ("import PyJWT\n", "JWT_SECRET = 1\n", "x = 'jwt'  # \u00e9\n"):
        assert engine.active_codes(text) == {"BG398"}, text
    assert engine.active_codes("run('app.py')\n") == {"BG398"}
    # words of other characters are matched as written: ".PY" is not ".py"
    for text in ("j_w_t = 1\n", "x = 'APP.PY'\n", "jw t\n", "\u00e9jw\u00e9t\n"):
        assert engine.active_codes(text) == frozenset(), text


def test_word_index_holds_each_distinct_word_once() -> None:
    from flake8_backend_guard.context import word_index

    index = word_index("Foo = foo + BAR_1\n# caf\u00e9: b\u00e4r\n")
    assert sorted(index.split()) == [b"b", b"bar_1", b"caf", b"foo", b"r"]
    assert word_index("") == b""
    assert b"x" in word_index("x\ud800y")  # a lone surrogate does not raise


def test_keyed_handlers_see_only_their_names(scratch_registry: None) -> None:
    rule = _rule("BG397")
    calls: List[str] = []
    names: List[str] = []
    attrs: List[str] = []
    keywords: List[str] = []

    @rule.on(ast.Call, names={"system", "run"})
    def _call(node: ast.Call, ctx: object) -> None:
        calls.append(ast.unparse(node.func))

    @rule.on(ast.Name, names={"CERT_NONE"})
    def _name(node: ast.Name, ctx: object) -> None:
        names.append(node.id)

    @rule.on(ast.Attribute, names={"verify"})
    def _attr(node: ast.Attribute, ctx: object) -> None:
        attrs.append(node.attr)

    @rule.on_leave(ast.keyword, names={"shell"})
    def _keyword(node: ast.keyword, ctx: object) -> None:
        keywords.append(str(node.arg))

    source = (
        "import os\n"
        "from subprocess import run as go\n"
        "from ssl import CERT_NONE as NONE\n"
        "os.system('x'); go(['x'], shell=True); print('y', **opts)\n"
        "os.getcwd(); f()(); s.verify = NONE; CERT_NONE; other\n"
    )
    Engine([rule]).check(ast.parse(source), "a.py", source.splitlines(True))
    assert calls == ["os.system", "go"]
    assert names == ["NONE", "CERT_NONE"]
    assert attrs == ["verify"]
    assert keywords == ["shell"]


def test_assignments_are_keyed_on_the_name_they_bind(scratch_registry: None) -> None:
    rule = _rule("BG397")
    seen: List[str] = []

    @rule.on(ast.Assign, ast.AnnAssign, names=lambda name, config: "secret" in name)
    def _assign(node: ast.stmt, ctx: object) -> None:
        seen.append(ast.unparse(node))

    source = (
        "a = 1\n"
        "my_secret = 2\n"
        "obj.secret_key = 3\n"
        "obj.other = 4\n"
        "x, y = 5, 6\n"  # no single name: every keyed handler sees it
        "d['k'] = 7\n"
        "p = q = 8\n"
        "secret: str = 'v'\n"
        "plain: int = 9\n"
    )
    ungated = _check_both_ways(rule, source, seen)
    assert seen == [
        "my_secret = 2",
        "obj.secret_key = 3",
        "x, y = (5, 6)",
        "d['k'] = 7",
        "p = q = 8",
        "secret: str = 'v'",
    ]
    assert len(ungated) == 9


def test_keyed_handlers_are_left_out_of_files_without_their_names(
    scratch_registry: None,
) -> None:
    rule = _rule("BG394")
    seen: List[str] = []

    @rule.on(ast.Name, names={"CERT_NONE"})
    def _name(node: ast.Name, ctx: object) -> None:
        seen.append(node.id)

    @rule.on(ast.Call, names=lambda name, config: name.startswith("get"))
    def _call(node: ast.Call, ctx: object) -> None:
        seen.append("call")

    engine = Engine([rule])
    without = "x = y + z\n"
    active, absent = engine._plan(without)[:2]
    assert active == {"BG394"}
    assert absent == {(ast.Name, _name)}  # predicates are never left out
    tables, _inactive = engine._tables_for(active, absent)
    assert ast.Name not in tables.enter_keyed and ast.Name in tables.quiet
    source = "import ssl\nmode = ssl.CERT_NONE if x else CERT_NONE\nget()\n"
    assert engine._plan(source)[1] == frozenset()
    engine.check(ast.parse(source), "a.py", source.splitlines(True))
    assert seen == ["CERT_NONE", "call"]


def test_calls_can_be_keyed_on_their_keyword_arguments(scratch_registry: None) -> None:
    rule = _rule("BG393")
    seen: List[str] = []

    @rule.on(ast.Call, names={"run"}, keywords={"verify"})
    def _either(node: ast.Call, ctx: object) -> None:
        seen.append("either:" + ast.unparse(node))

    @rule.on(ast.Call, keywords=lambda name, config: name.endswith("_key"))
    def _keywords_only(node: ast.Call, ctx: object) -> None:
        seen.append("kw:" + ast.unparse(node))

    source = (
        "from subprocess import run as go\n"
        "go()\n"
        "get(url, verify=False)\n"
        "f(x, api_key=k, **extra)\n"
        "g(x)\n"
        "h(**extra)\n"
    )
    ungated = _check_both_ways(rule, source, seen)
    assert seen == [
        "either:go()",
        "either:get(url, verify=False)",
        "kw:f(x, api_key=k, **extra)",
    ]
    assert len(ungated) == 10  # both handlers on all five calls
    with pytest.raises(RuleDeclarationError):
        rule.on(ast.Name, keywords={"x"})
    with pytest.raises(RuleDeclarationError):
        rule.on(ast.Call, keywords="verify")
    # calls are entered anyway: their keyed handlers are never left out of a
    # file's tables (only those of names are, see the test below)
    assert Engine([rule])._plan("x = 1\n")[1] == frozenset()


def test_an_assigned_imported_name_is_keyed_on_what_it_was_imported_as() -> None:
    from flake8_backend_guard.engine import check_source

    source = "from sys import path as p\np = ['lib']\n"
    gated = check_source(source, select=["BG104"])
    assert [f.code for f in gated] == ["BG104"]
    assert gated == check_source(source, select=["BG104"], gating=False)


def test_every_keyed_type_has_one_way_to_find_its_handlers() -> None:
    from flake8_backend_guard.engine import _KEY_OF
    from flake8_backend_guard.rule import KEYED_TYPES

    assert set(_KEY_OF) == set(KEYED_TYPES)


def test_keyed_registration_is_validated(scratch_registry: None) -> None:
    rule = _rule("BG396")
    with pytest.raises(RuleDeclarationError):
        rule.on(ast.AugAssign, names={"x"})
    with pytest.raises(RuleDeclarationError):
        rule.on(ast.Call, names="system")
    with pytest.raises(RuleDeclarationError):
        _rule("BG395", requires="word")


def test_shared_keyed_lists_skip_the_rules_a_file_leaves_out(
    scratch_registry: None,
) -> None:
    """A keyed list shared by all files never calls a rule gated out of a file."""
    gated_out = _rule("BG396", requires=("needle",))
    always = _rule("BG397")
    seen: List[str] = []

    @gated_out.on(ast.Call, names={"run"})
    def _gated_call(node: ast.Call, ctx: object) -> None:
        seen.append("BG396 " + ast.unparse(node))

    @always.on(ast.Call, names={"run"})
    def _call(node: ast.Call, ctx: object) -> None:
        seen.append("BG397 " + ast.unparse(node))

    engine = Engine([gated_out, always])
    for source in ("run(needle)\n", "run(x)\n", "run(needle)\nrun(y)\n"):
        engine.check(ast.parse(source), "a.py", source.splitlines(True))
    # BG396 is only ever in keyed lists that BG397 keeps in every file: whether it
    # is active changes no dispatch table, so all files share one.
    assert engine._shared_only == {"BG396"}
    assert len({id(tables) for tables, _skipped in engine._planned.values()}) == 1
    assert len(engine._planned) == 2  # two active sets, one table
    assert seen == [
        "BG396 run(needle)",
        "BG397 run(needle)",
        "BG397 run(x)",
        "BG396 run(needle)",
        "BG397 run(needle)",
        "BG396 run(y)",
        "BG397 run(y)",
    ]
