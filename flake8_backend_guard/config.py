"""Configuration of the standalone command: ``[tool.backend-guard]`` in pyproject.toml.

The table is found by walking up from the first checked path (then from the
working directory) to the first ``pyproject.toml`` that has a
``[tool.backend-guard]`` table. Its keys are the option names of the schema
(``bg-max-token-lifetime = 7200``) plus the command's own settings: ``select``,
``ignore``, ``extend-select``, ``extend-ignore``, ``per-file-ignores``,
``exclude``, ``extend-exclude`` and ``output-format``. An unknown key or a bad
value raises :class:`ConfigError` with a one-line message naming the key.

This module also holds the code selection (flake8's select/ignore decision, with
per-file ignores) and the file discovery with exclude patterns.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .options import SCHEMA

TABLE = "backend-guard"
CODE_RE = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$")
OUTPUT_FORMATS = ("concise", "full", "json", "sarif", "github", "junit")
DEFAULT_EXCLUDE = (
    ".backend-guard-cache",
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pycache__",
    "__pypackages__",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)
COMMAND_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "output-format",
)


class ConfigError(ValueError):
    """The configuration is invalid; ``str(error)`` is one line naming the key."""


@dataclass
class Settings:
    """The command's settings: from pyproject.toml, then overridden on the CLI.

    Attributes:
        root: The project root: the directory of the pyproject.toml that holds the
            table, else the working directory. Exclude and per-file-ignore
            patterns with a ``/`` are relative to it; the cache lives in it.
        pyproject: The pyproject.toml the table came from, if any.
        select: Selected code prefixes (None: the default, every BG code).
        ignore: Ignored code prefixes.
        extend_select: Code prefixes selected on top of ``select``.
        extend_ignore: Code prefixes ignored on top of ``ignore``.
        per_file_ignores: (glob pattern, code prefixes) pairs.
        exclude: Exclude patterns (None: the default list).
        extend_exclude: Patterns excluded on top of ``exclude``.
        output_format: The output format (None: concise).
        options: Rule options by schema name (``bg-max-token-lifetime``).
    """

    root: str
    pyproject: Optional[str] = None
    select: Optional[List[str]] = None
    ignore: List[str] = field(default_factory=list)
    extend_select: List[str] = field(default_factory=list)
    extend_ignore: List[str] = field(default_factory=list)
    per_file_ignores: List[Tuple[str, List[str]]] = field(default_factory=list)
    exclude: Optional[List[str]] = None
    extend_exclude: List[str] = field(default_factory=list)
    output_format: Optional[str] = None
    options: Dict[str, Any] = field(default_factory=dict)


def read_toml(path: str) -> Dict[str, Any]:
    """Read a TOML file.

    Args:
        path: The file.

    Returns:
        The parsed document.

    Raises:
        ConfigError: The file cannot be read or is not valid TOML.
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11
        import tomli as tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(
            f"{_shown(path)}: cannot read: {exc.strerror or exc}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_shown(path)}: invalid TOML: {exc}") from None


def find_pyproject(start: str) -> Optional[str]:
    """Return the nearest pyproject.toml with a ``[tool.backend-guard]`` table.

    Args:
        start: A file or directory to walk up from.

    Returns:
        The path, or None when no such file exists up to the file system root.

    Raises:
        ConfigError: A pyproject.toml on the way is not valid TOML.
    """
    current = os.path.abspath(start)
    if not os.path.isdir(current):
        current = os.path.dirname(current)
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            tool = read_toml(candidate).get("tool")
            if isinstance(tool, dict) and TABLE in tool:
                return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def codes(name: str, raw: Any) -> List[str]:
    """Validate a list of code prefixes (a list or a comma/space separated string).

    Args:
        name: The option name (for the error message).
        raw: The value.

    Returns:
        The upper-cased prefixes.

    Raises:
        ConfigError: The value is not a list of strings or holds a bad prefix.
    """
    if isinstance(raw, str):
        items: Iterable[Any] = re.split(r"[,\s]+", raw)
    elif isinstance(raw, (list, tuple)):
        items = raw
    else:
        raise ConfigError(f"{name}: expected a list of codes, got {raw!r}")
    result = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"{name}: codes must be strings, got {item!r}")
        item = item.strip().upper()
        if not item:
            continue
        if not CODE_RE.match(item):
            raise ConfigError(
                f"{name}: {item!r} is not a code or code prefix (like BG, BG2, BG201)"
            )
        result.append(item)
    return result


def patterns(name: str, raw: Any) -> List[str]:
    """Validate a list of glob patterns (a list or a comma-separated string).

    Args:
        name: The option name (for the error message).
        raw: The value.

    Returns:
        The patterns.

    Raises:
        ConfigError: The value is not a list of strings.
    """
    if isinstance(raw, str):
        items: Iterable[Any] = raw.split(",")
    elif isinstance(raw, (list, tuple)):
        items = raw
    else:
        raise ConfigError(f"{name}: expected a list of patterns, got {raw!r}")
    result = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"{name}: patterns must be strings, got {item!r}")
        if item.strip():
            result.append(item.strip())
    return result


def per_file_ignores(name: str, raw: Any) -> List[Tuple[str, List[str]]]:
    """Validate per-file ignores.

    Accepted forms: a TOML table ``{"tests/*" = ["BG206"]}``, flake8's string
    ``"tests/*:BG206,BG219 scripts/*.py:BG314"`` or a list of ``"glob:codes"``.

    Args:
        name: The option name (for the error message).
        raw: The value.

    Returns:
        (pattern, code prefixes) pairs.

    Raises:
        ConfigError: The value has another shape or holds a bad code.
    """
    if isinstance(raw, dict):
        return [(str(key), codes(f"{name}.{key}", value)) for key, value in raw.items()]
    if isinstance(raw, (list, tuple)):
        raw = " ".join(str(item) for item in raw)
    if not isinstance(raw, str):
        raise ConfigError(f"{name}: expected a table of pattern = [codes], got {raw!r}")
    result: List[Tuple[str, List[str]]] = []
    pending_files: List[str] = []
    current: Optional[Tuple[List[str], List[str]]] = None
    for token in re.split(r"[,\s]+", raw.strip()):
        if not token:
            continue
        if ":" in token:
            filename, _, code = token.rpartition(":")
            if filename:
                pending_files.append(filename)
            if not pending_files:
                raise ConfigError(f"{name}: {token!r} has no file pattern")
            current = (pending_files, [])
            pending_files = []
            for pattern in current[0]:
                result.append((pattern, current[1]))
            if code:
                current[1].extend(codes(name, code))
        elif current is not None and CODE_RE.match(token.upper()):
            current[1].extend(codes(name, token))
        else:
            current = None
            pending_files.append(token)
    if pending_files:
        raise ConfigError(
            f"{name}: {pending_files[-1]!r} has no codes (use pattern:codes)"
        )
    return result


def settings_from_table(table: Any, root: str, source: str) -> Settings:
    """Validate a ``[tool.backend-guard]`` table.

    Args:
        table: The table.
        root: The project root for the settings.
        source: The file name used in error messages.

    Returns:
        The settings.

    Raises:
        ConfigError: An unknown key or a bad value.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.{TABLE}] must be a table")
    settings = Settings(root=root, pyproject=source)
    for key, value in table.items():
        where = f"{source}: [tool.{TABLE}] {key}"
        if key == "bg-namespace-packages":
            # relative paths are relative to the pyproject.toml, not the cwd
            settings.options[key] = [
                os.path.join(root, p) for p in patterns(where, value)
            ]
        elif key in SCHEMA:
            settings.options[key] = value
        elif key in ("select", "ignore", "extend-select", "extend-ignore"):
            setattr(settings, key.replace("-", "_"), codes(where, value))
        elif key == "per-file-ignores":
            settings.per_file_ignores = per_file_ignores(where, value)
        elif key in ("exclude", "extend-exclude"):
            setattr(settings, key.replace("-", "_"), patterns(where, value))
        elif key == "output-format":
            if value not in OUTPUT_FORMATS:
                raise ConfigError(
                    f"{where}: expected one of {', '.join(OUTPUT_FORMATS)}, "
                    f"got {value!r}"
                )
            settings.output_format = value
        else:
            known = ", ".join(COMMAND_KEYS + tuple(SCHEMA))
            raise ConfigError(f"{where}: unknown option (known: {known})")
    return settings


def load_settings(
    paths: Sequence[str], config_file: Optional[str] = None, isolated: bool = False
) -> Settings:
    """Find and read the configuration for a run.

    Args:
        paths: The paths to check (the first one starts the search).
        config_file: An explicit pyproject.toml (``--config``).
        isolated: Ignore every configuration file (``--isolated``).

    Returns:
        The settings (defaults when no table is found).

    Raises:
        ConfigError: The configuration is invalid.
    """
    cwd = os.getcwd()
    if isolated:
        return Settings(root=cwd)
    if config_file is not None:
        document = read_toml(config_file)
        table = document.get("tool", {}).get(TABLE, {})
        root = os.path.dirname(os.path.abspath(config_file))
        return settings_from_table(table, root, config_file)
    starts = list(paths[:1]) + [cwd]
    for start in starts:
        found = find_pyproject(start)
        if found is not None:
            table = read_toml(found)["tool"][TABLE]
            return settings_from_table(table, os.path.dirname(found), _shown(found))
    return Settings(root=cwd)


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


# ---- code selection ----------------------------------------------------------------

_RULE_FILE_RE = re.compile(r"^(bg[1-3][0-9][0-9])_[a-z0-9_]+\.py$")


def rule_codes() -> List[str]:
    """Return the code of every rule, sorted, without loading the rule modules.

    Each rule lives in its own module ``rules/<family>/bgNNN_<name>.py`` and
    declares the rule ``BGNNN``, so the codes are the file names: this is the list
    of ``[r.code for r in rule.all_rules()]`` at the cost of three directory
    listings instead of importing 48 modules (a run served from the cache never
    imports them).

    Returns:
        The codes, such as ``BG101``.
    """
    rules_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules")
    found = set()
    for family in ("imports", "security", "style"):
        try:
            names = os.listdir(os.path.join(rules_dir, family))
        except OSError:
            continue
        for name in names:
            match = _RULE_FILE_RE.match(name)
            if match is not None:
                found.add(match.group(1).upper())
    return sorted(found)


class Selection:
    """flake8's select/ignore decision (``DecisionEngine``) for the BG codes.

    A code is reported when it matches a selected prefix and no ignored one; when
    it matches both, an explicit choice beats an implicit one, and between two
    explicit choices the longer prefix wins (``extend-select = BG`` beats
    ``ignore = B``).
    """

    def __init__(
        self,
        select: Optional[Sequence[str]],
        ignore: Sequence[str] = (),
        extend_select: Sequence[str] = (),
        extend_ignore: Sequence[str] = (),
    ) -> None:
        """Build the decision from the four option values.

        Args:
            select: Selected prefixes (None: every BG code, implicitly).
            ignore: Ignored prefixes.
            extend_select: Extra selected prefixes (explicit).
            extend_ignore: Extra ignored prefixes (explicit).
        """
        explicit = list(select or []) + list(extend_select)
        self.selected_explicitly = tuple(sorted(explicit, reverse=True))
        chosen = list(select if select is not None else ["BG"]) + list(extend_select)
        self.selected = tuple(sorted(chosen, reverse=True))
        self.ignored = tuple(sorted(list(ignore) + list(extend_ignore), reverse=True))
        self._cache: Dict[str, bool] = {}

    def with_ignores(self, extra: Sequence[str]) -> "Selection":
        """Return this selection with more explicit ignores (per-file ignores).

        Args:
            extra: Additional ignored prefixes.

        Returns:
            A new selection.
        """
        result = Selection.__new__(Selection)
        result.selected_explicitly = self.selected_explicitly
        result.selected = self.selected
        result.ignored = tuple(sorted(list(self.ignored) + list(extra), reverse=True))
        result._cache = {}
        return result

    def is_selected(self, code: str) -> bool:
        """Return True when findings of ``code`` are reported.

        Args:
            code: A code such as ``BG201``.

        Returns:
            The decision.
        """
        decision = self._cache.get(code)
        if decision is None:
            decision = self._decide(code)
            self._cache[code] = decision
        return decision

    def _decide(self, code: str) -> bool:
        select = next((s for s in self.selected if code.startswith(s)), None)
        ignore = next((i for i in self.ignored if code.startswith(i)), None)
        if select is None:
            return False
        if ignore is None:
            return True
        if not code.startswith(self.selected_explicitly):
            return False  # an explicit ignore beats the implicit default selection
        return len(select) > len(ignore)


def matches_path(pattern: str, relative: str) -> bool:
    """Return True when a gitignore-style pattern matches a path.

    A pattern without ``/`` matches any single path component (``build``,
    ``*.pyc``); a pattern with ``/`` matches the path relative to the project
    root from its start (``tests/fixtures``, ``src/*/migrations/*.py``), also as a
    directory prefix. A trailing ``/`` is ignored.

    Args:
        pattern: The pattern.
        relative: The path relative to the root, with ``/`` separators.

    Returns:
        Whether the pattern matches.
    """
    pattern = pattern.strip().rstrip("/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    if not pattern:
        return False
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in relative.split("/"))
    pattern = pattern.lstrip("/")
    if fnmatch.fnmatchcase(relative, pattern):
        return True
    parts = relative.split("/")
    return any(
        fnmatch.fnmatchcase("/".join(parts[:end]), pattern)
        for end in range(1, len(parts))
    )


def relative_to(path: str, root: str) -> str:
    """Return ``path`` relative to ``root`` with ``/`` separators.

    Args:
        path: An absolute path.
        root: An absolute directory.

    Returns:
        The relative path (or the absolute path, with ``/``, outside the root).
    """
    relative = os.path.relpath(path, root)
    if relative.startswith(".."):
        relative = path
    return relative.replace(os.sep, "/")


_GLOB_CHARS = frozenset("*?[")


@dataclass
class Discovered:
    """Files found for a run: Python files and launch files (absolute paths)."""

    python: List[str] = field(default_factory=list)
    launchers: List[str] = field(default_factory=list)


def discover(
    paths: Sequence[str],
    exclude: Sequence[str],
    root: str,
    launcher_kind: Any,
    force_exclude: bool = False,
) -> Discovered:
    """Find the files to check below ``paths``.

    Directories are walked (symlinked directories are not followed); a pattern
    of ``exclude`` prunes matching directories and files. A file named on the
    command line is always checked unless ``force_exclude`` is set.

    Args:
        paths: Files and directories.
        exclude: Exclude patterns.
        root: The project root for patterns with ``/``.
        launcher_kind: Function of a file name returning a launch-file kind or None.
        force_exclude: Apply the excludes to files named explicitly too.

    Returns:
        The discovered files, deduplicated, in walk order.

    Raises:
        ConfigError: A path does not exist.
    """
    found = Discovered()
    seen = set()
    # A pattern without "/" or glob characters (all the default ones) matches a
    # path exactly when it is one of the path's components: a set look-up.
    names = set()
    for pattern in exclude:
        name = pattern.strip()
        if "/" not in pattern and name and not _GLOB_CHARS.intersection(name):
            names.add(name)
    per_base = [p for p in exclude if "/" not in p and p.strip() not in names]
    per_root = [p for p in exclude if "/" in p]

    def excluded(path: str, base: str) -> bool:
        if names or per_base:
            under_base = relative_to(path, base)
            if names and not names.isdisjoint(under_base.split("/")):
                return True
            if any(matches_path(p, under_base) for p in per_base):
                return True
        if per_root:
            under_root = relative_to(path, root)
            return any(matches_path(p, under_root) for p in per_root)
        return False

    def add(path: str) -> None:
        if path in seen:
            return
        seen.add(path)
        if path.endswith(".py"):
            found.python.append(path)
        elif launcher_kind(path):
            found.launchers.append(path)

    def explicit_base(path: str) -> str:
        inside = not os.path.relpath(path, root).startswith("..")
        return root if inside else os.path.dirname(path)

    for given in paths:
        path = os.path.abspath(given)
        if os.path.isfile(path):
            if force_exclude and excluded(path, explicit_base(path)):
                continue
            if path in seen:
                continue
            seen.add(path)
            if launcher_kind(path):
                found.launchers.append(path)
            else:
                found.python.append(path)
            continue
        if not os.path.isdir(path):
            raise ConfigError(f"{given}: no such file or directory")
        if force_exclude and path != root and excluded(path, explicit_base(path)):
            continue
        for file_path in _walk(path, lambda p, base=path: excluded(p, base)):
            add(file_path)
    return found


def _walk(top: str, excluded: Any) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(
            d for d in dirnames if not excluded(os.path.join(dirpath, d))
        )
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if not excluded(path):
                yield path
