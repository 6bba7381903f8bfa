"""The result cache of the standalone command (``.backend-guard-cache/``).

A cached result of a file is reused only when all of these are unchanged:

- the run key: package version, the source of the installed package itself
  (file sizes and modification times, so an edited rule invalidates everything),
  the Python version, the enabled rule codes and every option value;
- the file's content (BLAKE2 digest of its bytes);
- the file's place in its package (``project.module_info``: package root,
  dotted module, whether its directory and parent directory are packages), for
  the rules that look at the directory structure (BG101, BG102, BG103, BG314,
  BG316);
- the digests of every ``.py`` file that rules may read besides the file itself:
  the whole top-level package for a file inside a package (BG105 reads every
  module for the import graph; BG317 and the model look-ups of the security
  rules read imported modules), the file's directory tree for a file outside
  any package. An edit anywhere in a package re-checks that package's files.

The BG106 findings of a Dockerfile or Procfile depend on its content alone (and
the run key): they are cached by their digest. Compose files are not cached:
their findings also depend on the installed PyYAML.

The cache never answers for a file whose content or facts changed, so it cannot
return stale results; at worst it re-checks more than necessary.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

try:  # the BLAKE2 module itself: hashlib would also load OpenSSL's bindings
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - Python builds without it
    from hashlib import blake2b

from . import __version__
from .layout import module_info
from .report import Diagnostic, Edit, Fix, new_diagnostic

CACHE_DIR_NAME = ".backend-guard-cache"
FORMAT_VERSION = 1
_SKIP_DIRS = frozenset({"__pycache__", "node_modules"})


def digest(data: bytes) -> str:
    """Return the content digest of a file's bytes.

    Args:
        data: The bytes.

    Returns:
        A hex digest.
    """
    return blake2b(data, digest_size=16).hexdigest()


def _stable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(_stable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in sorted(value.items())}
    if hasattr(value, "pattern") and hasattr(value, "flags"):
        return ["re", value.pattern, value.flags]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _package_stamp() -> List[Any]:
    # (relative path, size, mtime) of the package's own source files
    base = os.path.dirname(os.path.abspath(__file__))
    stamp = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                stamp.append(
                    [os.path.relpath(path, base), info.st_size, info.st_mtime_ns]
                )
    return stamp


def run_key(codes: Sequence[str], option_values: Dict[str, Any]) -> str:
    """Return the key of everything a run's results depend on besides the files.

    Args:
        codes: The enabled rule codes.
        option_values: The validated option values (``Config.values``).

    Returns:
        A hex digest.
    """
    document = {
        "format": FORMAT_VERSION,
        "version": __version__,
        "python": list(sys.version_info[:2]),
        "package": _package_stamp(),
        "codes": sorted(codes),
        "options": _stable(dict(option_values)),
    }
    text = json.dumps(document, sort_keys=True)
    return blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class Facts:
    """Per-run memo of file digests and of the facts outside a file its result uses."""

    def __init__(self, namespace_paths: Tuple[str, ...]) -> None:
        """Start an empty memo.

        Args:
            namespace_paths: ``bg-namespace-packages`` (changes the package model).
        """
        self.namespace_paths = namespace_paths
        self.digests: Dict[str, Optional[str]] = {}
        self._trees: Dict[str, str] = {}

    def digest_of(self, path: str) -> Optional[str]:
        """Return the digest of a file's content (None when it cannot be read).

        Args:
            path: An absolute path.

        Returns:
            The digest.
        """
        if path not in self.digests:
            try:
                with open(path, "rb") as handle:
                    self.digests[path] = digest(handle.read())
            except OSError:
                self.digests[path] = None
        return self.digests[path]

    def dependencies(self, path: str) -> str:
        """Return the fingerprint of the facts outside ``path`` its result uses.

        These are the file's place in its package and the content of every module
        rules may read besides it: the whole top-level package for a file in a
        package, the file's directory tree otherwise.

        Args:
            path: An absolute path of a Python file.

        Returns:
            A string that changes whenever those facts change.
        """
        place = self.place(path)
        scope = place[1] if place[0] else os.path.dirname(path)
        return json.dumps(place + [self._tree_digest(scope)])

    def place(self, path: str) -> List[Any]:
        """Return where a file sits in its package tree.

        The values of ``layout.module_info(path, namespace_paths)`` that a
        result can depend on (``layout`` holds no AST code, so a warm run does
        not load the project model).

        Args:
            path: An absolute path of a Python file.

        Returns:
            ``[in_package, top_dir, module, package, is_init, parent_is_package]``.
        """
        info = module_info(path, self.namespace_paths)
        return [
            info.in_package,
            info.top_dir,
            info.module,
            info.package,
            info.is_init,
            info.parent_is_package,
        ]

    def _tree_digest(self, top: str) -> str:
        # Every .py file an import could reach below ``top``: directories whose
        # names are not identifiers cannot be imported from and are skipped.
        cached = self._trees.get(top)
        if cached is not None:
            return cached
        entries = []
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(
                d for d in dirnames if d.isidentifier() and d not in _SKIP_DIRS
            )
            for name in sorted(filenames):
                if name.endswith(".py"):
                    path = os.path.join(dirpath, name)
                    relative = os.path.relpath(path, top)
                    entries.append(f"{relative}={self.digest_of(path)}")
        value = blake2b("\n".join(entries).encode("utf-8"), digest_size=16)
        self._trees[top] = value.hexdigest()
        return self._trees[top]


def fix_to_data(fix: Fix) -> List[Any]:
    """Return the compact JSON-able form of a fix (the last field of a diagnostic).

    Args:
        fix: The fix.

    Returns:
        ``[message, applicability, [[line, col, end_line, end_col, content,
        filename], ...]]``.
    """
    return [
        fix.message,
        fix.applicability,
        [
            [e.line, e.col, e.end_line, e.end_col, e.content, e.filename]
            for e in fix.edits
        ],
    ]


def diagnostic_to_data(diagnostic: Diagnostic) -> List[Any]:
    """Return a compact JSON-able form of a diagnostic (without its path).

    Args:
        diagnostic: The diagnostic.

    Returns:
        A list of its fields.
    """
    fix = diagnostic.fix
    fix_data = None if fix is None else fix_to_data(fix)
    return [
        diagnostic.code,
        diagnostic.message,
        diagnostic.line,
        diagnostic.col,
        diagnostic.end_line,
        diagnostic.end_col,
        diagnostic.source_line,
        fix_data,
    ]


def diagnostic_from_data(path: str, data: Sequence[Any]) -> Diagnostic:
    """Rebuild a diagnostic from :func:`diagnostic_to_data` output.

    Args:
        path: The display path to give it.
        data: The stored fields.

    Returns:
        The diagnostic.
    """
    code, message, line, col, end_line, end_col, source_line, fix_data = data
    fix = None
    if fix_data is not None:
        fix_message, applicability, edits = fix_data
        fix = Fix(fix_message, tuple(Edit(*e) for e in edits), applicability)
    return new_diagnostic(
        path, code, message, line, col, end_line, end_col, fix, source_line
    )


class Cache:
    """Cached results of one run key, stored as one JSON file."""

    def __init__(self, directory: str, key: str) -> None:
        """Open (lazily) the cache file of ``key`` in ``directory``.

        Args:
            directory: The cache directory (``<root>/.backend-guard-cache``).
            key: The run key from :func:`run_key`.
        """
        self.directory = directory
        self.path = os.path.join(directory, __version__, f"{key}.json")
        self.entries: Dict[str, Any] = {}
        self.changed = False
        try:
            with open(self.path, encoding="utf-8") as handle:
                document = json.load(handle)
            if document.get("format") == FORMAT_VERSION:
                self.entries = document.get("files", {})
        except (OSError, ValueError, AttributeError):
            self.entries = {}

    def get(self, path: str, content: str, dependencies: str) -> Optional[List[Any]]:
        """Return the stored diagnostics data of a file if still valid.

        Args:
            path: The absolute path.
            content: The file's current digest.
            dependencies: Its current fingerprint from :meth:`Facts.dependencies`.

        Returns:
            The stored list, or None on a miss.
        """
        entry = self.entries.get(path)
        if (
            isinstance(entry, dict)
            and entry.get("digest") == content
            and entry.get("deps") == dependencies
        ):
            return entry.get("diagnostics")
        return None

    def put(self, path: str, content: str, dependencies: str, data: List[Any]) -> None:
        """Store a file's diagnostics data.

        Args:
            path: The absolute path.
            content: The digest of the content that was checked.
            dependencies: The fingerprint used for the check.
            data: Diagnostics as :func:`diagnostic_to_data` lists.
        """
        self.entries[path] = {
            "digest": content,
            "deps": dependencies,
            "diagnostics": data,
        }
        self.changed = True

    def save(self) -> None:
        """Write the cache atomically; forget files that no longer exist.

        Failures (read-only file system, permissions) are ignored: the cache is
        an optimisation only.
        """
        if not self.changed:
            return
        import tempfile

        files = {p: e for p, e in self.entries.items() if os.path.exists(p)}
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write("# Created by backend-guard\n*\n")
            fd, temporary = tempfile.mkstemp(
                dir=os.path.dirname(self.path), suffix=".tmp"
            )
            # json.dumps encodes in C; json.dump would encode piecewise in Python
            text = json.dumps({"format": FORMAT_VERSION, "files": files})
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, self.path)
        except OSError:
            return
