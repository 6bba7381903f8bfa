"""End to end: the real flake8 in a subprocess on real directory trees."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

import pytest

from helpers import run_flake8, write_tree

PROJECT = {
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/db/models.py": "class User:\n    pass\n",
    "app/api/__init__.py": "",
    "app/api/routes.py": """\
        import sys

        from app.db.models import User

        sys.path.append("vendor")
        """,
    "app/a.py": "from . import b\n",
    "app/b.py": "from . import a\n",
    "scripts/run.py": "from app.db.models import User\n",
}

LINE_RE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>\w+) ")


def _parse(output: str) -> List[Tuple[str, int, int, str]]:
    found = []
    for line in output.splitlines():
        match = LINE_RE.match(line)
        if match:
            found.append(
                (
                    match["path"].replace("\\", "/").lstrip("./"),
                    int(match["line"]),
                    int(match["col"]),
                    match["code"],
                )
            )
    return sorted(found)


EXPECTED = [
    ("app/a.py", 1, 1, "BG105"),
    ("app/api/routes.py", 3, 1, "BG101"),
    ("app/api/routes.py", 5, 1, "BG104"),
    ("app/b.py", 1, 1, "BG105"),
]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """Write a small package tree with BG1xx findings."""
    return write_tree(tmp_path, PROJECT)


def _bg1(findings: List[Tuple[str, int, int, str]]) -> List[Tuple[str, int, int, str]]:
    return [f for f in findings if f[3] in {"BG101", "BG104", "BG105"}]


def test_version_lists_plugin(tmp_path: Path) -> None:
    """`flake8 --version` names the plugin."""
    result = run_flake8(["--version"], tmp_path)
    assert "flake8-backend-guard" in result.stdout


def test_on_disk(project: Path) -> None:
    """flake8 on a tree reports the BG1xx findings at exact positions."""
    result = run_flake8(["--select", "BG", "."], project)
    assert result.returncode == 1, result.stderr
    assert _bg1(_parse(result.stdout)) == EXPECTED
    assert "BG000" not in result.stdout
    assert "Traceback" not in result.stderr


def test_parallel_jobs_same_result(project: Path) -> None:
    """`-j 2` gives the same findings as `-j 1`."""
    serial = run_flake8(["--select", "BG", "-j", "1", "."], project)
    parallel = run_flake8(["--select", "BG", "-j", "2", "."], project)
    assert _parse(serial.stdout) == _parse(parallel.stdout)
    assert _bg1(_parse(parallel.stdout)) == EXPECTED


def test_stdin_with_display_name(project: Path) -> None:
    """Editors check the buffer over stdin: the same result as on disk."""
    source = (project / "app/api/routes.py").read_text()
    result = run_flake8(
        ["--select", "BG", "--stdin-display-name", "app/api/routes.py", "-"],
        project,
        stdin=source,
    )
    found = _parse(result.stdout)
    assert ("app/api/routes.py", 3, 1, "BG101") in found
    assert ("app/api/routes.py", 5, 1, "BG104") in found


def test_stdin_buffer_not_disk(project: Path) -> None:
    """The unsaved buffer is checked, not the file on disk; cycles follow the buffer."""
    result = run_flake8(
        ["--select", "BG", "--stdin-display-name", "app/a.py", "-"],
        project,
        stdin="import os\n",
    )
    assert "BG105" not in result.stdout
    result = run_flake8(
        ["--select", "BG", "--stdin-display-name", "app/api/deps.py", "-"],
        project,
        stdin="import sys\n\nfrom app import a\nsys.path.insert(0, '.')\n",
    )
    codes = [f[3] for f in _parse(result.stdout)]
    assert codes.count("BG101") == 1 and codes.count("BG104") == 1


def test_noqa_round_trip(project: Path) -> None:
    """`# noqa: BG101` silences exactly that code on that line."""
    routes = project / "app/api/routes.py"
    text = routes.read_text().replace(
        "from app.db.models import User",
        "from app.db.models import User  # noqa: BG101",
    )
    routes.write_text(text)
    result = run_flake8(["--select", "BG", "app/api/routes.py"], project)
    codes = [f[3] for f in _parse(result.stdout)]
    assert "BG101" not in codes and "BG104" in codes
    routes.write_text(text.replace("# noqa: BG101", "# noqa: BG104"))
    result = run_flake8(["--select", "BG", "app/api/routes.py"], project)
    assert "BG101" in [f[3] for f in _parse(result.stdout)]


def test_options_from_setup_cfg(project: Path) -> None:
    """Options in setup.cfg reach the rules (bg-internal-packages)."""
    write_tree(
        project,
        {
            "setup.cfg": "[flake8]\nbg-internal-packages = shared\n",
            "app/uses_shared.py": "from shared import util\n",
        },
    )
    result = run_flake8(["--select", "BG101", "app/uses_shared.py"], project)
    assert [f[3] for f in _parse(result.stdout)] == ["BG101"]


def test_options_from_pyproject(project: Path) -> None:
    """`[tool.flake8]` in pyproject.toml works through flake8-pyproject."""
    pytest.importorskip("flake8p")
    write_tree(
        project,
        {
            "pyproject.toml": '[tool.flake8]\nbg-internal-packages = ["shared"]\n',
            "app/uses_shared.py": "from shared import util\n",
        },
    )
    result = run_flake8(["--select", "BG101", "app/uses_shared.py"], project)
    assert [f[3] for f in _parse(result.stdout)] == ["BG101"], result.stderr


@pytest.mark.parametrize(
    "option, value",
    [
        ("bg-max-token-lifetime", "soon"),
        ("bg-docstring-style", "rst"),
        ("bg-api-prefix", "api"),
        ("bg-auth-route-pattern", "(login"),
        ("bg-internal-packages", "not-a-name"),
    ],
)
def test_bad_option_value_is_one_line(project: Path, option: str, value: str) -> None:
    """A bad value in a config file ends flake8 with one line naming the option."""
    write_tree(project, {"setup.cfg": f"[flake8]\n{option} = {value}\n"})
    result = run_flake8(["--select", "BG", "app"], project)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert option in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_option_on_command_line(project: Path) -> None:
    """A bad value on the command line is also one line."""
    result = run_flake8(["--bg-max-token-lifetime=-5", "app"], project)
    assert result.returncode == 2
    assert "bg-max-token-lifetime" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_b_prefix_warning(project: Path) -> None:
    """`--extend-ignore B` hides BG: the plugin warns once; extend-select BG fixes it."""
    result = run_flake8(["--extend-ignore", "B", "app"], project)
    assert result.stderr.count("also hides every BG code") == 1
    assert "BG" not in result.stdout
    fixed = run_flake8(["--extend-ignore", "B", "--extend-select", "BG", "app"], project)
    assert "also hides" not in fixed.stderr
    assert "BG101" in fixed.stdout


def test_select_prunes_rules(project: Path) -> None:
    """`--select BG104` reports only BG104 (other rules do not even run)."""
    result = run_flake8(["--select", "BG104", "."], project)
    assert {f[3] for f in _parse(result.stdout)} == {"BG104"}


def test_project_lints_itself() -> None:
    # Dogfooding: the package passes its own checks, with the exceptions that
    # setup.cfg documents (per-file-ignores), as `flake8 --select BG` runs them.
    root = Path(__file__).resolve().parent.parent
    result = run_flake8(["--select", "BG", "flake8_backend_guard"], root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
