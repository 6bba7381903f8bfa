"""The standalone command: ``backend-guard`` and ``python -m flake8_backend_guard``.

``backend-guard check [PATHS]`` checks Python files (and, for BG106, Dockerfiles,
Procfiles and compose files) with the same engine, rules and option schema as the
flake8 plugin; ``backend-guard rule BG201`` prints a rule's documentation and
``backend-guard rules`` lists the rules. Exit codes: 0 clean, 1 findings, 2 usage
or configuration error (one line on stderr). See ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from contextlib import contextmanager
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
)

from . import __version__
from .cache import (
    CACHE_DIR_NAME,
    Cache,
    Facts,
    diagnostic_from_data,
    digest,
    run_key,
)
from .config import (
    DEFAULT_EXCLUDE,
    OUTPUT_FORMATS,
    ConfigError,
    Selection,
    Settings,
    codes,
    discover,
    load_settings,
    matches_path,
    patterns,
    per_file_ignores,
    relative_to,
    rule_codes,
)
from .options import SCHEMA, OptionError, build_config
from .report import Diagnostic, Edit, Fix, ReportContext, serializer

if TYPE_CHECKING:  # pragma: no cover - the rule modules load only when needed
    from .rule import Rule

# A run whose files are all in the cache imports neither the engine, the rules,
# the fixers nor multiprocessing: what only a check, a fix, a launch file or one
# output format needs is imported where it is used.

PROG = "backend-guard"
EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
PARALLEL_THRESHOLD = 16
MAX_FIX_ROUNDS = 5
COMMANDS = ("check", "rule", "rules")


class UsageError(Exception):
    """A bad command line; ``str(error)`` is one line."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Raise a one-line usage error instead of printing the usage.

        Args:
            message: argparse's message.

        Raises:
            UsageError: Always.
        """
        raise UsageError(message)


def _out(text: str) -> None:
    if text:
        sys.stdout.write(text)
        sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(f"{PROG}: {text}\n")
    sys.stderr.flush()


# ---- the command line ------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``backend-guard`` command line.

    Returns:
        The parser with the ``check``, ``rule`` and ``rules`` sub-commands.
    """
    parser = _Parser(
        prog=PROG,
        description="Check Python backend code against the BG rules "
        "(the flake8-backend-guard standalone command).",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = commands.add_parser("check", help="check files and directories")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: .)"
    )
    group = check.add_argument_group("rule selection")
    group.add_argument(
        "--select", metavar="CODES", help="codes or prefixes to report (default: BG)"
    )
    group.add_argument(
        "--ignore", metavar="CODES", help="codes or prefixes to leave out"
    )
    group.add_argument("--extend-select", metavar="CODES", help="add to the selection")
    group.add_argument(
        "--extend-ignore", metavar="CODES", help="add to the ignored codes"
    )
    group.add_argument(
        "--per-file-ignores",
        metavar="PATTERNS",
        help="ignores per file glob, flake8 style: 'tests/*:BG206,BG219 bin/*:BG314'",
    )
    files = check.add_argument_group("files")
    files.add_argument(
        "--exclude", metavar="PATTERNS", help="replace the default excludes"
    )
    files.add_argument(
        "--extend-exclude", metavar="PATTERNS", help="add exclude patterns"
    )
    files.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply the excludes to files named on the command line too (pre-commit)",
    )
    output = check.add_argument_group("output")
    output.add_argument(
        "--output-format", choices=OUTPUT_FORMATS, help="default: concise"
    )
    output.add_argument(
        "-o", "--output-file", metavar="FILE", help="write the report to FILE"
    )
    output.add_argument(
        "--statistics", action="store_true", help="count findings per code"
    )
    output.add_argument(
        "-q", "--quiet", action="store_true", help="print findings only"
    )
    output.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even with findings"
    )
    fixing = check.add_argument_group("fixes and baselines")
    fixing.add_argument("--fix", action="store_true", help="apply the safe fixes")
    fixing.add_argument(
        "--diff", action="store_true", help="print the fixes as a diff; write nothing"
    )
    fixing.add_argument(
        "--baseline", metavar="FILE", help="hide the findings recorded in FILE"
    )
    fixing.add_argument(
        "--write-baseline", metavar="FILE", help="record the findings in FILE"
    )
    run = check.add_argument_group("run")
    run.add_argument(
        "--config", metavar="FILE", help="read [tool.backend-guard] from FILE"
    )
    run.add_argument(
        "--isolated", action="store_true", help="ignore configuration files"
    )
    run.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the cache"
    )
    run.add_argument(
        "--cache-dir", metavar="DIR", help=f"default: <project root>/{CACHE_DIR_NAME}"
    )
    run.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes (default: all cores)",
    )
    rule_options = check.add_argument_group("rule options (as in [tool.backend-guard])")
    for spec in SCHEMA.values():
        rule_options.add_argument(
            f"--{spec.name}", dest=spec.dest, metavar="VALUE", help=spec.help
        )

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", metavar="CODE", help="a rule code such as BG201")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``). A
            first argument that is not a sub-command means ``check``.

    Returns:
        The exit code: 0 clean, 1 findings, 2 usage or configuration error.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in COMMANDS + ("-h", "--help", "--version"):
        args_list.insert(0, "check")
    try:
        args = build_parser().parse_args(args_list)
        if args.command == "rule":
            return _rule_command(args.code, args.output_format)
        if args.command == "rules":
            return _rules_command(args.output_format)
        return _check_command(args)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_CLEAN
    except (UsageError, ConfigError, OptionError) as exc:
        _err(f"error: {_one_line(str(exc))}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `backend-guard check | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---- rule documentation ----------------------------------------------------------


def rule_to_json(rule: Rule) -> Dict[str, Any]:
    """Return a rule's declaration as a JSON-able dict.

    Args:
        rule: The rule.

    Returns:
        Its code, name, family, severity, CWE, fixable flag, overlaps, options,
        message and hint templates, rationale, examples and documentation URL.
    """
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family,
        "severity": rule.severity,
        "cwe": rule.cwe,
        "fixable": rule.fixable,
        "overlaps": list(rule.overlaps),
        "options": list(rule.options),
        "message": rule.message,
        "hint": rule.hint,
        "rationale": rule.rationale,
        "bad": rule.bad.code,
        "good": rule.good.code,
        "url": rule.url,
    }


def rule_text(rule: Rule) -> str:
    """Return the plain-text documentation of a rule.

    Args:
        rule: The rule.

    Returns:
        The text printed by ``backend-guard rule CODE``.
    """
    cwe = f"CWE-{rule.cwe}" if rule.cwe is not None else "-"
    lines = [
        f"{rule.code} {rule.name}",
        "",
        f"Family:    {rule.family}",
        f"Severity:  {rule.severity}",
        f"CWE:       {cwe}",
        f"Fixable:   {'yes (backend-guard check --fix)' if rule.fixable else 'no'}",
        f"Overlaps:  {', '.join(rule.overlaps) or '-'}",
        f"Docs:      {rule.url}",
        "",
        "Message:",
        f"    {rule.code} {rule.message}; {rule.hint}",
        "",
        "Why is this bad?",
        *_indent(_rationale(rule), wrap=True),
        "",
        "Bad:",
        *_indent(rule.bad.code),
        "",
        "Good:",
        *_indent(rule.good.code),
    ]
    if rule.options:
        lines += ["", "Options:"]
        for name in rule.options:
            spec = SCHEMA[name]
            lines.append(f"    {name} ({spec.kind}; default: {_show(spec.default)})")
            lines.append(f"        {spec.help}")
    return "\n".join(lines) + "\n"


def _rationale(rule: Rule) -> str:
    text = rule.rationale.strip()
    heading = "Why is this bad?"
    return text[len(heading) :].lstrip() if text.startswith(heading) else text


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _indent(text: str, wrap: bool = False) -> List[str]:
    if wrap:
        import textwrap

        return textwrap.wrap(
            text, width=84, initial_indent="    ", subsequent_indent="    "
        )
    return [f"    {line}" if line else "" for line in text.rstrip("\n").split("\n")]


def _rule_command(code: str, output_format: str) -> int:
    import json

    from .rule import get_rule

    rule = get_rule(code)
    if rule is None:
        raise UsageError(f"unknown rule code {code!r} (see `{PROG} rules`)")
    if output_format == "json":
        _out(json.dumps(rule_to_json(rule), indent=2) + "\n")
    else:
        _out(rule_text(rule))
    return EXIT_CLEAN


def _rules_command(output_format: str) -> int:
    import json

    from .rule import all_rules

    rules = all_rules()
    if output_format == "json":
        _out(json.dumps([rule_to_json(r) for r in rules], indent=2) + "\n")
        return EXIT_CLEAN
    width = max((len(r.name) for r in rules), default=4)
    lines = [f"{'code':<6} {'name':<{width}} {'family':<8} {'severity':<8} fixable"]
    for rule in rules:
        lines.append(
            f"{rule.code:<6} {rule.name:<{width}} {rule.family:<8} {rule.severity:<8} "
            f"{'yes' if rule.fixable else 'no'}"
        )
    _out("\n".join(lines) + "\n")
    return EXIT_CLEAN


# ---- checking one file (runs in worker processes) ---------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Checking a file, reading the cache and reporting each build tens of
    # thousands of objects (AST nodes, lists, dicts, diagnostics) that are freed
    # by reference counting (the engine leaves no reference cycle behind a file):
    # the cyclic collector would only scan them over and over while they pile up.
    # It runs again afterwards. (Pausing it for a whole run instead measured
    # slower: the results of every file then reach the first collection at once.)
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_WORKER: Dict[str, Any] = {}
FileResult = Tuple[str, Optional[str], Optional[List[Any]], Optional[str]]


def _load_checker() -> None:
    # what checking a file imports: the engine, every rule module and the fixers
    from . import engine, fix, noqa  # noqa: F401
    from .rule import all_rules

    all_rules()


def _init_worker(enabled: Sequence[str], options: Dict[str, Any]) -> None:
    from .engine import Engine
    from .rule import all_rules

    config = build_config(options)
    wanted = set(enabled)
    _WORKER["config"] = config
    _WORKER["engine"] = Engine([r for r in all_rules() if r.code in wanted], config)


def _decode(data: bytes) -> str:
    import io
    import tokenize

    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def check_file(path: str) -> FileResult:
    """Check one Python file with the worker's engine.

    Args:
        path: Absolute path of the file.

    Returns:
        (path, content digest, diagnostics data or None, warning or None). The
        data is None when the file could not be checked (then the warning says
        why); diagnostics are :func:`cache.diagnostic_to_data` lists.
    """
    # An AST is tens of thousands of objects the cyclic collector would scan
    # again and again while it is built and walked (a quarter of the parse time);
    # they are freed by reference counting when the file is done.
    with _gc_paused():
        return _check_file(path)


def _check_file(path: str) -> FileResult:
    import ast
    import warnings

    from .cache import digest, fix_to_data
    from .fix import FIXABLE_CODES, SourceFile, char_col, fix_for, split_lines
    from .noqa import file_is_skipped, filter_findings
    from .rule import INTERNAL_ERROR_CODE

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return path, None, None, f"cannot read: {exc.strerror or exc}"
    content = digest(data)
    try:
        text = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return path, content, None, f"cannot decode: {_one_line(str(exc))}"
    lines = split_lines(text)
    if file_is_skipped(lines):
        return path, content, [], None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        where = f"{exc.lineno or 1}:{(exc.offset or 1)}: " if exc.lineno else ""
        return path, content, None, f"{where}SyntaxError: {exc.msg} (file not checked)"
    except (ValueError, RecursionError, MemoryError) as exc:
        return (
            path,
            content,
            None,
            f"cannot parse: {type(exc).__name__} (file not checked)",
        )
    try:
        findings = filter_findings(_WORKER["engine"].check(tree, path, lines), lines)
    except Exception as exc:  # never stop a run on one file
        message = (
            f"internal error in the engine: {type(exc).__name__}: {exc}; please report"
        )
        return path, content, [[INTERNAL_ERROR_CODE, message, 1, 0] + [None] * 4], None
    source: Optional[SourceFile] = None
    count = len(lines)
    result = []
    # The lists are what cache.diagnostic_to_data gives for the diagnostic
    # (path left out): code, message, line, character columns, source line, fix.
    for finding in findings:
        fix_data = None
        if finding.code in FIXABLE_CODES:
            if source is None:
                source = SourceFile(path, text, tree, _WORKER["config"], lines)
            fix = fix_for(source, finding)
            if fix is not None:
                fix_data = fix_to_data(fix)
        number = finding.line
        line = lines[number - 1] if 0 < number <= count else ""
        end_line = finding.end_line
        end_col = finding.end_col
        if end_line is not None and end_col is not None:
            end_col = char_col(
                lines[end_line - 1] if 0 < end_line <= count else "", end_col
            )
        else:
            end_line = end_col = None
        result.append(
            [
                finding.code,
                finding.message,
                number,
                char_col(line, finding.col),
                end_line,
                end_col,
                line.rstrip("\r\n") if line else None,
                fix_data,
            ]
        )
    return path, content, result, None


# ---- a run ------------------------------------------------------------------------


# the fingerprint of a cached launch file's facts besides its content: none
_LAUNCH_FILE = "launch file"


def _launcher_kind(filename: str) -> Optional[str]:
    # launchers.launcher_kind, importing the launch-file checks only when a run
    # meets a file that is not a .py file
    from .launchers import launcher_kind

    return launcher_kind(filename)


def display_path(path: str) -> str:
    """Return how a file is shown: relative to the working directory when inside it.

    Args:
        path: An absolute path.

    Returns:
        The display path.
    """
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class _Shown:
    """Display paths of one run, each computed once (the working directory is fixed)."""

    def __init__(self) -> None:
        """Start with no path computed."""
        self.paths: Dict[str, str] = {}
        # A normalised path below the working directory is shown without it: the
        # same as os.path.relpath gives, without its per-call path work.
        cwd = os.getcwd()
        self.below = cwd.rstrip(os.sep) + os.sep if os.name == "posix" else None

    def __call__(self, path: str) -> str:
        """Return :func:`display_path` of ``path``.

        Args:
            path: An absolute path.

        Returns:
            The display path.
        """
        shown = self.paths.get(path)
        if shown is None:
            below = self.below
            if (
                below is not None
                and path.startswith(below)
                and len(path) > len(below)
                and os.path.normpath(path) == path
            ):
                shown = path[len(below) :]
            else:
                shown = display_path(path)
            self.paths[path] = shown
        return shown

    def diagnostics(self, path: str, data: Sequence[Sequence[Any]]) -> List[Diagnostic]:
        """Rebuild the diagnostics of one file from cached or worker data.

        Args:
            path: The file's absolute path.
            data: :func:`cache.diagnostic_to_data` lists.

        Returns:
            The diagnostics with display paths (also in the files fixes create).
        """
        shown = self(path)
        result = [diagnostic_from_data(shown, d) for d in data]
        for index, item in enumerate(data):
            if item[7] is not None and any(e[5] for e in item[7][2]):
                result[index] = self._fix_display(result[index])
        return result

    def _fix_display(self, diagnostic: Diagnostic) -> Diagnostic:
        fix = diagnostic.fix
        assert fix is not None
        edits = tuple(
            (
                Edit(e.line, e.col, e.end_line, e.end_col, e.content, self(e.filename))
                if e.filename
                else e
            )
            for e in fix.edits
        )
        return Diagnostic(
            diagnostic.path,
            diagnostic.code,
            diagnostic.message,
            diagnostic.line,
            diagnostic.col,
            diagnostic.end_line,
            diagnostic.end_col,
            Fix(fix.message, edits, fix.applicability),
            diagnostic.source_line,
        )


class Run:
    """One ``check`` run: settings, selection, enabled rules and the cache."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Resolve the configuration of a run from the command line.

        Args:
            args: Parsed ``check`` arguments.

        Raises:
            ConfigError: A bad configuration value.
            OptionError: A bad rule option value.
        """
        self.args = args
        self.paths: List[str] = list(args.paths) or ["."]
        settings = load_settings(self.paths, args.config, args.isolated)
        if settings.options:
            try:
                build_config(settings.options)
            except OptionError as exc:
                raise ConfigError(
                    f"{settings.pyproject}: [tool.backend-guard] {exc}"
                ) from None
        self.settings = _override(settings, args)
        self.config = build_config(self.settings.options)
        self.selection = Selection(
            self.settings.select,
            self.settings.ignore,
            self.settings.extend_select,
            self.settings.extend_ignore,
        )
        self.codes = [c for c in rule_codes() if self.selection.is_selected(c)]
        self._rules: Optional[List[Rule]] = None
        self.shown = _Shown()
        self.launchers_enabled = self.selection.is_selected("BG106")
        exclude = list(
            DEFAULT_EXCLUDE if self.settings.exclude is None else self.settings.exclude
        )
        self.exclude = exclude + self.settings.extend_exclude
        self.output_format = self.settings.output_format or "concise"
        self.warnings: List[str] = []
        self.checked: List[str] = []
        self._warned_yaml = False

    @property
    def rules(self) -> List[Rule]:
        """Return the enabled rules (loads the rule modules on first use)."""
        if self._rules is None:
            from .rule import all_rules

            enabled = set(self.codes)
            self._rules = [r for r in all_rules() if r.code in enabled]
        return self._rules

    def warn(self, text: str) -> None:
        """Print a one-line warning on stderr.

        Args:
            text: The warning.
        """
        self.warnings.append(text)
        _err(f"warning: {text}")

    def collect(self, use_cache: bool) -> List[Diagnostic]:
        """Discover and check the files; apply per-file ignores.

        Args:
            use_cache: Read and write the result cache.

        Returns:
            The diagnostics (``# noqa`` already applied, baseline not yet).

        Raises:
            ConfigError: A path does not exist.
        """
        found = discover(
            self.paths,
            self.exclude,
            self.settings.root,
            _launcher_kind,
            self.args.force_exclude,
        )
        cache: Optional[Cache] = None
        if use_cache and self.codes:
            directory = self.args.cache_dir or os.path.join(
                self.settings.root, CACHE_DIR_NAME
            )
            with _gc_paused():
                cache = Cache(directory, run_key(self.codes, self.config.values))
        diagnostics = self._check_python(found.python, cache)
        if self.launchers_enabled:
            diagnostics += self._check_launchers(found.launchers, cache)
        if cache is not None:
            cache.save()
        self.checked = [self.shown(p) for p in found.python + found.launchers]
        return self._per_file_ignores(diagnostics)

    def _check_python(
        self, paths: List[str], cache: Optional[Cache]
    ) -> List[Diagnostic]:
        todo: List[Tuple[str, str]] = []
        diagnostics: List[Diagnostic] = []
        if cache is not None:
            facts = Facts(self.config.namespace_packages)
            with _gc_paused():
                for path in paths:
                    content = facts.digest_of(path)
                    dependencies = facts.dependencies(path)
                    hit = cache.get(path, content, dependencies) if content else None
                    if hit is None:
                        todo.append((path, dependencies))
                    else:
                        diagnostics += self.shown.diagnostics(path, hit)
        else:
            todo = [(path, "") for path in paths]
        dependencies_of = dict(todo)
        for path, content, data, warning in self._run_workers([p for p, _ in todo]):
            if warning is not None:
                separator = ":" if warning[:1].isdigit() else ": "
                self.warn(f"{self.shown(path)}{separator}{warning}")
            if data is None:
                continue
            diagnostics += self.shown.diagnostics(path, data)
            if cache is not None and content is not None:
                cache.put(path, content, dependencies_of[path], data)
        return diagnostics

    def _run_workers(self, paths: List[str]) -> Iterable[FileResult]:
        if not paths or not self.codes:
            return []
        enabled = list(self.codes)
        options = dict(self.settings.options)
        jobs = self.args.jobs or os.cpu_count() or 1
        if jobs > 1 and len(paths) >= PARALLEL_THRESHOLD:
            jobs = min(jobs, len(paths))
            chunk = max(1, min(32, len(paths) // (jobs * 4)))
            # Load the checker here, before the workers fork, so that each worker
            # does not import the rules again.
            _load_checker()
            try:
                from concurrent.futures import ProcessPoolExecutor
                from concurrent.futures.process import BrokenProcessPool
            except ImportError:
                pass  # no multiprocessing here: check serially
            else:
                try:
                    with ProcessPoolExecutor(
                        max_workers=jobs,
                        initializer=_init_worker,
                        initargs=(enabled, options),
                    ) as pool:
                        return list(pool.map(check_file, paths, chunksize=chunk))
                except (OSError, BrokenProcessPool, ImportError):
                    pass  # no multiprocessing here: check serially
        _init_worker(enabled, options)
        return [check_file(path) for path in paths]

    def _check_launchers(
        self, paths: List[str], cache: Optional[Cache]
    ) -> List[Diagnostic]:
        diagnostics: List[Diagnostic] = []
        if not paths:
            return diagnostics
        import io

        from .launchers import LauncherError, check_launcher, launcher_kind

        for path in paths:
            kind = launcher_kind(path)
            if kind == "compose" and self._warned_yaml:
                continue
            # A Dockerfile's or Procfile's findings depend on its content alone;
            # a compose file's also on the installed PyYAML: it is never cached.
            cached = cache is not None and kind != "compose"
            content: Optional[str] = None
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                if cached:
                    content = digest(data)
                    hit = cache.get(path, content, _LAUNCH_FILE)
                    if hit is not None:
                        diagnostics += self.shown.diagnostics(path, hit)
                        continue
                # what open(path, encoding="utf-8").read() gives
                text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
                findings = check_launcher(path, text)
            except ImportError:
                self._warned_yaml = True
                self.warn(
                    "PyYAML is not installed: compose files are not checked "
                    "(pip install 'flake8-backend-guard[yaml]')"
                )
                continue
            except (OSError, UnicodeDecodeError, LauncherError) as exc:
                self.warn(
                    f"{self.shown(path)}: {_one_line(str(exc))} (file not checked)"
                )
                continue
            lines = text.splitlines()
            results = [
                [
                    finding.code,
                    finding.message,
                    finding.line,
                    finding.col,
                    finding.end_line,
                    finding.end_col,
                    lines[finding.line - 1] if 0 < finding.line <= len(lines) else None,
                    None,
                ]
                for finding in findings
            ]
            if cache is not None and content is not None:
                cache.put(path, content, _LAUNCH_FILE, results)
            diagnostics += self.shown.diagnostics(path, results)
        return diagnostics

    def _per_file_ignores(self, diagnostics: List[Diagnostic]) -> List[Diagnostic]:
        rules = self.settings.per_file_ignores
        if not rules:
            present = {d.code for d in diagnostics}
            dropped = {c for c in present if not self.selection.is_selected(c)}
            if not dropped:
                return diagnostics
            return [d for d in diagnostics if d.code not in dropped]
        kept = []
        selections: Dict[str, Selection] = {}
        for diagnostic in diagnostics:
            if not self.selection.is_selected(diagnostic.code):
                continue
            if rules:
                path = diagnostic.path
                selection = selections.get(path)
                if selection is None:
                    relative = relative_to(os.path.abspath(path), self.settings.root)
                    extra = [
                        c for p, cs in rules if matches_path(p, relative) for c in cs
                    ]
                    selection = self.selection.with_ignores(extra)
                    selections[path] = selection
                if not selection.is_selected(diagnostic.code):
                    continue
            kept.append(diagnostic)
        return kept


def _override(settings: Settings, args: argparse.Namespace) -> Settings:
    # command-line values win over the configuration file's
    if args.select is not None:
        settings.select = codes("--select", args.select)
    if args.ignore is not None:
        settings.ignore = codes("--ignore", args.ignore)
    if args.extend_select is not None:
        settings.extend_select = settings.extend_select + codes(
            "--extend-select", args.extend_select
        )
    if args.extend_ignore is not None:
        settings.extend_ignore = settings.extend_ignore + codes(
            "--extend-ignore", args.extend_ignore
        )
    if args.per_file_ignores is not None:
        settings.per_file_ignores = per_file_ignores(
            "--per-file-ignores", args.per_file_ignores
        )
    if args.exclude is not None:
        settings.exclude = patterns("--exclude", args.exclude)
    if args.extend_exclude is not None:
        settings.extend_exclude = settings.extend_exclude + patterns(
            "--extend-exclude", args.extend_exclude
        )
    if args.output_format is not None:
        settings.output_format = args.output_format
    for spec in SCHEMA.values():
        value = getattr(args, spec.dest, None)
        if value is not None:
            settings.options[spec.name] = value
    return settings


# ---- fixes ------------------------------------------------------------------------


def _fixes_by_file(diagnostics: Sequence[Diagnostic]) -> Dict[str, List[Fix]]:
    result: Dict[str, List[Fix]] = {}
    for diagnostic in diagnostics:
        if diagnostic.fix is not None:
            result.setdefault(os.path.abspath(diagnostic.path), []).append(
                diagnostic.fix
            )
    return result


def _read_source(path: str) -> Tuple[str, str]:
    import io
    import tokenize

    with open(path, "rb") as handle:
        data = handle.read()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def _fixed_files(
    diagnostics: Sequence[Diagnostic],
) -> Tuple[List[Tuple[str, str, str, str]], List[str], int]:
    # (path, old text, new text, encoding) per changed file, the files to create,
    # and the number of findings fixed
    changed = []
    creations: List[str] = []
    count = 0
    for path, fixes in _fixes_by_file(diagnostics).items():
        for fix in fixes:
            for edit in fix.edits:
                if edit.filename is not None:
                    target = os.path.abspath(edit.filename)
                    if target not in creations and not os.path.exists(target):
                        creations.append(target)
                        count += 1
        local = [f for f in fixes if any(e.filename is None for e in f.edits)]
        if not local:
            continue
        try:
            old, encoding = _read_source(path)
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
            continue
        from .fix import apply_fixes

        new, applied = apply_fixes(old, local)
        if applied and new != old:
            changed.append((path, old, new, encoding))
            count += sum(1 for f in local if f in applied)
    return changed, creations, count


def _diff_text(
    changed: Sequence[Tuple[str, str, str, str]], creations: Sequence[str]
) -> str:
    import difflib

    chunks = []
    for path, old, new, _ in changed:
        shown = display_path(path).replace(os.sep, "/")
        chunks.append(
            "".join(
                difflib.unified_diff(
                    old.splitlines(True),
                    new.splitlines(True),
                    fromfile=f"a/{shown}",
                    tofile=f"b/{shown}",
                )
            )
        )
    for path in creations:
        shown = display_path(path).replace(os.sep, "/")
        chunks.append(f"--- /dev/null\n+++ b/{shown}\n")
    return "".join(c if c.endswith("\n") else c + "\n" for c in chunks)


def _write_fixes(
    changed: Sequence[Tuple[str, str, str, str]], creations: Sequence[str]
) -> None:
    for path, _, new, encoding in changed:
        with open(path, "wb") as handle:
            handle.write(new.encode(encoding))
    for path in creations:
        with open(path, "a", encoding="utf-8"):
            pass


# ---- the check command ------------------------------------------------------------


def _check_command(args: argparse.Namespace) -> int:
    if args.fix and args.diff:
        raise UsageError("--fix and --diff cannot be combined")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    run = Run(args)
    fixing = args.fix or args.diff
    diagnostics = run.collect(use_cache=not args.no_cache and not fixing)
    if args.diff:
        changed, creations, count = _fixed_files(_baselined(run, diagnostics)[0])
        _out(_diff_text(changed, creations))
        if not args.quiet:
            _err(
                f"{count} fix(es) available in {len(changed) + len(creations)} file(s)"
            )
        return EXIT_FINDINGS if count and not args.exit_zero else EXIT_CLEAN
    fixed = 0
    if args.fix:
        for _ in range(MAX_FIX_ROUNDS):
            changed, creations, count = _fixed_files(_baselined(run, diagnostics)[0])
            if not count:
                break
            _write_fixes(changed, creations)
            fixed += count
            from .project import clear_caches

            clear_caches()
            diagnostics = run.collect(use_cache=False)
    if args.write_baseline:
        from .baseline import write_baseline

        written = write_baseline(args.write_baseline, diagnostics)
        _err(f"wrote {written} finding(s) to the baseline {args.write_baseline}")
        return EXIT_CLEAN
    diagnostics, hidden = _baselined(run, diagnostics)
    _report(run, diagnostics)
    if args.statistics:
        _statistics(run, diagnostics)
    if not args.quiet and run.output_format in ("concise", "full"):
        _summary(diagnostics, fixed, hidden)
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _baselined(run: Run, diagnostics: List[Diagnostic]) -> Tuple[List[Diagnostic], int]:
    if not run.args.baseline:
        return diagnostics, 0
    from .baseline import filter_baseline, load_baseline

    keys = load_baseline(run.args.baseline)
    return filter_baseline(diagnostics, keys, run.args.baseline)


def _report(run: Run, diagnostics: List[Diagnostic]) -> None:
    context = ReportContext(
        rules=_EnabledRules(run), files=run.checked, version=__version__
    )
    with _gc_paused():
        text = serializer(run.output_format)(diagnostics, context)
    if run.args.output_file:
        try:
            with open(run.args.output_file, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise ConfigError(
                f"{run.args.output_file}: cannot write: {exc.strerror or exc}"
            ) from None
    else:
        _out(text)


class _EnabledRules(Sequence["Rule"]):
    """``run.rules`` for a report, loaded only if the serializer looks at them."""

    def __init__(self, run: Run) -> None:
        """Wrap a run.

        Args:
            run: The run whose enabled rules these are.
        """
        self.run = run

    def __getitem__(self, index: Any) -> Any:
        """Return a rule (or a list of rules for a slice).

        Args:
            index: An index or a slice.

        Returns:
            What ``run.rules[index]`` gives.
        """
        return self.run.rules[index]

    def __len__(self) -> int:
        """Return the number of enabled rules.

        Returns:
            ``len(run.rules)``.
        """
        return len(self.run.rules)


def _statistics(run: Run, diagnostics: List[Diagnostic]) -> None:
    from collections import Counter

    from .rule import get_rule

    counts = Counter(d.code for d in diagnostics)
    lines = []
    for code in sorted(counts):
        rule = get_rule(code) if code.startswith("BG") else None
        name = rule.name if rule is not None else ""
        fixable = sum(1 for d in diagnostics if d.code == code and d.fix is not None)
        marker = f" ({fixable} fixable)" if fixable else ""
        lines.append(f"{counts[code]:<5} {code} {name}{marker}")
    text = "".join(f"{line}\n" for line in lines)
    if run.output_format in ("concise", "full") and not run.args.output_file:
        _out(text)
    else:
        sys.stderr.write(text)


def _summary(diagnostics: List[Diagnostic], fixed: int, hidden: int) -> None:
    parts = []
    if fixed:
        parts.append(f"{fixed} fixed")
    if hidden:
        parts.append(f"{hidden} hidden by the baseline")
    fixable = sum(1 for d in diagnostics if d.fix is not None)
    if fixable:
        parts.append(f"{fixable} fixable with --fix")
    extra = f" ({', '.join(parts)})" if parts else ""
    if diagnostics:
        _out(f"Found {len(diagnostics)} finding(s){extra}.\n")
    else:
        _out(f"All checks passed{extra}.\n")
