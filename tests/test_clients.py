"""Real clients: python-lsp-server, Ruff and flake8's parallel mode.

- python-lsp-server (pylsp) over stdio with its flake8 plugin: an editor gets BG
  diagnostics at the right lines, and an unsaved edit (``didChange``) is what gets
  checked, not the file on disk.
- Ruff cannot load plugins; with ``[tool.ruff.lint] external = ["BG"]`` its
  ``--fix`` for RUF100/RUF102 leaves ``# noqa: BG...`` alone; without it, RUF102
  deletes the BG codes (checked against the real Ruff so the docs stay true).
- ``flake8 -j 2`` reports exactly what ``-j 1`` reports (per-process caches).

Each test skips with a reason when its tool is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from helpers import ROOT, run_flake8, write_tree

# ---- python-lsp-server ------------------------------------------------------------


class LspClient:
    """A minimal JSON-RPC client speaking the Language Server Protocol over stdio."""

    def __init__(self, argv: List[str], cwd: Path) -> None:
        """Start the server process and a reader thread."""
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        self.proc = subprocess.Popen(
            argv,
            cwd=str(cwd),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.messages: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.next_id = 0
        self.stderr: List[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                header = header.strip()
                if not header:
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                continue
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: Dict[str, Any]) -> None:
        """Send one JSON-RPC message."""
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(
            f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body
        )
        self.proc.stdin.flush()

    def request(self, method: str, params: Any, timeout: float = 60) -> Dict[str, Any]:
        """Send a request and wait for its response (other messages are kept)."""
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, "params": params})
        held = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                message = self._get(deadline, f"a response to {method}")
                if message.get("id") == request_id and "method" not in message:
                    return message
                held.append(message)
        finally:
            for message in held:
                self.messages.put(message)

    def notify(self, method: str, params: Any) -> None:
        """Send a notification."""
        self.send({"method": method, "params": params})

    def _get(self, deadline: float, what: str) -> Dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(
                f"timed out waiting for {what}; server stderr:\n"
                + b"".join(self.stderr[-40:]).decode("utf-8", "replace")
            )
        try:
            return self.messages.get(timeout=remaining)
        except queue.Empty:
            return self._get(deadline, what)

    def diagnostics(
        self, uri: str, predicate: Any, timeout: float = 90
    ) -> List[Dict[str, Any]]:
        """Wait for publishDiagnostics of ``uri`` whose list satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        last: Optional[List[Dict[str, Any]]] = None
        while True:
            try:
                message = self._get(deadline, f"diagnostics for {uri}")
            except AssertionError as exc:
                raise AssertionError(f"{exc}\nlast diagnostics: {last}") from None
            if message.get("method") == "workspace/configuration" and "id" in message:
                self.send(
                    {
                        "id": message["id"],
                        "result": [None]
                        * len(message.get("params", {}).get("items", [])),
                    }
                )
                continue
            if "id" in message and "method" in message:  # other server requests
                self.send({"id": message["id"], "result": None})
                continue
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params.get("uri") != uri:
                continue
            last = params["diagnostics"]
            if predicate(last):
                return last

    def close(self) -> None:
        """Shut the server down (politely, then firmly)."""
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


def _flake8_executable() -> str:
    here = Path(sys.executable).parent / "flake8"
    return str(here) if here.exists() else (shutil.which("flake8") or "flake8")


def _bg_lines(diagnostics: List[Dict[str, Any]], code: str) -> List[int]:
    """Return the 1-based lines of the diagnostics with ``code`` from flake8."""
    return sorted(
        d["range"]["start"]["line"] + 1
        for d in diagnostics
        if d.get("code") == code and d.get("source") == "flake8"
    )


BOOT_ON_DISK = '''"""Boot the app."""

import os
import sys

sys.path.append(os.path.dirname(__file__))
'''

BOOT_EDITED = '''"""Boot the app (edited in the editor, not saved)."""

import os
import sys

WHERE = os.path.dirname(__file__)


def setup() -> None:
    """Set the path up."""
    sys.path.insert(0, WHERE)
'''


@pytest.mark.skipif(
    importlib.util.find_spec("pylsp") is None,
    reason="python-lsp-server is not installed",
)
def test_pylsp_publishes_bg_diagnostics_for_the_buffer(tmp_path: Path) -> None:
    """pylsp + flake8 plugin: BG104 at the right line, then the edited buffer."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": '"""The app."""\n',
            "app/core/__init__.py": '"""Core."""\n',
            "app/core/boot.py": BOOT_ON_DISK,
        },
    )
    path = tmp_path / "app" / "core" / "boot.py"
    uri = path.as_uri()
    client = LspClient([sys.executable, "-m", "pylsp"], tmp_path)
    try:
        client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": tmp_path.as_uri(),
                "rootPath": str(tmp_path),
                "capabilities": {
                    "textDocument": {
                        "publishDiagnostics": {"relatedInformation": False}
                    }
                },
                "workspaceFolders": [{"uri": tmp_path.as_uri(), "name": "ws"}],
            },
        )
        client.notify("initialized", {})
        disabled = {"enabled": False}
        client.notify(
            "workspace/didChangeConfiguration",
            {
                "settings": {
                    "pylsp": {
                        "configurationSources": ["flake8"],
                        "plugins": {
                            "flake8": {
                                "enabled": True,
                                "executable": _flake8_executable(),
                                "select": ["BG"],
                            },
                            "pycodestyle": disabled,
                            "pyflakes": disabled,
                            "mccabe": disabled,
                            "pylint": disabled,
                            "pydocstyle": disabled,
                            "autopep8": disabled,
                            "yapf": disabled,
                        },
                    }
                }
            },
        )
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": 1,
                    "text": BOOT_ON_DISK,
                }
            },
        )
        first = client.diagnostics(uri, lambda d: bool(_bg_lines(d, "BG104")))
        assert _bg_lines(first, "BG104") == [6], first
        message = next(d["message"] for d in first if d.get("code") == "BG104")
        assert "sys.path.append" in message
        assert not [d for d in first if d.get("code") == "BG000"], first

        # edit without saving: the buffer, not the disk, is checked
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": BOOT_EDITED}],
            },
        )
        second = client.diagnostics(uri, lambda d: _bg_lines(d, "BG104") == [11])
        assert "sys.path.insert" in next(
            d["message"] for d in second if d.get("code") == "BG104"
        )
        assert path.read_text(encoding="utf-8") == BOOT_ON_DISK  # never saved

        # and an edit that removes the problem clears the diagnostic
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 3},
                "contentChanges": [{"text": '"""Boot the app."""\n'}],
            },
        )
        client.diagnostics(uri, lambda d: not _bg_lines(d, "BG104"))
    finally:
        client.close()


# ---- Ruff -------------------------------------------------------------------------


def _ruff() -> Optional[List[str]]:
    exe = Path(sys.executable).parent / "ruff"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ruff")
    if found:
        return [found]
    if importlib.util.find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    return None


RUFF = _ruff()
needs_ruff = pytest.mark.skipif(RUFF is None, reason="ruff is not installed")

NOQA_SOURCE = '''"""Queries."""


def find(cursor, name):
    """Find users."""
    cursor.execute("SELECT * FROM users WHERE name = '" + name + "' AND active = 1 LIMIT 1")  # noqa: BG201, E501
    return cursor.fetchall()
'''
NOQA_LINE = 6


def _ruff_fix(tmp_path: Path, external: bool, select: str) -> str:
    config = "[tool.ruff]\nline-length = 88\n\n[tool.ruff.lint]\n"
    if external:
        config += 'external = ["BG"]\n'
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    target = tmp_path / "queries.py"
    target.write_text(NOQA_SOURCE, encoding="utf-8")
    assert RUFF is not None
    result = subprocess.run(
        [*RUFF, "check", "--no-cache", "--fix", "--select", select, "queries.py"],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    return target.read_text(encoding="utf-8").splitlines()[NOQA_LINE - 1]


@needs_ruff
def test_ruff_with_external_keeps_bg_noqa(tmp_path: Path) -> None:
    """``external = ["BG"]``: RUF100/RUF102 fixes keep ``# noqa: BG201, E501``."""
    line = _ruff_fix(tmp_path, external=True, select="E501,RUF100,RUF102")
    assert line.endswith("# noqa: BG201, E501"), line


@needs_ruff
def test_ruff_with_external_drops_only_ruff_codes(tmp_path: Path) -> None:
    """With E501 not selected, RUF100 drops E501 (non-enabled) and keeps BG201."""
    line = _ruff_fix(tmp_path, external=True, select="RUF100,RUF102")
    assert "BG201" in line and "E501" not in line, line


@needs_ruff
def test_ruff_without_external_strips_bg_codes(tmp_path: Path) -> None:
    """Without ``external``, RUF102 (invalid code) deletes BG201 from the comment:
    this is why the docs tell Ruff users to set ``external = ["BG"]``."""
    line = _ruff_fix(tmp_path, external=False, select="E501,RUF100,RUF102")
    assert "BG201" not in line, line
    assert line.endswith("# noqa: E501"), line


# ---- flake8 -j 2 ------------------------------------------------------------------

PARALLEL_TREE = {
    "app/__init__.py": '"""App."""\n',
    "app/a.py": '"""A."""\n\nfrom . import b\n',
    "app/b.py": '"""B."""\n\nfrom . import a\n',
    "app/api/__init__.py": '"""API."""\n',
    "app/api/routes.py": (
        '"""Routes."""\n\nimport os\nimport sys\n\nfrom app.a import thing\n\n'
        "sys.path.append('vendor')\n\n\ndef run(cmd):\n    os.system(cmd)\n"
    ),
    "app/db/__init__.py": "",
    "app/db/models.py": (
        '"""Models."""\n\n\ndef find(cursor, name):\n'
        "    cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
    ),
    "scripts/tool.py": "from app.db.models import find\n\nprint(find)\n",
    "nopkg/x.py": "from .y import z\n",
}


def test_flake8_parallel_matches_serial(tmp_path: Path) -> None:
    """``-j 2`` (one process per worker, own caches) equals ``-j 1`` on a tree."""
    write_tree(tmp_path, PARALLEL_TREE)
    trees = ROOT / "tests" / "fixtures" / "trees"
    targets = ["app", "scripts", "nopkg"]
    if trees.is_dir():  # the multi-file fixture trees: the cross-file rules
        shutil.copytree(trees, tmp_path / "trees")
        targets.append("trees")
    serial = run_flake8(["--select", "BG", "-j", "1", *targets], tmp_path)
    parallel = run_flake8(["--select", "BG", "-j", "2", *targets], tmp_path)
    for result in (serial, parallel):
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr, result.stderr
    serial_lines = sorted(serial.stdout.splitlines())
    parallel_lines = sorted(parallel.stdout.splitlines())
    assert serial_lines, "the tree has findings"
    assert any(" BG105 " in line for line in serial_lines), serial_lines
    assert parallel_lines == serial_lines
