"""End-to-end tests of the standalone command and the flake8 formatters.

Everything runs the real executables in subprocesses (``python -m
flake8_backend_guard``, the ``backend-guard`` console script, ``flake8``,
``pre-commit``) on real temporary trees.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

from flake8_backend_guard.rule import get_rule
from helpers import ROOT, run_flake8, write_tree

ROUTES = '''\
"""Routes of the throwaway app."""

import sys

import yaml

from app.db.models import User as U

sys.path.insert(0, "lib")


def load(text: str) -> object:
    """Load a document.

    Args:
        text: The document.

    Returns:
        The data.
    """
    return yaml.load(text), U
'''

TREE = {
    "pyproject.toml": "[project]\nname = 'throwaway'\n",
    "app/__init__.py": '"""The app."""\n',
    "app/api/__init__.py": '"""The API."""\n',
    "app/db/__init__.py": '"""The database layer."""\n',
    "app/db/models.py": '"""Models."""\n\n\nclass User:\n    """A user."""\n',
    "app/api/routes.py": ROUTES,
    "Dockerfile": 'FROM python:3.12\nCOPY . /app\nCMD ["python", "src/main.py"]\n',
}


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def bg(args: Sequence[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess:
    """Run ``python -m flake8_backend_guard`` in a subprocess.

    Args:
        args: The command-line arguments.
        cwd: The working directory.
        **kwargs: More arguments for ``subprocess.run``.

    Returns:
        The completed process (text output captured).
    """
    return subprocess.run(
        [sys.executable, "-m", "flake8_backend_guard", *args],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        **kwargs,  # type: ignore[arg-type]
    )


def _script() -> Optional[str]:
    beside = Path(sys.executable).parent / "backend-guard"
    if beside.exists():
        return str(beside)
    return shutil.which("backend-guard")


def _require(*codes: str) -> None:
    missing = [code for code in codes if get_rule(code) is None]
    if missing:
        pytest.skip(f"rule(s) not registered yet: {', '.join(missing)}")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """Return a throwaway package with known findings.

    Args:
        tmp_path: pytest's temporary directory.

    Returns:
        The project root.
    """
    return write_tree(tmp_path, TREE)


def _codes(findings: List[dict]) -> List[str]:
    return sorted({f["code"] for f in findings})


# ---- output formats -----------------------------------------------------------------


def test_json_output(project: Path) -> None:
    """JSON holds codes, names, 1-based locations, URLs and fixes."""
    _require("BG101", "BG104", "BG106")
    result = bg(["check", "--output-format", "json", "--no-cache"], project)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    codes = _codes(findings)
    assert {"BG101", "BG104", "BG106"} <= set(codes)
    for item in findings:
        assert {
            "code",
            "name",
            "message",
            "filename",
            "location",
            "end_location",
        } <= set(item)
        assert {"severity", "url", "fix"} <= set(item)
        assert item["location"]["row"] >= 1 and item["location"]["column"] >= 1
    bg101 = next(f for f in findings if f["code"] == "BG101")
    assert bg101["filename"] == "app/api/routes.py"
    assert bg101["location"] == {"row": 7, "column": 1}
    assert bg101["fix"]["applicability"] == "safe"
    assert bg101["fix"]["edits"][0]["content"] == "..db.models"
    docker = next(f for f in findings if f["code"] == "BG106")
    assert docker["filename"] == "Dockerfile" and docker["location"]["row"] == 3


def test_sarif_output(project: Path) -> None:
    """SARIF 2.1.0 with rule metadata and results pointing at relative files."""
    _require("BG104", "BG106")
    result = bg(["check", "--output-format", "sarif", "--no-cache"], project)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "backend-guard" and driver["version"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert "BG104" in rule_ids and "BG106" in rule_ids
    results = run["results"]
    assert {"BG104", "BG106"} <= {r["ruleId"] for r in results}
    for item in results:
        assert rule_ids[item["ruleIndex"]] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] in (
            "app/api/routes.py",
            "Dockerfile",
        )
        assert location["region"]["startLine"] >= 1
    security = [r for r in driver["rules"] if r["id"].startswith("BG2")]
    for descriptor in security:
        assert "security" in descriptor["properties"]["tags"]


def test_github_output(project: Path) -> None:
    """GitHub workflow annotations, one per finding."""
    _require("BG104")
    result = bg(["check", "--output-format", "github", "--no-cache"], project)
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ")) for line in lines)
    bg104 = [line for line in lines if "title=BG104 sys-path-manipulation" in line]
    assert bg104 and "file=app/api/routes.py,line=9,col=1," in bg104[0]


def test_junit_output(project: Path) -> None:
    """JUnit XML with a failing test case per finding."""
    _require("BG104", "BG106")
    result = bg(["check", "--output-format", "junit", "--no-cache"], project)
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    types = {f.get("type") for f in root.iter("failure")}
    assert {"BG104", "BG106"} <= types
    assert "Dockerfile" in {s.get("name") for s in root.iter("testsuite")}


def test_console_script_and_output_file(project: Path) -> None:
    """The installed ``backend-guard`` script works and ``-o`` writes the report."""
    script = _script()
    if script is None:
        pytest.skip("backend-guard is not installed (pip install -e .)")
    result = subprocess.run(
        [
            script,
            "check",
            "--output-format",
            "json",
            "-o",
            "report.json",
            "--no-cache",
            "app",
        ],
        cwd=str(project),
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    assert result.returncode == 1, result.stderr
    data = json.loads((project / "report.json").read_text())
    assert "BG104" in _codes(data)
    version = subprocess.run(
        [script, "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0 and version.stdout.startswith("backend-guard ")


def test_concise_statistics_and_exit_codes(project: Path) -> None:
    """Concise lines, statistics, --exit-zero, and exit 0 on a clean tree."""
    _require("BG104")
    result = bg(["check", "--select", "BG104", "--statistics", "--no-cache"], project)
    assert result.returncode == 1
    assert "app/api/routes.py:9:1: BG104 " in result.stdout
    assert "1     BG104 sys-path-manipulation" in result.stdout
    zero = bg(
        ["check", "--select", "BG104", "--exit-zero", "-q", "--no-cache"], project
    )
    assert (
        zero.returncode == 0 and "BG104" in zero.stdout and "Found" not in zero.stdout
    )
    clean = bg(["check", "--select", "BG104", "--no-cache", "app/db"], project)
    assert clean.returncode == 0 and clean.stdout.strip() == "All checks passed."


# ---- configuration ------------------------------------------------------------------


def test_bad_option_value_exits_2_with_one_line(project: Path) -> None:
    """A bad value in [tool.backend-guard] is one line naming the option."""
    (project / "pyproject.toml").write_text(
        "[tool.backend-guard]\nbg-max-token-lifetime = 'forever'\n"
    )
    result = bg(["check"], project)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bg-max-token-lifetime" in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "table, word",
    [
        ("bg-unknown-thing = 1", "bg-unknown-thing"),
        ("select = ['BG1', 7]", "select"),
        ("output-format = 'xml'", "output-format"),
        ("per-file-ignores = 5", "per-file-ignores"),
    ],
)
def test_bad_config_keys(project: Path, table: str, word: str) -> None:
    """Unknown keys and bad values exit 2 with one line naming the key."""
    (project / "pyproject.toml").write_text(f"[tool.backend-guard]\n{table}\n")
    result = bg(["check"], project)
    assert result.returncode == 2 and word in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_usage_errors(project: Path) -> None:
    """Bad command lines and missing paths exit 2 with one line."""
    for args in (
        ["check", "--bogus"],
        ["check", "missing-dir"],
        ["check", "--select", "b@d"],
        ["check", "--bg-max-token-lifetime=-1"],
        ["rule", "BG999"],
    ):
        result = bg(args, project)
        assert result.returncode == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_config_from_pyproject(project: Path) -> None:
    """select, per-file-ignores and rule options come from the nearest table."""
    _require("BG104")
    (project / "pyproject.toml").write_text(textwrap.dedent("""\
            [tool.backend-guard]
            select = ["BG104", "BG106"]
            per-file-ignores = {"app/api/*" = ["BG104"]}
            bg-max-token-lifetime = 7200
            output-format = "json"
            """))
    result = bg(["check", "--no-cache"], project / "app")  # found by walking up
    assert _codes(json.loads(result.stdout)) == []
    result = bg(["check", "--no-cache", str(project)], Path("/"))
    assert _codes(json.loads(result.stdout)) == ["BG106"]
    result = bg(
        ["check", "--no-cache", "--per-file-ignores", "", "--output-format", "concise"],
        project,
    )
    assert "BG104" in result.stdout and "BG106" in result.stdout


def test_excludes(project: Path) -> None:
    """Default excludes, --extend-exclude, and --force-exclude for named files."""
    _require("BG104")
    write_tree(
        project,
        {
            ".venv/lib/x.py": "import sys\nsys.path.append('x')\n",
            "build/y.py": "import sys\nsys.path.append('x')\n",
        },
    )
    result = bg(["check", "--select", "BG104", "--no-cache"], project)
    assert ".venv" not in result.stdout and "build" not in result.stdout
    assert "app/api/routes.py" in result.stdout
    result = bg(
        ["check", "--select", "BG104", "--no-cache", "--extend-exclude", "app/api"],
        project,
    )
    assert result.returncode == 0
    named = bg(["check", "--select", "BG104", "--no-cache", "build/y.py"], project)
    assert named.returncode == 1
    forced = bg(
        ["check", "--select", "BG104", "--no-cache", "--force-exclude", "build/y.py"],
        project,
    )
    assert forced.returncode == 0


def test_noqa_round_trip(tmp_path: Path) -> None:
    """``# noqa`` comments suppress exactly as in flake8."""
    _require("BG104")
    source = textwrap.dedent('''\
        import sys
        sys.path.append("a")  # noqa
        sys.path.append("b")  # noqa: BG104
        sys.path.append("c")  # noqa:BG1,E501
        sys.path.append("d")  # noqa: E501
        sys.path.append("""
        e""")  # noqa: BG104
        sys.path.append("f")
        ''')
    write_tree(tmp_path, {"m.py": source})
    result = bg(["check", "--select", "BG104", "--no-cache", "-q"], tmp_path)
    assert [line.split(":")[1] for line in result.stdout.splitlines()] == ["5", "8"]
    flake8 = run_flake8(["--select", "BG104", "m.py"], tmp_path)
    assert [line.split(":")[1] for line in flake8.stdout.splitlines()] == ["5", "8"]


def test_syntax_error_is_a_warning(tmp_path: Path) -> None:
    """A file that does not parse gives one warning; the rest is checked."""
    _require("BG104")
    write_tree(
        tmp_path,
        {"bad.py": "def f(:\n", "good.py": "import sys\nsys.path.append('x')\n"},
    )
    result = bg(["check", "--select", "BG104", "--no-cache"], tmp_path)
    assert result.returncode == 1 and "good.py:2:1: BG104" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "bad.py" in line]
    assert len(warnings) == 1 and "SyntaxError" in warnings[0]


def test_parallel_matches_serial(tmp_path: Path) -> None:
    """Checking over a process pool gives the same report as one process."""
    _require("BG104")
    files = {f"pkg/m{i}.py": f"import sys\nsys.path.append('{i}')\n" for i in range(40)}
    files["pkg/__init__.py"] = ""
    write_tree(tmp_path, files)
    serial = bg(["check", "--no-cache", "-j", "1", "--output-format", "json"], tmp_path)
    parallel = bg(
        ["check", "--no-cache", "-j", "2", "--output-format", "json"], tmp_path
    )
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)
    assert sum(1 for f in json.loads(serial.stdout) if f["code"] == "BG104") == 40


# ---- cache --------------------------------------------------------------------------


def _cache_files(root: Path) -> List[Path]:
    return sorted((root / ".backend-guard-cache").rglob("*.json"))


def test_cache_is_used_and_never_stale(tmp_path: Path) -> None:
    """A warm run reuses stored results; an edited file is checked again."""
    _require("BG104")
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.backend-guard]\nselect = ['BG104']\n",
            "m.py": "import sys\nsys.path.append('x')\n",
        },
    )
    for _ in range(3):  # the run key includes the package's own files; retry if edited
        first = bg(["check", "-q"], tmp_path)
        assert first.returncode == 1 and "m.py:2:1: BG104" in first.stdout
        stored = _cache_files(tmp_path)
        assert stored and (tmp_path / ".backend-guard-cache" / ".gitignore").exists()
        document = json.loads(stored[-1].read_text())
        for entry in document["files"].values():
            entry["diagnostics"][0][1] = "served from the cache"
        stored[-1].write_text(json.dumps(document))
        warm = bg(["check", "-q"], tmp_path)
        if "served from the cache" in warm.stdout:
            break
    else:
        pytest.fail("the warm run did not use the cache")
    (tmp_path / "m.py").write_text("import sys\n\nsys.path.append('x')\n")
    edited = bg(["check", "-q"], tmp_path)
    assert (
        "m.py:3:1: BG104" in edited.stdout
        and "served from the cache" not in edited.stdout
    )
    fresh = bg(["check", "-q", "--no-cache"], tmp_path)
    assert fresh.stdout == edited.stdout


_CHECKER_MODULES = (
    "flake8_backend_guard.engine",
    "flake8_backend_guard.rules",
    "flake8_backend_guard.fix",
    "flake8_backend_guard.project",
    "concurrent.futures.process",
    "multiprocessing",
    "difflib",
)


def test_warm_run_loads_no_checker(tmp_path: Path) -> None:
    """A run served from the cache imports neither the engine, the rules nor fixers.

    Launch files are served from the cache too (their BG106 message would load
    the rules).
    """
    _require("BG104")
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.backend-guard]\nselect = ['BG104', 'BG106', 'BG312']\n",
            "m.py": "import sys\nsys.path.append('x')\nprint('%s' % (sys,))\n",
            "README.md": "not a launch file\n",
            "Dockerfile": 'FROM python:3.12\nCMD ["python", "src/main.py"]\n',
        },
    )
    code = (
        "import sys; from flake8_backend_guard.cli import main; main(['check']); "
        f"print('loaded', [m for m in {_CHECKER_MODULES!r} if m in sys.modules])"
    )

    def run() -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=str(tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
            env=_env(),
        )
        assert "m.py:2:1: BG104" in result.stdout, result.stderr
        assert "Dockerfile:2:" in result.stdout, result.stdout
        return result.stdout

    cold = run()
    assert "'flake8_backend_guard.engine'" in cold
    for _ in range(3):  # the run key includes the package's own files; retry if edited
        warm = run()
        if "loaded []" in warm:
            break
    else:
        pytest.fail(f"the warm run loaded the checker: {warm}")
    assert warm[: warm.index("loaded")] == cold[: cold.index("loaded")]


def test_cache_follows_sibling_modules(tmp_path: Path) -> None:
    """An import cycle appears when another module of the package changes."""
    _require("BG105")
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.backend-guard]\nselect = ['BG105']\n",
            "pkg/__init__.py": "",
            "pkg/a.py": "from . import b\n",
            "pkg/b.py": "X = 1\n",
        },
    )
    assert bg(["check", "-q"], tmp_path).returncode == 0
    (tmp_path / "pkg" / "b.py").write_text("from . import a\n")
    result = bg(["check", "-q"], tmp_path)
    assert (
        "pkg/a.py:1:1: BG105" in result.stdout
        and "pkg/b.py:1:1: BG105" in result.stdout
    )


def test_cache_follows_package_structure(tmp_path: Path) -> None:
    """Adding ``__init__.py`` changes what BG101 reports for the cached file."""
    _require("BG101")
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.backend-guard]\nselect = ['BG101']\n",
            "app/api/__init__.py": "",
            "app/api/routes.py": "from app.db import x\n",
        },
    )
    assert bg(["check", "-q"], tmp_path).returncode == 0
    (tmp_path / "app" / "__init__.py").write_text("")
    assert "BG101" in bg(["check", "-q"], tmp_path).stdout


# ---- fixes --------------------------------------------------------------------------


def test_fix_rewrites_imports_and_yaml(project: Path) -> None:
    """--fix rewrites the absolute internal import and yaml.load, then re-checks."""
    _require("BG101", "BG204")
    diff = bg(["check", "--diff", "--select", "BG101,BG204"], project)
    assert diff.returncode == 1
    assert "-from app.db.models import User as U" in diff.stdout
    assert "+from ..db.models import User as U" in diff.stdout
    assert "+    return yaml.safe_load(text), U" in diff.stdout
    assert (
        project / "app/api/routes.py"
    ).read_text() == ROUTES  # --diff writes nothing
    fixed = bg(["check", "--fix", "--select", "BG101,BG204"], project)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "2 fixed" in fixed.stdout
    text = (project / "app/api/routes.py").read_text()
    assert "from ..db.models import User as U\n" in text
    assert "return yaml.safe_load(text), U\n" in text
    assert (
        bg(["check", "--select", "BG101,BG204", "--no-cache"], project).returncode == 0
    )


def test_fix_creates_missing_init(tmp_path: Path) -> None:
    """BG102's fix creates the missing ``__init__.py``."""
    _require("BG102")
    write_tree(tmp_path, {"app/__init__.py": "", "app/sub/mod.py": '"""M."""\n'})
    before = bg(
        ["check", "--select", "BG102", "--no-cache", "--output-format", "json"],
        tmp_path,
    )
    if not any(f["fix"] for f in json.loads(before.stdout)):
        pytest.skip("BG102 does not fire on this layout")
    result = bg(["check", "--fix", "--select", "BG102"], tmp_path)
    assert result.returncode == 0, result.stdout
    assert (tmp_path / "app" / "sub" / "__init__.py").read_text() == ""


def test_fix_prefer_fstring(tmp_path: Path) -> None:
    """BG312's fix turns a simple ``.format`` into an f-string."""
    _require("BG312")
    write_tree(
        tmp_path,
        {"m.py": 'def f(name: str) -> str:\n    return "hi {}".format(name)\n'},
    )
    result = bg(["check", "--fix", "--select", "BG312"], tmp_path)
    assert result.returncode == 0, result.stdout
    assert 'return f"hi {name}"' in (tmp_path / "m.py").read_text()


# ---- baseline -----------------------------------------------------------------------


def test_baseline_reports_only_new_findings(project: Path) -> None:
    """Old findings are hidden even after a line shift; exactly the new one shows."""
    _require("BG104")
    written = bg(["check", "--write-baseline", "baseline.json", "--no-cache"], project)
    assert written.returncode == 0, written.stderr
    document = json.loads((project / "baseline.json").read_text())
    assert document["version"] == 1 and document["findings"]
    assert (
        bg(["check", "--baseline", "baseline.json", "--no-cache"], project).returncode
        == 0
    )
    routes = project / "app/api/routes.py"
    text = routes.read_text().replace(
        'sys.path.insert(0, "lib")', '# moved\nsys.path.insert(0, "lib")'
    )
    routes.write_text(text + 'sys.path.insert(0, "lib")\n')
    result = bg(
        [
            "check",
            "--baseline",
            "baseline.json",
            "--no-cache",
            "--output-format",
            "json",
        ],
        project,
    )
    assert result.returncode == 1
    new = json.loads(result.stdout)
    assert [(f["code"], f["location"]["row"]) for f in new] == [
        ("BG104", text.count("\n") + 1)
    ]


# ---- rule documentation -------------------------------------------------------------


def test_rule_command(project: Path) -> None:
    """``rule BG201`` prints the declaration's documentation."""
    _require("BG201")
    rule = get_rule("BG201")
    result = bg(["rule", "BG201"], project)
    assert result.returncode == 0
    for text in (
        "BG201",
        rule.name,
        f"CWE-{rule.cwe}",
        "Why is this bad?",
        "Bad:",
        "Good:",
    ):
        assert text in result.stdout
    data = json.loads(bg(["rule", "bg201", "--output-format", "json"], project).stdout)
    assert (
        data["code"] == "BG201"
        and data["cwe"] == rule.cwe
        and data["bad"] == rule.bad.code
    )


def test_rules_command(project: Path) -> None:
    """``rules`` lists every rule with its family and whether it is fixable."""
    result = bg(["rules"], project)
    assert (
        result.returncode == 0
        and "BG104" in result.stdout
        and "sys-path-manipulation" in result.stdout
    )
    data = json.loads(bg(["rules", "--output-format", "json"], project).stdout)
    assert "BG104" in [r["code"] for r in data]
    assert {"code", "name", "family", "fixable"} <= set(data[0])


# ---- launch files -------------------------------------------------------------------


def test_launch_files(tmp_path: Path) -> None:
    """Dockerfile, Procfile and compose commands are BG106 findings with noqa."""
    write_tree(
        tmp_path,
        {
            "Dockerfile": 'FROM python:3.12\nCMD ["python", "src/main.py"]\n',
            "deploy/Dockerfile.worker": (
                "FROM x\n# noqa: BG106\nCMD python src/worker.py\n"
            ),
            "Procfile": "web: uvicorn src/main.py\nworker: python -m src.worker\n",
            "docker-compose.yml": (
                "services:\n  web:\n    command: [python, app/run.py]\n"
            ),
        },
    )
    result = bg(["check", "--no-cache", "--output-format", "json"], tmp_path)
    found = sorted(
        (f["filename"], f["location"]["row"]) for f in json.loads(result.stdout)
    )
    expected = [("Dockerfile", 2), ("Procfile", 1)]
    try:
        import yaml  # noqa: F401
    except ImportError:
        pass
    else:
        expected.append(("docker-compose.yml", 3))
    assert found == sorted(expected)
    ignored = bg(["check", "--no-cache", "--ignore", "BG106"], tmp_path)
    assert ignored.returncode == 0


def test_compose_without_pyyaml(tmp_path: Path) -> None:
    """Without PyYAML compose files are skipped with one warning line."""
    write_tree(
        tmp_path,
        {
            "compose.yaml": "services:\n  w:\n    command: python a/b.py\n",
            "compose.override.yaml": "services: {}\n",
        },
    )
    code = (
        "import sys; sys.modules['yaml'] = None; "
        "from flake8_backend_guard.cli import main; "
        "sys.exit(main(['check', '--no-cache']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert result.returncode == 0, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and "PyYAML" in result.stderr


# ---- flake8 formatters --------------------------------------------------------------


def test_flake8_sarif_formatter(project: Path) -> None:
    """``flake8 --format=bg-sarif`` emits SARIF for BG and other plugins' codes."""
    _require("BG104")
    (project / "app/api/long.py").write_text('"""Long."""\n\nX = "' + "x" * 100 + '"\n')
    result = run_flake8(["--format=bg-sarif", "--select", "BG104,E501", "app"], project)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "flake8"
    found = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in run["results"]
    }
    assert ("BG104", "app/api/routes.py") in found and (
        "E501",
        "app/api/long.py",
    ) in found
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "BG104" in ids and "E501" in ids


def test_flake8_json_formatter(project: Path) -> None:
    """``flake8 --format=bg-json`` writes one JSON array (also with -j and -o)."""
    _require("BG104")
    result = run_flake8(
        ["--format=bg-json", "--select", "BG104", "--statistics", "app"], project
    )
    data = json.loads(result.stdout)
    assert [(f["code"], f["location"]) for f in data] == [
        ("BG104", {"row": 9, "column": 1})
    ]
    run_flake8(
        [
            "--format=bg-json",
            "-j",
            "2",
            "--select",
            "BG",
            "--output-file",
            "out.json",
            "app",
        ],
        project,
    )
    run_flake8(
        [
            "--format=bg-json",
            "-j",
            "2",
            "--select",
            "BG",
            "--output-file",
            "out.json",
            "app",
        ],
        project,
    )
    assert "BG104" in {
        f["code"] for f in json.loads((project / "out.json").read_text())
    }


# ---- pre-commit ---------------------------------------------------------------------


def test_pre_commit_hooks_file() -> None:
    """The hooks file declares the standalone and the flake8 hooks."""
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["backend-guard"]["entry"].startswith("backend-guard check")
    assert by_id["backend-guard"]["language"] == "python"
    assert by_id["flake8-backend-guard"]["entry"] == "flake8 --select BG"
    assert "Dockerfile" in by_id["backend-guard-launchers"]["files"]


def _git(args: Sequence[str], cwd: Path) -> None:
    env = dict(
        _env(),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    subprocess.run(
        ["git", *args],
        cwd=str(cwd),
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """A real ``pre-commit try-repo`` runs the hook against a throwaway repository."""
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None or shutil.which("git") is None:
        pytest.skip("pre-commit (or git) is not installed")
    _require("BG104")
    # try-repo only sees committed files: commit a copy of the working tree.
    hook_repo = tmp_path / "hook-repo"
    hook_repo.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, hook_repo / name)
    shutil.copytree(
        ROOT / "flake8_backend_guard",
        hook_repo / "flake8_backend_guard",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    _git(["init", "-q"], hook_repo)
    _git(["add", "-A"], hook_repo)
    _git(["commit", "-q", "-m", "snapshot"], hook_repo)
    target = tmp_path / "target"
    write_tree(
        target,
        {"m.py": "import sys\n\nsys.path.append('x')\n", "ok.py": '"""Fine."""\n'},
    )
    _git(["init", "-q"], target)
    _git(["add", "-A"], target)
    env = dict(_env(), PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    result = subprocess.run(
        [
            pre_commit,
            "try-repo",
            str(hook_repo),
            "backend-guard",
            "--all-files",
            "--verbose",
        ],
        cwd=str(target),
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "m.py:3:1: BG104" in output and "ok.py" not in output.split("Failed")[-1]


# ---- Ruff ---------------------------------------------------------------------------


def test_ruff_keeps_bg_noqa_with_external(tmp_path: Path) -> None:
    """With ``external = ["BG"]`` Ruff's RUF100/RUF102 fixes keep ``# noqa: BG...``."""
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    source = "x = 1  # noqa: BG201\ny = 2  # noqa: BG104, F401\n"
    config = '[tool.ruff.lint]\nselect = ["RUF100", "RUF102", "F"]\n'
    for external, expected in (
        ("", "x = 1\ny = 2\n"),
        ('external = ["BG"]\n', "x = 1  # noqa: BG201\ny = 2  # noqa: BG104\n"),
    ):
        write_tree(tmp_path, {"pyproject.toml": config + external, "m.py": source})
        subprocess.run(
            [ruff, "check", "--fix", "--no-cache", "m.py"],
            cwd=str(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (tmp_path / "m.py").read_text() == expected
