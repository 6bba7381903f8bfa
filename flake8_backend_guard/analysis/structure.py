"""Helpers for the style and structure rules BG308 to BG319.

Naming predicates (snake_case, PascalCase, UPPER_SNAKE_CASE), method overrides of
external camelCase APIs, logging calls, ``__main__`` guards, resources that need a
context manager, direct database access, JSON-ness of error responses, and the
cross-module look-up of Blueprint/router prefixes (read from disk as text, parsed
once per process, never imported).

Also the cheap walks of a function body the style rules share: statement lists
only (:func:`own_statements`, :func:`all_statements`), optionally just the
statements on the lines that hold a word (:func:`word_lines`, :func:`may_contain`,
:class:`SourceText`), and the expression nodes of one statement
(:func:`statement_nodes`).
"""

from __future__ import annotations

import ast
import builtins
import fnmatch
import io
import os
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from ..context import (
    BLOCK_FIELDS,
    FUNCTION_TYPES,
    SIMPLE_STATEMENTS,
    FileContext,
    dotted_name,
    is_main_guard,
    module_level_statements,
    node_fields,
)
from ..project import ModuleInfo, module_info, resolve_relative
from .names import node_name, split_name

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

# ---- naming ------------------------------------------------------------------

_BUILTIN_NAMES = frozenset(dir(builtins))


def is_dunder(name: str) -> bool:
    """Return True for ``__name__``-style names.

    Args:
        name: The identifier.

    Returns:
        Whether the name starts and ends with two underscores.
    """
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def is_snake_case(name: str) -> bool:
    """Return True when ``name`` has no upper-case letter (``get_user_2``, ``_x``).

    Args:
        name: The identifier.

    Returns:
        Whether the name is snake_case.
    """
    return name == name.lower()


def is_upper_case(name: str) -> bool:
    """Return True when ``name`` has no lower-case letter (``MAX_SIZE``, ``X``).

    Args:
        name: The identifier.

    Returns:
        Whether the name is UPPER_SNAKE_CASE.
    """
    return name == name.upper()


def is_pascal_case(name: str) -> bool:
    """Return True for CapWords names (``UserService``, ``HTTPClient``, ``_Base``).

    Args:
        name: The identifier.

    Returns:
        Whether the name, without leading/trailing underscores, starts upper-case
        and holds no underscore.
    """
    stripped = name.strip("_")
    if not stripped:
        return True
    return stripped[0].isupper() and "_" not in stripped


def to_snake_case(name: str) -> str:
    """Return the snake_case spelling of ``name``, keeping leading underscores.

    Args:
        name: The identifier (``getUserById``).

    Returns:
        The suggested name (``get_user_by_id``).
    """
    lead = name[: len(name) - len(name.lstrip("_"))]
    parts = re.findall(r"[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*|[0-9]+", name)
    return lead + "_".join(p.lower() for p in parts) if parts else name.lower()


def to_upper_case(name: str) -> str:
    """Return the UPPER_SNAKE_CASE spelling of ``name``, keeping leading underscores.

    Args:
        name: The identifier (``defaultTimeout``).

    Returns:
        The suggested name (``DEFAULT_TIMEOUT``).
    """
    return to_snake_case(name).upper()


@lru_cache(maxsize=64)
def _glob_matcher(patterns: Tuple[str, ...]) -> Optional[Callable[[str], Any]]:
    # One regular expression for all the glob patterns: its ``match`` finds what
    # ``any(fnmatch.fnmatchcase(name, p) for p in patterns)`` finds, in one call
    # instead of one per pattern. None when there is no pattern.
    if not patterns:
        return None
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match


def is_ignored_name(ctx: FileContext, name: str) -> bool:
    """Return True when ``name`` matches a ``bg-ignore-names`` glob pattern.

    Args:
        ctx: The file context (its config holds the patterns).
        name: The identifier.

    Returns:
        Whether the name is exempt from the naming rules.
    """
    # the patterns are read from the options (and matched by one regular
    # expression compiled per set of patterns) once per file
    match = ctx.cached(
        _IGNORE_NAMES, lambda: _glob_matcher(tuple(ctx.config.ignore_names))
    )
    return match is not None and match(name) is not None


_IGNORE_NAMES = ("structure", "ignore-names")


# camelCase methods of standard-library classes that subclasses override (generated
# from unittest, logging, xml.sax/dom, threading, socketserver, xmlrpc, optparse...).
STDLIB_CAMEL_METHODS = frozenset("""
    addClassCleanup addCleanup addError addExpectedFailure addFailure addFilter
    addHandler addSkip addSubTest addSuccess addTest addTests addTypeEqualityFunc
    addUnexpectedSuccess appendChild asyncSetUp asyncTearDown buildDocument
    callHandlers characters cloneNode computeRollover countTestCases createAttribute
    createComment createDocument createElement createLock createSocket createTests
    createTextNode defaultTestResult doClassCleanups doCleanups doRollover
    emptyline endCDATA endDTD endDocument endElement endElementNS endPrefixMapping
    enterClassContext enterContext fatalError findCaller formatException
    formatFooter formatHeader formatMessage formatStack formatTime getAttribute
    getChild getColumnNumber getContentHandler getDescription getEffectiveLevel
    getElementById getElementsByTagName getEvent getException getFeature
    getFilesToDelete getLineNumber getLogger getMessage getName getParent
    getProperty getPublicId getSystemId getTestCaseNames getType getValue
    handleError hasAttribute hasChildNodes hasHandlers ignorableWhitespace
    importNode insertBefore isDaemon isEnabledFor loadTestsFromModule
    loadTestsFromName loadTestsFromNames loadTestsFromTestCase makePickle
    makeRecord makeSocket mapLogRecord mapPriority encodePriority notationDecl
    parseArgs printErrorList printErrors processingInstruction removeChild
    removeFilter removeHandler replaceChild resolveEntity runTest runTests
    setContentHandler setDaemon setDocumentLocator setFeature setFormatter
    setLevel setName setParent setProperty setUp setUpClass setUpModule
    setUpTestData shortDescription shouldFlush shouldRollover skipTest
    skippedEntity startCDATA startDTD startDocument startElement startElementNS
    startPrefixMapping startTest startTestRun stopTest stopTestRun subTest
    tearDown tearDownClass tearDownModule unparsedEntityDecl usageExit usesTime
    wasSuccessful reopenIfNeeded getLevelName setLoggerClass
    """.split())
# Frameworks whose whole API is camelCase: every camelCase method of a subclass
# is taken to be an override (Qt, Twisted, wxPython, GObject, Zope).
CAMEL_FRAMEWORKS = frozenset(
    {"PyQt4", "PyQt5", "PyQt6", "PySide", "PySide2", "PySide6", "qtpy", "twisted"}
    | {"wx", "gi", "zope", "pyqtgraph", "vtk", "javax", "java"}
)
OVERRIDE_DECORATORS = frozenset(
    {"typing.override", "typing_extensions.override", "overrides.override", "override"}
)


def _base_roots(ctx: FileContext, cls: ast.ClassDef, depth: int = 0) -> List[str]:
    # Return the qualified names of the bases of ``cls`` and its same-file bases.
    roots: List[str] = []
    if depth > 5:
        return roots
    for base in cls.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        name = ctx.qualname(target)
        if name is None:
            roots.append("?")
            continue
        if name in ("object",) or (name in _BUILTIN_NAMES and name not in ctx.aliases):
            continue
        roots.append(name)
        if isinstance(target, ast.Name) and target.id not in ctx.aliases:
            for parent in class_defs(ctx).get(target.id, []):
                if parent is not cls:
                    roots.extend(_base_roots(ctx, parent, depth + 1))
    return roots


def is_external_override(
    ctx: FileContext, func: FunctionNode, cls: Optional[ast.ClassDef]
) -> bool:
    """Return True when method ``func`` overrides a camelCase API it cannot rename.

    A method decorated with ``@override``; a method of a class with a base from a
    camelCase framework (Qt, Twisted, wx...); or a method whose name is a
    camelCase hook of a standard-library class (``startElement``, ``formatTime``,
    ``runTest``) in a class that has a base other than ``object``/builtins.

    Args:
        ctx: The file context.
        func: The method.
        cls: The class that directly holds the method, or None.

    Returns:
        Whether the camelCase name is dictated by a base class.
    """
    for decorator in func.decorator_list:
        if ctx.qualname(decorator) in OVERRIDE_DECORATORS:
            return True
    if cls is None:
        return False
    roots = ctx.cached(("structure", "bases", id(cls)), lambda: _base_roots(ctx, cls))
    if not roots:
        return False
    if func.name in STDLIB_CAMEL_METHODS:
        return True
    return any(root.split(".")[0] in CAMEL_FRAMEWORKS for root in roots)


# ---- logging calls -----------------------------------------------------------

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal"}
    | {"log", "msg", "trace", "success"}
)
_LOGGER_PARTS = frozenset({"log", "logger", "logging", "logs"})
_LOGGER_FACTORIES = frozenset(
    {"getLogger", "get_logger", "getlogger", "get_task_logger"}
)


def is_logging_call(ctx: FileContext, call: ast.AST) -> bool:
    """Return True for ``logging.info(...)``, ``logger.error(...)``, ``log.debug``...

    Args:
        ctx: The file context.
        call: Any node.

    Returns:
        Whether ``call`` is a call of a logging level method on a logger.
    """
    if not isinstance(call, ast.Call):
        return False
    if isinstance(call.func, ast.Name):  # `log("...")`, `LOG(...)` helpers
        parts = split_name(call.func.id)
        return (
            bool(parts)
            and parts[-1] in ("log", "logger")
            and not ctx.aliases.get(call.func.id, "").startswith(("math.", "numpy."))
        )
    if not isinstance(call.func, ast.Attribute):
        return False
    if call.func.attr not in LOG_METHODS:
        return False
    receiver = call.func.value
    if isinstance(receiver, ast.Call):
        name = ctx.call_name(receiver) or ""
        return name.rsplit(".", 1)[-1] in _LOGGER_FACTORIES
    if ctx.qualname(receiver) in ("logging", "loguru.logger", "structlog"):
        return True
    name = node_name(receiver)
    if not name:
        return False
    parts = split_name(name)
    return bool(parts) and parts[-1] in _LOGGER_PARTS


def inside_logging_call(ctx: FileContext, node: ast.AST) -> bool:
    """Return True when ``node`` is (part of) an argument of a logging call.

    Args:
        ctx: The file context.
        node: A node reached by the walk.

    Returns:
        Whether a logging call's arguments contain ``node``.
    """
    child = node
    ancestor = ctx.parent(node)
    while ancestor is not None:
        if isinstance(ancestor, (ast.stmt, ast.Lambda)):
            return False
        if (
            isinstance(ancestor, ast.Call)
            and child is not ancestor.func
            and is_logging_call(ctx, ancestor)
        ):
            return True
        child = ancestor
        ancestor = ctx.parent(ancestor)
    return False


# ---- __main__ guard ----------------------------------------------------------


def under_main_guard(ctx: FileContext, node: ast.AST) -> bool:
    """Return True when ``node`` is in the body of an ``if __name__ == "__main__":``.

    Args:
        ctx: The file context.
        node: A node reached by the walk.

    Returns:
        Whether a ``__main__`` guard's body contains the node.
    """
    child = node
    ancestor = ctx.parent(node)
    while ancestor is not None:
        if isinstance(ancestor, ast.If) and is_main_guard(ancestor.test):
            if any(stmt is child for stmt in ancestor.body):
                return True
        child = ancestor
        ancestor = ctx.parent(ancestor)
    return False


# ---- function bodies ---------------------------------------------------------
#
# Most facts about a function are facts about its statements (``return``, ``raise``,
# ``global``, assignments, ``try``): they are found by walking statement lists only,
# never the expressions. Expression-level facts (``yield``, walrus targets) are
# looked for only in the statements whose lines contain the keyword or name, known
# from the source text (:func:`word_lines`): a word in a string or a comment only
# makes the search look at a statement, it never hides a node.

_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_DEF_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_BLOCKS: Dict[type, Tuple[str, ...]] = {}
_AST = ast.AST


# Characters str.splitlines() breaks lines at but the tokenizer does not.
_OTHER_LINE_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85")
_OTHER_LINE_BREAKS += ("\u2028", "\u2029")


class SourceText:
    """The source of a file with its line offsets, for cheap word look-ups.

    Lines are numbered as the AST numbers them: only ``\\n``, ``\\r\\n`` and
    ``\\r`` end a line (a form feed does not, whatever split the caller's lines).
    A word is looked for in whole lines.
    """

    __slots__ = ("text", "ends", "_found")

    def __init__(self, text: str, lines: Sequence[str] = ()) -> None:
        """Index the line ends of ``text``.

        Args:
            text: The file's source.
            lines: Its lines as given (with their line breaks), used as they are
                unless ``str.splitlines`` may have split them elsewhere.
        """
        self.text = text
        if not lines or any(mark in text for mark in _OTHER_LINE_BREAKS):
            lines = io.StringIO(text, newline="").readlines()
        self.ends: List[int] = list(accumulate(map(len, lines)))
        self._found: Dict[str, List[int]] = {}

    def span(self, first: int, last: int) -> Tuple[int, int]:
        """Return the text offsets of lines ``first`` to ``last`` (inclusive).

        Args:
            first: The first 1-based line.
            last: The last 1-based line.

        Returns:
            The start and stop offsets (equal when the range is empty).
        """
        ends = self.ends
        count = len(ends)
        if first <= 1:
            start = 0
        else:
            start = ends[first - 2] if first - 2 < count else (ends[-1] if ends else 0)
        if last < 1 or not ends:
            return start, start
        stop = ends[last - 1] if last <= count else ends[-1]
        return start, max(start, stop)

    def has(self, word: str, first: int, last: int) -> bool:
        """Return True when one of the lines ``first`` to ``last`` holds ``word``.

        Args:
            word: The text to look for.
            first: The first 1-based line.
            last: The last 1-based line.

        Returns:
            Whether the word occurs within those lines.
        """
        start, stop = self.span(first, last)
        return self.text.find(word, start, stop) >= 0

    def lines_with(self, word: str, first: int = 1, last: int = 0) -> List[int]:
        """Return the numbers of the lines ``first`` to ``last`` that hold ``word``.

        Args:
            word: The text to look for.
            first: The first 1-based line.
            last: The last 1-based line; 0 for the whole file (cached per word).

        Returns:
            The line numbers in increasing order.
        """
        if last == 0:
            found = self._found.get(word)
            if found is None:
                found = self.lines_with(word, 1, len(self.ends))
                self._found[word] = found
            return found
        text = self.text
        ends = self.ends
        start, stop = self.span(first, last)
        found = []
        find = text.find
        position = find(word, start, stop)
        while position >= 0:
            index = bisect_right(ends, position)  # the line holding ``position``
            found.append(index + 1)
            position = find(word, ends[index], stop)  # go on at the next line
        return found


def source_text(ctx: FileContext) -> Optional[SourceText]:
    """Return the indexed source of the file (cached), None when it is unknown.

    Args:
        ctx: The file context.

    Returns:
        The :class:`SourceText`, or None without source lines.
    """
    if not ctx.lines:
        return None
    return ctx.cached(
        ("structure", "source"), lambda: SourceText(ctx.text or "", ctx.lines)
    )


def word_lines(
    ctx: FileContext, word: str, within: Optional[ast.AST] = None
) -> Optional[List[int]]:
    """Return the numbers of the source lines that contain ``word``.

    Lines are numbered as the AST numbers them (see :class:`SourceText`). The
    lines of the whole file are cached; those ``within`` a node are searched in
    its lines only.

    Args:
        ctx: The file context (its source lines).
        word: A keyword or identifier, such as ``"yield"``.
        within: A node with a position (a def: from its ``def`` line to its end),
            or None for the whole file.

    Returns:
        The 1-based line numbers in increasing order, or None when the source lines
        (or the node's position) are unknown: then any line may contain the word.
    """
    if not ctx.lines:
        return None
    end = None
    if within is not None:
        end = getattr(within, "end_lineno", None)
        if end is None:
            return None
    if not ctx.may_contain(word):
        return []  # not in the file at all: no need to index its lines
    source = source_text(ctx)
    if source is None:
        return None
    if end is None:
        return source.lines_with(word)
    return source.lines_with(word, within.lineno, end)  # type: ignore[union-attr]


def may_contain(ctx: FileContext, node: ast.AST, word: str) -> bool:
    """Return False only when no source line of ``node`` contains ``word``.

    Args:
        ctx: The file context (its source lines).
        node: A node with a position (a def: from its ``def`` line to its end).
        word: A keyword or identifier.

    Returns:
        Whether ``word`` may occur in the node's lines (True when unknown).
    """
    end = getattr(node, "end_lineno", None)
    if end is None or not ctx.lines:
        return True
    if not ctx.may_contain(word):
        return False  # not in the file at all (a search cached per word)
    source = source_text(ctx)
    if source is None:
        return True
    return source.has(word, node.lineno, end)  # type: ignore[attr-defined]


def _first_line(stmt: ast.stmt) -> int:
    # The first line of a statement, its decorators included.
    if stmt.__class__ in _DEF_TYPES:
        decorators = stmt.decorator_list  # type: ignore[attr-defined]
        if decorators:
            return min(stmt.lineno, decorators[0].lineno)
    return stmt.lineno


def _spans_any(lines: Optional[List[int]], stmt: ast.stmt) -> bool:
    # True when the statement's lines (decorators included) hold one of ``lines``.
    end = getattr(stmt, "end_lineno", None)
    if lines is None or end is None:
        return True
    index = bisect_left(lines, _first_line(stmt))
    return index < len(lines) and lines[index] <= end


def select_statements(
    block: List[ast.stmt], lines: Optional[List[int]]
) -> List[ast.stmt]:
    """Return the statements of one block whose lines hold one of ``lines``.

    A statement's lines run from its first decorator to its end; a long block is
    searched by line (its statements are in line order).

    Args:
        block: A list of statements (a body, an ``else`` or ``finally`` block).
        lines: Sorted 1-based line numbers, or None for every statement.

    Returns:
        The chosen statements, in order (``block`` itself when ``lines`` is None).
    """
    if lines is None:
        return block
    count = len(block)
    if not count or not lines:
        return []
    last_end = block[-1].end_lineno
    if last_end is None or block[0].end_lineno is None:
        return [stmt for stmt in block if _spans_any(lines, stmt)]
    low = bisect_left(lines, _first_line(block[0]))
    high = bisect_right(lines, last_end)
    if low >= high:
        return []  # no line of the block is wanted
    if count <= 8:
        found = []
        total = len(lines)
        for stmt in block:
            end = stmt.end_lineno
            index = bisect_left(lines, _first_line(stmt))
            if end is None or (index < total and lines[index] <= end):
                found.append(stmt)
        return found
    chosen: Set[int] = set()
    for line in lines[low:high]:
        first, last = 0, count
        while first < last:  # the last statement starting on or before ``line``
            middle = (first + last) // 2
            if _first_line(block[middle]) <= line:
                first = middle + 1
            else:
                last = middle
        index = first - 1
        while index >= 0 and index not in chosen:
            end = getattr(block[index], "end_lineno", None)
            if end is not None and end < line:
                break
            chosen.add(index)  # spans ``line`` (several do after `;`)
            index -= 1
    return [block[index] for index in sorted(chosen)]


def _block_fields(cls: type) -> Tuple[str, ...]:
    # The fields of a statement class that hold blocks, in ``_fields`` order.
    fields = _BLOCKS.get(cls)
    if fields is None:
        fields = tuple(f for f in cls._fields if f in BLOCK_FIELDS)
        _BLOCKS[cls] = fields
    return fields


def _nested_blocks(
    stmt: ast.AST, lines: Optional[List[int]] = None
) -> List[ast.stmt]:
    # The statements of ``stmt``'s blocks (body, handlers, else, finally, match
    # cases), in source order; with ``lines``, those that hold one of them.
    result: List[ast.stmt] = []
    for field in _block_fields(stmt.__class__):
        items = getattr(stmt, field, None)
        if not isinstance(items, list):
            continue
        if field == "handlers" or field == "cases":
            for item in items:
                result.extend(select_statements(item.body, lines))
        else:
            result.extend(select_statements(items, lines))
    return result


def own_statements(
    func: ast.AST, lines: Optional[List[int]] = None
) -> List[ast.stmt]:
    """Return the statements of a def's own body in source order.

    Nested defs and classes are included themselves but not entered. With
    ``lines``, only the statements whose lines (decorators included) hold one of
    those lines are returned and entered: every statement that starts on one of
    them, and the compound statements around it.

    Args:
        func: A def (a lambda has no statements; an except handler works too).
        lines: Sorted 1-based line numbers (see :func:`word_lines`), or None for
            every statement.

    Returns:
        The statements, each before the statements nested in it.
    """
    body = getattr(func, "body", None)
    if not isinstance(body, list):
        return []
    return _block_walk(body, lines, False)


def _block_walk(
    body: List[ast.stmt], lines: Optional[List[int]], enter_defs: bool
) -> List[ast.stmt]:
    # Pre-order walk of statement blocks (see own_statements, all_statements).
    result: List[ast.stmt] = []
    stack: List[ast.stmt] = select_statements(body, lines)[::-1]
    pop = stack.pop
    simple = SIMPLE_STATEMENTS
    while stack:
        stmt = pop()
        result.append(stmt)
        if stmt.__class__ in simple:
            continue  # most statements: no block to enter
        if not enter_defs and isinstance(stmt, _DEF_TYPES):
            continue
        nested = _nested_blocks(stmt, lines)
        if nested:
            nested.reverse()
            stack.extend(nested)
    return result


def all_statements(
    ctx: FileContext, lines: Optional[List[int]] = None
) -> List[ast.stmt]:
    """Return every statement of the module, also inside defs and classes.

    Args:
        ctx: The file context.
        lines: As for :func:`own_statements`: only statements whose lines hold one
            of these sorted line numbers (and the statements around them).

    Returns:
        The statements in source order, each before the statements nested in it.
    """
    return _block_walk(ctx.tree.body, lines, True)


def _children(node: ast.AST) -> List[ast.AST]:
    # The child nodes of ``node`` in field order (no contexts nor operators).
    children: List[ast.AST] = []
    for field in node_fields(node.__class__):
        value = getattr(node, field, None)
        if value.__class__ is list:
            for item in value:
                if isinstance(item, _AST):
                    children.append(item)
        elif isinstance(value, _AST):
            children.append(value)
    return children


def statement_nodes(stmt: ast.stmt, scopes: str = "own") -> List[ast.AST]:
    """Return ``stmt`` and the nodes of its own expressions (not nested statements).

    The ``except`` handlers of a ``try`` and the cases of a ``match`` belong to it
    (with their exception types, patterns and guards), their bodies do not.

    Args:
        stmt: A statement.
        scopes: How nested defs, classes and lambdas are treated: ``"own"`` keeps
            their decorators, defaults and bases (as :func:`own_nodes`), ``"body"``
            keeps only the scope node itself (as :func:`own_body_nodes`), ``"all"``
            keeps everything but the statements of a nested body.

    Returns:
        The nodes, ``stmt`` first, in no particular order after it (no expression
        contexts nor operators).
    """
    result: List[ast.AST] = [stmt]
    roots: List[ast.AST] = []
    if isinstance(stmt, _DEF_TYPES):
        if scopes == "own":
            roots = _header_children(stmt)
        elif scopes == "all":
            for field in node_fields(stmt.__class__):
                if field != "body":
                    value = getattr(stmt, field, None)
                    if value.__class__ is list:
                        roots.extend(v for v in value if isinstance(v, _AST))
                    elif isinstance(value, _AST):
                        roots.append(value)
    else:
        for field in node_fields(stmt.__class__):
            value = getattr(stmt, field, None)
            if field in BLOCK_FIELDS:
                if (field == "handlers" or field == "cases") and isinstance(
                    value, list
                ):
                    for item in value:
                        result.append(item)
                        roots.extend(
                            child for child in _children(item)
                            if not isinstance(child, ast.stmt)
                        )
                continue
            if value.__class__ is list:
                roots.extend(v for v in value if isinstance(v, _AST))
            elif isinstance(value, _AST):
                roots.append(value)
    stack = roots
    while stack:
        node = stack.pop()
        result.append(node)
        if node.__class__ is ast.Lambda and scopes != "all":
            if scopes == "own":
                stack.extend(_header_children(node))
            continue
        stack.extend(_children(node))
    return result


def own_nodes(
    func: ast.AST, ctx: Optional[FileContext] = None
) -> Iterable[ast.AST]:
    """Return the nodes of a def's body in source order, not entering nested scopes.

    Nested defs, classes and lambdas are included themselves but not entered (their
    decorators, defaults and bases are). Expression contexts and operators
    (``Load``, ``Add``...) are left out. With ``ctx`` the list is computed once per
    function and shared by every rule. Facts about statements are cheaper from
    :func:`own_statements`.

    Args:
        func: A def (or lambda, or except handler).
        ctx: The file context whose cache holds the list, or None for no caching.

    Returns:
        Every node of the body that belongs to the function's own scope.
    """
    if ctx is None:
        return _collect_own(func, True)
    return ctx.cached(("own-nodes", id(func)), lambda: _collect_own(func, True))


def own_body_nodes(func: ast.AST, ctx: FileContext) -> List[ast.AST]:
    """Return the own nodes of ``func`` outside the headers of nested scopes.

    Like :func:`own_nodes`, without the decorators, defaults and bases of the
    nested defs, classes and lambdas (which are included themselves); the order is
    unspecified. Cached per function.

    Args:
        func: A def.
        ctx: The file context whose cache holds the list.

    Returns:
        The nodes of the function's own body proper.
    """
    return ctx.cached(("own-body-nodes", id(func)), lambda: _collect_own(func, False))


def _header_children(node: ast.AST) -> List[ast.AST]:
    # The children of a nested def/class/lambda that belong to the enclosing scope.
    if isinstance(node, FUNCTION_TYPES):
        children: List[ast.AST] = list(node.decorator_list)
        children += [d for d in node.args.defaults + node.args.kw_defaults if d]
    elif isinstance(node, ast.ClassDef):
        children = list(node.decorator_list) + list(node.bases)
    else:
        children = [d for d in node.args.defaults + node.args.kw_defaults if d]
    return children


def _collect_own(func: ast.AST, headers: bool) -> List[ast.AST]:
    # The nodes of ``func``'s own scope in source order (see own_nodes); without
    # ``headers``, the headers of nested scopes are left out (own_body_nodes).
    body = func.body if isinstance(func.body, list) else [func.body]
    result: List[ast.AST] = []
    append = result.append
    stack: List[ast.AST] = body[::-1]
    pop = stack.pop
    while stack:
        node = pop()
        append(node)
        if isinstance(node, _SCOPE_TYPES):
            if not headers:
                continue
            children = _header_children(node)
        else:
            children = _children(node)
        if children:
            children.reverse()
            stack.extend(children)
    return result


def declared_nonlocal(
    func: ast.AST, ctx: Optional[FileContext] = None
) -> FrozenSet[str]:
    """Return the names a def declares ``global`` or ``nonlocal``.

    With ``ctx`` the answer is cached, and only the statements on lines holding
    ``global`` or ``nonlocal`` are looked at.

    Args:
        func: A def.
        ctx: The file context (source lines and cache), or None.

    Returns:
        The declared names.
    """

    def compute() -> FrozenSet[str]:
        lines = None
        if ctx is not None:
            lines = _declaration_lines(ctx, func)
            if lines is not None and not lines:
                return frozenset()
        names: Set[str] = set()
        for stmt in own_statements(func, lines):
            if isinstance(stmt, (ast.Global, ast.Nonlocal)):
                names.update(stmt.names)
        return frozenset(names)

    if ctx is None:
        return compute()
    return ctx.cached(("structure", "declared", id(func)), compute)


def _declaration_lines(ctx: FileContext, func: ast.AST) -> Optional[List[int]]:
    # The lines of ``func`` that may hold a ``global`` or ``nonlocal`` statement.
    if not may_contain(ctx, func, "global") and not may_contain(ctx, func, "nonlocal"):
        return []
    found = word_lines(ctx, "global", func)
    other = word_lines(ctx, "nonlocal", func)
    if found is None or other is None:
        return None
    return sorted(set(found) | set(other))


def class_defs(ctx: FileContext) -> Dict[str, List[ast.ClassDef]]:
    """Return the classes defined anywhere in the file, by name (cached).

    Args:
        ctx: The file context.

    Returns:
        Class name -> the class definitions of that name (also nested in
        functions and classes), in source order.
    """

    def compute() -> Dict[str, List[ast.ClassDef]]:
        result: Dict[str, List[ast.ClassDef]] = {}
        for stmt in all_statements(ctx, word_lines(ctx, "class")):
            if isinstance(stmt, ast.ClassDef):
                result.setdefault(stmt.name, []).append(stmt)
        return result

    return ctx.cached(("structure", "classdefs"), compute)


# ---- literals ----------------------------------------------------------------

_NUMBER_OPS = (
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.LShift,
    ast.RShift,
    ast.BitOr,
    ast.BitAnd,
    ast.BitXor,
)


def literal_kind(node: Optional[ast.AST], _depth: int = 0) -> Optional[str]:
    """Return "number", "str", "bytes", "const" or "tuple" for a constant literal.

    Numbers (also negative, and arithmetic of number literals), strings (also
    ``"a" + "b"``), bytes, ``None``/``True``/``False``, tuples of literals and
    ``frozenset({...})`` of literals; None for anything else.

    Args:
        node: An expression.

    Returns:
        The kind of literal, or None (also for expressions nested deeper than
        100 levels, which no real constant is).
    """
    if _depth > 100:
        return None
    depth = _depth + 1
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, bool):
            return "const"
        if isinstance(value, (int, float, complex)):
            return "number"
        if isinstance(value, str):
            return "str"
        if isinstance(value, bytes):
            return "bytes"
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(
        node.op, (ast.USub, ast.UAdd, ast.Invert)
    ):
        return "number" if literal_kind(node.operand, depth) == "number" else None
    if isinstance(node, ast.BinOp):
        left, right = literal_kind(node.left, depth), literal_kind(
            node.right, depth
        )
        if left == right == "number" and isinstance(node.op, _NUMBER_OPS):
            return "number"
        if left == right and left in ("str", "bytes") and isinstance(node.op, ast.Add):
            return left
        return None
    if isinstance(node, ast.Tuple):
        if all(literal_kind(elt, depth) is not None for elt in node.elts):
            return "tuple"
        return None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "frozenset"
        and not node.keywords
        and len(node.args) <= 1
    ):
        if not node.args:
            return "tuple"
        arg = node.args[0]
        if isinstance(arg, (ast.Set, ast.List, ast.Tuple)) and all(
            literal_kind(elt, depth) is not None for elt in arg.elts
        ):
            return "tuple"
    return None


def is_constant_literal(node: Optional[ast.AST]) -> bool:
    """Return True when ``node`` is a constant literal (see :func:`literal_kind`).

    Args:
        node: An expression.

    Returns:
        Whether the expression is a constant literal.
    """
    return literal_kind(node) is not None


# ---- module-level bindings (BG311) -------------------------------------------


def _store_names(target: ast.AST) -> List[ast.Name]:
    if target.__class__ is ast.Name:
        return [target]  # type: ignore[list-item]
    return [n for n in ast.walk(target) if isinstance(n, ast.Name)]


_TRY_TYPES = tuple(
    getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name)
)


def module_binding_counts(
    tree: ast.Module,
    has_global: bool = True,
    ctx: Optional[FileContext] = None,
    names: Optional[Set[str]] = None,
) -> Dict[str, int]:
    """Return how often each module-level name is bound, also via ``global``.

    Assignments, augmented assignments, ``for``/``with``/``except`` targets,
    imports, defs, classes, ``del`` and walrus at module level count, and so do
    bindings inside functions that declare the name ``global``.

    Args:
        tree: The module.
        has_global: False when the source has no ``global`` statement (a cheap
            text check by the caller), which skips the scan of function bodies.
        ctx: The context of ``tree``: with it, walrus targets are looked for only
            in the statements on lines holding ``:=``, and only the functions with
            a ``global`` statement (found from the lines that hold the word) are
            scanned, in their statements on lines holding a declared name; None
            walks the tree here.
        names: The names whose counts are wanted, or None for all: the bodies of
            functions are then scanned for these names only (the counts of other
            names may miss their bindings through ``global``).

    Returns:
        Name -> number of bindings.
    """
    counts: Dict[str, int] = {}
    get = counts.get
    if ctx is not None and ctx.tree is not tree:
        ctx = None  # the context of another module: no use here
    # the lines that may hold a walrus (None: any line)
    walrus_lines = word_lines(ctx, ":=") if ctx is not None else None
    walrus = walrus_lines is None or bool(walrus_lines)
    if ctx is None:
        statements = module_level_statements(tree)
    else:
        statements = ctx.module_statements
    for stmt in statements:
        cls = stmt.__class__
        if cls is ast.Assign:
            for target in stmt.targets:  # type: ignore[attr-defined]
                if target.__class__ is ast.Name:
                    counts[target.id] = get(target.id, 0) + 1
                else:
                    for name in _store_names(target):
                        counts[name.id] = get(name.id, 0) + 2
        elif cls is ast.AnnAssign:
            target = stmt.target  # type: ignore[attr-defined]
            if stmt.value is not None and isinstance(target, ast.Name):  # type: ignore
                counts[target.id] = get(target.id, 0) + 1
        elif cls is ast.AugAssign or cls is ast.Delete:
            if cls is ast.AugAssign:
                targets = [stmt.target]  # type: ignore[attr-defined]
            else:
                targets = stmt.targets  # type: ignore[attr-defined]
            for target in targets:
                for name in _store_names(target):
                    counts[name.id] = get(name.id, 0) + 2
        elif cls is ast.For or cls is ast.AsyncFor:
            for name in _store_names(stmt.target):  # type: ignore[attr-defined]
                counts[name.id] = get(name.id, 0) + 2
        elif cls is ast.With or cls is ast.AsyncWith:
            for item in stmt.items:  # type: ignore[attr-defined]
                if item.optional_vars is not None:
                    for name in _store_names(item.optional_vars):
                        counts[name.id] = get(name.id, 0) + 2
        elif cls is ast.Import or cls is ast.ImportFrom:
            for alias in stmt.names:  # type: ignore[attr-defined]
                bound = (alias.asname or alias.name).partition(".")[0]
                counts[bound] = get(bound, 0) + 2
        elif cls in _DEF_TYPES:
            counts[stmt.name] = get(stmt.name, 0) + 2  # type: ignore[attr-defined]
            continue  # a def or class body runs elsewhere: no walrus to count
        elif cls in _TRY_TYPES:
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.name:
                    counts[handler.name] = get(handler.name, 0) + 2
        if walrus and _spans_any(walrus_lines, stmt):
            for field in ("value", "test", "iter"):
                expr = getattr(stmt, field, None)
                if isinstance(expr, ast.AST):
                    for node in ast.walk(expr):
                        if isinstance(node, ast.NamedExpr):
                            name = node.target.id
                            counts[name] = get(name, 0) + 2
    if not has_global:
        return counts
    if ctx is not None:
        declaring = _global_declarations(ctx)
    else:
        declaring = {}
        for func in ast.walk(tree):
            if isinstance(func, FUNCTION_TYPES):
                declared = set()
                for inner in own_nodes(func):
                    if isinstance(inner, ast.Global):
                        declared.update(inner.names)
                if declared:
                    declaring[func] = declared
    for func, declared in declaring.items():
        globals_ = declared if names is None else declared & names
        if not globals_:
            continue
        for inner in _nodes_naming(ctx, func, globals_):
            if (
                isinstance(inner, ast.Name)
                and inner.id in globals_
                and isinstance(inner.ctx, (ast.Store, ast.Del))
            ):
                counts[inner.id] = get(inner.id, 0) + 2
            elif isinstance(inner, (ast.Import, ast.ImportFrom)):
                for alias in inner.names:
                    bound = (alias.asname or alias.name).partition(".")[0]
                    if bound in globals_:
                        counts[bound] = get(bound, 0) + 2
    return counts


def _nodes_naming(
    ctx: Optional[FileContext], func: ast.AST, names: Set[str]
) -> List[ast.AST]:
    # The own nodes of ``func`` (see own_nodes) that may be a Name of one of
    # ``names`` or an import binding one: with the source known, only those of the
    # statements on lines holding one of the names (a name is written on one line).
    source = source_text(ctx) if ctx is not None else None
    end = getattr(func, "end_lineno", None)
    if source is None or end is None:
        return list(own_nodes(func, ctx))
    lines: Set[int] = set()
    for name in names:
        lines.update(source.lines_with(name, func.lineno, end))  # type: ignore
    nodes: List[ast.AST] = []
    for stmt in own_statements(func, sorted(lines)):
        nodes.extend(statement_nodes(stmt, "own"))
    return nodes


def _global_declarations(ctx: FileContext) -> Dict[ast.AST, Set[str]]:
    # The defs whose own body has a ``global`` statement -> the names it declares.
    lines = word_lines(ctx, "global")
    if lines is not None and not lines:
        return {}
    found: Dict[ast.AST, Set[str]] = {}
    stack: List[Tuple[ast.stmt, Optional[ast.AST]]] = [
        (stmt, None) for stmt in reversed(select_statements(ctx.tree.body, lines))
    ]
    while stack:
        stmt, owner = stack.pop()
        if isinstance(stmt, ast.Global):
            if owner is not None:
                found.setdefault(owner, set()).update(stmt.names)
            continue
        if isinstance(stmt, FUNCTION_TYPES):
            owner = stmt
        elif isinstance(stmt, ast.ClassDef):
            owner = None  # a class body is not the enclosing function's scope
        for inner in reversed(_nested_blocks(stmt, lines)):
            stack.append((inner, owner))
    return found


# ---- resources (BG313) -------------------------------------------------------

RESOURCE_CALLS = {
    "open": "file",
    "io.open": "file",
    "codecs.open": "file",
    "gzip.open": "file",
    "bz2.open": "file",
    "lzma.open": "file",
    "tarfile.open": "archive",
    "zipfile.ZipFile": "archive",
    "tempfile.NamedTemporaryFile": "temporary file",
    "tempfile.TemporaryFile": "temporary file",
    "tempfile.SpooledTemporaryFile": "temporary file",
    "socket.socket": "socket",
    "socket.create_connection": "socket",
    "sqlite3.connect": "database connection",
    "psycopg2.connect": "database connection",
    "psycopg.connect": "database connection",
    "psycopg.Connection.connect": "database connection",
    "psycopg.AsyncConnection.connect": "database connection",
    "pymysql.connect": "database connection",
    "pymysql.connections.Connection": "database connection",
    "MySQLdb.connect": "database connection",
    "mysql.connector.connect": "database connection",
    "cx_Oracle.connect": "database connection",
    "oracledb.connect": "database connection",
    "pyodbc.connect": "database connection",
    "pymssql.connect": "database connection",
    "aiosqlite.connect": "database connection",
    "asyncpg.connect": "database connection",
    "aiomysql.connect": "database connection",
    "duckdb.connect": "database connection",
    "requests.Session": "HTTP session",
    "requests.session": "HTTP session",
    "requests.sessions.Session": "HTTP session",
    "httpx.Client": "HTTP client",
    "httpx.AsyncClient": "HTTP client",
    "aiohttp.ClientSession": "HTTP session",
}
DB_CONNECT_CALLS = frozenset(
    name for name, kind in RESOURCE_CALLS.items() if kind == "database connection"
)
_SESSION_FACTORIES = frozenset(
    {"session_local", "sessionlocal", "session_factory", "session_maker"}
    | {"async_session", "async_session_maker", "async_session_factory"}
    | {"async_session_local", "db_session_factory"}
)
# The last name part of every call _direct_resource_kind can accept (besides
# ``...Session``/``...SessionLocal`` names).
_RESOURCE_LAST_PARTS = (
    frozenset(name.rpartition(".")[2] for name in RESOURCE_CALLS)
    | _SESSION_FACTORIES
    | {"connect", "raw_connection", "open"}
)
# ``...Session``/``...SessionLocal``, for one ``str.endswith``.
_SESSION_SUFFIXES = ("Session", "SessionLocal")
_NOT_RESOURCE_ROOTS = frozenset({"boto3", "botocore", "aioboto3", "aiobotocore"})
_DB_SESSION_NAMES = frozenset(
    {"Session", "AsyncSession", "DBSession", "DbSession", "DatabaseSession"}
    | {"SqlSession", "SQLSession", "ScopedSession", "SessionLocal"}
)
_SESSION_LIBRARIES = frozenset(
    {"sqlalchemy", "sqlmodel", "requests", "requests_oauthlib", "requests_cache"}
    | {"aiohttp", "authlib", "httpx", "niquests", "tensorflow", "flask_sqlalchemy"}
)


def resource_kind(ctx: FileContext, call: ast.AST) -> Optional[str]:
    """Return what kind of resource a call opens ("file", "socket"...), or None.

    Also a call of a module-level function of the same file that returns a
    fresh resource it opened (``get_db_connection()``).

    Args:
        ctx: The file context.
        call: An expression (``await`` is looked through).

    Returns:
        A short description of the resource, or None.
    """
    inner = call.value if isinstance(call, ast.Await) else call
    if not isinstance(inner, ast.Call):
        return None
    func = inner.func
    helper: Optional[str] = None  # a name that may be a helper of this file
    if func.__class__ is ast.Attribute:
        last = func.attr  # type: ignore[attr-defined]
    elif func.__class__ is ast.Name:
        name = func.id  # type: ignore[attr-defined]
        qualified = ctx.aliases.get(name)
        if qualified is None:
            last = helper = name
        else:
            last = qualified.rpartition(".")[2]
    else:
        return None  # no name: neither a resource call nor a helper
    kind = None
    if last in _RESOURCE_LAST_PARTS or last.endswith(_SESSION_SUFFIXES):
        kind = _direct_resource_kind(ctx, call)
    if kind is None and helper is not None:
        kind = _helper_resource_kind(ctx, helper)
    return kind


def _direct_resource_kind(ctx: FileContext, call: ast.AST) -> Optional[str]:
    if isinstance(call, ast.Await):
        call = call.value
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    name = ctx.qualname(func)
    if name is not None:
        kind = RESOURCE_CALLS.get(name)
        if kind is not None:
            if name == "open" and "open" in ctx.module_constants:
                return None
            return kind
        last = name.rsplit(".", 1)[-1]
        if (
            last.endswith("Session") or last.endswith("SessionLocal")
        ) and _session_source_ok(ctx, func, name):
            return "session"
        if last in _SESSION_FACTORIES:
            return "session"
    if isinstance(func, ast.Attribute):
        receiver = func.value
        if func.attr in ("connect", "raw_connection") and not call.args:
            if _is_engine(ctx, receiver):
                return "database connection"
        if func.attr == "open" and isinstance(receiver, ast.Call):
            if (ctx.call_name(receiver) or "").rsplit(".", 1)[-1] in (
                "Path",
                "PurePath",
            ):
                return "file"
    return None


def _module_defs(ctx: FileContext) -> Dict[str, List[FunctionNode]]:
    # The module-level defs of the file by name, in source order.
    def compute() -> Dict[str, List[FunctionNode]]:
        found: Dict[str, List[FunctionNode]] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, FUNCTION_TYPES):
                found.setdefault(stmt.name, []).append(stmt)
        return found

    return ctx.cached(("structure", "module-defs"), compute)


def _helper_resource_kind(ctx: FileContext, name: str) -> Optional[str]:
    # The resource a module-level function of the file returns fresh after opening
    # it (`def get_db_connection(): conn = sqlite3.connect(...); return conn`); the
    # last such definition of ``name`` wins.
    defs = _module_defs(ctx).get(name)
    if not defs:
        return None

    def compute() -> Optional[str]:
        kind: Optional[str] = None
        for func in defs:  # type: ignore[union-attr]
            returned = _returned_resource(ctx, func)
            if returned is not None:
                kind = returned
        return kind

    return ctx.cached(("structure", "resource-helper", name), compute)


def _returned_resource(ctx: FileContext, func: FunctionNode) -> Optional[str]:
    # The kind of resource ``func`` opens and returns, None for a generator.
    statements = own_statements(func)
    # Only a `return <value>` can hand a resource out, and only the assignments
    # of the names it returns can have opened it: the others are not judged.
    returns = [
        stmt.value  # type: ignore[attr-defined]
        for stmt in statements
        if isinstance(stmt, ast.Return) and stmt.value is not None
    ]
    if not returns:
        return None  # nothing returned: no resource either
    returned_names = {value.id for value in returns if isinstance(value, ast.Name)}
    if may_contain(ctx, func, "yield"):
        for stmt in own_statements(func, word_lines(ctx, "yield", func)):
            for node in statement_nodes(stmt, "own"):
                if isinstance(node, (ast.Yield, ast.YieldFrom)):
                    return None
    opened: Dict[str, str] = {}
    returned: Optional[str] = None
    for node in statements:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in returned_names:
                kind = _direct_resource_kind(ctx, node.value)
                if kind is not None:
                    opened[target.id] = kind
        elif isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            if isinstance(value, ast.Name) and value.id in opened:
                returned = opened[value.id]
            else:
                returned = returned or _direct_resource_kind(ctx, value)
    return returned


def _session_source_ok(ctx: FileContext, func: ast.AST, name: str) -> bool:
    # Return True when a ``...Session()`` callee is a DB/HTTP session class.
    #
    # The session classes of SQLAlchemy, requests, aiohttp and friends count
    # (``requests.Session``, ``aiohttp.ClientSession``, ``OAuth2Session``). Project
    # names count when they are plainly database sessions (``Session``,
    # ``AsyncSession``, ``SessionLocal``, ``DBSession``) or are bound in the file to
    # ``sessionmaker(...)``; a project's ``UserSession`` data class or a
    # third-party ``boto3.Session``/``PromptSession`` is not a resource.
    parts = name.split(".")
    if any(part in _NOT_RESOURCE_ROOTS for part in parts):
        return False
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    external = (
        isinstance(root, ast.Name)
        and root.id in ctx.aliases
        and not name.startswith(".")
        and parts[0] != getattr(ctx.package, "top_name", None)
    )
    if external:
        return parts[0] in _SESSION_LIBRARIES
    last = parts[-1]
    if last in _DB_SESSION_NAMES or last.endswith("SessionLocal"):
        return True
    value = ctx.module_constants.get(last) if isinstance(func, ast.Name) else None
    if isinstance(value, ast.Call):
        callee = (ctx.call_name(value) or "").rsplit(".", 1)[-1]
        return callee in ("sessionmaker", "async_sessionmaker", "scoped_session")
    return False


def _is_engine(ctx: FileContext, node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        last = (ctx.call_name(node) or "").rsplit(".", 1)[-1]
        return last in ("create_engine", "create_async_engine", "engine_from_config")
    name = node_name(node)
    if not name:
        return False
    parts = split_name(name)
    return bool(parts) and parts[-1] == "engine"


# ---- database access in route handlers (BG318) -------------------------------

_SESSION_METHODS = frozenset(
    {"execute", "executemany", "executescript", "add", "add_all", "commit", "query"}
    | {"delete", "scalar", "scalars", "exec", "merge", "flush", "refresh", "rollback"}
    | {"bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings"}
    | {"cursor", "fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one"}
    | {"fetch_val", "execute_many", "get_or_404", "first_or_404", "one_or_404"}
    | {"paginate", "exec_driver_sql", "stream", "stream_scalars"}
)
_CURSOR_METHODS = frozenset({"execute", "executemany", "executescript", "callproc"})
_ENGINE_METHODS = frozenset({"connect", "begin", "raw_connection", "execute"})
_SESSION_PARTS = frozenset(
    {"session", "sess", "db", "database", "dbsession", "conn", "connection", "con"}
    | {"cnx", "tx", "transaction", "uow"}
)
_CURSOR_PARTS = frozenset({"cursor", "cur", "curs"})
_EXACT_SESSION_NAMES = frozenset(
    {"session", "db", "db_session", "sess", "async_session", "dbsession", "database"}
)
_MONGO_METHODS = frozenset(
    {"find", "find_one", "insert_one", "insert_many", "update_one", "update_many"}
    | {"delete_one", "delete_many", "aggregate", "count_documents", "replace_one"}
    | {"find_one_and_update", "find_one_and_delete", "bulk_write"}
)
_DB_GETTERS = frozenset(
    {"get_db", "get_database", "get_connection", "get_db_connection", "get_conn"}
    | {"get_cursor", "get_session", "get_db_session"}
)
_NON_DB_ROOTS = frozenset(
    {"requests", "httpx", "aiohttp", "boto3", "botocore", "urllib3", "redis"}
    | {"aioredis", "werkzeug"}
)
_NON_DB_OBJECTS = frozenset(
    {"flask.session", "quart.session", "flask.request", "quart.request"}
    | {"starlette.requests.Request", "fastapi.Request"}
)
_SESSION_ANNOTATIONS = frozenset(
    {"Session", "AsyncSession", "Connection", "AsyncConnection"}
)


def _local_bindings(ctx: FileContext, func: FunctionNode) -> Dict[str, List[ast.AST]]:
    # Return name -> value expressions bound in ``func`` (with-as: the context).

    def compute() -> Dict[str, List[ast.AST]]:
        result: Dict[str, List[ast.AST]] = {}
        args = func.args
        all_args = args.posonlyargs + args.args + args.kwonlyargs
        defaults: List[Optional[ast.expr]] = [None] * (
            len(args.posonlyargs + args.args) - len(args.defaults)
        ) + list(args.defaults)
        defaults += list(args.kw_defaults)
        for arg, default in zip(all_args, defaults):
            values: List[ast.AST] = []
            if arg.annotation is not None:
                values.append(arg.annotation)
            if default is not None:
                values.append(default)
            result[arg.arg] = values
        for node in own_nodes(func, ctx):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        result.setdefault(target.id, []).append(node.value)
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)):
                target = node.target
                if isinstance(target, ast.Name) and node.value is not None:
                    result.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.withitem) and isinstance(
                node.optional_vars, ast.Name
            ):
                result.setdefault(node.optional_vars.id, []).append(node.context_expr)
        return result

    return ctx.cached(("structure", "local-bindings", id(func)), compute)


def _mentions(ctx: FileContext, value: ast.AST, names: FrozenSet[str]) -> bool:
    for node in ast.walk(value):
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = node_name(node)
            if name in names:
                return True
    return False


def _value_roots(ctx: FileContext, value: ast.AST) -> List[str]:
    roots = []
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            name = ctx.call_name(node)
            if name:
                roots.append(name.split(".")[0])
    return roots


def _db_receiver_kind(
    ctx: FileContext, receiver: ast.AST, func: FunctionNode
) -> Optional[str]:
    # Return "cursor", "session", "engine" or None for a method call receiver.
    if isinstance(receiver, ast.Await):
        receiver = receiver.value
    if isinstance(receiver, ast.Call):
        name = ctx.call_name(receiver) or ""
        if name in DB_CONNECT_CALLS:
            return "session"
        last = name.rsplit(".", 1)[-1]
        if last in _DB_GETTERS:
            return "session"
        if last == "cursor":
            return "cursor"
        return None
    local = isinstance(receiver, ast.Name) and receiver.id in _local_bindings(ctx, func)
    if not local:
        qualified = ctx.qualname(receiver)
        if qualified is None:
            return None
        if qualified.split(".")[0] in _NON_DB_ROOTS or qualified in _NON_DB_OBJECTS:
            return None
    if isinstance(receiver, ast.Name):
        values = _local_bindings(ctx, func).get(receiver.id, [])
        for value in values:
            if any(r in _NON_DB_ROOTS for r in _value_roots(ctx, value)):
                return None
        for value in values:
            if _mentions(ctx, value, _SESSION_ANNOTATIONS) or _mentions(
                ctx, value, _DB_GETTERS
            ):
                return "session"
            kind = resource_kind(ctx, value)
            if kind in ("database connection", "session"):
                return "session"
    name = node_name(receiver)
    if not name:
        return None
    parts = split_name(name)
    if not parts:
        return None
    if parts[-1] in _CURSOR_PARTS:
        return "cursor"
    if parts[-1] == "engine":
        return "engine"
    if parts[-1] in _SESSION_PARTS:
        return "exact-session" if name in _EXACT_SESSION_NAMES else "session"
    return None


def _is_model_name(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Name)
        and node.id[:1].isupper()
        and not node.id.isupper()
        and "_" not in node.id.strip("_")
    )


def db_access(ctx: FileContext, node: ast.AST, func: FunctionNode) -> Optional[str]:
    """Return a short description when ``node`` talks to the database directly.

    Args:
        ctx: The file context.
        node: A node of the handler's body.
        func: The route handler.

    Returns:
        The access as written (``db.session.commit``), or None.
    """
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
        if node.attr in ("query", "objects") and _is_model_name(node.value):
            if node.value.id not in ctx.aliases or not ctx.aliases[
                node.value.id
            ].startswith(("flask", "fastapi", "starlette", "werkzeug")):
                return f"{node.value.id}.{node.attr}"
        return None
    if not isinstance(node, ast.Call):
        return None
    name = ctx.call_name(node)
    if name in DB_CONNECT_CALLS:
        return name
    func_node = node.func
    if not isinstance(func_node, ast.Attribute):
        return None
    method = func_node.attr
    receiver = func_node.value
    if (
        isinstance(receiver, ast.Attribute)
        and receiver.attr == "session"
        and node_name(receiver.value) == "db"
    ):
        return f"db.session.{method}"
    if method in _MONGO_METHODS and _mentions_db_part(receiver):
        return f"{_describe(receiver)}.{method}"
    if (
        method not in _SESSION_METHODS
        and method not in _ENGINE_METHODS
        and method != "get"
    ):
        return None
    kind = _db_receiver_kind(ctx, receiver, func)
    if kind is None:
        return None
    if kind == "cursor" and method not in _CURSOR_METHODS:
        return None
    if kind == "engine" and method not in _ENGINE_METHODS:
        return None
    if method in ("connect", "begin", "raw_connection") and kind != "engine":
        return None
    if method == "get":
        if kind != "exact-session" and not (
            isinstance(receiver, ast.Name) and receiver.id in _local_bindings(ctx, func)
        ):
            return None
        if len(node.args) < 2 or not _is_model_name(node.args[0]):
            return None
    return f"{_describe(receiver)}.{method}"


def _mentions_db_part(receiver: ast.AST) -> bool:
    current = receiver
    while isinstance(current, (ast.Attribute, ast.Subscript)):
        if isinstance(current, ast.Attribute) and current.attr in ("db", "database"):
            return True
        current = current.value
    return isinstance(current, ast.Name) and current.id in (
        "db",
        "database",
        "mongo_db",
    )


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_describe(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_describe(node.func)}()"
    if isinstance(node, ast.Subscript):
        return f"{_describe(node.value)}[...]"
    if isinstance(node, ast.Await):
        return _describe(node.value)
    return "..."


# ---- error responses (BG319) -------------------------------------------------

_JSON_CALLS = frozenset(
    {"jsonify", "JSONResponse", "ORJSONResponse", "UJSONResponse", "json_response"}
    | {"dumps", "problem", "make_json_response", "JsonResponse"}
)
_HTML_CALLS = frozenset(
    {"render_template", "render_template_string", "HTMLResponse", "TemplateResponse"}
    | {"render", "render_to_response", "render_to_string"}
)
_TEXT_CALLS = frozenset({"PlainTextResponse"})
_RESPONSE_CALLS = frozenset({"Response", "make_response", "HttpResponse"})


def response_kind(
    ctx: FileContext, expr: Optional[ast.AST], depth: int = 0
) -> Optional[str]:
    """Return "json", "html", "text" or None (unknown) for a handler's response.

    Args:
        ctx: The file context.
        expr: The returned expression.
        depth: Recursion depth (local variables are followed a few times).

    Returns:
        The kind of the response body, None when it cannot be told.
    """
    if expr is None or depth > 4:
        return None
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Tuple):
        return response_kind(ctx, expr.elts[0], depth + 1) if expr.elts else None
    if isinstance(expr, (ast.Dict, ast.DictComp, ast.List, ast.ListComp)):
        return "json"
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, (str, bytes)):
            return "html" if _looks_like_html(expr.value) else "text"
        return None
    if isinstance(expr, ast.JoinedStr):
        literal = "".join(
            v.value
            for v in expr.values
            if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        return "html" if _looks_like_html(literal) else "text"
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        left = response_kind(ctx, expr.left, depth + 1)
        if isinstance(expr.left, (ast.Constant, ast.JoinedStr)) and left in (
            "html",
            "text",
        ):
            return left
        return None
    if isinstance(expr, ast.IfExp):
        kinds = {
            response_kind(ctx, expr.body, depth + 1),
            response_kind(ctx, expr.orelse, depth + 1),
        }
        if len(kinds) == 1:
            return kinds.pop()
        if None in kinds or "json" in kinds:
            return None
        return "html"
    if isinstance(expr, ast.Name):
        return _name_kind(ctx, expr, depth)
    if not isinstance(expr, ast.Call):
        return None
    func = expr.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "format"
        and isinstance(func.value, ast.Constant)
        and isinstance(func.value.value, str)
    ):
        return response_kind(ctx, func.value, depth + 1)
    name = ctx.call_name(expr) or ""
    last = name.rsplit(".", 1)[-1]
    if last in _JSON_CALLS:
        if last == "dumps" and not name.startswith(
            ("json", "orjson", "ujson", "simplejson")
        ):
            return None
        return "json"
    if last in _HTML_CALLS:
        return "html"
    if last in _TEXT_CALLS:
        return "text"
    if isinstance(func, ast.Name) and func.id not in ctx.aliases:
        return _helper_kind(ctx, func.id, depth)
    if last in _RESPONSE_CALLS:
        for key in ("mimetype", "media_type", "content_type"):
            for kw in expr.keywords:
                if kw.arg == key and isinstance(kw.value, ast.Constant):
                    value = str(kw.value.value).lower()
                    if "json" in value:
                        return "json"
                    if "html" in value:
                        return "html"
        first: Optional[ast.AST] = expr.args[0] if expr.args else None
        if first is None:
            for kw in expr.keywords:
                if kw.arg in ("response", "content", "body"):
                    first = kw.value
        if (
            last == "make_response"
            and expr.args
            and isinstance(expr.args[0], ast.Tuple)
        ):
            first = expr.args[0]
        return response_kind(ctx, first, depth + 1)
    return None


def _module_functions(ctx: FileContext) -> Dict[str, FunctionNode]:
    def compute() -> Dict[str, FunctionNode]:
        found: Dict[str, FunctionNode] = {}
        seen: Set[str] = set()
        for stmt in ctx.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stmt.name in seen:
                    found.pop(stmt.name, None)  # redefined: do not guess
                else:
                    found[stmt.name] = stmt
                seen.add(stmt.name)
        return found

    return ctx.cached(("structure", "module_functions"), compute)


def _helper_kind(ctx: FileContext, name: str, depth: int) -> Optional[str]:
    # A response built by a helper in the same module (`return html_error(500)`,
    # `return error_response(404, "...")`): the kind of everything it returns.
    helper = _module_functions(ctx).get(name)
    if helper is None or name in _RESPONSE_CALLS:
        return None
    kinds: Set[Optional[str]] = set()
    for inner in own_statements(helper):
        if isinstance(inner, ast.Return) and inner.value is not None:
            kinds.add(response_kind(ctx, inner.value, depth + 1))
    if not kinds or None in kinds or "json" in kinds:
        return None
    return "html" if "html" in kinds else "text"


def _looks_like_html(text: str) -> bool:
    return bool(
        re.search(r"<\s*(html|body|h[1-6]|p|div|!doctype|title|span)\b", text, re.I)
    )


def _name_kind(ctx: FileContext, name: ast.Name, depth: int) -> Optional[str]:
    from .dataflow import reaching_values

    values = reaching_values(ctx, name)
    if not values:
        return None
    kinds = set()
    for value in values:
        if value is None or isinstance(value, ast.AugAssign):
            return None
        kinds.add(response_kind(ctx, value, depth + 1))
    if None in kinds or "json" in kinds:
        return None
    return "html" if "html" in kinds else "text"


# ---- Blueprint / router prefixes (BG317) -------------------------------------

APP_CLASSES = frozenset(
    {
        "flask.Flask",
        "flask.app.Flask",
        "fastapi.FastAPI",
        "fastapi.applications.FastAPI",
    }
    | {"starlette.applications.Starlette", "quart.Quart", "apiflask.APIFlask"}
    | {"flask_smorest.Api", "flask_openapi3.OpenAPI"}
)
APP_FACTORIES = frozenset(
    {"create_app", "make_app", "create_application", "get_application", "build_app"}
    | {"get_app", "app_factory", "create_api"}
)
BLUEPRINT_CLASSES = frozenset(
    {"flask.Blueprint", "flask.blueprints.Blueprint", "quart.Blueprint"}
    | {"apiflask.APIBlueprint", "flask_smorest.Blueprint", "sanic.Blueprint"}
)
ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
APP_NAMES = frozenset({"app", "application"})

# A prefix: ("literal", "/users"), ("dynamic", None) or None when unknown.
Prefix = Optional[Tuple[str, Optional[str]]]
DYNAMIC: Tuple[str, Optional[str]] = ("dynamic", None)


def own_prefix(callee: str, call: ast.Call, evaluate: "PrefixEvaluator") -> Prefix:
    """Return the prefix a ``Blueprint(...)``/``APIRouter(...)`` call declares.

    Args:
        callee: The qualified name of the call.
        call: The call.
        evaluate: Turns a prefix expression into a :data:`Prefix`.

    Returns:
        The prefix (``("literal", "")`` when none is given), or None when the call
        is not a Blueprint or router.
    """
    if callee in BLUEPRINT_CLASSES:
        expr = None
        for kw in call.keywords:
            if kw.arg == "url_prefix":
                expr = kw.value
        if expr is None and len(call.args) > 5 and callee.startswith("flask"):
            expr = call.args[5]
    elif callee in ROUTER_CLASSES:
        expr = None
        for kw in call.keywords:
            if kw.arg == "prefix":
                expr = kw.value
    else:
        return None
    if expr is None:
        if any(kw.arg is None for kw in call.keywords):
            return DYNAMIC
        return ("literal", "")
    return evaluate(expr)


class PrefixEvaluator:
    """Evaluate prefix expressions against a module's literal constants."""

    def __init__(self, constants: Dict[str, ast.expr]) -> None:
        """Remember the module constants.

        Args:
            constants: Module-level names bound once, mapped to their values.
        """
        self.constants = constants

    def __call__(self, expr: ast.AST, depth: int = 0) -> Tuple[str, Optional[str]]:
        """Return ("literal", text) or DYNAMIC for ``expr``.

        Args:
            expr: The prefix expression.
            depth: Recursion depth through constants.

        Returns:
            The evaluated prefix.
        """
        if depth > 5:
            return DYNAMIC
        if isinstance(expr, ast.Constant):
            if expr.value is None:
                return ("literal", "")
            if isinstance(expr.value, str):
                return ("literal", expr.value)
            return DYNAMIC
        if isinstance(expr, ast.Name) and expr.id in self.constants:
            return self(self.constants[expr.id], depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self(expr.left, depth + 1)
            right = self(expr.right, depth + 1)
            if left[0] == right[0] == "literal":
                return ("literal", (left[1] or "") + (right[1] or ""))
            return DYNAMIC
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for value in expr.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    return DYNAMIC
            return ("literal", "".join(parts))
        return DYNAMIC


class ModuleSummary:
    """Module-level facts of a file read from disk: imports and assignments."""

    def __init__(self, tree: ast.Module) -> None:
        """Collect the module-level imports and single assignments.

        Args:
            tree: The parsed module.
        """
        self.aliases: Dict[str, str] = {}
        self.assignments: Dict[str, List[ast.expr]] = {}
        self.imports: Dict[str, Tuple[int, str]] = {}
        for stmt in module_level_statements(tree):
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.partition(".")[0]
                        self.aliases[top] = top
            elif isinstance(stmt, ast.ImportFrom):
                module = stmt.module or ""
                for alias in stmt.names:
                    local = alias.asname or alias.name
                    if stmt.level:
                        target = f"{module}.{alias.name}" if module else alias.name
                        self.imports[local] = (stmt.level, target)
                    else:
                        self.aliases[local] = f"{module}.{alias.name}"
                        self.imports[local] = (0, f"{module}.{alias.name}")
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.assignments.setdefault(target.id, []).append(stmt.value)
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                if isinstance(stmt.target, ast.Name):
                    self.assignments.setdefault(stmt.target.id, []).append(stmt.value)

    def qualname(self, node: ast.AST) -> Optional[str]:
        """Return the dotted name of ``node`` through this module's imports.

        Args:
            node: A Name/Attribute chain.

        Returns:
            The qualified name, or None.
        """
        return dotted_name(node, self.aliases)

    @property
    def constants(self) -> Dict[str, ast.expr]:
        """Return the names assigned exactly once.

        Returns:
            Name -> value.
        """
        return {k: v[0] for k, v in self.assignments.items() if len(v) == 1}


_summary_cache: Dict[str, Tuple[Tuple[int, int], Optional[ModuleSummary]]] = {}


def module_summary(path: str) -> Optional[ModuleSummary]:
    """Return the (per-process cached) summary of the module file at ``path``.

    Args:
        path: A ``.py`` file.

    Returns:
        The summary, or None when the file cannot be read or parsed.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _summary_cache.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    summary: Optional[ModuleSummary] = None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        summary = ModuleSummary(ast.parse(data, filename=path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        summary = None
    _summary_cache[path] = (key, summary)
    return summary


def clear_summary_cache() -> None:
    """Forget every cached module summary (for tests)."""
    _summary_cache.clear()


def module_file(root: str, module: str) -> Optional[str]:
    """Return the file of dotted ``module`` below ``root`` (a sys.path entry).

    Args:
        root: The directory holding the top-level package.
        module: The dotted module name.

    Returns:
        The path of ``module.py`` or ``module/__init__.py``, or None.
    """
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    base = os.path.join(root, *parts)
    if os.path.isfile(base + ".py"):
        return base + ".py"
    init = os.path.join(base, "__init__.py")
    if os.path.isfile(init):
        return init
    return None


def _project_root(info: ModuleInfo, filename: str) -> str:
    if info.in_package:
        return os.path.dirname(info.top_dir)
    return os.path.dirname(os.path.abspath(filename))


def _absolute_name(info: ModuleInfo, qualified: str) -> Optional[str]:
    # Turn a (possibly relative, ``..api.users.bp``) qualified name absolute.
    level = len(qualified) - len(qualified.lstrip("."))
    rest = qualified[level:]
    if not level:
        return rest
    if not rest:
        return None
    return resolve_relative(info, level, rest)


def external_prefix(ctx: FileContext, qualified: str) -> Prefix:
    """Return the own prefix of the Blueprint/router a qualified name refers to.

    The name (``.api.users.bp``, ``app.api.users.router``) is resolved to a module
    file of the project (relative imports through the package, absolute ones below
    the package root); that file is parsed as text and the module-level assignment
    of the name is looked up (following re-exports a few times).

    Args:
        ctx: The file context.
        qualified: The qualified name of the registered object.

    Returns:
        The prefix, or None when the object cannot be resolved.
    """
    info = ctx.package
    root = _project_root(info, ctx.filename)
    if ctx.filename in ("stdin", "-", "<stdin>", "<unknown>", "<string>"):
        return None
    absolute = _absolute_name(info, qualified)
    for _ in range(5):
        if absolute is None or "." not in absolute:
            return None
        module, _, attr = absolute.rpartition(".")
        path = module_file(root, module)
        if path is None:
            return None
        summary = module_summary(path)
        if summary is None:
            return None
        values = summary.assignments.get(attr, [])
        if len(values) == 1 and isinstance(values[0], ast.Call):
            callee = summary.qualname(values[0].func) or ""
            return own_prefix(callee, values[0], PrefixEvaluator(summary.constants))
        if values:
            return None
        imported = summary.imports.get(attr)
        if imported is None:
            return None
        level, target = imported
        if level:
            target_info = module_info(path, ctx.config.namespace_packages)
            absolute = _absolute_name(target_info, "." * level + target)
        else:
            absolute = target
    return None
