"""Robustness: generated programs, pathological inputs and hostile file trees.

The checker runs inside editors and CI on whatever code it is given. Nothing may make
it raise, hang, or report ``BG000`` (an internal error of a rule): generated
programs (hypothesmith), deep nesting, huge files, odd encodings and line endings,
unreadable files and symlink loops. Fuzzing runs a few examples by default; CI sets
``BG_FUZZ_EXAMPLES`` (e.g. 2000) for a long run. Slow tests (a 5 MB file, the whole
standard library through flake8) run with ``--runslow`` or ``BG_RUN_SLOW=1``.
"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import sysconfig
import threading
import time
import warnings
from pathlib import Path
from typing import Callable, Iterator, List, Sequence, Tuple

import pytest

from flake8_backend_guard import project
from flake8_backend_guard.engine import Engine
from flake8_backend_guard.rule import Finding, all_rules
from helpers import run_flake8, write_tree

try:  # hypothesmith is in the test extra; skip the fuzz tests cleanly without it
    import hypothesmith
    from hypothesis import HealthCheck, assume, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - depends on the environment
    hypothesmith = None

FUZZ_EXAMPLES = int(os.environ.get("BG_FUZZ_EXAMPLES", "0") or 0)
GRAMMAR_EXAMPLES = FUZZ_EXAMPLES or 30
NODE_EXAMPLES = FUZZ_EXAMPLES or 6  # libcst code generation is slow (~1 s each)

_ENGINE = Engine(all_rules())


def _check(source: str, filename: str) -> List[Finding]:
    """Parse and check ``source`` with every rule; the engine must not raise."""
    tree = ast.parse(source, filename=filename)
    return _ENGINE.check(tree, filename, source.splitlines(True))


def _internal_errors(findings: Sequence[Finding]) -> List[str]:
    return [f"{f.line}:{f.col} {f.message}" for f in findings if f.code == "BG000"]


def _run_with_timeout(func: Callable[[], object], seconds: float) -> object:
    """Run ``func`` in a thread; fail the test if it does not finish in time."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:  # re-raised in the test thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"did not finish within {seconds} s (a hang or a loop)")
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.fixture(scope="module")
def package_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A file inside a real package, so package facts and the import graph run."""
    root = tmp_path_factory.mktemp("fuzz")
    write_tree(
        root,
        {
            "app/__init__.py": "",
            "app/api/__init__.py": "",
            "app/api/routes.py": "from app.api import views\n",
            "app/api/views.py": "from app.api import routes\n",
            "app/db.py": "import sqlite3\n",
        },
    )
    return str(root / "app" / "api" / "generated.py")


# ---- generated programs ---------------------------------------------------------


def _filenames(package_file: str) -> "st.SearchStrategy[str]":
    return st.sampled_from(
        [
            package_file,
            "stdin",
            "-",
            "<unknown>",
            "settings.py",
            "app/views.py",
            os.path.join(os.sep, "nonexistent", "dir", "config.py"),
            "tests/test_app.py",
        ]
    )


def _fuzz_one(source: str, filename: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for `1()` and friends
            tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assume(False)
        return
    findings = _ENGINE.check(tree, filename, source.splitlines(True))
    assert not _internal_errors(findings), (source, _internal_errors(findings))
    for finding in findings:
        assert finding.line >= 1 and finding.col >= 0, finding
        assert finding.code.startswith("BG"), finding


_FUZZ_SETTINGS = dict(
    deadline=None,
    suppress_health_check=(
        [
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ]
        if hypothesmith is not None
        else []
    ),
)


@pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed")
def test_programs_from_grammar_never_crash_the_engine(package_file: str) -> None:
    """Programs generated from Python's grammar: no exception, no BG000."""

    @settings(max_examples=GRAMMAR_EXAMPLES, **_FUZZ_SETTINGS)
    @given(source=hypothesmith.from_grammar(), filename=_filenames(package_file))
    def run(source: str, filename: str) -> None:
        _fuzz_one(source, filename)

    run()


@pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed")
def test_programs_from_syntax_trees_never_crash_the_engine(package_file: str) -> None:
    """Programs generated from libcst syntax trees (more semantic shapes)."""

    @settings(max_examples=NODE_EXAMPLES, **_FUZZ_SETTINGS)
    @given(source=hypothesmith.from_node(), filename=_filenames(package_file))
    def run(source: str, filename: str) -> None:
        _fuzz_one(source, filename)

    run()


# ---- deep nesting -----------------------------------------------------------------

# Expression shapes whose nesting depth grows with ``n``; the parser caps some
# (nested brackets at 200 levels, indentation at 100) and accepts others far deeper.
EXPRESSIONS = {
    "binop-chain": lambda n: "x = " + " + ".join(["a"] * n),
    "string-concatenation": lambda n: "x = " + " + ".join(["'s'"] * n),
    "fstring-concatenation": lambda n: "x = " + " + ".join(["f'{a}'"] * n),
    "sql-concatenation": lambda n: "cursor.execute('SELECT ' + "
    + " + ".join(["a"] * n)
    + ")",
    "nested-parentheses": lambda n: "x = " + "(1 + " * n + "1" + ")" * n,
    "nested-lists": lambda n: "x = " + "[" * n + "]" * n,
    "nested-calls": lambda n: "x = " + "f(" * n + ")" * n,
    "nested-dicts": lambda n: "x = " + "{'a': " * n + "1" + "}" * n,
    "attribute-chain": lambda n: "x = a" + ".b" * n,
    "call-chain": lambda n: "x = q" + ".filter(a)" * n,
    "subscript-chain": lambda n: "x = a" + "[0]" * n,
    "not-chain": lambda n: "x = " + "not " * n + "a",
    "lambda-chain": lambda n: "x = " + "lambda: " * n + "1",
    "boolop-chain": lambda n: "x = " + " and ".join(["a"] * n),
    "compare-chain": lambda n: "x = " + " < ".join(["a"] * n),
    "ternary-chain": lambda n: "x = " + "a if b else " * n + "c",
}


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return False
    return True


@pytest.mark.parametrize("depth", [200, 1000])
@pytest.mark.parametrize("shape", sorted(EXPRESSIONS))
def test_deep_expressions(shape: str, depth: int) -> None:
    """200- and 1000-level expressions, as far as ``ast.parse`` accepts them."""
    line = EXPRESSIONS[shape](depth)
    sources = [
        line + "\n",  # module level (constants, module-level rules)
        "def handler(a, b, c, q, cursor):\n    " + line + "\n    return x\n",
    ]
    tested = 0
    for source in sources:
        if not _parses(source):
            continue
        tested += 1
        findings = _check(source, "app/module.py")
        assert not _internal_errors(findings), _internal_errors(findings)
    if not tested:
        pytest.skip(f"ast.parse rejects {shape} at depth {depth} on this Python")


def _nested_statements(depth: int) -> str:
    """Return ``depth`` levels of mixed compound statements (indentation <= depth)."""
    openers = [
        "if a:",
        "for i in range(3):",
        "while b:",
        "with open(p) as f:",
        "try:",
        "def f{n}(a, password):",
        "class C{n}:",
        "async def g{n}(request):",
    ]
    lines: List[str] = []
    closers: List[Tuple[int, str]] = []
    for level in range(depth):
        opener = openers[level % len(openers)].format(n=level)
        lines.append("    " * level + opener)
        if opener == "try:":
            closers.append((level, "except Exception:"))
    lines.append("    " * depth + "cursor.execute('SELECT * FROM t WHERE a = ' + a)")
    lines.append("    " * depth + "print(password)")
    for level, closer in reversed(closers):
        lines.append("    " * level + closer)
        lines.append("    " * (level + 1) + "pass")
    return "\n".join(lines) + "\n"


def test_deeply_nested_statements_as_deep_as_the_parser_allows() -> None:
    """Nested compound statements up to the tokenizer's indentation limit (100)."""
    depth = 200
    while depth > 0 and not _parses(_nested_statements(depth)):
        depth -= 1
    assert depth >= 90, "the parser should accept ~99 levels of indentation"
    findings = _check(_nested_statements(depth), "app/module.py")
    assert not _internal_errors(findings), _internal_errors(findings)


def test_200_level_synthetic_tree() -> None:
    """A tree deeper than the parser allows, built directly: the engine walk is
    iterative and the rules must not recurse without bound either."""
    body: List[ast.stmt] = [
        ast.Expr(
            ast.Call(
                func=ast.Attribute(
                    ast.Name("cursor", ast.Load()), "execute", ast.Load()
                ),
                args=[
                    ast.BinOp(
                        ast.Constant("SELECT "), ast.Add(), ast.Name("a", ast.Load())
                    )
                ],
                keywords=[],
            )
        )
    ]
    for level in range(200):
        if level % 3 == 0:
            body = [ast.If(test=ast.Name("a", ast.Load()), body=body, orelse=[])]
        elif level % 3 == 1:
            body = [
                ast.For(
                    target=ast.Name("i", ast.Store()),
                    iter=ast.Name("items", ast.Load()),
                    body=body,
                    orelse=[],
                )
            ]
        else:
            body = [
                ast.FunctionDef(
                    name=f"f{level}",
                    args=ast.arguments(
                        posonlyargs=[],
                        args=[ast.arg("a")],
                        vararg=None,
                        kwonlyargs=[],
                        kw_defaults=[],
                        kwarg=None,
                        defaults=[],
                    ),
                    body=body,
                    decorator_list=[],
                    returns=None,
                )
            ]
    tree = ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
    findings = _ENGINE.check(tree, "app/module.py", [])
    assert not _internal_errors(findings), _internal_errors(findings)


# ---- huge input -------------------------------------------------------------------

_BLOCK = '''

@app.route("/api/items/{n}", methods=["GET", "POST"])
def item_{n}(item_id: int, password: str = "") -> dict:
    """Return item {n}.

    Args:
        item_id: The id.
        password: A password.

    Returns:
        The item.
    """
    query = "SELECT * FROM items WHERE id = " + str(item_id)
    rows = db.execute(query).fetchall()
    if not rows:
        logger.info("missing %s", item_id)
        return {{"error": "not found"}}
    token = hashlib.md5(password.encode()).hexdigest()
    data = [row for row in rows if row["owner"] == token]
    return {{"items": data, "count": len(data)}}


class Model{n}:
    """A model."""

    name: str = "model_{n}"

    def save(self, cursor) -> None:
        """Save it.

        Args:
            cursor: The cursor.
        """
        cursor.execute(f"UPDATE t SET name = '{{self.name}}'")
'''


@pytest.mark.slow
def test_five_megabyte_file() -> None:
    """A 5 MB generated module: finishes, no BG000, time grows with size only."""
    header = (
        '"""Generated."""\n\nimport hashlib\nimport logging\n\n'
        "from flask import Flask\n\napp = Flask(__name__)\n"
        "logger = logging.getLogger(__name__)\ndb = None\n"
    )
    parts = [header]
    size = len(header)
    n = 0
    while size < 5 * 1024 * 1024:
        block = _BLOCK.format(n=n)
        parts.append(block)
        size += len(block)
        n += 1
    source = "".join(parts)
    small = header + "".join(_BLOCK.format(n=i) for i in range(n // 50))

    start = time.process_time()
    findings = _check(small, "app/generated.py")
    small_time = time.process_time() - start
    assert not _internal_errors(findings)

    start = time.process_time()
    findings = _check(source, "app/generated.py")
    big_time = time.process_time() - start
    assert not _internal_errors(findings), _internal_errors(findings)[:5]
    assert findings, "the generated file holds findings in every block"
    # 50x the code may cost at most ~5x more per block than the small file (the
    # machine is shared; this only catches quadratic behaviour)
    assert big_time <= max(1.0, 50 * small_time * 5), (small_time, big_time)


# ---- odd bytes through the real flake8 --------------------------------------------

ODD_FILES = {
    # name: (bytes, line of the BG104 finding or None, expected flake8 E9 codes)
    "bom.py": (b"\xef\xbb\xbfimport sys\n\nsys.path.append('x')\n", 3, set()),
    "bom_only.py": (b"\xef\xbb\xbf", None, set()),
    "crlf.py": (b"import sys\r\n\r\nsys.path.append('x')\r\n", 3, set()),
    "cr_only.py": (b"import sys\r\rsys.path.append('x')\r", 3, set()),
    "form_feed.py": (
        b"import sys\n\x0c\ndef f():\n    \x0c\n    return 1\n\x0c\n"
        b"sys.path.append('x')\n",
        7,
        set(),
    ),
    "tabs.py": (b"import sys\nif True:\n\tsys.path.append('x')\n", 3, set()),
    "mixed_tabs.py": (
        b"import sys\nif True:\n        x = 1\n\tsys.path.append('x')\n",
        None,
        {"E999"},
    ),
    "latin1_no_cookie.py": (
        b"import sys\nname = '\xe9t\xe9'\nsys.path.append('x')\n",
        3,
        set(),
    ),
    "latin1_cookie.py": (
        b"# -*- coding: latin-1 -*-\nimport sys\nname = '\xe9t\xe9'\n"
        b"sys.path.append('x')\n",
        4,
        set(),
    ),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\nimport sys\n", None, None),
    "null_byte.py": (b"import sys\nx = 1\x00\nsys.path.append('x')\n", None, {"E999"}),
    "null_in_string.py": (b"import sys\nx = '\\x00'\nsys.path.append('x')\n", 3, set()),
    "empty.py": (b"", None, set()),
    "no_newline.py": (b"import sys\nsys.path.append('x')", 2, set()),
    "unterminated.py": (b"import sys\nx = '''\nsys.path.append('x')\n", None, {"E999"}),
    "lone_surrogate.py": (
        b"import sys\nx = '\xed\xa0\x80'\nsys.path.append('x')\n",
        None,
        None,
    ),
    "utf16.py": ("# -*- coding: utf-16 -*-\nimport sys\n".encode("utf-16"), None, None),
}


# flake8 7.x raises UnicodeDecodeError for these over stdin (not over a path)
FLAKE8_STDIN_CRASHES = frozenset({"latin1_no_cookie.py"})


def _findings_by_file(output: str) -> dict:
    found: dict = {}
    for line in output.splitlines():
        parts = line.split(":", 3)
        if len(parts) < 4:
            continue
        code = parts[3].strip().split(" ", 1)[0]
        found.setdefault(os.path.basename(parts[0]), []).append((int(parts[1]), code))
    return found


def test_odd_bytes_through_flake8(tmp_path: Path) -> None:
    """BOM, CRLF, CR, form feeds, tabs, non-UTF-8 bytes, NUL bytes: flake8's own
    E902/E999 stay the only errors; BG findings keep their lines; no BG000."""
    for name, (data, _, _) in ODD_FILES.items():
        (tmp_path / name).write_bytes(data)
    result = run_flake8(["--select", "BG104,BG000,E9", "-j", "1", "."], tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "BG000" not in result.stdout, result.stdout
    found = _findings_by_file(result.stdout)
    for name, (_, bg104_line, e9_codes) in ODD_FILES.items():
        codes = found.get(name, [])
        if e9_codes is None:  # flake8's own verdict varies between versions
            assert all(code in ("BG104", "E902", "E999") for _, code in codes), codes
            continue
        expected = {(bg104_line, "BG104")} if bg104_line else set()
        got_bg = {(line, code) for line, code in codes if code.startswith("BG")}
        got_e9 = {code for _, code in codes if code.startswith("E9")}
        assert got_e9 == e9_codes, (name, codes)
        if not e9_codes:
            assert got_bg == expected, (name, codes)


@pytest.mark.parametrize(
    "name", ["bom.py", "crlf.py", "null_byte.py", "latin1_no_cookie.py"]
)
def test_odd_bytes_through_flake8_stdin(tmp_path: Path, name: str) -> None:
    """The same over stdin, as editors run flake8 (``--stdin-display-name``)."""
    data, bg104_line, e9_codes = ODD_FILES[name]
    write_tree(tmp_path, {"app/__init__.py": ""})
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8",
            "--select",
            "BG104,BG000,E9",
            "-",
            "--stdin-display-name",
            f"app/{name}",
        ],
        cwd=str(tmp_path),
        input=data,
        capture_output=True,
        timeout=120,
        env=env,
    )
    stdout = result.stdout.decode("utf-8", "replace")
    stderr = result.stderr.decode("utf-8", "replace")
    if name in FLAKE8_STDIN_CRASHES and "Traceback" in stderr:
        # flake8 itself (utils.stdin_get_value) fails to decode non-UTF-8 stdin that
        # has no coding cookie, before any plugin runs: not ours, but never ours
        assert "flake8_backend_guard" not in stderr, stderr
        return
    assert result.returncode in (0, 1), stderr
    assert "Traceback" not in stderr, stderr
    assert "BG000" not in stdout, stdout
    codes = [c for _, c in _findings_by_file(stdout).get(name, [])]
    if e9_codes:
        assert set(c for c in codes if c.startswith("E9")) == e9_codes, stdout
    elif bg104_line:
        assert (bg104_line, "BG104") in _findings_by_file(stdout).get(name, []), stdout


# ---- hostile file trees -----------------------------------------------------------


@pytest.fixture()
def clean_caches() -> Iterator[None]:
    """Forget cached directory facts and import graphs around the test."""
    project.clear_caches()
    yield
    project.clear_caches()


def _reads_blocked(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError:
        return True
    return False


def test_unreadable_siblings(tmp_path: Path, clean_caches: None) -> None:
    """Unreadable modules and directories next to the checked file are skipped."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": "from app import secret\nfrom app.locked import mod\n",
            "app/secret.py": "from app import main\n",
            "app/locked/__init__.py": "",
            "app/locked/mod.py": "from app import main\n",
        },
    )
    secret = tmp_path / "app" / "secret.py"
    locked = tmp_path / "app" / "locked"
    secret.chmod(0)
    locked.chmod(0)
    try:
        if not _reads_blocked(secret):
            pytest.skip("file permissions do not block reads here (running as root?)")
        main = tmp_path / "app" / "main.py"
        source = main.read_text(encoding="utf-8")
        findings = _run_with_timeout(lambda: _check(source, str(main)), 60)
        assert not _internal_errors(findings), findings  # type: ignore[arg-type]
        result = run_flake8(["--select", "BG", "-j", "1", "app"], tmp_path)
        assert "Traceback" not in result.stderr, result.stderr
        assert "BG000" not in result.stdout, result.stdout
        assert result.returncode in (0, 1), result.stderr
    finally:
        locked.chmod(stat.S_IRWXU)
        secret.chmod(stat.S_IRUSR | stat.S_IWUSR)


def _symlink(link: Path, target: str, is_dir: bool = False) -> None:
    try:
        os.symlink(target, link, target_is_directory=is_dir)
    except (OSError, NotImplementedError) as exc:
        pytest.skip(f"cannot create symlinks here: {exc}")


def test_symlink_loops_do_not_hang(tmp_path: Path, clean_caches: None) -> None:
    """Package dirs with symlinks to a parent, self-referencing and dangling links."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": (
                "import sys\n\nfrom app.loop.loop import main\n"
                "from app.sub import b\n\n"
                "sys.path.append('x')\n"
            ),
            "app/sub/__init__.py": "",
            "app/sub/b.py": "from app import main\n",
        },
    )
    app = tmp_path / "app"
    _symlink(app / "loop", "..", is_dir=True)  # app/loop -> tmp_path (a parent)
    _symlink(app / "sub" / "up", "..", is_dir=True)  # app/sub/up -> app
    _symlink(app / "sub" / "self", "self", is_dir=True)  # a link to itself
    _symlink(app / "self_file.py", "self_file.py")  # ELOOP when opened
    _symlink(app / "dangling.py", "missing.py")
    main = app / "main.py"
    source = main.read_text(encoding="utf-8")
    findings = _run_with_timeout(lambda: _check(source, str(main)), 60)
    assert not _internal_errors(findings), findings  # type: ignore[arg-type]
    assert any(f.code == "BG104" for f in findings)  # type: ignore[union-attr]
    graph = _run_with_timeout(
        lambda: project.import_graph(project.module_info(str(main))), 60
    )
    assert "app.main" in graph.files  # type: ignore[attr-defined]
    modules = list(graph.files)  # type: ignore[attr-defined]
    assert not any(".loop." in m or m.endswith(".loop") for m in modules)

    result = run_flake8(
        ["--select", "BG", "-j", "1", "app/main.py", "app/sub"], tmp_path
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "BG000" not in result.stdout, result.stdout
    assert result.returncode in (0, 1), result.stderr
    assert "BG104" in result.stdout


# ---- the whole standard library ---------------------------------------------------


@pytest.mark.slow
def test_standard_library_sweep(tmp_path: Path) -> None:
    """``flake8 --select BG -j 2`` over the whole stdlib: no crash, no BG000."""
    stdlib = sysconfig.get_paths()["stdlib"]
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8",
            "--select",
            "BG",
            "-j",
            "2",
            "--extend-exclude",
            "site-packages",
            stdlib,
        ],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=3600,
        env=env,
        encoding="utf-8",
        errors="replace",
    )
    internal = [line for line in result.stdout.splitlines() if " BG000 " in line]
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert not internal, "\n".join(internal[:20])
    assert " BG" in result.stdout  # the rules did run
