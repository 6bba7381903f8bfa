"""Safe automatic fixes for ``backend-guard check --fix`` (and ``--diff``).

A fixer gets a finding (its code and position) and the file's source, finds the
node the finding points at by its own analysis, and returns a :class:`Fix` only
when the rewrite keeps the program's meaning:

- BG101: ``from app.db.models import User as U`` -> ``from ..db.models import User
  as U`` (only the module name is replaced, formatting and aliases stay);
  ``import app.db.models as m`` -> ``from ..db import models as m``.
- BG102: create the missing, empty ``__init__.py``.
- BG204: ``yaml.load(x)`` without a Loader -> ``yaml.safe_load(x)``; ``load(x)``
  imported from yaml -> ``safe_load(x)`` when ``safe_load`` (or ``yaml``) is
  imported too.
- BG312: one-line ``"...".format(a, b.c)`` -> ``f"..."`` and
  ``"%s %r" % (a, b)`` -> ``f"{a!s} {b!r}"`` when every argument is a plain name
  or attribute, the literal is a single simple string and every conversion is
  exact (``%d``, ``%(name)s``, widths, index lookups and nested braces are left
  alone).

:func:`apply_fixes` applies non-overlapping fixes to a text and keeps only a
result that still parses.
"""

from __future__ import annotations

import ast
import bisect
import io
import logging
import os
import re
import string
import tokenize
from collections import deque
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .context import FileContext, node_fields
from .options import DEFAULT_CONFIG, Config
from .project import module_info, relative_module
from .report import Edit, Fix
from .rule import Finding

_LOG = logging.getLogger(__name__)
FIXABLE_CODES = frozenset({"BG101", "BG102", "BG204", "BG312"})
_STRING_RE = re.compile(r"^([A-Za-z]*)('''|\"\"\"|'|\")(.*)\2$", re.DOTALL)
_PERCENT_RE = re.compile(r"%(.)", re.DOTALL)
_CODE_ESCAPE_RE = re.compile(r"\\[xuUN0-7]")
_PERCENT_CONVERSIONS = {"s": "!s", "r": "!r", "a": "!a"}


def split_lines(text: str) -> List[str]:
    """Split source text into lines the way the tokenizer counts them.

    Args:
        text: Source text.

    Returns:
        Lines with their line breaks; only ``\\n``, ``\\r\\n`` and ``\\r`` end a
        line (unlike ``str.splitlines``, which also splits on form feeds).
    """
    return io.StringIO(text, newline="").readlines()


def char_col(line: str, byte_col: int) -> int:
    """Convert an AST column (UTF-8 bytes) to a character column.

    Args:
        line: The physical line.
        byte_col: The 0-based byte offset.

    Returns:
        The 0-based character offset.
    """
    if byte_col <= 0 or line.isascii():
        return max(byte_col, 0)
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


class SourceFile:
    """One file's text, lines and tree, with the lookups fixers share."""

    def __init__(
        self,
        filename: str,
        text: str,
        tree: ast.Module,
        config: Config = DEFAULT_CONFIG,
        lines: Optional[List[str]] = None,
    ) -> None:
        """Keep the file's facts; positions are indexed lazily.

        Args:
            filename: Path of the file (used for the package structure).
            text: The whole source text.
            tree: The parsed module.
            config: Validated options.
            lines: The lines of ``text`` when already split.
        """
        self.filename = filename
        self.text = text
        self.tree = tree
        self.config = config
        self.lines = lines if lines is not None else split_lines(text)
        self._by_position: Optional[Dict[Tuple[int, int], List[ast.AST]]] = None
        self._ends: Dict[int, List[int]] = {}
        self._context: Optional[FileContext] = None

    def line(self, number: int) -> str:
        """Return physical line ``number`` (1-based), or ``""`` past the end.

        Args:
            number: The line number.

        Returns:
            The line with its line break.
        """
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def start(self, node: ast.AST) -> Tuple[int, int]:
        """Return the (line, character column) where ``node`` starts.

        Args:
            node: A node with a position.

        Returns:
            The start position.
        """
        line = node.lineno  # type: ignore[attr-defined]
        return line, char_col(self.line(line), node.col_offset)  # type: ignore

    def end(self, node: ast.AST) -> Tuple[int, int]:
        """Return the (line, character column) where ``node`` ends.

        Args:
            node: A node with an end position.

        Returns:
            The end position (exclusive column).
        """
        line = node.end_lineno  # type: ignore[attr-defined]
        return line, char_col(self.line(line), node.end_col_offset)  # type: ignore

    def text_of(self, node: ast.AST) -> str:
        """Return the exact source text of ``node``.

        Args:
            node: A node with a position.

        Returns:
            The text between its start and end.
        """
        (line, col), (end_line, end_col) = self.start(node), self.end(node)
        if line == end_line:
            return self.line(line)[col:end_col]
        parts = [self.line(line)[col:]]
        parts += [self.line(n) for n in range(line + 1, end_line)]
        parts.append(self.line(end_line)[:end_col])
        return "".join(parts)

    @property
    def context(self) -> FileContext:
        """Return a :class:`FileContext` of the file (import aliases)."""
        if self._context is None:
            self._context = FileContext(
                self.tree, self.filename, self.lines, self.config
            )
        return self._context

    def find(
        self, finding: Finding, accept: Callable[[ast.AST], bool]
    ) -> Optional[ast.AST]:
        """Return the node a finding points at.

        A node accepted by ``accept`` that starts exactly at the finding wins (the
        first in ``ast.walk`` order); otherwise the smallest accepted node whose
        span holds the position.

        Args:
            finding: The finding (1-based line, 0-based byte column).
            accept: Predicate for candidate nodes.

        Returns:
            The node, or None.
        """
        for node in self._walk_to_line(finding.line):
            if (
                getattr(node, "lineno", None) == finding.line
                and node.col_offset == finding.col  # type: ignore[attr-defined]
                and hasattr(node, "end_lineno")
                and accept(node)
            ):
                return node
        return self._find_in_index(finding, accept)

    def _walk_to_line(self, line: int) -> Iterator[ast.AST]:
        # ast.walk(self.tree) without the statements whose lines (decorators
        # included) do not hold ``line``: the nodes a statement holds start on its
        # lines, so the nodes that start on ``line`` come in ast.walk's order.
        todo = deque([self.tree])
        while todo:
            node = todo.popleft()
            # the fields that can hold nodes (no identifiers, contexts, operators:
            # no finding points at those)
            for name in node_fields(node.__class__):
                value = getattr(node, name, None)
                if isinstance(value, ast.AST):
                    todo.append(value)
                elif isinstance(value, list) and value:
                    if isinstance(value[0], ast.stmt):
                        todo.extend(self._statements_holding(value, line))
                    else:
                        todo.extend(v for v in value if isinstance(v, ast.AST))
            yield node

    def _statements_holding(self, body: List[ast.stmt], line: int) -> List[ast.AST]:
        ends = self._ends.get(id(body))
        if ends is None:
            ends = []
            for stmt in body:
                end = getattr(stmt, "end_lineno", None)
                if (
                    not isinstance(stmt, ast.stmt)
                    or end is None
                    or ends
                    and end < ends[-1]
                ):
                    # not a list of positioned statements in order: keep it all
                    return [v for v in body if isinstance(v, ast.AST)]
                ends.append(end)
            self._ends[id(body)] = ends
        result: List[ast.AST] = []
        for stmt in body[bisect.bisect_left(ends, line) :]:
            first = min(
                [stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())]
            )
            if first > line:
                break
            result.append(stmt)
        return result

    def _find_in_index(
        self, finding: Finding, accept: Callable[[ast.AST], bool]
    ) -> Optional[ast.AST]:
        # the same answer from an index of every node of the tree
        if self._by_position is None:
            table: Dict[Tuple[int, int], List[ast.AST]] = {}
            for node in ast.walk(self.tree):
                if hasattr(node, "lineno") and hasattr(node, "end_lineno"):
                    key = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
                    table.setdefault(key, []).append(node)
            self._by_position = table
        exact = [
            n
            for n in self._by_position.get((finding.line, finding.col), [])
            if accept(n)
        ]
        if exact:
            return exact[0]
        best: Optional[ast.AST] = None
        best_size: Tuple[int, int] = (1 << 30, 1 << 30)
        position = (finding.line, finding.col)
        for nodes in self._by_position.values():
            for node in nodes:
                start = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
                stop = (node.end_lineno, node.end_col_offset)  # type: ignore
                if start <= position < stop and accept(node):
                    size = (stop[0] - start[0], stop[1] - start[1])
                    if size < best_size:
                        best, best_size = node, size
        return best

    def tokens(self, node: ast.AST) -> List[tokenize.TokenInfo]:
        """Return the tokens of a node's text with absolute character positions.

        Args:
            node: A statement or expression.

        Returns:
            The tokens (positions are file lines and character columns); an empty
            list when the text cannot be tokenized on its own.
        """
        line, col = self.start(node)
        segment = self.text_of(node)
        try:
            raw = list(tokenize.generate_tokens(io.StringIO(segment).readline))
        except (tokenize.TokenError, SyntaxError):
            return []
        result = []
        for token in raw:
            (srow, scol), (erow, ecol) = token.start, token.end
            start = (line + srow - 1, scol + col if srow == 1 else scol)
            end = (line + erow - 1, ecol + col if erow == 1 else ecol)
            result.append(token._replace(start=start, end=end))
        return result


# ---- BG101 ------------------------------------------------------------------------


def _fix_bg101(source: SourceFile, finding: Finding) -> Optional[Fix]:
    node = source.find(finding, lambda n: isinstance(n, (ast.Import, ast.ImportFrom)))
    if node is None:
        return None
    info = module_info(source.filename, source.config.namespace_packages)
    if not info.in_package:
        return None
    if isinstance(node, ast.ImportFrom):
        if node.level or not node.module:
            return None
        if node.module.partition(".")[0] != info.top_name:
            return None
        relative = relative_module(info, node.module)
        names = [
            t
            for t in _until_import(source.tokens(node))
            if t.type == tokenize.NAME or t.string == "."
        ]
        if not names or names[0].string != "from" or len(names) < 2:
            return None
        first, last = names[1], names[-1]
        edit = Edit(first.start[0], first.start[1], last.end[0], last.end[1], relative)
        return Fix(f"Use the relative import `from {relative} import ...`", (edit,))
    if (
        not isinstance(node, ast.Import)
        or len(node.names) != 1
        or not node.names[0].asname
    ):
        return None
    alias = node.names[0]
    parent, _, last_part = alias.name.rpartition(".")
    if not parent or alias.name.partition(".")[0] != info.top_name:
        return None
    text = f"from {relative_module(info, parent)} import {last_part}"
    if alias.asname != last_part:
        text += f" as {alias.asname}"
    (line, col), (end_line, end_col) = source.start(node), source.end(node)
    return Fix(
        f"Use the relative import `{text}`", (Edit(line, col, end_line, end_col, text),)
    )


def _until_import(tokens: Iterable[tokenize.TokenInfo]) -> List[tokenize.TokenInfo]:
    result = []
    for token in tokens:
        if token.type == tokenize.NAME and token.string == "import":
            break
        result.append(token)
    return result


# ---- BG102 ------------------------------------------------------------------------


def _fix_bg102(source: SourceFile, finding: Finding) -> Optional[Fix]:
    if os.path.basename(source.filename) == "__init__.py":
        return None
    target = os.path.join(
        os.path.dirname(os.path.abspath(source.filename)), "__init__.py"
    )
    if os.path.exists(target):
        return None
    edit = Edit(1, 0, 1, 0, "", filename=target)
    return Fix("Create the missing empty `__init__.py`", (edit,))


# ---- BG204 ------------------------------------------------------------------------


def _fix_bg204(source: SourceFile, finding: Finding) -> Optional[Fix]:
    call = source.find(finding, lambda n: isinstance(n, ast.Call))
    if not isinstance(call, ast.Call) or call.keywords or len(call.args) != 1:
        return None
    if isinstance(call.args[0], ast.Starred):
        return None
    aliases = source.context.aliases
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "load":
        value = func.value
        if not isinstance(value, ast.Name):
            return None
        if aliases.get(value.id) != "yaml" and not _imports_yaml_as(
            source.tree, value.id
        ):
            return None
        end_line, end_col = source.end(func)
        if source.line(end_line)[end_col - 4 : end_col] != "load":
            return None
        edit = Edit(end_line, end_col - 4, end_line, end_col, "safe_load")
        return Fix("Use `yaml.safe_load`", (edit,))
    if isinstance(func, ast.Name) and aliases.get(func.id) == "yaml.load":
        replacement = next(
            (name for name, target in aliases.items() if target == "yaml.safe_load"),
            None,
        )
        if replacement is None:
            module = next((n for n, t in aliases.items() if t == "yaml"), None)
            if module is None:
                return None
            replacement = f"{module}.safe_load"
        (line, col), (end_line, end_col) = source.start(func), source.end(func)
        edit = Edit(line, col, end_line, end_col, replacement)
        return Fix(f"Use `{replacement}`", (edit,))
    return None


def _imports_yaml_as(tree: ast.Module, name: str) -> bool:
    return any(
        isinstance(node, ast.Import)
        and any(a.name == "yaml" and (a.asname or "yaml") == name for a in node.names)
        for node in ast.walk(tree)
    )


# ---- BG312 ------------------------------------------------------------------------


def _is_format_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    )


def _is_percent(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    )


def _simple_string(
    source: SourceFile, node: ast.Constant
) -> Optional[Tuple[str, str, str]]:
    # (f-string prefix, quote, body) of a one-token, one-line, non-triple string
    if node.lineno != node.end_lineno:
        return None
    tokens = [t for t in source.tokens(node) if t.type not in _TRIVIA]
    if len(tokens) != 1 or tokens[0].type != tokenize.STRING:
        return None
    match = _STRING_RE.match(tokens[0].string)
    if match is None:
        return None
    prefix, quote, body = match.groups()
    if len(quote) == 3 or prefix.lower() not in ("", "u", "r"):
        return None
    raw = prefix.lower() == "r"
    if not raw and _CODE_ESCAPE_RE.search(body):  # "\x7b" is a brace, "\x25" a %
        return None
    return ("rf" if raw else "f"), quote, body


_TRIVIA = frozenset(
    {tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.COMMENT}
)


def _is_plain_reference(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _braces(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")


def _format_to_fstring(call: ast.Call, body: str) -> Optional[str]:
    if any(isinstance(a, ast.Starred) for a in call.args):
        return None
    if any(k.arg is None for k in call.keywords):
        return None
    values = list(call.args) + [k.value for k in call.keywords]
    if not all(_is_plain_reference(v) for v in values):
        return None
    keywords = {k.arg: k.value for k in call.keywords}
    uses: Dict[int, int] = {}
    auto = manual = False
    next_index = 0
    parts: List[str] = []
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError:
        return None
    for literal, field, spec, conversion in parsed:
        parts.append(_braces(literal))
        if field is None:
            continue
        head, dot, rest = field.partition(".")
        if "[" in field or (dot and not all(p.isidentifier() for p in rest.split("."))):
            return None
        if spec and any(c in spec for c in "{}'\"\\"):
            return None
        if head == "":
            auto = True
            index: object = next_index
            next_index += 1
        elif head.isdigit():
            manual = True
            index = int(head)
        elif head.isidentifier():
            index = head
        else:
            return None
        if auto and manual:
            return None
        if isinstance(index, int):
            if index >= len(call.args):
                return None
            value = call.args[index]
            key = index
        else:
            if index not in keywords:
                return None
            value = keywords[index]
            key = len(call.args) + list(keywords).index(index)
        uses[key] = uses.get(key, 0) + 1
        expression = ast.unparse(value) + (dot + rest if dot else "")
        text = expression
        if conversion:
            if conversion not in "rsa":
                return None
            text += f"!{conversion}"
        if spec:
            text += f":{spec}"
        parts.append(f"{{{text}}}")
    for key, value in enumerate(values):
        count = uses.get(key, 0)
        if count == 0 or (count > 1 and isinstance(value, ast.Attribute)):
            return None
    return "".join(parts)


def _percent_to_fstring(node: ast.BinOp, body: str) -> Optional[str]:
    right = node.right
    if not isinstance(right, ast.Tuple) or not right.elts:
        return None
    if not all(_is_plain_reference(e) for e in right.elts):
        return None
    parts: List[str] = []
    position = 0
    values = iter(right.elts)
    used = 0
    for match in _PERCENT_RE.finditer(body):
        parts.append(_braces(body[position : match.start()]))
        position = match.end()
        kind = match.group(1)
        if kind == "%":
            parts.append("%")
            continue
        if kind not in _PERCENT_CONVERSIONS:
            return None
        value = next(values, None)
        if value is None:
            return None
        used += 1
        parts.append(f"{{{ast.unparse(value)}{_PERCENT_CONVERSIONS[kind]}}}")
    if body.count("%") != sum(
        2 if m.group(1) == "%" else 1 for m in _PERCENT_RE.finditer(body)
    ):
        return None  # a trailing lone '%'
    if used != len(right.elts):
        return None
    parts.append(_braces(body[position:]))
    return "".join(parts)


def _fix_bg312(source: SourceFile, finding: Finding) -> Optional[Fix]:
    node = source.find(finding, lambda n: _is_format_call(n) or _is_percent(n))
    if node is None or node.lineno != node.end_lineno:  # type: ignore[attr-defined]
        return None
    if isinstance(node, ast.Call):
        literal = node.func.value  # type: ignore[attr-defined]
    else:
        literal = node.left  # type: ignore[attr-defined]
    parts = _simple_string(source, literal)
    if parts is None:
        return None
    prefix, quote, body = parts
    if isinstance(node, ast.Call):
        new_body = _format_to_fstring(node, body)
    else:
        new_body = _percent_to_fstring(node, body)  # type: ignore[arg-type]
    if new_body is None:
        return None
    replacement = f"{prefix}{quote}{new_body}{quote}"
    try:
        ast.parse(replacement, mode="eval")
    except SyntaxError:
        return None
    (line, col), (end_line, end_col) = source.start(node), source.end(node)
    return Fix("Use an f-string", (Edit(line, col, end_line, end_col, replacement),))


FIXERS: Dict[str, Callable[[SourceFile, Finding], Optional[Fix]]] = {
    "BG101": _fix_bg101,
    "BG102": _fix_bg102,
    "BG204": _fix_bg204,
    "BG312": _fix_bg312,
}


def fix_for(source: SourceFile, finding: Finding) -> Optional[Fix]:
    """Return a safe fix for a finding, or None when there is none.

    Args:
        source: The file the finding is in.
        finding: The finding (engine positions: 1-based line, byte column).

    Returns:
        The fix, or None (also when the fixer fails on an unexpected shape).
    """
    fixer = FIXERS.get(finding.code)
    if fixer is None:
        return None
    try:
        return fixer(source, finding)
    except Exception:  # a fixer must never break a run; no fix then
        _LOG.debug(
            "no fix for %s at line %s", finding.code, finding.line, exc_info=True
        )
        return None


def _offset(starts: Sequence[int], line: int, col: int) -> int:
    return starts[line - 1] + col if line - 1 < len(starts) else starts[-1]


def _apply(text: str, fixes: Sequence[Fix]) -> str:
    lines = split_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    edits = sorted(
        (e for fix in fixes for e in fix.edits if e.filename is None),
        key=lambda e: (e.line, e.col),
        reverse=True,
    )
    for edit in edits:
        begin = _offset(starts, edit.line, edit.col)
        stop = _offset(starts, edit.end_line, edit.end_col)
        text = text[:begin] + edit.content + text[stop:]
    return text


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def apply_fixes(text: str, fixes: Sequence[Fix]) -> Tuple[str, List[Fix]]:
    """Apply fixes to a file's text, dropping overlaps and fixes that break it.

    Fixes are applied in position order; a fix whose edits overlap an earlier
    accepted fix is left for the next round. The result must parse: if it does
    not, the fixes are tried one by one and only those that keep it parseable
    are kept.

    Args:
        text: The file's text.
        fixes: Candidate fixes (edits with a ``filename`` are not applied here).

    Returns:
        The new text and the fixes that were applied.
    """
    accepted: List[Fix] = []
    spans: List[Tuple[Tuple[int, int], Tuple[int, int]]] = []
    seen = set()
    ordered = sorted(
        fixes, key=lambda f: min(((e.line, e.col) for e in f.edits), default=(0, 0))
    )
    for fix in ordered:
        local = [e for e in fix.edits if e.filename is None]
        key = tuple(local)
        if not local or key in seen:
            continue
        own = [((e.line, e.col), (e.end_line, e.end_col)) for e in local]
        if any(a[0] < b[1] and b[0] < a[1] or a[0] == b[0] for a in own for b in spans):
            continue
        seen.add(key)
        spans.extend(own)
        accepted.append(fix)
    if not accepted:
        return text, []
    result = _apply(text, accepted)
    if _parses(result):
        return result, accepted
    kept: List[Fix] = []
    for fix in accepted:
        candidate = _apply(text, kept + [fix])
        if _parses(candidate):
            kept.append(fix)
    return _apply(text, kept), kept


def created_files(fixes: Iterable[Fix]) -> List[str]:
    """Return the files the fixes create (edits naming another file), deduplicated.

    Args:
        fixes: Fixes of any files.

    Returns:
        The paths, in first-seen order.
    """
    result: List[str] = []
    for fix in fixes:
        for edit in fix.edits:
            if edit.filename is not None and edit.filename not in result:
                result.append(edit.filename)
    return result
