"""Unit tests of the standalone command's parts: noqa, selection, config, fixes,
launch files, serializers and the overlap table."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import List, Optional

import pytest

from flake8_backend_guard import launchers, noqa
from flake8_backend_guard.baseline import (
    filter_baseline,
    keyed,
    load_baseline,
    write_baseline,
)
from flake8_backend_guard.cache import (
    Cache,
    Facts,
    diagnostic_from_data,
    diagnostic_to_data,
)
from flake8_backend_guard.config import (
    ConfigError,
    Selection,
    discover,
    matches_path,
    per_file_ignores,
    rule_codes,
    settings_from_table,
)
from flake8_backend_guard.fix import SourceFile, apply_fixes, fix_for
from flake8_backend_guard.project import clear_caches, module_info
from flake8_backend_guard.report import (
    Diagnostic,
    Edit,
    Fix,
    ReportContext,
    new_diagnostic,
    serializer,
)
from flake8_backend_guard.report.github import annotation, escape_data, escape_property
from flake8_backend_guard.report.overlaps import ruff_overlap_table, split_overlaps
from flake8_backend_guard.rule import Finding, all_rules
from helpers import write_tree

# ---- noqa ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, code, suppressed",
    [
        ("x = 1  # noqa\n", "BG201", True),
        ("x = 1  # NOQA\n", "BG201", True),
        ("x = 1  # noqa: BG201\n", "BG201", True),
        ("x = 1  # noqa:BG201,BG202\n", "BG202", True),
        ("x = 1  # noqa: BG201 BG202\n", "BG202", True),
        ("x = 1  # noqa: BG2\n", "BG201", True),
        ("x = 1  # noqa: E501\n", "BG201", False),
        ("x = 1  # noqa : BG201\n", "BG201", True),  # flake8: a blanket noqa
        ("x = 1  # noqa:  BG201\n", "BG999", True),  # two spaces: blanket too
        ("x = 1  # not a noqa\n", "BG201", False),
        ("x = 1\n", "BG201", False),
    ],
)
def test_noqa_like_flake8(line: str, code: str, suppressed: bool) -> None:
    """Inline noqa comments follow flake8's regular expression and prefix rule."""
    assert noqa.is_suppressed(code, line) is suppressed


def test_noqa_multiline_string_shares_the_comment() -> None:
    """A noqa after a multi-line string applies to every line of the token run."""
    lines = ['x = call("""\n', "a\n", '""")  # noqa: BG201\n', "y = 2  # noqa\n"]
    findings = [
        Finding(1, 0, "BG201", "m"),
        Finding(1, 0, "BG202", "m"),
        Finding(4, 0, "BG1", "m"),
    ]
    kept = noqa.filter_findings(findings, lines)
    assert [f.code for f in kept] == ["BG202"]


def test_noqa_parenthesised_lines_do_not_share() -> None:
    """Lines inside brackets end with NL tokens: each keeps its own comment."""
    lines = ["x = f(\n", "    1,  # noqa\n", ")\n"]
    kept = noqa.filter_findings(
        [Finding(1, 0, "BG201", "m"), Finding(2, 4, "BG201", "m")], lines
    )
    assert [f.line for f in kept] == [1]


def test_file_level_noqa() -> None:
    """``# flake8: noqa`` alone on a line skips the file; after code it does not."""
    assert noqa.file_is_skipped(["# flake8: noqa\n", "x = 1\n"])
    assert not noqa.file_is_skipped(["x = 1  # flake8: noqa\n"])


# ---- selection and configuration --------------------------------------------------


def test_selection_default_and_longest_prefix() -> None:
    """flake8's decision: implicit BG selection, explicit prefixes, longest wins."""
    default = Selection(None)
    assert default.is_selected("BG201") and not default.is_selected("E501")
    assert not Selection(None, ["BG2"]).is_selected("BG201")
    assert Selection(None, ["BG2"]).is_selected("BG101")
    assert Selection(["BG2"]).is_selected("BG201") and not Selection(
        ["BG2"]
    ).is_selected("BG101")
    # an explicit ignore beats the implicit default selection, even a shorter one
    assert not Selection(None, ["B"]).is_selected("BG201")
    # extend-select = BG beats ignore = B (longer explicit prefix)
    assert Selection(None, ["B"], ["BG"]).is_selected("BG201")
    assert Selection(["BG"], ["BG201"]).is_selected("BG202")
    assert not Selection(["BG"], ["BG201"]).is_selected("BG201")
    assert Selection(["BG201"], ["BG2"]).is_selected("BG201")
    assert not Selection(["BG2"], ["BG2"]).is_selected("BG201")  # a tie ignores
    assert not Selection(["BG"]).with_ignores(["BG3"]).is_selected("BG301")


def test_rule_codes_without_loading_the_rules() -> None:
    """The codes read from the rule modules' file names are the registered ones."""
    assert rule_codes() == [r.code for r in all_rules()]


def test_discover_excludes(tmp_path: Path) -> None:
    """Plain names, globs and rooted patterns prune directories and files."""
    write_tree(
        tmp_path,
        {
            "a.py": "",
            "build/b.py": "",
            "src/build/c.py": "",
            "src/d_test.py": "",
            "src/keep/e.py": "",
            "docs/conf.py": "",
            "Dockerfile": "",
            "README.md": "",
        },
    )
    found = discover(
        [str(tmp_path)],
        ["build", " *_test.py ", "docs/", "x/[ab]"],
        str(tmp_path),
        launchers.launcher_kind,
    )
    assert [os.path.relpath(p, tmp_path) for p in found.python] == [
        "a.py",
        os.path.join("src", "keep", "e.py"),
    ]
    assert [os.path.basename(p) for p in found.launchers] == ["Dockerfile"]


def test_per_file_ignores_forms() -> None:
    """TOML tables, flake8 strings and lists of pattern:codes are accepted."""
    assert per_file_ignores("x", {"tests/*": ["BG206"]}) == [("tests/*", ["BG206"])]
    parsed = per_file_ignores("x", "tests/*:BG206,BG219 scripts/*.py:BG314")
    assert parsed == [("tests/*", ["BG206", "BG219"]), ("scripts/*.py", ["BG314"])]
    assert per_file_ignores("x", ["a.py:BG1", "b.py:BG2"]) == [
        ("a.py", ["BG1"]),
        ("b.py", ["BG2"]),
    ]
    assert per_file_ignores("x", "a.py,b.py:BG1") == [
        ("a.py", ["BG1"]),
        ("b.py", ["BG1"]),
    ]
    with pytest.raises(ConfigError):
        per_file_ignores("x", "a.py")
    with pytest.raises(ConfigError):
        per_file_ignores("x", {"a.py": ["not a code"]})


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        ("build", "build/x.py", True),
        ("build", "src/build/x.py", True),
        ("build", "src/builder/x.py", False),
        ("*.pyc", "a/b.pyc", True),
        ("tests/fixtures", "tests/fixtures/BG1.py", True),
        ("tests/fixtures/", "tests/fixtures", True),
        ("./tests/fixtures", "tests/fixtures/x/y.py", True),
        ("tests/fixtures", "other/tests/fixtures/x.py", False),
        ("src/*/migrations", "src/app/migrations/0001.py", True),
        ("migrations", "src/app/migrations/0001.py", True),
    ],
)
def test_exclude_patterns(pattern: str, path: str, expected: bool) -> None:
    """Patterns without a slash match a component, with a slash a root prefix."""
    assert matches_path(pattern, path) is expected


def test_settings_validation() -> None:
    """Unknown keys and bad values name the key in one line."""
    settings = settings_from_table(
        {"select": ["BG1"], "bg-max-token-lifetime": 1800, "output-format": "json"},
        "/r",
        "pyproject.toml",
    )
    assert settings.select == ["BG1"] and settings.options == {
        "bg-max-token-lifetime": 1800
    }
    for table, word in (
        ({"selct": ["BG1"]}, "selct"),
        ({"output-format": "xml"}, "output-format"),
        ({"select": "BG1, bad!"}, "select"),
        ({"max-token-lifetime": 5}, "max-token-lifetime"),
    ):
        with pytest.raises(ConfigError) as info:
            settings_from_table(table, "/r", "pyproject.toml")
        assert word in str(info.value) and "\n" not in str(info.value)


# ---- fixes --------------------------------------------------------------------------


def _fix(
    tmp_path: Path,
    rel: str,
    source: str,
    code: str,
    line: int,
    col: int,
    files: Optional[dict] = None,
) -> Optional[str]:
    clear_caches()
    tree_files = dict(files or {})
    tree_files[rel] = source
    write_tree(tmp_path, tree_files)
    path = tmp_path / rel
    text = path.read_text(encoding="utf-8")
    source_file = SourceFile(str(path), text, ast.parse(text))
    fix = fix_for(source_file, Finding(line, col, code, "m"))
    if fix is None:
        return None
    new, applied = apply_fixes(text, [fix])
    assert applied == [fix]
    return new


PACKAGE = {"app/__init__.py": "", "app/api/__init__.py": "", "app/db/__init__.py": ""}


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "from app.db.models import User as U\n",
            "from ..db.models import User as U\n",
        ),
        ("from app.api.deps import get_db\n", "from .deps import get_db\n"),
        ("from app import db\n", "from .. import db\n"),
        (
            "from app.db.models import (\n    A,\n    B,\n)\n",
            "from ..db.models import (\n    A,\n    B,\n)\n",
        ),
        ("import app.db.models as m\n", "from ..db import models as m\n"),
        ("import app.db.models as models\n", "from ..db import models\n"),
        (
            "import app.db as database  # why\n",
            "from .. import db as database  # why\n",
        ),
        ("if True:\n    from app.db import x\n", "if True:\n    from ..db import x\n"),
    ],
)
def test_fix_bg101(tmp_path: Path, source: str, expected: str) -> None:
    """Absolute internal imports become the equivalent relative import."""
    line = 2 if source.startswith("if") else 1
    col = 4 if source.startswith("if") else 0
    assert (
        _fix(tmp_path, "app/api/routes.py", source, "BG101", line, col, PACKAGE)
        == expected
    )


@pytest.mark.parametrize(
    "source",
    [
        "import app.db.models\n",  # binds `app`: uses would change
        "import app as a\n",  # the package itself has no relative module form
        "import app.db as d, app.api as a\n",  # several names: left alone
        "import requests\n",
        "from . import x\n",
    ],
)
def test_no_fix_bg101(tmp_path: Path, source: str) -> None:
    """Imports without an equivalent relative form get no fix."""
    assert _fix(tmp_path, "app/api/routes.py", source, "BG101", 1, 0, PACKAGE) is None


def test_no_fix_bg101_outside_package(tmp_path: Path) -> None:
    """A file outside a package is not rewritten."""
    assert (
        _fix(tmp_path, "script.py", "from app.db import x\n", "BG101", 1, 0, PACKAGE)
        is None
    )


@pytest.mark.parametrize(
    "source, col, expected",
    [
        ("import yaml\nx = yaml.load(s)\n", 4, "import yaml\nx = yaml.safe_load(s)\n"),
        (
            "import yaml as y\nx = y.load(s)\n",
            4,
            "import yaml as y\nx = y.safe_load(s)\n",
        ),
        (
            "import yaml\nfrom yaml import load\nx = load(s)\n",
            4,
            "import yaml\nfrom yaml import load\nx = yaml.safe_load(s)\n",
        ),
        (
            "from yaml import load, safe_load\nx = load(s)\n",
            4,
            "from yaml import load, safe_load\nx = safe_load(s)\n",
        ),
    ],
)
def test_fix_bg204(tmp_path: Path, source: str, col: int, expected: str) -> None:
    """``yaml.load(x)`` without a Loader becomes ``yaml.safe_load(x)``."""
    line = source.count("\n")
    assert _fix(tmp_path, "m.py", source, "BG204", line, col) == expected


@pytest.mark.parametrize(
    "source",
    [
        "import yaml\nx = yaml.load(s, Loader=yaml.Loader)\n",
        "from yaml import load\nx = load(s)\n",  # nothing safe imported: left alone
        "import pickle\nx = pickle.load(s)\n",
        "yaml = make()\nx = yaml.load(s)\n",  # not PyYAML
    ],
)
def test_no_fix_bg204(tmp_path: Path, source: str) -> None:
    """Calls with a Loader, non-yaml loads and unresolvable names are left alone."""
    assert _fix(tmp_path, "m.py", source, "BG204", 2, 4) is None


@pytest.mark.parametrize(
    "expression, expected",
    [
        ('"a {} b".format(x)', 'f"a {x} b"'),
        ("'{0}-{1}'.format(a, b.c)", "f'{a}-{b.c}'"),
        ('"{name}: {0!r:>10}".format(v, name=n)', 'f"{n}: {v!r:>10}"'),
        ('"{{literal}} {}".format(x)', 'f"{{literal}} {x}"'),
        ('"{0.attr}".format(obj)', 'f"{obj.attr}"'),
        ('"{0}{0}".format(x)', 'f"{x}{x}"'),
        ('"hello %s, %r" % (a, b)', 'f"hello {a!s}, {b!r}"'),
        ('"100%% {x} %s" % (a,)', 'f"100% {{x}} {a!s}"'),
        ('r"\\d+ %s" % (a,)', 'rf"\\d+ {a!s}"'),
        ('"tab\\t{}".format(x)', 'f"tab\\t{x}"'),
    ],
)
def test_fix_bg312(tmp_path: Path, expression: str, expected: str) -> None:
    """Simple ``%`` and ``.format`` strings become equivalent f-strings."""
    source = f"value = {expression}\n"
    result = _fix(tmp_path, "m.py", source, "BG312", 1, 8)
    assert result == f"value = {expected}\n"
    names = {"x": 1, "a": "A", "v": 2, "n": "N", "obj": type("O", (), {"attr": 3})}
    names["b"] = type("B", (), {"c": 4})
    assert eval(expression, dict(names)) == eval(expected, dict(names))  # noqa: BG205


@pytest.mark.parametrize(
    "expression",
    [
        '"%d" % (x,)',  # %d of a float differs
        '"%s" % x',  # x may be a tuple
        '"%(a)s" % d',
        '"%5s" % (x,)',
        '"{}".format(f(x))',  # a call may have side effects
        '"{}".format("q")',
        '"{0[key]}".format(d)',
        '"{} {1}".format(a, b)',  # mixed numbering raises at run time
        '"{}".format(a, b)',  # an unused argument
        '"{0}{0}".format(a.b)',  # an attribute evaluated twice
        '"{:{w}}".format(x, w=3)',
        '"a" "{}".format(x)',  # implicit concatenation
        '"""{}""".format(x)',
        '"\\x7b{}".format(x)',  # an escape that is a brace
        '"{}".format(*args)',
        '"{x}".format(**kw)',
        'b"%s" % (x,)',
    ],
)
def test_no_fix_bg312(tmp_path: Path, expression: str) -> None:
    """Anything whose meaning could change is left alone."""
    assert _fix(tmp_path, "m.py", f"value = {expression}\n", "BG312", 1, 8) is None


def test_no_fix_bg312_multiline(tmp_path: Path) -> None:
    """A call spanning lines is left alone."""
    source = 'value = "{}".format(\n    x,\n)\n'
    assert _fix(tmp_path, "m.py", source, "BG312", 1, 8) is None


def test_fix_bg102_creates_init(tmp_path: Path) -> None:
    """BG102's fix is an edit that creates the missing ``__init__.py``."""
    clear_caches()
    write_tree(tmp_path, {"app/__init__.py": "", "app/sub/mod.py": "x = 1\n"})
    path = tmp_path / "app" / "sub" / "mod.py"
    source = SourceFile(str(path), "x = 1\n", ast.parse("x = 1\n"))
    fix = fix_for(source, Finding(1, 0, "BG102", "m"))
    assert fix is not None
    assert fix.edits[0].filename == str(tmp_path / "app" / "sub" / "__init__.py")


def test_find_skips_other_statements_but_not_decorators() -> None:
    """The node lookup gives the full-index answer, also inside decorators."""
    source = textwrap.dedent("""\
        import os

        @route("/%s" % name)
        @other
        def f():
            if x:
                y = "{}".format(a); z = "%s" % (b,)
            return g("{}".format(c))


        class C:
            @property
            def p(self): return "%s" % (d,)
        """)
    tree = ast.parse(source)
    source_file = SourceFile("m.py", source, tree)
    reference = SourceFile("m.py", source, tree)

    def formatting(node: ast.AST) -> bool:
        return isinstance(node, (ast.Call, ast.BinOp))

    positions = {
        (n.lineno, n.col_offset)
        for n in ast.walk(tree)
        if isinstance(n, ast.expr) and hasattr(n, "end_lineno")
    }
    positions |= {(7, 0), (13, 99), (99, 0)}  # no exact node: the nearest holder
    for line, col in sorted(positions):
        finding = Finding(line, col, "BG312", "m")
        expected = reference._find_in_index(finding, formatting)
        assert source_file.find(finding, formatting) is expected, (line, col)
    decorator = source_file.find(Finding(3, 7, "BG312", "m"), formatting)
    assert isinstance(decorator, ast.BinOp) and decorator.lineno == 3


def test_apply_fixes_drops_overlaps_and_unparsable() -> None:
    """Overlapping fixes wait for the next round; a fix that breaks parsing goes."""
    text = "a = 1\nb = 2\n"
    first = Fix("one", (Edit(1, 4, 1, 5, "10"),))
    overlapping = Fix("two", (Edit(1, 4, 1, 5, "20"),))
    broken = Fix("three", (Edit(2, 4, 2, 5, "("),))
    new, applied = apply_fixes(text, [first, overlapping, broken])
    assert new == "a = 10\nb = 2\n" and applied == [first]


# ---- launch files -------------------------------------------------------------------


def _codes_lines(findings: List[Finding]) -> List[int]:
    assert all(f.code == "BG106" for f in findings)
    return [f.line for f in findings]


def test_dockerfile_forms() -> None:
    """Exec and shell forms, continuations, comments, ENTRYPOINT + CMD, noqa."""
    text = textwrap.dedent("""\
        # syntax=docker/dockerfile:1
        FROM python:3.12 AS build
        RUN --mount=type=cache,target=/root/.cache pip install . && \\
            # a comment inside a continuation
            python scripts/migrate.py
        CMD ["python", "src/main.py"]
        CMD python -m src.main
        CMD ["python", "-m", "src.main"]
        HEALTHCHECK --interval=5s CMD python health/check.py
        # noqa: BG106
        CMD ["python", "tools/run.py"]
        CMD uvicorn src/app.py  # noqa: BG106
        FROM python:3.12
        ENTRYPOINT ["python"]
        CMD ["app/run.py"]
        EXPOSE 8000
        """)
    findings = launchers.check_launcher("Dockerfile", text)
    assert _codes_lines(findings) == [5, 6, 9, 15]
    assert findings[1].col == text.splitlines()[5].index("src/main.py")
    assert "src.main" in findings[1].message


def test_dockerfile_escape_directive() -> None:
    """The ``escape`` parser directive changes the continuation character."""
    text = "# escape=`\nFROM x\nRUN echo hi && `\n    python src/main.py\n"
    assert _codes_lines(launchers.check_launcher("Dockerfile.prod", text)) == [4]


def test_procfile() -> None:
    """Procfile process lines; comments and noqa."""
    text = "web: python src/main.py\nworker: celery -A app worker\n# x: python a/b.py\nrel: python a/b.py # noqa\n"
    assert _codes_lines(launchers.check_launcher("Procfile", text)) == [1]


def test_compose() -> None:
    """Compose command/entrypoint strings and lists, combined, with noqa."""
    pytest.importorskip("yaml")
    text = textwrap.dedent("""\
        services:
          web:
            command: python src/main.py
          api:
            entrypoint: ["python"]
            command:
              - app/main.py
          quiet:
            # noqa: BG106
            command: ["uvicorn", "src/main.py"]
          ok:
            command: uvicorn src.main:app --host 0.0.0.0
        x-other:
          command: python src/main.py
        """)
    assert _codes_lines(launchers.check_launcher("docker-compose.yml", text)) == [3, 7]


def test_compose_invalid_yaml() -> None:
    """Invalid YAML raises a one-line LauncherError."""
    pytest.importorskip("yaml")
    with pytest.raises(launchers.LauncherError):
        launchers.check_launcher("compose.yaml", "services: [\n")


@pytest.mark.parametrize(
    "name, kind",
    [
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.dev", "dockerfile"),
        ("api.Dockerfile", "dockerfile"),
        ("Procfile", "procfile"),
        ("docker-compose.yml", "compose"),
        ("docker-compose.prod.yaml", "compose"),
        ("compose.yaml", "compose"),
        ("compose.override.yml", "compose"),
        ("settings.yml", None),
        ("main.py", None),
    ],
)
def test_launcher_kind(name: str, kind: Optional[str]) -> None:
    """Launch files are recognised by name."""
    assert launchers.launcher_kind(f"deploy/{name}") == kind


# ---- serializers --------------------------------------------------------------------

DIAGNOSTICS = [
    Diagnostic(
        "app/db.py", "BG104", "a, b: 100% done\nnext", 3, 4, 3, 10, None, "    x"
    ),
    Diagnostic(
        "app/api.py",
        "BG101",
        "absolute import",
        1,
        0,
        1,
        20,
        Fix("Use the relative import", (Edit(1, 5, 1, 12, "..db"),)),
        "from app.db import x",
    ),
    Diagnostic("app/api.py", "E501", "line too long", 2, 79),
]


def test_json_serializer() -> None:
    """JSON objects carry Ruff-like locations (1-based columns) and fixes."""
    data = json.loads(serializer("json")(DIAGNOSTICS, ReportContext()))
    assert [d["code"] for d in data] == ["BG101", "E501", "BG104"]
    first = data[0]
    assert first["location"] == {"row": 1, "column": 1}
    assert first["end_location"] == {"row": 1, "column": 21}
    assert first["fix"]["edits"][0]["location"] == {"row": 1, "column": 6}
    assert first["name"] == "absolute-internal-import" and first["url"].endswith(
        "BG101.md"
    )
    assert data[1]["name"] is None and data[1]["fix"] is None


def test_sarif_serializer() -> None:
    """SARIF 2.1.0 with rule metadata, tags, CWE and relative URIs."""
    rules = all_rules()
    log = json.loads(
        serializer("sarif")(DIAGNOSTICS, ReportContext(rules=rules, version="1"))
    )
    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "backend-guard" and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids[: len(rules)] == [r.code for r in rules] and "E501" in ids
    for descriptor in driver["rules"][: len(rules)]:
        assert {
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "helpUri",
        } <= set(descriptor)
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning")
        assert {"text", "markdown"} <= set(descriptor["help"])
        if descriptor["id"].startswith("BG2"):
            tags = descriptor["properties"]["tags"]
            assert "security" in tags and any(
                t.startswith("external/cwe/cwe-") for t in tags
            )
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startColumn"] >= 1


def test_github_escaping() -> None:
    """Workflow commands escape %, CR, LF and, in properties, ':' and ','."""
    assert escape_data("100%\r\n") == "100%25%0D%0A"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
    line = annotation(DIAGNOSTICS[0])
    assert line.startswith(
        "::warning file=app/db.py,line=3,col=5,endLine=3,endColumn=10,"
    )
    assert line.endswith("::a, b: 100%25 done%0Anext")
    assert "title=BG104 sys-path-manipulation" in line


def test_junit_serializer() -> None:
    """JUnit XML: a suite per file with findings, a failing case per finding."""
    root = ET.fromstring(serializer("junit")(DIAGNOSTICS, ReportContext()))
    assert root.tag == "testsuites" and root.get("failures") == "3"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"app/api.py", "app/db.py"}
    types = [f.get("type") for f in root.iter("failure")]
    assert sorted(types) == ["BG101", "BG104", "E501"]
    clean = ET.fromstring(serializer("junit")([], ReportContext()))
    assert clean.get("failures") == "0" and len(list(clean.iter("testcase"))) == 1


def test_text_serializers() -> None:
    """Concise lines are flake8-like (1-based column, [*] when fixable)."""
    text = serializer("concise")(DIAGNOSTICS, ReportContext())
    assert "app/api.py:1:1: BG101 [*] absolute import\n" in text
    full = serializer("full")(DIAGNOSTICS, ReportContext())
    assert "from app.db import x" in full and "^" in full and "= fix:" in full


# ---- cache and baseline -------------------------------------------------------------


def test_diagnostic_round_trip() -> None:
    """Diagnostics survive the cache's JSON form."""
    for diagnostic in DIAGNOSTICS:
        data = json.loads(json.dumps(diagnostic_to_data(diagnostic)))
        assert diagnostic_from_data(diagnostic.path, data) == diagnostic


def test_new_diagnostic_equals_the_dataclass() -> None:
    """The cache's fast constructor builds the same frozen diagnostic."""
    for diagnostic in DIAGNOSTICS:
        fields = [getattr(diagnostic, f.name) for f in dataclasses.fields(Diagnostic)]
        built = new_diagnostic(*fields)
        assert built == diagnostic and hash(built) == hash(diagnostic)
        assert repr(built) == repr(diagnostic) and type(built) is Diagnostic
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.line = 2  # type: ignore[misc]


def test_cache_entry_validity(tmp_path: Path) -> None:
    """An entry is returned only for the same digest and dependency fingerprint."""
    cache = Cache(str(tmp_path / "c"), "key")
    cache.put(str(tmp_path / "f.py"), "d1", "deps", [["BG1"]])
    (tmp_path / "f.py").write_text("x\n")
    cache.save()
    again = Cache(str(tmp_path / "c"), "key")
    assert again.get(str(tmp_path / "f.py"), "d1", "deps") == [["BG1"]]
    assert again.get(str(tmp_path / "f.py"), "d2", "deps") is None
    assert again.get(str(tmp_path / "f.py"), "d1", "other") is None
    assert (
        Cache(str(tmp_path / "c"), "other-key").get(
            str(tmp_path / "f.py"), "d1", "deps"
        )
        is None
    )


def test_facts_follow_package_contents(tmp_path: Path) -> None:
    """Editing or adding a module of the package changes the fingerprint."""
    clear_caches()
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "x = 1\n",
            "app/b.py": "y = 1\n",
            "other/c.py": "z = 1\n",
            "script.py": "w = 1\n",
        },
    )
    target = str(tmp_path / "app" / "a.py")
    before = Facts(()).dependencies(target)
    (tmp_path / "other" / "c.py").write_text("z = 2\n")
    assert Facts(()).dependencies(target) == before  # outside the package
    (tmp_path / "app" / "b.py").write_text("from . import a\n")
    after_edit = Facts(()).dependencies(target)
    assert after_edit != before
    (tmp_path / "app" / "sub").mkdir()
    (tmp_path / "app" / "sub" / "d.py").write_text("")
    assert Facts(()).dependencies(target) != after_edit
    script = str(tmp_path / "script.py")
    outside = Facts(()).dependencies(script)
    (tmp_path / "other" / "c.py").write_text("z = 3\n")
    assert Facts(()).dependencies(script) != outside  # its directory tree


@pytest.mark.parametrize("namespace", [False, True])
def test_facts_place_is_the_module_info(tmp_path: Path, namespace: bool) -> None:
    """The cache computes project.module_info's facts without the project model."""
    clear_caches()
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/api/__init__.py": "",
            "app/api/routes.py": "",
            "app/ns/mod.py": "",
            "app/ns/deep/__init__.py": "",
            "app/ns/deep/x.py": "",
            "lib/tool.py": "",
            "lib/sub/__init__.py": "",
            "lib/sub/y.py": "",
            "script.py": "",
        },
    )
    namespaces = (os.path.normcase(str(tmp_path / "app" / "ns")),) if namespace else ()
    facts = Facts(namespaces)
    for path in sorted(tmp_path.rglob("*.py")):
        info = module_info(str(path), namespaces)
        assert facts.place(str(path)) == [
            info.in_package,
            info.top_dir,
            info.module,
            info.package,
            info.is_init,
            info.parent_is_package,
        ], path


def test_baseline_keys(tmp_path: Path) -> None:
    """Keys survive line shifts; extra identical occurrences are new."""
    old = [
        Diagnostic("a.py", "BG201", "m", 3, 4, source_line="    cur.execute(q)"),
        Diagnostic("a.py", "BG201", "m", 9, 4, source_line="    cur.execute(q)"),
    ]
    path = tmp_path / "baseline.json"
    assert write_baseline(str(path), old) == 2
    keys = load_baseline(str(path))
    shifted = [
        Diagnostic("a.py", "BG201", "m", 5, 8, source_line="        cur.execute(q)"),
        Diagnostic("a.py", "BG201", "m", 11, 4, source_line="    cur.execute(q)"),
        Diagnostic("a.py", "BG201", "m", 20, 4, source_line="    cur.execute(q)"),
        Diagnostic("b.py", "BG201", "m", 3, 4, source_line="    cur.execute(q)"),
    ]
    kept, hidden = filter_baseline(shifted, keys, str(path))
    assert hidden == 2 and [(d.path, d.line) for d in kept] == [
        ("a.py", 20),
        ("b.py", 3),
    ]
    assert [k[3] for k, _ in keyed(shifted, str(tmp_path))] == [0, 1, 2, 0]


def test_bad_baseline(tmp_path: Path) -> None:
    """A missing or malformed baseline is a configuration error."""
    with pytest.raises(ConfigError):
        load_baseline(str(tmp_path / "missing.json"))
    (tmp_path / "b.json").write_text('{"version": 99}')
    with pytest.raises(ConfigError):
        load_baseline(str(tmp_path / "b.json"))


# ---- overlap table ------------------------------------------------------------------


def test_overlap_table_from_declarations() -> None:
    """The table lists exactly the rules that declare overlaps, split by tool."""
    assert split_overlaps(("S608", "B608", "B006", "UP031")) == (
        ["S608", "B006", "UP031"],
        ["B608"],
    )
    table = ruff_overlap_table()
    overlapping = [r for r in all_rules() if r.overlaps]
    if not overlapping:
        assert "No BG rule" in table
        return
    rows = [line for line in table.splitlines() if line.startswith("| [BG")]
    assert len(rows) == len(overlapping)
    for rule, row in zip(sorted(overlapping, key=lambda r: r.code), rows):
        assert rule.code in row and all(o in row for o in rule.overlaps)


@pytest.mark.parametrize("cwd", ["/", "/tmp"])
def test_shown_paths_are_display_paths(cwd: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from flake8_backend_guard.cli import _Shown, display_path

    monkeypatch.chdir(cwd)
    shown = _Shown()
    for path in (
        "/tmp/pkg/a.py",
        "/tmp",
        "/tmp/",
        "/tmpx/b.py",
        "/tmp/a/../c.py",
        "/tmp//d.py",
        "/etc/hosts",
    ):
        assert shown(path) == display_path(path)
        assert shown(path) == display_path(path)  # memoised


@pytest.mark.parametrize(
    "command, script",
    [
        ("python src/main.py", "src/main.py"),
        ('py"thon" src/main.py', "src/main.py"),  # quotes glue the program's name
        ("'pyth'on3 ./app/run.py --reload", "./app/run.py"),
        ('py\\thon app/main.py', "app/main.py"),
        ("sh -c 'uvicorn src/main.py'", "src/main.py"),
        ('echo "see docs/conf.py" now', None),  # quoted, but no program at all
        ("'pytest' tests/test_x.py", None),
        ("python -m src.main", None),
    ],
)
def test_script_in_command_sees_quoted_program_names(
    command: str, script: object
) -> None:
    """Quotes and backslashes inside a program's name do not hide it."""
    from flake8_backend_guard.analysis.commands import script_in_command

    assert script_in_command(command) == script
