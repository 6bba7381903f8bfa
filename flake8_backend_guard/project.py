"""The project model: package roots and the import graph of a package.

Everything here reads the file system as text and never imports or executes the
code it looks at. Directory facts and import graphs are cached once per process
(flake8 workers each build their own), so checking N files of a package costs one
walk of its directories and at most one parse of each file that the checked files'
imports reach (a checked file that is the file on disk gives its own imports): a file
without the word ``import`` is not parsed at all, and of the others only the text up
to the end of the top-level statement holding the last ``import`` is parsed (the
whole file is parsed later only if the module lies on an import cycle, to confirm
that it parses).
"""

from __future__ import annotations

import ast
import os
import re
from bisect import bisect_right
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .context import FLAT_STATEMENTS, nested_statements
from .layout import (  # noqa: F401  (re-exported: the project model's API)
    NON_FILE_NAMES,
    ModuleInfo,
    clear_layout_caches,
    is_package_dir,
    module_info,
)

_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})


def resolve_relative(
    info: ModuleInfo, level: int, module: Optional[str]
) -> Optional[str]:
    """Return the absolute module a ``from <dots>module import`` names.

    Args:
        info: Where the importing file sits in its package.
        level: The number of leading dots of the import.
        module: The module written after the dots, or None for ``from . import x``.

    Returns:
        The absolute dotted module name, or None when the import climbs above the
        top-level package (or the file is not in a package).
    """
    parts = info.package_parts
    if level - 1 > len(parts) - 1 or not parts:
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base = base + module.split(".")
    return ".".join(base)


def relative_module(info: ModuleInfo, target: str) -> str:
    """Return the relative spelling of module ``target`` as seen from ``info``.

    From ``app/api/routes.py``: ``app.db.models`` -> ``..db.models``,
    ``app.api.deps`` -> ``.deps``, ``app`` -> ``..``.

    Args:
        info: Where the importing file sits in its package.
        target: The absolute dotted name of the imported module.

    Returns:
        The module name with leading dots, for a ``from <dots>module import``.
    """
    here = info.package_parts
    there = target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    return "." * (len(here) - common + 1) + ".".join(there[common:])


# ---- import graph ---------------------------------------------------------------


def _runtime_module_imports(body: Sequence[ast.stmt]) -> List[ast.stmt]:
    """Return the module-level imports that run when the module is imported.

    Args:
        body: The statements of a module body.

    Returns:
        The import statements in source order, including those nested in ``if``,
        ``with`` and ``try`` blocks; the bodies of ``if TYPE_CHECKING:`` (true only
        for a type checker) and ``if __name__ == "__main__":`` (true only when the
        file is run as a script, never when it is imported) are left out, their
        ``else`` blocks are not.
    """
    result: List[ast.stmt] = []
    stack = list(reversed(body))
    flat = FLAT_STATEMENTS
    while stack:
        stmt = stack.pop()
        cls = stmt.__class__
        if cls is ast.Import or cls is ast.ImportFrom:
            result.append(stmt)
        elif cls not in flat:  # a block-less statement has nothing nested
            stack.extend(reversed(nested_statements(stmt, import_time_only=True)))
    return result


Edge = Tuple[str, ast.stmt]


def import_edges(
    tree: ast.Module, info: ModuleInfo, known: Iterable[str]
) -> List[Edge]:
    """Return the edges of the module-level imports internal to the package.

    ``from X import name`` is an edge to ``X.name`` when that is a module, else to
    ``X``; imports under ``if TYPE_CHECKING:`` and of the module itself are skipped.

    Args:
        tree: The parsed module whose imports are read.
        info: Where the module sits in its package, to resolve relative imports.
        known: The module names of the package; only imports of those count.

    Returns:
        ``(target module, import statement)`` pairs, each target once per statement.
    """
    known_set = known if isinstance(known, (set, frozenset, dict)) else set(known)
    edges: List[Edge] = []
    for stmt in _runtime_module_imports(tree.body):
        targets: List[str] = []
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                target = _longest_known(alias.name, known_set)
                if target:
                    targets.append(target)
        else:
            assert isinstance(stmt, ast.ImportFrom)
            if stmt.level:
                base = resolve_relative(info, stmt.level, stmt.module)
            else:
                base = stmt.module
            if not base:
                continue
            for alias in stmt.names:
                sub = f"{base}.{alias.name}"
                if alias.name != "*" and sub in known_set:
                    targets.append(sub)
                else:
                    target = _longest_known(base, known_set)
                    if target:
                        targets.append(target)
        seen: Set[str] = set()
        for target in targets:
            if target not in seen and target != info.module:
                seen.add(target)
                edges.append((target, stmt))
    return edges


def _longest_known(name: str, known: Iterable[str]) -> Optional[str]:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:  # type: ignore[operator]
            return candidate
    return None


class ImportGraph:
    """The module-level import graph of one top-level package, read from disk.

    Modules are read lazily: asking whether a module lies on a cycle reads only
    the modules its imports reach (transitively), each at most once per process,
    and a checked file whose text is the file on disk gives its own edges, so it
    is never read again for them.
    """

    def __init__(self, top_dir: str, namespace_paths: Tuple[str, ...] = ()) -> None:
        """Find the package's modules (none is read or parsed yet).

        Args:
            top_dir: The directory of the top-level package.
            namespace_paths: Normalised absolute paths of directories declared as
                namespace packages (``bg-namespace-packages``).
        """
        self.top_dir = top_dir
        self.namespace_paths = namespace_paths
        self.files: Dict[str, str] = self._discover()
        # The edges of each module read so far.
        self._edges: Dict[str, List[str]] = {}
        # Modules whose edges come from a prefix of the file: the whole file has
        # not been parsed yet (module -> path).
        self._partial: Dict[str, str] = {}
        # The strongly connected component of each module whose reachable modules
        # have all been read (a component, once known, never changes unless a
        # module's edges do); ids below ``_next_component`` are taken.
        self._component: Dict[str, int] = {}
        self._next_component = 0

    def _edges_of(self, module: str) -> List[str]:
        """Return the edges of ``module`` read from disk (read on first use).

        Args:
            module: A module name of the package.

        Returns:
            The package modules it imports at module level.
        """
        edges = self._edges.get(module)
        if edges is None:
            path = self.files.get(module, "")
            tree, whole = _parse_imports(path)
            if not whole:
                self._partial[module] = path
            edges = self._edges[module] = self._module_edges(path, tree)
        return edges

    def _module_edges(self, path: str, tree: Optional[ast.Module]) -> List[str]:
        if tree is None or not tree.body:
            return []
        info = module_info(path, self.namespace_paths)
        return [t for t, _ in import_edges(tree, info, self.files)]

    def _same_as_disk(self, module: str, text: str) -> bool:
        """Return True when ``text`` is exactly the file of ``module`` on disk.

        Args:
            module: A module name of the package.
            text: The source text being checked as that module.

        Returns:
            Whether the file's bytes are ``text`` encoded as UTF-8 (a file with a
            BOM or CRLF line ends never is; it is then read as any other module).
        """
        path = self.files.get(module)
        if not path:
            return False
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            return data == text.encode("utf-8")
        except (OSError, ValueError):  # UnicodeError is a ValueError
            return False

    def _complete(self, modules: Iterable[str]) -> bool:
        """Parse the whole file of each of ``modules`` that was read as a prefix.

        A file that turns out not to parse has no edges, as if it had been parsed
        whole from the start.

        Args:
            modules: Module names of the package.

        Returns:
            Whether the edges of any of them changed (the components are then
            forgotten, to be found again).
        """
        changed = False
        for module in modules:
            path = self._partial.pop(module, None)
            if path is None:
                continue
            edges = self._module_edges(path, _parse_file(path))
            if edges != self._edges[module]:
                self._edges[module] = edges
                changed = True
        if changed:
            self._component = {}
            self._next_component = 0
        return changed

    def _read_all(self) -> None:
        for module in self.files:
            self._edges_of(module)
        self._complete(list(self._partial))

    @property
    def edges(self) -> Dict[str, List[str]]:
        """Return each module's module-level imports of the package (all parsed)."""
        self._read_all()
        return self._edges

    @property
    def components(self) -> Dict[str, int]:
        """Return each module's strongly connected component (all parsed)."""
        self._read_all()
        return strongly_connected(self._edges)

    def _discover(self) -> Dict[str, str]:
        files: Dict[str, str] = {}
        top_name = os.path.basename(self.top_dir)
        visited: Set[str] = set()
        top_real = os.path.realpath(self.top_dir)
        for dirpath, dirnames, filenames in os.walk(self.top_dir, followlinks=False):
            try:
                real = os.path.realpath(dirpath)
            except OSError:
                dirnames[:] = []
                continue
            if real in visited:
                dirnames[:] = []
                continue
            visited.add(real)
            dirnames[:] = [
                d
                for d in dirnames
                if d.isidentifier() and d not in _SKIP_DIRS and not d.startswith(".")
            ]
            rel = os.path.relpath(dirpath, self.top_dir)
            prefix = (
                top_name if rel == "." else top_name + "." + rel.replace(os.sep, ".")
            )
            for filename in filenames:
                stem, ext = os.path.splitext(filename)
                if ext != ".py" or not stem.isidentifier() and stem != "__init__":
                    continue
                module = prefix if stem == "__init__" else f"{prefix}.{stem}"
                path = os.path.join(dirpath, filename)
                if os.path.islink(path) and not _inside(path, top_real):
                    continue  # never read through a link that leaves the package
                files[module] = path
            if "__init__.py" not in filenames:
                files.setdefault(prefix, "")
        return files

    def cycle_edges(
        self, module: str, edges: List[Edge], text: Optional[str] = None
    ) -> List[Tuple[ast.stmt, List[str]]]:
        """Return (import statement, cycle) for each of ``edges`` that closes a cycle.

        Only the modules ``edges`` reach are read. Their components are kept for
        the next file, unless ``edges`` differ from the module's edges on disk
        (an unsaved buffer): the cycles are then found for this file alone.

        Args:
            module: The dotted name of the file being checked.
            edges: The file's own edges, from the buffer being checked (which may
                differ from the disk), as returned by :func:`import_edges`.
            text: The buffer's source text, if known: when it is the file on
                disk, ``edges`` are the module's edges and the file is not read.

        Returns:
            For each edge on a cycle, its import statement and the cycle as module
            names, from ``module`` through the target back to ``module``.
        """
        targets = [t for t, _ in edges]
        if module in self.files:
            disk = self._edges.get(module)
            if disk is None:
                if text is not None and self._same_as_disk(module, text):
                    disk = self._edges[module] = targets  # parsed whole: not partial
                else:
                    disk = self._edges_of(module)
            own_edges = disk == targets
        else:
            own_edges = False
        edges_of = self._edges_of

        def buffer_edges(name: str) -> List[str]:
            return targets if name == module else edges_of(name)

        while True:
            if own_edges:
                graph = self._edges
                components = self._component
                if module not in components:
                    self._next_component = _assign_components(
                        module, edges_of, components, self._next_component
                    )
            else:
                components = {}
                _assign_components(module, buffer_edges, components, 0)
                graph = dict(self._edges)
                graph[module] = targets
            own = components.get(module)
            if own is None or not any(components.get(t) == own for t in targets):
                break
            # the cycles go through the modules of this component only: their
            # whole files must parse (the file checked has its own edges)
            members = [
                m
                for m in self._partial
                if m != module and components.get(m) == own
            ]
            if not self._complete(members):
                break
        result = []
        for target, stmt in edges:
            if own is not None and components.get(target) == own:
                path = _shortest_path(graph, target, module, components, own)
                if path:
                    result.append((stmt, [module] + path))
        return result


def _inside(path: str, directory: str) -> bool:
    """Return True when ``path`` resolves to a place below ``directory``.

    Args:
        path: A file path (links are resolved).
        directory: A resolved directory path.

    Returns:
        Whether the real path of ``path`` lies inside ``directory``.
    """
    try:
        real = os.path.realpath(path)
    except OSError:
        return False
    return real == directory or real.startswith(directory.rstrip(os.sep) + os.sep)


def strongly_connected(graph: Dict[str, List[str]]) -> Dict[str, int]:
    """Return module -> component id (Tarjan's algorithm, iterative).

    Args:
        graph: Each module's imported modules.

    Returns:
        The strongly connected component id of every module reached; modules that
        are not on any cycle get a component of their own.
    """
    component: Dict[str, int] = {}
    next_component = 0
    empty: List[str] = []
    for root in graph:
        next_component = _assign_components(
            root, lambda node: graph.get(node, empty), component, next_component
        )
    return component


def _assign_components(
    root: str,
    edges_of: Callable[[str], List[str]],
    component: Dict[str, int],
    next_component: int,
) -> int:
    """Give a component id to every module reachable from ``root`` without one.

    Tarjan's algorithm, iterative. Modules that already have a component were
    finished by an earlier call, which reached every module they reach: none of
    them can share a component with a module found now, so they are passed over.

    Args:
        root: The module to start from.
        edges_of: Each module's imported modules.
        component: Module -> component id, extended in place.
        next_component: The first unused component id.

    Returns:
        The first component id still unused.
    """
    if root in component:
        return next_component
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    on_stack: Set[str] = set()
    stack: List[str] = []
    counter = 0
    work: List[Tuple[str, int]] = [(root, 0)]
    while work:
        node, child_index = work.pop()
        if child_index == 0:
            index[node] = low[node] = counter
            counter += 1
            stack.append(node)
            on_stack.add(node)
        children = edges_of(node)
        recurse = False
        while child_index < len(children):
            child = children[child_index]
            child_index += 1
            if child in component:
                continue  # finished earlier
            if child not in index:
                work.append((node, child_index))
                work.append((child, 0))
                recurse = True
                break
            if child in on_stack:
                low[node] = min(low[node], index[child])
        if recurse:
            continue
        if low[node] == index[node]:
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component[member] = next_component
                if member == node:
                    break
            next_component += 1
        if work:
            parent = work[-1][0]
            low[parent] = min(low[parent], low[node])
    return next_component


def _shortest_path(
    graph: Dict[str, List[str]],
    start: str,
    goal: str,
    components: Dict[str, int],
    component: int,
) -> Optional[List[str]]:
    """Return the shortest path start -> ... -> goal inside one component.

    Args:
        graph: Each module's imported modules.
        start: The module the path starts from.
        goal: The module the path ends at.
        components: The component id of each module (see :func:`strongly_connected`).
        component: The component the path must stay inside.

    Returns:
        The modules from ``start`` to ``goal`` (both included), found breadth-first,
        or None when ``goal`` cannot be reached inside the component.
    """
    previous: Dict[str, Optional[str]] = {start: None}
    queue = [start]
    for node in queue:
        if node == goal:
            path = []
            current: Optional[str] = node
            while current is not None:
                path.append(current)
                current = previous[current]
            return list(reversed(path))
        for child in graph.get(node, []):
            if child not in previous and components.get(child) == component:
                previous[child] = node
                queue.append(child)
    return None


# A line that starts a top-level statement: not blank, indented, a comment, the
# rest of a bracket or a string, or a clause of the statement above it.
_NOT_STATEMENT_START = frozenset(" \t\f\r\n#)]}\\\"'")
_CLAUSE_RE = re.compile(r"(?:else|elif|except|finally)\b")
_CODING_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)


# Lines that start a top-level statement: a first character that cannot continue a
# string, bracket or comment (``case``/``else``/... clauses are told apart later).
_TOP_LEVEL_LINE_RE = re.compile(r"^[^ \t\f\r\n#)\]}\\\"']", re.MULTILINE)
_SCOPE_START_RE = re.compile(r"(?:async[ \t]+def|def|class)\b|@")
# ``if __name__ == "__main__":`` on one top-level line, as ``context.is_main_guard``
# accepts it.
_MAIN_BLOCK_RE = re.compile(
    r"if[ \t]+(?:__name__[ \t]*==[ \t]*(['\"])__main__\1"
    r"|(['\"])__main__\2[ \t]*==[ \t]*__name__)[ \t]*:"
)


def _imports_prefix(text: str) -> int:
    """Return the length of a prefix of ``text`` that holds every import statement.

    Only imports that run when the module is imported count (see
    ``_runtime_module_imports``): those in a top-level ``def`` or ``class`` (the
    top-level line above them starts with ``def``, ``class`` or a decorator) and
    those in the body of a top-level ``if __name__ == "__main__":`` (the line above
    them is that ``if``, not one of its clauses) do not, so the prefix ends where
    the first top-level statement after the last other ``import`` word starts.
    If that is not a statement boundary after all (a line of a string), the
    prefix does not parse and the caller parses the whole text; a word in a
    string or comment only makes the prefix longer.

    Args:
        text: The source text.

    Returns:
        The prefix length (``len(text)`` when no shorter prefix is known).
    """
    found = text.rfind("import")
    # the top-level line starts up to the last word (no later one is looked at)
    tops = [m.start() for m in _TOP_LEVEL_LINE_RE.finditer(text, 0, found + 1)]
    while found >= 0:
        line_start = text.rfind("\n", 0, found) + 1
        # the nearest top-level line at or above the word's line
        index = bisect_right(tops, line_start) - 1
        if index >= 0 and _MAIN_BLOCK_RE.match(text, tops[index]):
            found = text.rfind("import", 0, line_start) if line_start else -1
            continue  # the script-only block of ``if __name__ == "__main__":``
        while index >= 0 and _CLAUSE_RE.match(text, tops[index]):
            index -= 1  # ``else:``/``except:`` belong to the statement above
        if index < 0 or not _SCOPE_START_RE.match(text, tops[index]):
            break  # module-level code (or before any statement)
        found = text.rfind("import", 0, line_start) if line_start else -1
    if found < 0:
        return 0  # every import is inside a def or class
    position = text.find("\n", found)
    end = len(text)
    while 0 <= position < end - 1:
        start = position + 1
        if text[start] not in _NOT_STATEMENT_START and not _CLAUSE_RE.match(
            text, start
        ):
            return start
        position = text.find("\n", start)
    return end


def _parse_imports(path: str) -> Tuple[Optional[ast.Module], bool]:
    """Parse what of the file at ``path`` holds its import statements.

    Args:
        path: The module's file ("" for a directory without ``__init__.py``).

    Returns:
        ``(tree, whole)``: a tree with every module-level import statement of the
        file (None when it cannot be read or parsed, or holds no ``import`` at
        all), and whether it is the tree of the whole file. A prefix tree is the
        file's tree up to a statement boundary, so its imports are the file's,
        provided the whole file parses.
    """
    if not path:
        return None, True
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None, True
    if b"import" not in data:
        return None, True  # no import statement: no edges, parsed or not
    head = data[:1024].split(b"\n", 2)[:2]
    if data.startswith(b"\xef\xbb\xbf") or any(_CODING_RE.match(h) for h in head):
        return _parse_source(data, path), True  # the parser decodes it
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _parse_source(data, path), True
    end = _imports_prefix(text)
    if end >= len(text) or "\x00" in text:
        return _parse_source(data, path), True
    try:
        return ast.parse(text[:end], filename=path), False
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _parse_source(data, path), True


def _parse_source(data: bytes, path: str) -> Optional[ast.Module]:
    try:
        return ast.parse(data, filename=path)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    except MemoryError:
        return None


def _parse_file(path: str) -> Optional[ast.Module]:
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        return ast.parse(data, filename=path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    except MemoryError:
        return None


_graph_cache: Dict[Tuple[str, Tuple[str, ...]], ImportGraph] = {}


def import_graph(
    info: ModuleInfo, namespace_paths: Tuple[str, ...] = ()
) -> ImportGraph:
    """Return the (cached) import graph of the top-level package of ``info``.

    Args:
        info: Where a file sits; its ``top_dir`` selects the package.
        namespace_paths: Normalised absolute paths of directories declared as
            namespace packages (``bg-namespace-packages``).

    Returns:
        The import graph, built once per package and process.
    """
    key = (info.top_dir, namespace_paths)
    graph = _graph_cache.get(key)
    if graph is None:
        graph = ImportGraph(info.top_dir, namespace_paths)
        _graph_cache[key] = graph
    return graph


def clear_caches() -> None:
    """Forget every cached directory fact and import graph (for tests)."""
    clear_layout_caches()
    _graph_cache.clear()
