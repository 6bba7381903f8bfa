"""The checker itself is safe to run on untrusted code.

- Checking never imports or executes the code it reads: not the checked file, not
  the package modules the import graph parses, not ``__init__.py`` files.
- Checking never opens a network connection.
- Checking never follows a symlink out of the checked tree: a package directory
  linking to a directory elsewhere is not read.

Every front end is covered where it exists: the engine in process, the real flake8
in a subprocess, and the standalone ``backend-guard check``.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import io
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, List, Set

import pytest

from flake8_backend_guard import project
from flake8_backend_guard.engine import Engine
from flake8_backend_guard.rule import all_rules
from helpers import run_flake8, write_tree


@pytest.fixture(autouse=True)
def clean_caches() -> Iterator[None]:
    """Forget cached directory facts and import graphs around each test."""
    project.clear_caches()
    yield
    project.clear_caches()


def _check_tree(root: Path) -> List[Any]:
    """Check every .py file below ``root`` (not following links) with all rules."""
    engine = Engine(all_rules())
    findings = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
            tree = ast.parse(source, filename=path)
            findings.extend(engine.check(tree, path, source.splitlines(True)))
    return findings


def _standalone() -> List[str]:
    """Return the argv prefix of ``backend-guard`` (skip when it does not exist)."""
    if importlib.util.find_spec("flake8_backend_guard.cli") is None:
        pytest.skip("the standalone command is not available")
    return [sys.executable, "-m", "flake8_backend_guard"]


def _run_standalone(args: List[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [*_standalone(), "check", "--no-cache", "--jobs", "1", *args],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


# ---- never import or execute ------------------------------------------------------


def _booby_trapped_tree(root: Path, package: str, markers: Path) -> None:
    """A package whose every module, if imported or run, leaves a marker file."""

    def trap(name: str) -> str:
        marker = markers / f"executed-{name}"
        return (
            f"import pathlib\n\npathlib.Path({str(marker)!r}).write_text('ran')\n"
            f"open({str(marker) + '-open'!r}, 'w').close()\n"
        )

    write_tree(
        root,
        {
            f"{package}/__init__.py": trap("init"),
            f"{package}/evil.py": trap("evil")
            + "if __name__ == '__main__':\n"
            + f"    open({str(markers / 'executed-main')!r}, 'w').close()\n",
            f"{package}/sub/__init__.py": trap("sub-init"),
            f"{package}/sub/deep.py": trap("deep") + f"from {package} import main\n",
            f"{package}/main.py": (
                f"import {package}.evil\nfrom {package} import evil\n"
                "from . import evil\n"
                f"from .sub import deep\nfrom {package}.sub.deep import main\n"
                + trap("main")
            ),
            f"{package}/__main__.py": trap("dunder-main"),
            f"{package}/conftest.py": trap("conftest"),
            "setup.py": trap("setup"),
            "manage.py": trap("manage"),
        },
    )


def test_engine_never_imports_or_executes(tmp_path: Path) -> None:
    """The engine parses every module of the package as text and runs none."""
    package = f"bgtrap_{uuid.uuid4().hex[:8]}"
    markers = tmp_path / "markers"
    markers.mkdir()
    tree = tmp_path / "tree"
    _booby_trapped_tree(tree, package, markers)
    modules_before = set(sys.modules)

    findings = _check_tree(tree)

    assert list(markers.iterdir()) == [], "checked code was executed"
    assert not [m for m in set(sys.modules) - modules_before if package in m]
    assert not [f for f in findings if f.code == "BG000"], findings
    assert any(f.code == "BG105" for f in findings), "the import graph read the package"


def test_flake8_never_imports_or_executes(tmp_path: Path) -> None:
    """The real flake8 with the plugin, over the tree and over stdin."""
    package = f"bgtrap_{uuid.uuid4().hex[:8]}"
    markers = tmp_path / "markers"
    markers.mkdir()
    tree = tmp_path / "tree"
    _booby_trapped_tree(tree, package, markers)

    result = run_flake8(["--select", "BG", "-j", "1", "."], tree)
    assert result.returncode in (0, 1), result.stderr
    assert "BG105" in result.stdout, result.stdout
    main = tree / package / "main.py"
    result = run_flake8(
        ["--select", "BG", "-", "--stdin-display-name", f"{package}/main.py"],
        tree,
        stdin=main.read_text(encoding="utf-8"),
    )
    assert result.returncode in (0, 1), result.stderr
    assert list(markers.iterdir()) == [], "checked code was executed"


def test_standalone_never_imports_or_executes(tmp_path: Path) -> None:
    """``backend-guard check`` over the same booby-trapped tree."""
    package = f"bgtrap_{uuid.uuid4().hex[:8]}"
    markers = tmp_path / "markers"
    markers.mkdir()
    tree = tmp_path / "tree"
    _booby_trapped_tree(tree, package, markers)
    result = _run_standalone(["."], tree)
    assert result.returncode in (0, 1), result.stderr
    assert "BG105" in result.stdout, result.stdout
    assert list(markers.iterdir()) == [], "checked code was executed"


# ---- never touch the network -------------------------------------------------------

NETWORK_HEAVY = {
    "app/__init__.py": '"""App."""\n',
    "app/client.py": '''"""Outgoing calls everywhere."""

import urllib.request

import httpx
import requests

API = "https://api.example.com/v1"
WEBHOOK = "http://127.0.0.1:9/hook"


def fetch(user_id: int) -> dict:
    """Fetch a user."""
    return requests.get(f"{API}/users/{user_id}").json()


async def post(payload: dict) -> None:
    """Post a payload."""
    async with httpx.AsyncClient() as client:
        await client.post(WEBHOOK, json=payload, verify=False)


def legacy() -> bytes:
    """Read a page."""
    return urllib.request.urlopen("http://example.com").read()
''',
    "app/settings.py": '''"""Settings."""

DATABASE_URL = "postgresql://user:hunter2@db.example.com:5432/app"
REDIS_URL = "redis://localhost:6379/0"
SECRET_KEY = "s3cr3t-value-for-tests"
''',
}


def test_no_network_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking code full of URLs and hosts opens no connection, resolves no name."""
    attempts: List[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network access attempted: {name}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", refuse("socket.sendto"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    write_tree(tmp_path, NETWORK_HEAVY)

    findings = _check_tree(tmp_path)
    assert not [f for f in findings if f.code == "BG000"], findings

    # and through flake8 in process (its legacy API, one job: no worker processes)
    from flake8.api import legacy
    from flake8.main.options import JobsArgument

    guide = legacy.get_style_guide(select=["BG"], jobs=JobsArgument("1"))
    report = guide.check_files([str(tmp_path / "app")])
    assert report.total_errors >= 1  # the rules ran (BG220 verify=False, BG206...)
    assert attempts == [], attempts


# ---- never follow a symlink out of the tree ----------------------------------------


class ReadRecorder:
    """Records every path opened or listed (realpath) while installed."""

    def __init__(self) -> None:
        """Start with nothing recorded."""
        self.paths: Set[str] = set()

    def record(self, path: Any) -> None:
        """Remember the real path of ``path`` (ignores file descriptors)."""
        if isinstance(path, int):
            return
        try:
            self.paths.add(os.path.realpath(os.fspath(path)))
        except (TypeError, ValueError, OSError):
            pass

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Wrap open/io.open/os.open/os.scandir/os.listdir."""
        real_open, real_os_open = builtins.open, os.open
        real_scandir, real_listdir = os.scandir, os.listdir

        def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
            self.record(file)
            return real_open(file, *args, **kwargs)

        def os_open(path: Any, *args: Any, **kwargs: Any) -> Any:
            self.record(path)
            return real_os_open(path, *args, **kwargs)

        def scandir(path: Any = ".") -> Any:
            self.record(path)
            return real_scandir(path)

        def listdir(path: Any = ".") -> Any:
            self.record(path)
            return real_listdir(path)

        monkeypatch.setattr(builtins, "open", open_)
        monkeypatch.setattr(io, "open", open_)
        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(os, "scandir", scandir)
        monkeypatch.setattr(os, "listdir", listdir)

    def under(self, directory: Path) -> List[str]:
        """Return the recorded paths inside ``directory``."""
        base = os.path.realpath(directory)
        return sorted(p for p in self.paths if p == base or p.startswith(base + os.sep))


def _outside_tree(tmp_path: Path) -> Path:
    """A directory outside the project whose modules would close an import cycle."""
    outside = tmp_path / "outside"
    write_tree(
        outside,
        {
            "__init__.py": "",
            "secret.py": "from app import a\n\nPASSWORD = 'hunter2'\n",
            "bomb.py": "x = " + "(" * 150 + ")" * 150 + "\n" * 2,
        },
    )
    return outside


def _symlink(link: Path, target: Path) -> None:
    try:
        os.symlink(target, link, target_is_directory=target.is_dir())
    except (OSError, NotImplementedError) as exc:
        pytest.skip(f"cannot create symlinks here: {exc}")


PROJECT = {
    "app/__init__.py": '"""App."""\n',
    "app/a.py": (
        '"""A."""\n\nfrom app.ext import secret\n'
        "from app.ext.secret import PASSWORD\n"
    ),
    "app/b.py": '"""B."""\n\nfrom app import a\n',
}


def test_import_graph_does_not_follow_directory_symlinks_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``app/ext -> ../outside``: the graph never lists or reads ``outside``."""
    outside = _outside_tree(tmp_path)
    root = tmp_path / "project"
    write_tree(root, PROJECT)
    _symlink(root / "app" / "ext", outside)
    recorder = ReadRecorder()
    recorder.install(monkeypatch)

    findings = _check_tree(root / "app")
    graph = project.import_graph(project.module_info(str(root / "app" / "a.py")))

    monkeypatch.undo()
    assert recorder.under(outside) == []
    assert not any(m.startswith("app.ext") for m in graph.files if m != "app.ext")
    assert not [f for f in findings if f.code in ("BG000", "BG105")], findings


def test_flake8_does_not_follow_directory_symlinks_out(tmp_path: Path) -> None:
    """Through the real flake8: a followed link would close a cycle (BG105)."""
    outside = _outside_tree(tmp_path)
    root = tmp_path / "project"
    write_tree(root, PROJECT)
    _symlink(root / "app" / "ext", outside)
    result = run_flake8(["--select", "BG", "-j", "1", "app/a.py", "app/b.py"], root)
    assert result.returncode in (0, 1), result.stderr
    assert "BG105" not in result.stdout, result.stdout
    assert "BG000" not in result.stdout, result.stdout


def test_import_graph_does_not_read_file_symlinks_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``app/linked.py -> ../outside/secret.py``: a module linked in from elsewhere
    is not read through the link when the graph is built from disk."""
    outside = _outside_tree(tmp_path)
    root = tmp_path / "project"
    write_tree(
        root,
        {"app/__init__.py": '"""App."""\n', "app/a.py": "from app import linked\n"},
    )
    _symlink(root / "app" / "linked.py", outside / "secret.py")
    recorder = ReadRecorder()
    recorder.install(monkeypatch)
    main = root / "app" / "a.py"
    source = "from app import linked\n"
    engine = Engine(all_rules())
    findings = engine.check(ast.parse(source), str(main), source.splitlines(True))
    monkeypatch.undo()
    assert not [f for f in findings if f.code == "BG000"], findings
    assert recorder.under(outside) == [], "a file outside the tree was read"


def test_standalone_does_not_follow_directory_symlinks_out(tmp_path: Path) -> None:
    """``backend-guard check .``: neither checks nor reads files through the link."""
    outside = _outside_tree(tmp_path)
    root = tmp_path / "project"
    write_tree(root, PROJECT)
    _symlink(root / "app" / "ext", outside)
    result = _run_standalone(["--output-format", "json", "."], root)
    assert result.returncode in (0, 1), result.stderr
    assert "outside" not in result.stdout and "secret.py" not in result.stdout
    assert "bomb.py" not in result.stdout + result.stderr
    assert "BG105" not in result.stdout, result.stdout
