"""Benchmark flake8-backend-guard against its floors and against other tools.

Run from the repository root (or anywhere)::

    python bench/run.py                 # the standard library, full run (~20 min)
    python bench/run.py --quick         # top-level stdlib modules only (minutes)
    python bench/run.py --json out.json path/to/project  # add a project to the corpus

Everything is measured in one run on the same files: the corpus is copied once into
a temporary tree and every tool checks that tree. The table shows RATIOS (machines
vary; ratios between tools on the same machine and files are what travels) and the
targets with PASS/FAIL. See ``docs/performance.md`` for what each figure means.

This is a benchmark, not a test: it never fails the build. The exit status is 0
unless ``--strict`` is given and a target failed (1).
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import io
import json
import os
import platform
import pstats
import random
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Directories no tool should see: test suites of the stdlib hold deliberately broken
# files (bad encodings, syntax errors) that tools treat differently, and some names
# are excluded by default by one tool but not by another (Ruff skips `venv`, `build`,
# `dist`, `site-packages`...), which would make the file sets differ.
TEST_DIRS = frozenset({"test", "tests", "idle_test"})
EXCLUDED_DIRS = frozenset(
    {
        "__pycache__",
        "site-packages",
        "dist-packages",
        "venv",
        ".venv",
        "build",
        "dist",
        "_build",
        "buck-out",
        "node_modules",
        "__pypackages__",
        ".git",
        ".tox",
        ".nox",
        ".eggs",
    }
)
FULL_SIZES = (10_000, 50_000, 100_000, 500_000)
QUICK_SIZES = (10_000, 50_000, 100_000)
BASE_FLAKE8_PACKAGES = ("flake8",)  # the report formatters only
DEFAULT_FLAKE8_PACKAGES = ("pycodestyle", "pyflakes", "mccabe")
PLUGIN_PACKAGES = {
    "BG": "flake8-backend-guard",
    "bugbear": "flake8-bugbear",
    "bandit": "flake8-bandit",
}

# ---------------------------------------------------------------------------------
# flake8 with a controlled plugin set (used as `python bench/run.py --flake8-with`)
# ---------------------------------------------------------------------------------


def _flake8_with(packages: Sequence[str], argv: Sequence[str]) -> int:
    """Run flake8 loading only the plugins of ``packages`` (plus its formatters).

    The same flake8 with identical options and files; only the set of installed
    plugins flake8 finds differs, so a run with one extra package minus the run
    without it is exactly that plugin's added cost.
    """
    from flake8.main.cli import main
    from flake8.plugins import finder

    allowed = {p.lower() for p in packages}
    original = finder._find_importlib_plugins

    def filtered() -> Iterable[Any]:
        for plugin in original():
            if (
                plugin.package == "flake8"
                and plugin.entry_point.group == "flake8.report"
            ):
                yield plugin
            elif plugin.package.lower() in allowed:
                yield plugin

    finder._find_importlib_plugins = filtered
    return int(main(list(argv)) or 0)


# ---------------------------------------------------------------------------------
# the corpus
# ---------------------------------------------------------------------------------


@dataclass
class SourceFile:
    """One corpus file, copied into the benchmark tree."""

    path: str  # path inside the benchmark tree
    rel: str  # path relative to the tree root
    unit: str  # top-level module or package it belongs to (for prefixes)
    source: str
    lines: List[str]
    nlines: int


@dataclass
class Corpus:
    """The files every tool checks, copied below ``root``."""

    root: str
    main: List[SourceFile] = field(default_factory=list)  # checked by every tool
    extra: List[SourceFile] = field(default_factory=list)  # scaling pool only
    skipped: List[Tuple[str, str]] = field(default_factory=list)

    @property
    def main_lines(self) -> int:
        """Return the number of lines of the main corpus."""
        return sum(f.nlines for f in self.main)


def _decode(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _iter_py_files(base: Path, top_only: bool, tests: Optional[bool]) -> Iterable[Path]:
    """Yield .py files below ``base`` in sorted order.

    ``tests``: None = everything, False = skip test directories, True = only files
    inside test directories.
    """
    for dirpath, dirnames, filenames in os.walk(base):
        rel_parts = Path(dirpath).relative_to(base).parts
        in_tests = any(part in TEST_DIRS for part in rel_parts)
        keep = []
        for name in sorted(dirnames):
            if name in EXCLUDED_DIRS or name.startswith("."):
                continue
            if tests is False and name in TEST_DIRS:
                continue
            keep.append(name)
        dirnames[:] = [] if top_only else keep
        if tests is True and not in_tests:
            continue
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield Path(dirpath) / name


def build_corpus(
    dest: Path,
    quick: bool,
    with_tests: bool,
    dirs: Sequence[str],
    need_lines: int,
    stdlib_too: bool = True,
) -> Corpus:
    """Copy the parseable corpus files below ``dest`` and read them back."""
    corpus = Corpus(root=str(dest))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sources: List[Tuple[str, Path, bool, Optional[bool]]] = []
    if stdlib_too:
        sources.append(("stdlib", stdlib, quick, None if with_tests else False))
    for index, directory in enumerate(dirs):
        sources.append(
            (f"extra{index}-{Path(directory).name}", Path(directory), False, None)
        )

    def add(
        label: str,
        base: Path,
        top_only: bool,
        tests: Optional[bool],
        target: List[SourceFile],
    ) -> None:
        for path in _iter_py_files(base, top_only, tests):
            rel_in_base = path.relative_to(base)
            if tests is True:
                # Re-root the test suites: `test/test_os.py` -> `test/test_os.py` in
                # a plain directory (its `__init__.py` dropped), so each test module
                # and sub-package is a unit of its own, as a project would be; one
                # 500k-line package would otherwise make any prefix that touches it
                # pay for its whole import graph.
                parts = rel_in_base.parts
                cut = next(i for i, part in enumerate(parts) if part in TEST_DIRS)
                group, rest = "-".join(parts[: cut + 1]), parts[cut + 1 :]
                if rest == ("__init__.py",):
                    continue
                rel_in_base = Path(group, *rest)
            try:
                data = path.read_bytes()
                text = _decode(data)
                ast.parse(text, filename=str(path))
            except (
                OSError,
                SyntaxError,
                ValueError,
                UnicodeDecodeError,
                RecursionError,
                LookupError,
                MemoryError,
            ) as exc:
                corpus.skipped.append((str(path), type(exc).__name__))
                continue
            rel = Path(label) / rel_in_base
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8", newline="")
            lines = text.splitlines(True)
            unit = f"{label}/{rel_in_base.parts[0]}"
            if tests is True:
                unit = f"{label}/{rel_in_base.parts[0]}/{rel_in_base.parts[1]}"
            target.append(SourceFile(str(out), str(rel), unit, text, lines, len(lines)))

    for label, base, top_only, tests in sources:
        add(label, base, top_only, tests, corpus.main)
    # The scaling series needs `need_lines` lines; the test suites of the stdlib
    # (never part of the tool comparisons) top the pool up when the corpus is short.
    if corpus.main_lines < need_lines and stdlib_too and not with_tests and not quick:
        add("stdlib-tests", stdlib, False, True, corpus.extra)
    return corpus


# ---------------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------------


@dataclass
class Timing:
    """CPU and wall seconds of one measurement (best of the repeats)."""

    cpu: float
    wall: float
    extra: Dict[str, Any] = field(default_factory=dict)

    def value(self, metric: str) -> float:
        """Return the seconds of ``metric`` (cpu or wall)."""
        return self.cpu if metric == "cpu" else self.wall

    def as_json(self) -> Dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"cpu": round(self.cpu, 4), "wall": round(self.wall, 4), **self.extra}


def best_of(repeat: int, func: Callable[[], Optional[Dict[str, Any]]]) -> Timing:
    """Run ``func`` ``repeat`` times and keep the fastest run (by CPU time)."""
    best: Optional[Timing] = None
    for _ in range(max(1, repeat)):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        extra = func() or {}
        timing = Timing(time.process_time() - cpu0, time.perf_counter() - wall0, extra)
        if best is None or timing.cpu < best.cpu:
            best = timing
    assert best is not None
    return best


# A small launcher measures each tool: on Linux a process's ru_maxrss survives exec
# and starts at the RSS of the process it was forked from, so a tool forked from
# this (large) benchmark process would report the benchmark's memory as its own.
# The launcher is a fresh small interpreter; its child's peak is the tool's own
# (with a floor of the launcher's ~10 MB). wait4 gives that one child's rusage,
# including its waited-for workers (flake8 -j, backend-guard --jobs).
_LAUNCHER = r"""
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
sys.stderr.write("\n@@bench@@" + json.dumps({
    "cpu": usage.ru_utime + usage.ru_stime, "wall": wall,
    "max_rss_kb": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status),
}) + "\n")
sys.exit(0)
"""


def run_child(
    argv: Sequence[str],
    cwd: str,
    env: Optional[Dict[str, str]] = None,
    ok_codes: Tuple[int, ...] = (0, 1),
) -> Timing:
    """Run a command; return its wall time, its own CPU time and peak RSS."""
    full_env = dict(os.environ)
    full_env.pop("PYTHONPATH", None)
    full_env["PYTHONDONTWRITEBYTECODE"] = "1"
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *argv],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    marker = stderr.rfind("@@bench@@")
    if marker < 0:
        raise RuntimeError(f"{' '.join(argv[:4])}... launcher failed: {stderr[-500:]}")
    data = json.loads(stderr[marker + len("@@bench@@") :].strip().splitlines()[0])
    if data["exit"] not in ok_codes:
        tail = stderr[:marker].strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(argv[:4])}... exited {data['exit']}: {tail}")
    return Timing(
        cpu=data["cpu"],
        wall=data["wall"],
        extra={"max_rss_mb": round(data["max_rss_kb"] / 1024, 1), "exit": data["exit"]},
    )


def best_child(repeat: int, make: Callable[[], Timing]) -> Timing:
    """Run a child measurement ``repeat`` times; keep the fastest (by CPU time)."""
    runs = [make() for _ in range(max(1, repeat))]
    return min(runs, key=lambda t: t.cpu)


# ---------------------------------------------------------------------------------
# in-process measurements (each phase in a fresh interpreter)
# ---------------------------------------------------------------------------------
#
# Every phase runs in its own Python process (`bench/run.py --phase ...`): caches of
# one measurement never help the next one, a plugin that mutates the shared tree
# (bandit adds parent links to every node) cannot slow down what follows, and the
# garbage collector starts from the same state each time.


def write_manifest(corpus: Corpus, path: str) -> None:
    """Write the corpus file list for the phase processes."""

    def rows(files: List[SourceFile]) -> List[Dict[str, Any]]:
        return [
            {"path": f.path, "rel": f.rel, "unit": f.unit, "nlines": f.nlines}
            for f in files
        ]

    data = {"root": corpus.root, "main": rows(corpus.main), "extra": rows(corpus.extra)}
    Path(path).write_text(json.dumps(data), encoding="utf-8")


def read_manifest(path: str, with_extra: bool = False) -> Corpus:
    """Read the corpus back from its manifest (sources from the copied tree)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    corpus = Corpus(root=data["root"])
    for key, target in (("main", corpus.main), ("extra", corpus.extra)):
        if key == "extra" and not with_extra:
            continue
        for row in data[key]:
            text = Path(row["path"]).read_text(encoding="utf-8")
            target.append(
                SourceFile(
                    row["path"],
                    row["rel"],
                    row["unit"],
                    text,
                    text.splitlines(True),
                    row["nlines"],
                )
            )
    return corpus


def _clear_project_caches() -> None:
    try:
        from flake8_backend_guard import project

        project.clear_caches()
    except Exception:  # an older tree without the helper
        pass


def time_per_file(
    files: Sequence[SourceFile],
    repeat: int,
    make: Callable[[], Callable[[SourceFile, ast.Module], int]],
) -> Timing:
    """Time ``check(src, tree)`` over every file; best of ``repeat`` passes.

    Each tree is parsed just before its check and the parse is not timed: as in
    flake8, one fresh tree at a time is alive, so the garbage collector sees what
    it sees in a real run (holding the whole corpus's trees would make every full
    collection walk them; freezing them would hide the cost of young trees).
    ``make`` is called once per pass (untimed) and returns the check function.
    """
    best: Optional[Timing] = None
    for _ in range(max(1, repeat)):
        check = make()
        cpu = wall = 0.0
        count = 0
        for src in files:
            tree = ast.parse(src.source, filename=src.path)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            count += check(src, tree)
            cpu += time.process_time() - cpu0
            wall += time.perf_counter() - wall0
        timing = Timing(cpu, wall, {"findings": count})
        if best is None or timing.cpu < best.cpu:
            best = timing
    assert best is not None
    return best


def _engine_check(
    rules: List[Any],
) -> Callable[[], Callable[[SourceFile, ast.Module], int]]:
    from flake8_backend_guard.engine import Engine

    def make() -> Callable[[SourceFile, ast.Module], int]:
        _clear_project_caches()  # each pass pays for the import graphs, as a process
        engine = Engine(rules)
        return lambda src, tree: len(engine.check(tree, src.path, src.lines))

    return make


def _flake8_tree_plugins() -> Tuple[Any, Dict[str, Any]]:
    """Return flake8 options and its loaded tree plugins, by package name."""
    from flake8.main.application import Application

    app = Application()
    app.initialize(["--isolated", "-j", "1"])
    assert app.plugins is not None and app.options is not None
    found: Dict[str, Any] = {}
    for loaded in app.plugins.checkers.tree:
        found.setdefault(loaded.plugin.package.lower(), []).append(loaded)
    return app.options, found


def _plugin_runner(
    options: Any, loaded_plugins: List[Any]
) -> Callable[[SourceFile, Any], int]:
    """Return a function calling plugins the way flake8's FileChecker does."""
    from flake8.processor import FileProcessor

    def run(src: SourceFile, tree: Any) -> int:
        processor = FileProcessor(src.path, options, lines=src.lines)
        count = 0
        for loaded in loaded_plugins:
            params = processor.keyword_arguments_for(loaded.parameters, {"tree": tree})
            checker = loaded.obj(tree=tree, **params)
            try:
                runner = checker.run()
            except AttributeError:
                runner = checker
            for _ in runner:
                count += 1
        return count

    return run


def _select_rules(which: str) -> List[Any]:
    from flake8_backend_guard.rule import all_rules

    rules = all_rules()
    return rules if which == "all" else [r for r in rules if r.family == which]


def phase_floors(corpus: Corpus, repeat: int) -> Dict[str, Any]:
    """Parse floor (trees thrown away, as flake8 does) and bare walk floor."""
    files = corpus.main

    def parse_all() -> None:
        for src in files:
            ast.parse(src.source, filename=src.path)

    def walk(src: SourceFile, tree: ast.Module) -> int:
        nodes = 0
        for _ in ast.walk(tree):
            nodes += 1
        return nodes

    parse = best_of(repeat, parse_all)
    walked = time_per_file(files, repeat, lambda: walk)
    walked.extra = {"nodes": walked.extra["findings"]}
    return {"parse": parse.as_json(), "walk": walked.as_json()}


def phase_engine(
    corpus: Corpus, repeat: int, which: str, record: bool
) -> Dict[str, Any]:
    """The engine over pre-parsed trees with all rules or one family."""
    from flake8_backend_guard.engine import Engine

    files = corpus.main
    rules = _select_rules(which)
    result: Dict[str, Any] = {"rules": [r.code for r in rules]}
    if record:  # one untimed pass to collect what the rules found
        _clear_project_caches()
        engine = Engine(rules)
        counts: Dict[str, int] = {}
        errors: List[str] = []
        for src in files:
            tree = ast.parse(src.source, filename=src.path)
            for finding in engine.check(tree, src.path, src.lines):
                counts[finding.code] = counts.get(finding.code, 0) + 1
                if finding.code == "BG000" and len(errors) < 50:
                    errors.append(f"{src.rel}:{finding.line}: {finding.message}")
        result["findings_by_code"] = dict(sorted(counts.items()))
        result["internal_errors"] = errors
    result["timing"] = time_per_file(files, repeat, _engine_check(rules)).as_json()
    return result


def phase_rules(corpus: Corpus) -> Dict[str, Any]:
    """CPU seconds of each rule alone over the corpus (one pass each)."""
    files = corpus.main
    base = time_per_file(files, 1, _engine_check([])).cpu
    per_rule: Dict[str, float] = {}
    for rule in _select_rules("all"):
        seconds = time_per_file(files, 1, _engine_check([rule])).cpu
        per_rule[rule.code] = round(max(seconds - base, 0.0), 4)
    return {"empty_engine": round(base, 4), "per_rule": per_rule}


def phase_plugin(corpus: Corpus, repeat: int, package: str) -> Dict[str, Any]:
    """One flake8 tree plugin called the way flake8 calls it, on pre-parsed trees."""
    options, loaded = _flake8_tree_plugins()
    if package not in loaded:
        return {"missing": True}
    runner = _plugin_runner(options, loaded[package])

    def make() -> Callable[[SourceFile, ast.Module], int]:
        _clear_project_caches()
        return runner

    return {"timing": time_per_file(corpus.main, repeat, make).as_json()}


def _prefixes(corpus: Corpus, size: int) -> Tuple[List[SourceFile], int]:
    """Return the first ``size`` lines of the corpus in a fixed shuffled unit order.

    Prefixes are taken over whole top-level modules and packages in a fixed
    shuffled order, so each prefix is a mix of the corpus (not all of ``ast``, then
    all of ``asyncio``) and packages come whole, as in a real project.
    """
    units: Dict[str, List[SourceFile]] = {}
    for src in corpus.main + corpus.extra:
        units.setdefault(src.unit, []).append(src)
    order = sorted(units)
    random.Random(0).shuffle(order)
    prefix: List[SourceFile] = []
    lines = 0
    for unit in order:
        for src in units[unit]:
            if lines >= size:
                return prefix, lines
            prefix.append(src)
            lines += src.nlines
    return prefix, lines


def phase_scaling(corpus: Corpus, repeat: int, size: int) -> Dict[str, Any]:
    """Parse + engine (all rules) per 1,000 lines on one prefix of the corpus."""
    from flake8_backend_guard.engine import Engine

    prefix, lines = _prefixes(corpus, size)
    if lines < size:
        return {"size": size, "skipped": f"the corpus has {lines:,} lines"}
    rules = _select_rules("all")

    def run() -> Dict[str, Any]:
        _clear_project_caches()
        engine = Engine(rules)
        parse_cpu = 0.0
        for src in prefix:
            start = time.process_time()
            tree = ast.parse(src.source, filename=src.path)
            parse_cpu += time.process_time() - start
            engine.check(tree, src.path, src.lines)
        return {"parse_cpu": parse_cpu}

    timing = best_of(repeat, run)
    kloc = lines / 1000
    return {
        "size": size,
        "files": len(prefix),
        "lines": lines,
        "cpu": round(timing.cpu, 4),
        "wall": round(timing.wall, 4),
        "parse_cpu": round(timing.extra["parse_cpu"], 4),
        "ms_per_kloc": round(1000 * timing.cpu / kloc, 3),
        "wall_ms_per_kloc": round(1000 * timing.wall / kloc, 3),
        "engine_ms_per_kloc": round(
            1000 * (timing.cpu - timing.extra["parse_cpu"]) / kloc, 3
        ),
    }


def phase_profile(corpus: Corpus, out: str, top: int) -> Dict[str, Any]:
    """Profile the engine (all rules) over the corpus with cProfile."""
    from flake8_backend_guard.engine import Engine

    _clear_project_caches()
    engine = Engine(_select_rules("all"))
    profiler = cProfile.Profile()
    for src in corpus.main:
        tree = ast.parse(src.source, filename=src.path)
        profiler.enable()
        engine.check(tree, src.path, src.lines)
        profiler.disable()
    profiler.dump_stats(out)
    stats = pstats.Stats(profiler)
    rows = []
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, line, func), (_, calls, tottime, cumtime, _) in raw.items():
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({func})",
                "calls": calls,
                "tottime": round(tottime, 4),
                "cumtime": round(cumtime, 4),
            }
        )
    by_tottime = sorted(rows, key=lambda r: r["tottime"], reverse=True)[:top]
    ours = [r for r in rows if r["function"].startswith("flake8_backend_guard")]
    by_cumtime = sorted(ours, key=lambda r: r["cumtime"], reverse=True)[:top]
    return {"tottime": by_tottime, "cumtime_package": by_cumtime}


def _short(filename: str) -> str:
    marker = "flake8_backend_guard"
    if marker in filename:
        return filename[filename.index(marker) :]
    return os.path.basename(filename)


def run_phase(args: argparse.Namespace) -> int:
    """Entry point of a phase process: measure, print one JSON document."""
    corpus = read_manifest(args.manifest, with_extra=args.phase == "scaling")
    if args.phase == "floors":
        result = phase_floors(corpus, args.repeat)
    elif args.phase == "engine":
        result = phase_engine(corpus, args.repeat, args.rules, args.record)
    elif args.phase == "rules":
        result = phase_rules(corpus)
    elif args.phase == "plugin":
        result = phase_plugin(corpus, args.repeat, args.plugin)
    elif args.phase == "scaling":
        result = phase_scaling(corpus, args.repeat, args.size)
    elif args.phase == "profile":
        result = phase_profile(corpus, args.profile_out, 40)
    else:
        raise SystemExit(f"unknown phase {args.phase}")
    print(json.dumps(result))
    return 0


def spawn_phase(manifest: str, phase: str, *extra: str) -> Dict[str, Any]:
    """Run one phase in a fresh interpreter and return its JSON result."""
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--manifest",
        manifest,
        *extra,
    ]
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        raise RuntimeError(f"phase {phase} {' '.join(extra)} failed:\n{tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_in_process(
    manifest: str, repeat: int, notes: List[str]
) -> Tuple[Dict[str, Timing], Dict[str, Any]]:
    """Measure floors, the engine, its families and flake8 tree plugins."""
    results: Dict[str, Timing] = {}
    info: Dict[str, Any] = {}
    rep = ["--repeat", str(repeat)]

    def timing(data: Dict[str, Any]) -> Timing:
        data = dict(data)
        return Timing(data.pop("cpu"), data.pop("wall"), data)

    floors = spawn_phase(manifest, "floors", *rep)
    results["parse"] = timing(floors["parse"])
    results["walk"] = timing(floors["walk"])
    info["nodes"] = floors["walk"]["nodes"]
    engine = spawn_phase(manifest, "engine", "--rules", "all", "--record", *rep)
    results["engine"] = timing(engine["timing"])
    info["rules"] = engine["rules"]
    info["findings_by_code"] = engine["findings_by_code"]
    info["internal_errors"] = engine["internal_errors"]
    info["families"] = {}
    for family in ("imports", "security", "style"):
        data = spawn_phase(manifest, "engine", "--rules", family, *rep)
        info["families"][family] = data["rules"]
        if data["rules"]:
            results[f"engine:{family}"] = timing(data["timing"])
    for key, package in (
        ("BG", "flake8-backend-guard"),
        ("bugbear", "flake8-bugbear"),
        ("bandit", "flake8-bandit"),
        ("pyflakes", "pyflakes"),
    ):
        try:
            data = spawn_phase(manifest, "plugin", "--plugin", package, *rep)
        except RuntimeError as exc:
            notes.append(str(exc))
            continue
        if data.get("missing"):
            notes.append(f"{package} is not installed: its in-process run is skipped")
        else:
            results[f"plugin:{key}"] = timing(data["timing"])
    return results, info


# ---------------------------------------------------------------------------------
# end-to-end measurements
# ---------------------------------------------------------------------------------


def _installed(distribution: str) -> bool:
    try:
        from importlib.metadata import distribution as dist

        dist(distribution)
        return True
    except Exception:
        return False


def _tool(name: str) -> Optional[str]:
    """Return the executable of ``name`` next to this Python, else on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    return shutil.which(name)


def _help_text(argv: Sequence[str]) -> str:
    try:
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout + proc.stderr if proc.returncode == 0 else ""


def measure_end_to_end(
    corpus: Corpus, repeat: int, jobs: int, notes: List[str]
) -> Dict[str, Timing]:
    """Time the real tools in subprocesses on the corpus tree."""
    results: Dict[str, Timing] = {}
    root = corpus.root
    targets = sorted({src.rel.split(os.sep)[0] for src in corpus.main})
    me = str(Path(__file__).resolve())
    flake8_args = ["--isolated", "-j", str(jobs), "--exit-zero", *targets]

    def flake8_with(packages: Sequence[str]) -> Callable[[], Timing]:
        argv = [
            sys.executable,
            me,
            "--flake8-with",
            ",".join(packages),
            "--",
            *flake8_args,
        ]
        return lambda: run_child(argv, root)

    if not _installed("flake8"):
        notes.append("flake8 is not installed: end-to-end flake8 runs skipped")
    else:
        results["flake8:bare"] = best_child(repeat, flake8_with(()))
        for key, package in PLUGIN_PACKAGES.items():
            if _installed(package):
                results[f"flake8:+{key}"] = best_child(repeat, flake8_with((package,)))
            else:
                notes.append(f"{package} is not installed: its flake8 run is skipped")
        results["flake8:default"] = best_child(
            repeat, flake8_with(DEFAULT_FLAKE8_PACKAGES)
        )
    bandit = _tool("bandit")
    if bandit:
        results["bandit"] = best_child(
            repeat, lambda: run_child([bandit, "-r", "-q", *targets], root)
        )
    else:
        notes.append("bandit is not installed: `bandit -r` skipped")
    ruff = _tool("ruff")
    if ruff:
        results["ruff:S"] = best_child(
            repeat,
            lambda: run_child(
                [
                    ruff,
                    "check",
                    "--isolated",
                    "--no-cache",
                    "--select",
                    "S",
                    "--exit-zero",
                    "--quiet",
                    *targets,
                ],
                root,
            ),
        )
        results["ruff:default"] = best_child(
            repeat,
            lambda: run_child(
                [
                    ruff,
                    "check",
                    "--isolated",
                    "--no-cache",
                    "--exit-zero",
                    "--quiet",
                    *targets,
                ],
                root,
            ),
        )
    else:
        notes.append("ruff is not installed: `ruff check` skipped")
    results.update(measure_standalone(corpus, targets, repeat, jobs, notes))
    return results


def _standalone_command() -> Optional[List[str]]:
    exe = _tool("backend-guard")
    candidates = [[exe]] if exe else []
    candidates.append([sys.executable, "-m", "flake8_backend_guard"])
    for argv in candidates:
        if _help_text([*argv, "check", "--help"]):
            return argv
    return None


def _standalone_options(help_text: str, jobs: int) -> List[str]:
    """Options making ``backend-guard check`` comparable with the other tools."""
    options: List[str] = []
    for flag in ("--isolated", "--exit-zero", "--no-color"):
        if flag in help_text:
            options.append(flag)
    if "--jobs" in help_text:
        options += ["--jobs", str(jobs)]
    return options


def measure_standalone(
    corpus: Corpus, targets: Sequence[str], repeat: int, jobs: int, notes: List[str]
) -> Dict[str, Timing]:
    """Time ``backend-guard check`` cold (empty cache) and warm (cache filled)."""
    results: Dict[str, Timing] = {}
    command = _standalone_command()
    if command is None:
        notes.append("`backend-guard check` is not available: its runs are skipped")
        return results
    help_text = _help_text([*command, "check", "--help"])
    root = corpus.root
    cache_home = tempfile.mkdtemp(prefix="bg-bench-cache-")
    env = {"XDG_CACHE_HOME": cache_home}
    options = _standalone_options(help_text, jobs)
    ok = (0, 1)
    cache_dir = os.path.join(cache_home, "backend-guard")
    uses_cache_dir = "--cache-dir" in help_text

    def reset_cache() -> None:
        for path in (cache_dir, os.path.join(root, ".backend-guard-cache")):
            shutil.rmtree(path, ignore_errors=True)

    def run(argv_extra: Sequence[str]) -> Timing:
        cache = ["--cache-dir", cache_dir] if uses_cache_dir else []
        return run_child(
            [*command, "check", *options, *cache, *argv_extra], root, env, ok
        )

    def cold() -> Timing:
        reset_cache()
        return run(targets)

    try:
        results["backend-guard:cold"] = best_child(repeat, cold)
        run(targets)  # make sure the cache is filled by a complete run
        results["backend-guard:warm"] = best_child(repeat, lambda: run(targets))
        if "--no-cache" in help_text:
            results["backend-guard:no-cache"] = best_child(
                repeat, lambda: run(["--no-cache", *targets])
            )
    except RuntimeError as exc:
        notes.append(f"`backend-guard check` failed: {exc}")
    finally:
        shutil.rmtree(cache_home, ignore_errors=True)
        shutil.rmtree(os.path.join(root, ".backend-guard-cache"), ignore_errors=True)
    return results


def measure_standalone_scaling(
    corpus: Corpus, sizes: Sequence[int], jobs: int, notes: List[str]
) -> List[Dict[str, Any]]:
    """Time ``backend-guard check`` (cold) on growing prefixes, startup subtracted."""
    command = _standalone_command()
    if command is None:
        return []
    help_text = _help_text([*command, "check", "--help"])
    rows: List[Dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bg-bench-scale-") as tmp:
        options = _standalone_options(help_text, jobs)
        if "--no-cache" in help_text:
            options.append("--no-cache")
        elif "--cache-dir" in help_text:
            options += ["--cache-dir", os.path.join(tmp, "cache")]
        empty = Path(tmp) / "empty.py"
        empty.write_text("", encoding="utf-8")
        env = {"XDG_CACHE_HOME": os.path.join(tmp, "xdg")}
        try:
            startup = min(
                (
                    run_child([*command, "check", *options, str(empty)], tmp, env)
                    for _ in range(3)
                ),
                key=lambda t: t.cpu,
            )
            for size in sizes:
                files, lines = _prefixes(corpus, size)
                if lines < size:
                    continue
                prefix = [src.path for src in files]
                shutil.rmtree(os.path.join(tmp, "cache"), ignore_errors=True)
                timing = run_child([*command, "check", *options, *prefix], tmp, env)
                rows.append(
                    {
                        "size": size,
                        "lines": lines,
                        "cpu": round(timing.cpu, 4),
                        "startup_cpu": round(startup.cpu, 4),
                        "ms_per_kloc": round(
                            1000 * max(timing.cpu - startup.cpu, 0.0) / (lines / 1000),
                            3,
                        ),
                        "max_rss_mb": timing.extra["max_rss_mb"],
                    }
                )
        except RuntimeError as exc:
            notes.append(f"`backend-guard check` scaling failed: {exc}")
    return rows


# ---------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------


@dataclass
class Target:
    """One performance target: a measured ratio against its limit."""

    name: str
    value: Optional[float]
    limit: str
    passed: Optional[bool]
    detail: str = ""

    @property
    def status(self) -> str:
        """Return PASS, FAIL or SKIP."""
        if self.passed is None:
            return "SKIP"
        return "PASS" if self.passed else "FAIL"


def evaluate(
    inproc: Dict[str, Timing],
    e2e: Dict[str, Timing],
    scaling: List[Dict[str, Any]],
    metric: str,
) -> List[Target]:
    """Compare the measurements with the targets of the project."""

    def v(table: Dict[str, Timing], key: str) -> Optional[float]:
        return table[key].value(metric) if key in table else None

    targets: List[Target] = []
    parse, engine = v(inproc, "parse"), v(inproc, "engine")
    ratio = engine / parse if parse and engine is not None else None
    targets.append(
        Target(
            "engine / parse on the stdlib",
            ratio,
            "<= 1.0",
            None if ratio is None else ratio <= 1.0,
        )
    )
    bg, bugbear = v(inproc, "plugin:BG"), v(inproc, "plugin:bugbear")
    ratio = bg / bugbear if bg is not None and bugbear else None
    targets.append(
        Target(
            "BG / bugbear, in-process plugin cost",
            ratio,
            "<= 1.0",
            None if ratio is None else ratio <= 1.0,
        )
    )
    bare = v(e2e, "flake8:bare")
    plus_bg, plus_bugbear = v(e2e, "flake8:+BG"), v(e2e, "flake8:+bugbear")
    if bare is not None and plus_bg is not None and plus_bugbear is not None:
        added_bg, added_bugbear = plus_bg - bare, plus_bugbear - bare
        ratio = added_bg / added_bugbear if added_bugbear > 0 else None
        targets.append(
            Target(
                "BG / bugbear, added cost in flake8 end to end",
                ratio,
                "<= 1.0",
                None if ratio is None else ratio <= 1.0,
                f"+{added_bg:.2f}s vs +{added_bugbear:.2f}s",
            )
        )
    else:
        targets.append(
            Target(
                "BG / bugbear, added cost in flake8 end to end",
                None,
                "<= 1.0",
                None,
                "flake8-bugbear or flake8 missing",
            )
        )
    cold, bandit = v(e2e, "backend-guard:cold"), v(e2e, "bandit")
    ratio = bandit / cold if cold and bandit is not None else None
    targets.append(
        Target(
            "bandit -r / backend-guard cold (speed-up)",
            ratio,
            ">= 3.0",
            None if ratio is None else ratio >= 3.0,
            "" if ratio is not None else "backend-guard check or bandit missing",
        )
    )
    warm, ruff = v(e2e, "backend-guard:warm"), v(e2e, "ruff:S")
    ratio = warm / ruff if warm is not None and ruff else None
    targets.append(
        Target(
            "backend-guard warm / ruff check cold",
            ratio,
            "<= 2.0",
            None if ratio is None else ratio <= 2.0,
            "" if ratio is not None else "backend-guard check or ruff missing",
        )
    )
    # Judged on the engine's own time per kLOC: the parse share is CPython's and
    # swings with the mix of files in a prefix (the stdlib test suites' large
    # literal tables); parse + engine is printed in the scaling table.
    per_kloc = [
        row["engine_ms_per_kloc"] for row in scaling if "engine_ms_per_kloc" in row
    ]
    if len(per_kloc) >= 2:
        mean = sum(per_kloc) / len(per_kloc)
        worst = max(abs(x / mean - 1) for x in per_kloc)
        sizes = [row["size"] for row in scaling if "engine_ms_per_kloc" in row]
        targets.append(
            Target(
                f"engine ms per kLOC spread, {sizes[0] // 1000}k..{sizes[-1] // 1000}k"
                " lines",
                worst,
                "<= 0.20 (+/-20%)",
                worst <= 0.20,
                "largest deviation from the mean of the sizes",
            )
        )
    return targets


def _fmt_s(seconds: Optional[float]) -> str:
    return "-" if seconds is None else f"{seconds:8.2f}"


def render(
    meta: Dict[str, Any],
    inproc: Dict[str, Timing],
    e2e: Dict[str, Timing],
    scaling: List[Dict[str, Any]],
    cli_scaling: List[Dict[str, Any]],
    targets: List[Target],
    metric: str,
    notes: List[str],
    per_rule: Optional[Dict[str, Any]] = None,
    profile: Optional[Dict[str, Any]] = None,
) -> str:
    """Return the table printed at the end of the run."""
    out: List[str] = []
    w = out.append
    w(
        f"flake8-backend-guard benchmark: Python {meta['python']}, flake8 "
        f"{meta.get('flake8', '-')}, {meta['rules']} rules"
    )
    w(
        f"corpus: {meta['files']} files, {meta['lines']:,} lines, "
        f"{meta['nodes']:,} AST "
        f"nodes ({meta['corpus']}); metric: {metric.upper()} seconds, best of "
        f"{meta['repeat']}"
    )
    w("")
    parse = inproc["parse"].value(metric)
    walk = inproc["walk"].value(metric)
    w(
        f"{'In process, same pre-parsed trees':52} {'seconds':>8}  "
        f"{'x parse':>8}  {'x walk':>8}"
    )
    labels = [
        ("parse", "parse floor (ast.parse of every file)"),
        ("walk", "walk floor (one bare ast.walk per tree)"),
        ("engine", "BG engine, all rules"),
        ("engine:imports", "BG engine, imports family (BG1xx)"),
        ("engine:security", "BG engine, security family (BG2xx)"),
        ("engine:style", "BG engine, style family (BG3xx)"),
        ("plugin:BG", "flake8 tree plugin: flake8-backend-guard"),
        ("plugin:bugbear", "flake8 tree plugin: flake8-bugbear"),
        ("plugin:bandit", "flake8 tree plugin: flake8-bandit"),
        ("plugin:pyflakes", "flake8 tree plugin: pyflakes"),
    ]
    for key, label in labels:
        if key in inproc:
            s = inproc[key].value(metric)
            w(f"  {label:50} {_fmt_s(s)}  {s / parse:8.2f}  {s / walk:8.2f}")
    if e2e:
        w("")
        bare = e2e.get("flake8:bare")
        bare_s = bare.value(metric) if bare else None
        w(
            f"{'End to end, subprocesses on the same tree':52} {'seconds':>8}  "
            f"{'added':>8}  {'peak MB':>8}"
        )
        e2e_labels = [
            ("flake8:bare", "flake8, no checker plugin (floor)"),
            ("flake8:+BG", "flake8 + flake8-backend-guard only"),
            ("flake8:+bugbear", "flake8 + flake8-bugbear only"),
            ("flake8:+bandit", "flake8 + flake8-bandit only"),
            ("flake8:default", "flake8 default (pycodestyle, pyflakes, mccabe)"),
            ("bandit", "bandit -r"),
            ("ruff:S", "ruff check --select S (no cache)"),
            ("ruff:default", "ruff check, default rules (no cache)"),
            ("backend-guard:cold", "backend-guard check, cold (empty cache)"),
            ("backend-guard:warm", "backend-guard check, warm (cache filled)"),
            ("backend-guard:no-cache", "backend-guard check --no-cache"),
        ]
        for key, label in e2e_labels:
            if key not in e2e:
                continue
            s = e2e[key].value(metric)
            added = (
                ""
                if not (key.startswith("flake8:+") and bare_s)
                else f"{s - bare_s:8.2f}"
            )
            rss = e2e[key].extra.get("max_rss_mb", "")
            w(f"  {label:50} {_fmt_s(s)}  {added:>8}  {rss:>8}")
    if scaling:
        w("")
        w(
            f"{'Scaling: parse + engine per 1,000 lines':52} {'lines':>8}  "
            f"{'ms/kLOC':>8}  {'engine':>8}"
        )
        for row in scaling:
            if "ms_per_kloc" in row:
                w(
                    f"  {row['size']:>10,} lines ({row['files']} files){'':25} "
                    f"{row['lines']:>8,}  {row['ms_per_kloc']:8.2f}  "
                    f"{row['engine_ms_per_kloc']:8.2f}"
                )
            else:
                w(f"  {row['size']:>10,} lines: skipped ({row['skipped']})")
    if cli_scaling:
        w("")
        w("backend-guard check per 1,000 lines (cold, CPU, startup subtracted)")
        for row in cli_scaling:
            w(
                f"  {row['size']:>10,} lines: {row['ms_per_kloc']:8.2f} ms/kLOC, "
                f"peak {row['max_rss_mb']} MB"
            )
    if per_rule and per_rule.get("per_rule"):
        w("")
        w(
            "Costliest rules alone "
            "(CPU seconds over the corpus, empty engine subtracted)"
        )
        ranked = sorted(
            per_rule["per_rule"].items(), key=lambda kv: kv[1], reverse=True
        )
        for code, seconds in ranked[:12]:
            w(f"  {code}  {seconds:8.2f}  {seconds / parse:6.2f} x parse")
    if profile:
        w("")
        w("Profile of the engine (cProfile; top by own time)")
        for row in profile.get("tottime", [])[:15]:
            w(
                f"  {row['tottime']:8.2f}s own {row['cumtime']:8.2f}s cum "
                f"{row['calls']:>10,} calls  {row['function']}"
            )
        w("Package functions by cumulative time")
        for row in profile.get("cumtime_package", [])[:15]:
            w(
                f"  {row['cumtime']:8.2f}s cum {row['tottime']:8.2f}s own "
                f"{row['calls']:>10,} calls  {row['function']}"
            )
    w("")
    w("Targets")
    for target in targets:
        value = "-" if target.value is None else f"{target.value:.2f}"
        detail = f"  ({target.detail})" if target.detail else ""
        w(f"  {target.status:4}  {target.name:52} {value:>6}  {target.limit}{detail}")
    if notes:
        w("")
        w("Notes")
        for note in notes:
            w(f"  - {note}")
    return "\n".join(out)


# ---------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------


def _versions() -> Dict[str, str]:
    from importlib.metadata import version

    found = {}
    for name in (
        "flake8",
        "flake8-backend-guard",
        "flake8-bugbear",
        "flake8-bandit",
        "bandit",
        "ruff",
        "pycodestyle",
        "pyflakes",
    ):
        try:
            found[name] = version(name)
        except Exception:
            pass
    return found


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", help="more directories to add to the corpus")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="top-level stdlib modules only, fewer repeats",
    )
    parser.add_argument(
        "--with-tests",
        action="store_true",
        help="keep the stdlib test suites in the compared corpus",
    )
    parser.add_argument(
        "--json",
        default=str(ROOT / "bench" / "results.json"),
        help="where to write the JSON results (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="repeats of in-process measurements (default 3, quick 2)",
    )
    parser.add_argument(
        "--e2e-repeat",
        type=int,
        default=2,
        help="repeats of each subprocess run, the fastest kept (default 2)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="flake8 -j for the end-to-end runs (default 1)",
    )
    parser.add_argument(
        "--metric",
        choices=("cpu", "wall"),
        default="cpu",
        help="CPU time (stable on a shared machine) or wall time",
    )
    parser.add_argument(
        "--sizes",
        default=None,
        help="comma-separated line counts for the scaling series",
    )
    parser.add_argument("--no-e2e", action="store_true", help="skip subprocess runs")
    parser.add_argument(
        "--no-stdlib",
        action="store_true",
        help="measure only the directories given on the command line",
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const=os.path.join(tempfile.gettempdir(), "bg-bench-engine.pstats"),
        default=None,
        help="profile the engine with cProfile and save the stats (default path: "
        "%(const)s)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary corpus tree and print its path",
    )
    parser.add_argument(
        "--per-rule",
        action="store_true",
        help="also time each rule alone (one engine pass per rule)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target fails"
    )
    # internal: one measurement phase in a fresh interpreter
    hidden = argparse.SUPPRESS
    parser.add_argument("--phase", default=None, help=hidden)
    parser.add_argument("--manifest", default=None, help=hidden)
    parser.add_argument("--rules", default="all", help=hidden)
    parser.add_argument("--record", action="store_true", help=hidden)
    parser.add_argument("--plugin", default=None, help=hidden)
    parser.add_argument("--size", type=int, default=0, help=hidden)
    parser.add_argument("--profile-out", default=None, help=hidden)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the benchmark."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--flake8-with"]:
        packages = [p for p in argv[1].split(",") if p]
        rest = argv[3:] if argv[2:3] == ["--"] else argv[2:]
        return _flake8_with(packages, rest)
    args = parse_args(argv)
    if args.phase:
        return run_phase(args)
    repeat = args.repeat or (2 if args.quick else 3)
    if args.sizes:
        sizes: Tuple[int, ...] = tuple(int(s) for s in args.sizes.split(","))
    else:
        sizes = QUICK_SIZES if args.quick else FULL_SIZES
    notes: List[str] = []
    tmp = tempfile.mkdtemp(prefix="bg-bench-")
    try:
        _log("building the corpus")
        corpus = build_corpus(
            Path(tmp) / "tree",
            args.quick,
            args.with_tests,
            args.dirs,
            max(sizes),
            stdlib_too=not args.no_stdlib,
        )
        if not corpus.main:
            print("empty corpus", file=sys.stderr)
            return 2
        if corpus.skipped:
            notes.append(f"{len(corpus.skipped)} files that do not parse were left out")
        manifest = os.path.join(tmp, "manifest.json")
        write_manifest(corpus, manifest)
        _log(f"{len(corpus.main)} files, {corpus.main_lines:,} lines; in process")
        inproc, info = measure_in_process(manifest, repeat, notes)
        if info.get("internal_errors"):
            notes.append(
                f"{info['findings_by_code'].get('BG000', 0)} BG000 internal errors "
                f"(first: {info['internal_errors'][0]})"
            )
        per_rule: Dict[str, Any] = {}
        if args.per_rule:
            _log("cost of each rule alone")
            per_rule = spawn_phase(manifest, "rules")
        _log("scaling")
        scaling = [
            spawn_phase(
                manifest, "scaling", "--size", str(size), "--repeat", str(repeat)
            )
            for size in sizes
        ]
        e2e: Dict[str, Timing] = {}
        cli_scaling: List[Dict[str, Any]] = []
        if not args.no_e2e:
            _log("end to end")
            e2e = measure_end_to_end(corpus, args.e2e_repeat, args.jobs, notes)
            if "backend-guard:cold" in e2e:
                _log("backend-guard scaling")
                cli_scaling = measure_standalone_scaling(
                    corpus, sizes, args.jobs, notes
                )
        profile: Dict[str, Any] = {}
        if args.profile:
            _log("profiling")
            profile = spawn_phase(manifest, "profile", "--profile-out", args.profile)
            notes.append(f"cProfile stats of the engine saved to {args.profile}")
        targets = evaluate(inproc, e2e, scaling, args.metric)
        versions = _versions()
        from flake8_backend_guard.rule import all_rules

        corpus_label = (
            "stdlib top-level modules"
            if args.quick
            else (
                "stdlib with tests" if args.with_tests else "stdlib without test suites"
            )
        )
        if args.no_stdlib:
            corpus_label = ", ".join(args.dirs)
        elif args.dirs:
            corpus_label += " + " + ", ".join(args.dirs)
        meta = {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "flake8": versions.get("flake8"),
            "versions": versions,
            "rules": len(all_rules()),
            "files": len(corpus.main),
            "lines": corpus.main_lines,
            "nodes": info["nodes"],
            "corpus": corpus_label,
            "repeat": repeat,
            "metric": args.metric,
            "command": "python bench/run.py " + " ".join(argv),
        }
        table = render(
            meta,
            inproc,
            e2e,
            scaling,
            cli_scaling,
            targets,
            args.metric,
            notes,
            per_rule,
            profile,
        )
        print(table)
        payload = {
            "meta": meta,
            "in_process": {k: t.as_json() for k, t in inproc.items()},
            "in_process_ratios": {
                k: {
                    "x_parse": round(
                        t.value(args.metric) / inproc["parse"].value(args.metric), 4
                    ),
                    "x_walk": round(
                        t.value(args.metric) / inproc["walk"].value(args.metric), 4
                    ),
                }
                for k, t in inproc.items()
            },
            "end_to_end": {k: t.as_json() for k, t in e2e.items()},
            "scaling": scaling,
            "standalone_scaling": cli_scaling,
            "targets": [
                {
                    "name": t.name,
                    "value": t.value,
                    "limit": t.limit,
                    "status": t.status,
                    "detail": t.detail,
                }
                for t in targets
            ],
            "findings_by_code": info.get("findings_by_code", {}),
            "internal_errors": info.get("internal_errors", []),
            "rules_by_family": info.get("families", {}),
            "per_rule_cpu": per_rule,
            "skipped_files": corpus.skipped,
            "profile_top": profile,
            "notes": notes,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps(payload, indent=2) + "\n", encoding="utf-8"
        )
        print(f"\nJSON written to {args.json}")
        failed = any(t.passed is False for t in targets)
        return 1 if (args.strict and failed) else 0
    finally:
        if args.keep:
            print(f"corpus tree kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
