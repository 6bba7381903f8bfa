"""Docstrings and the function facts BG302 to BG305 judge them against.

Parses Google (default), NumPy and Sphinx docstrings (option ``bg-docstring-style``)
into the sections the rules need: documented parameters, ``Returns``/``Yields``
presence and the exception names under ``Raises``. It also collects, once per
function, what the function's own body does (returns a value, yields, raises which
exceptions by name), leaving nested functions and classes to themselves: from its
statements, and expressions only where the source text holds the keyword. Every
fact is cached on the :class:`~..context.FileContext`, so the rules share one
parse. Rules that see every ``return``, ``yield`` and ``raise`` as the walk meets
them collect the same facts with :func:`add_return`, :func:`add_yield`,
:func:`yield_owner`, :func:`raise_site` and :func:`escaping_raises` instead.

Decisions where RULES.md is silent (documented in the rule declarations too):

- Google: ``Args:``, ``Arguments:``, ``Parameters:``, ``Params:`` list parameters;
  ``Keyword Args:``, ``Keyword Arguments:``, ``Other Parameters:`` (and friends)
  list parameters as well and, when non-empty, also document ``**kwargs``.
  ``Returns:``/``Return:``, ``Yields:``/``Yield:``, ``Raises:``/``Raise:``.
- NumPy: underlined ``Parameters``, ``Other Parameters``, ``Returns``, ``Yields``,
  ``Raises`` sections. Sphinx: ``:param x:`` (``:parameter:``, ``:arg:``,
  ``:argument:``, ``:key:``, ``:keyword:``), ``:returns:``/``:return:``/``:rtype:``,
  ``:yields:``/``:yield:``/``:ytype:``, ``:raises X:``/``:raise X:``/``:except X:``.
- ``*args`` may be written ``*args``, ``\\*args`` or ``args``.
- The style is the configured one only: a Sphinx ``:param x:`` does not document
  ``x`` in a project configured for Google style.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple
from typing import Union

from ..context import FUNCTION_CLASSES, FUNCTION_TYPES, SCOPE_TYPES, FileContext
from .structure import (
    all_statements,
    class_defs,
    may_contain,
    own_statements,
    select_statements,
    source_text,
    statement_nodes,
    word_lines,
)

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
DefNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef]
_MATCH_CASE = getattr(ast, "match_case", ())  # Python 3.10+
_COMPOUND = tuple(
    cls
    for cls in vars(ast).values()
    if isinstance(cls, type)
    and issubclass(cls, ast.stmt)
    and {"body", "handlers", "cases", "finalbody"} & set(cls._fields)
)
_NESTED_FIELDS: Dict[type, Tuple[str, ...]] = {}
# The keyword ``for`` (of a comprehension): not inside a longer identifier.
_FOR_KEYWORD = re.compile(r"(?<![^\W\d])for(?!\w)")

# ---- section vocabularies -------------------------------------------------------

_GOOGLE_PARAMS = frozenset({"args", "arguments", "parameters", "params"})
_GOOGLE_KEYWORDS = frozenset(
    {
        "keyword args",
        "keyword arguments",
        "keyword parameters",
        "kwargs",
        "other args",
        "other arguments",
        "other parameters",
        "other params",
    }
)
_GOOGLE_RETURNS = frozenset({"returns", "return"})
_GOOGLE_YIELDS = frozenset({"yields", "yield"})
_GOOGLE_RAISES = frozenset({"raises", "raise", "exceptions"})
_GOOGLE_ATTRIBUTES = frozenset({"attributes", "attrs"})
_GOOGLE_KNOWN = (
    _GOOGLE_PARAMS
    | _GOOGLE_KEYWORDS
    | _GOOGLE_RETURNS
    | _GOOGLE_YIELDS
    | _GOOGLE_RAISES
    | _GOOGLE_ATTRIBUTES
)

_NUMPY_PARAMS = frozenset({"parameters", "params", "arguments", "args"})
_NUMPY_KEYWORDS = frozenset(
    {"other parameters", "keyword arguments", "keyword args", "kwargs"}
)
_NUMPY_RETURNS = frozenset({"returns", "return"})
_NUMPY_YIELDS = frozenset({"yields", "yield"})
_NUMPY_RAISES = frozenset({"raises", "raise"})
_NUMPY_ATTRIBUTES = frozenset({"attributes"})

_SPHINX_PARAMS = frozenset({"param", "parameter", "arg", "argument"})
_SPHINX_KEYWORDS = frozenset({"key", "keyword", "kwarg", "kwparam"})
_SPHINX_RETURNS = frozenset({"returns", "return", "rtype"})
_SPHINX_YIELDS = frozenset({"yields", "yield", "ytype"})
_SPHINX_RAISES = frozenset({"raises", "raise", "except", "exception", "throws"})
_SPHINX_ATTRIBUTES = frozenset({"ivar", "var", "cvar"})

_GOOGLE_HEADER_RE = re.compile(r"^([A-Za-z][A-Za-z ]*?)\s*:(.*)$")
_NUMPY_UNDERLINE_RE = re.compile(r"^\s*-{3,}\s*$")
_SPHINX_FIELD_RE = re.compile(r"^:([A-Za-z]+)((?:\s+[^:]*?)?)\s*:(.*)$")
_GOOGLE_ENTRY_RE = re.compile(
    r"^(\*{0,2}[A-Za-z_]\w*(?:\s*,\s*\*{0,2}[A-Za-z_]\w*)*)\s*(?:\(.*\))?\s*:(?:\s|$)"
)
_NUMPY_ENTRY_RE = re.compile(
    r"^(\*{0,2}[A-Za-z_]\w*(?:\s*,\s*\*{0,2}[A-Za-z_]\w*)*)\s*(?::.*)?$"
)
_DOTTED_RE = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*")
_ROLE_RE = re.compile(r":[a-z:]+:`([^`]*)`")

_PHRASES = {
    "google": {
        "args": "in an `Args:` section",
        "returns": "`Returns:` section",
        "yields": "`Yields:` section",
        "raises": "in a `Raises:` section",
    },
    "numpy": {
        "args": "in a `Parameters` section",
        "returns": "`Returns` section",
        "yields": "`Yields` section",
        "raises": "in a `Raises` section",
    },
    "sphinx": {
        "args": "with `:param name:` fields",
        "returns": "`:returns:` field",
        "yields": "`:yields:` field",
        "raises": "in `:raises Name:` fields",
    },
}


def style_phrase(style: str, key: str) -> str:
    """Return how a section is named in ``style``, for messages.

    Args:
        style: ``google``, ``numpy`` or ``sphinx``.
        key: ``args``, ``returns``, ``yields`` or ``raises``.

    Returns:
        A phrase such as ``"in an `Args:` section"`` or ``"`:returns:` field"``.
    """
    return _PHRASES.get(style, _PHRASES["google"])[key]


@dataclass(frozen=True)
class Docstring:
    """What a parsed docstring documents."""

    style: str
    params: FrozenSet[str] = frozenset()
    keyword_params: FrozenSet[str] = frozenset()
    attributes: FrozenSet[str] = frozenset()
    has_returns: bool = False
    has_yields: bool = False
    has_raises: bool = False
    raises: Tuple[str, ...] = ()

    @property
    def documented(self) -> FrozenSet[str]:
        """Return every parameter name documented in a parameter section."""
        return self.params | self.keyword_params


# ---- parsing --------------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _param_names(text: str) -> List[str]:
    # Return the normalised names of ``x, *args, \*\*kwargs`` (no stars).
    names = []
    for part in text.split(","):
        name = part.strip().lstrip("*").strip()
        if name.isidentifier():
            names.append(name)
    return names


def _exception_names(text: str) -> List[str]:
    # Return the dotted names in the exception part of a ``Raises`` entry.
    text = _ROLE_RE.sub(r"\1", text).replace("`", "").replace("~", "")
    text = text.replace("!", "")
    names = []
    for match in _DOTTED_RE.finditer(text):
        word = match.group(0)
        if word in ("or", "and"):
            continue
        names.append(word)
    return names


def _clean(text: str) -> List[str]:
    return inspect.cleandoc(text.replace("\\*", "*")).splitlines()


def _google_sections(lines: Sequence[str]) -> List[Tuple[str, str, List[str]]]:
    # Return (lower-case header, inline text, body lines) for known sections.
    sections: List[Tuple[str, str, List[str]]] = []
    i = 0
    count = len(lines)
    while i < count:
        line = lines[i]
        match = _GOOGLE_HEADER_RE.match(line.strip())
        name = match.group(1).strip().lower() if match else ""
        if not match or name not in _GOOGLE_KNOWN:
            i += 1
            continue
        indent = _indent(line)
        body: List[str] = []
        j = i + 1
        while j < count:
            current = lines[j]
            if current.strip() and _indent(current) <= indent:
                break
            body.append(current)
            j += 1
        sections.append((name, match.group(2).strip(), body))
        i = j
    return sections


def _entries(body: Sequence[str]) -> List[str]:
    # Return the stripped body lines at the body's first (entry) indentation.
    lines = [line for line in body if line.strip()]
    if not lines:
        return []
    base = _indent(lines[0])
    return [line.strip() for line in lines if _indent(line) == base]


class _Found:
    """What a docstring parser has collected so far (shared by the three styles)."""

    def __init__(self) -> None:
        """Start with nothing documented."""
        self.params: Set[str] = set()
        self.keywords: Set[str] = set()
        self.attributes: Set[str] = set()
        self.raises: List[str] = []
        self.has = {"returns": False, "yields": False, "raises": False}

    def docstring(self, style: str) -> Docstring:
        """Return the collected facts as a :class:`Docstring`.

        Args:
            style: The docstring style that was parsed.

        Returns:
            The immutable result.
        """
        return Docstring(
            style=style,
            params=frozenset(self.params),
            keyword_params=frozenset(self.keywords),
            attributes=frozenset(self.attributes),
            has_returns=self.has["returns"],
            has_yields=self.has["yields"],
            has_raises=self.has["raises"],
            raises=tuple(self.raises),
        )


def _parse_google(text: str) -> Docstring:
    found = _Found()
    params, keywords, attributes = found.params, found.keywords, found.attributes
    raises, has = found.raises, found.has
    for name, inline, body in _google_sections(_clean(text)):
        if name in _GOOGLE_RETURNS:
            has["returns"] = True
        elif name in _GOOGLE_YIELDS:
            has["yields"] = True
        elif name in _GOOGLE_RAISES:
            has["raises"] = True
            entries = _entries(body)
            if inline:
                entries.insert(0, inline)
            for entry in entries:
                # "ValueError: if ...", ":exc:`ValueError`: ...", "ValueError if ..."
                entry = _ROLE_RE.sub(r"\1", entry)
                head = entry.split(":", 1)[0] if ":" in entry else entry.split(" ")[0]
                raises.extend(_exception_names(head))
        else:
            target = (
                params
                if name in _GOOGLE_PARAMS
                else keywords if name in _GOOGLE_KEYWORDS else attributes
            )
            for entry in _entries(body):
                match = _GOOGLE_ENTRY_RE.match(entry)
                if match:
                    target.update(_param_names(match.group(1)))
    return found.docstring("google")


def _parse_numpy(text: str) -> Docstring:
    lines = _clean(text)
    headers: List[int] = [
        i
        for i in range(len(lines) - 1)
        if lines[i].strip() and _NUMPY_UNDERLINE_RE.match(lines[i + 1])
    ]
    found = _Found()
    params, keywords, attributes = found.params, found.keywords, found.attributes
    raises, has = found.raises, found.has
    for number, start in enumerate(headers):
        end = headers[number + 1] if number + 1 < len(headers) else len(lines)
        name = lines[start].strip().rstrip(":").lower()
        indent = _indent(lines[start])
        body = [
            line.strip()
            for line in lines[start + 2 : end]
            if line.strip() and _indent(line) <= indent
        ]
        if name in _NUMPY_RETURNS:
            has["returns"] = True
        elif name in _NUMPY_YIELDS:
            has["yields"] = True
        elif name in _NUMPY_RAISES:
            has["raises"] = True
            for entry in body:
                raises.extend(_exception_names(entry.split(" : ", 1)[0]))
        elif (
            name in _NUMPY_PARAMS
            or name in _NUMPY_KEYWORDS
            or name in _NUMPY_ATTRIBUTES
        ):
            target = (
                params
                if name in _NUMPY_PARAMS
                else keywords if name in _NUMPY_KEYWORDS else attributes
            )
            for entry in body:
                match = _NUMPY_ENTRY_RE.match(entry)
                if match:
                    target.update(_param_names(match.group(1)))
    return found.docstring("numpy")


def _parse_sphinx(text: str) -> Docstring:
    found = _Found()
    params, keywords, attributes = found.params, found.keywords, found.attributes
    raises, has = found.raises, found.has
    for line in _clean(text):
        match = _SPHINX_FIELD_RE.match(line.strip())
        if not match:
            continue
        kind = match.group(1).lower()
        argument = match.group(2).strip()
        if kind in _SPHINX_RETURNS:
            has["returns"] = True
        elif kind in _SPHINX_YIELDS:
            has["yields"] = True
        elif kind in _SPHINX_RAISES:
            has["raises"] = True
            names = _exception_names(argument)
            if not names:  # ":raises: ValueError if ..."
                rest = _ROLE_RE.sub(r"\1", match.group(3)).strip()
                names = _exception_names(rest.split(" ", 1)[0]) if rest else []
            raises.extend(names)
        elif kind in _SPHINX_PARAMS or kind in _SPHINX_KEYWORDS:
            words = argument.split()
            if words:
                name = words[-1].lstrip("*")
                if name.isidentifier():
                    (params if kind in _SPHINX_PARAMS else keywords).add(name)
        elif kind in _SPHINX_ATTRIBUTES:
            words = argument.split()
            if words and words[-1].isidentifier():
                attributes.add(words[-1])
    return found.docstring("sphinx")


_PARSERS = {"google": _parse_google, "numpy": _parse_numpy, "sphinx": _parse_sphinx}

# What a docstring must contain to have any section, a superset of what the
# parsers accept: a known Google header word (any case) that starts a line and is
# followed by a colon, a NumPy underline, a Sphinx field at the start of a line.
_GOOGLE_HEADER_END = re.compile(
    r"(?<!\S)(?:args|arguments|parameters|params|kwargs|returns?|yields?|raises?"
    r"|exceptions|attributes|attrs"
    r"|(?:keyword|other)[ \t](?:args|arguments|parameters|params))\Z",
    re.IGNORECASE,
)
_SPHINX_FIELD_HINT = re.compile(r"(?<!\S):[A-Za-z]")


def _may_have_sections(text: str, style: str) -> bool:
    # False only when the parser of ``style`` certainly finds no section.
    if style == "numpy":
        return "---" in text
    if style == "sphinx":
        return _SPHINX_FIELD_HINT.search(text) is not None
    colon = text.find(":")
    while colon >= 0:
        end = colon
        while end > 0 and text[end - 1].isspace():
            end -= 1  # `Returns :`
        if _GOOGLE_HEADER_END.search(text, max(0, end - 24), end):
            return True
        colon = text.find(":", colon + 1)
    return False


_NOTHING = {style: Docstring(style=style) for style in _PARSERS}


def parse_docstring(text: str, style: str = "google") -> Docstring:
    """Parse a docstring written in ``style``.

    Args:
        text: The docstring's text (raw or cleaned).
        style: ``google``, ``numpy`` or ``sphinx``; unknown styles parse as Google.

    Returns:
        What the docstring documents.
    """
    if style not in _PARSERS:
        style = "google"
    if not _may_have_sections(text, style):
        return _NOTHING[style]  # a summary and prose only (immutable, shared)
    return _PARSERS[style](text)


_EXPR = ast.Expr
_CONSTANT = ast.Constant


def docstring_text(node: ast.AST) -> Optional[str]:
    """Return the raw docstring of a module, class or def, or None.

    An empty or blank docstring counts as none.

    Args:
        node: An ``ast.Module``, ``ast.ClassDef`` or function definition.

    Returns:
        The docstring's text as written, or None when there is none.
    """
    body = getattr(node, "body", None)
    if body.__class__ is not list and not isinstance(body, list):
        return None  # a lambda's expression, or no body at all
    if not body:
        return None
    first = body[0]
    if first.__class__ is not _EXPR and not isinstance(first, _EXPR):
        return None
    value = first.value  # type: ignore[attr-defined]
    if value.__class__ is not _CONSTANT and not isinstance(value, _CONSTANT):
        return None
    text = value.value
    if isinstance(text, str) and text and not text.isspace():
        return text
    return None


def docstring(
    ctx: FileContext, node: DefNode, text: Optional[str] = None
) -> Optional[Docstring]:
    """Return the parsed docstring of ``node`` in the configured style (cached).

    Args:
        ctx: The file context (gives the style and the cache).
        node: A class or function definition.
        text: ``docstring_text(node)`` when the caller has it at hand; None to
            read it here (when not cached yet).

    Returns:
        The parsed docstring, or None when ``node`` has none.
    """

    parsed = ctx.cached(_PARSED, dict)  # id of a def or class -> its docstring
    found = parsed.get(id(node), _UNPARSED)
    if found is _UNPARSED:
        if text is None:
            text = docstring_text(node)
        if text is None:
            found = None
        else:
            found = parse_docstring(text, ctx.config.docstring_style)
        parsed[id(node)] = found
    return found  # type: ignore[no-any-return]


_PARSED = ("docstrings", "parsed")
_UNPARSED = object()


# ---- decorators -----------------------------------------------------------------


def decorator_names(ctx: FileContext, node: DefNode) -> List[str]:
    """Return the qualified names of the decorators (a call's callee).

    Args:
        ctx: The file context (resolves import aliases).
        node: A class or function definition.

    Returns:
        One dotted name per decorator that is a name chain.
    """
    names = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = ctx.qualname(target)
        if name:
            names.append(name)
    return names


def _last_parts(ctx: FileContext, node: DefNode) -> Set[str]:
    return {name.rpartition(".")[2] for name in decorator_names(ctx, node)}


def is_overload(ctx: FileContext, node: DefNode) -> bool:
    """Return True for an ``@overload`` / ``@typing.overload`` stub.

    Args:
        ctx: The file context.
        node: A function definition.

    Returns:
        Whether the function is an overload signature.
    """
    return "overload" in _last_parts(ctx, node)


def is_staticmethod(ctx: FileContext, node: DefNode) -> bool:
    """Return True for a ``@staticmethod``.

    Args:
        ctx: The file context.
        node: A function definition.

    Returns:
        Whether the function is decorated as a static method.
    """
    return "staticmethod" in _last_parts(ctx, node)


def is_property_getter(ctx: FileContext, node: DefNode) -> bool:
    """Return True for a property-like getter (``@property``, ``@cached_property``...).

    Any decorator whose last name part ends in ``property`` counts, and so does
    ``@x.getter``.

    Args:
        ctx: The file context.
        node: A function definition.

    Returns:
        Whether the function is a property getter.
    """
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "getter":
            return True
    return any(part.lower().endswith("property") for part in _last_parts(ctx, node))


_REDEFINITION_ATTRS = frozenset(
    {"setter", "deleter", "expression", "comparator", "update_expression", "overrides"}
)


def is_property_redefinition(node: DefNode) -> bool:
    """Return True for ``@name.setter``/``.deleter`` (and hybrid ``.expression``).

    Args:
        node: A function definition.

    Returns:
        Whether the def re-defines a property-like object of the same name.
    """
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in _REDEFINITION_ATTRS:
            root = target.value
            while isinstance(root, ast.Attribute):  # @x.inplace.setter
                root = root.value
            if isinstance(root, ast.Name) and root.id == node.name:
                return True
    return False


def is_abstract(ctx: FileContext, node: DefNode) -> bool:
    """Return True for an ``@abstractmethod`` (or abstract property/class method).

    Args:
        ctx: The file context.
        node: A function definition.

    Returns:
        Whether the function is declared abstract.
    """
    return any(part.startswith("abstract") for part in _last_parts(ctx, node))


def is_override(ctx: FileContext, node: DefNode) -> bool:
    """Return True for ``@override`` (typing, typing_extensions, overrides).

    Args:
        ctx: The file context.
        node: A function definition.

    Returns:
        Whether the method is marked as overriding a documented base method.
    """
    return bool(_last_parts(ctx, node) & {"override", "overrides"})


def _singledispatch_names(ctx: FileContext) -> FrozenSet[str]:
    def compute() -> FrozenSet[str]:
        names = set()
        if not ctx.may_contain("singledispatch"):
            return frozenset()  # the decorator's name (or its import) is not there
        for node in all_statements(ctx):
            if isinstance(node, FUNCTION_TYPES) and _last_parts(ctx, node) & {
                "singledispatch",
                "singledispatchmethod",
            }:
                names.add(node.name)
        return frozenset(names)

    return ctx.cached(("docstrings", "singledispatch"), compute)


def is_dispatch_registration(ctx: FileContext, node: DefNode) -> bool:
    """Return True for ``@f.register`` of a ``functools.singledispatch`` function.

    Args:
        ctx: The file context.
        node: A function definition.

    Returns:
        Whether the def is an implementation registered on a single-dispatch
        function defined in the same file.
    """
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (
            isinstance(target, ast.Attribute)
            and target.attr == "register"
            and isinstance(target.value, ast.Name)
            and target.value.id in _singledispatch_names(ctx)
        ):
            return True
    return False


# ---- parameters -----------------------------------------------------------------

_SELF_NAMES = frozenset({"self", "cls"})
_META_NAMES = frozenset({"mcs", "mcls", "metacls"})


def parameters(func: FunctionNode) -> List[ast.arg]:
    """Return every parameter of ``func`` in order (``*args``/``**kwargs`` too).

    Args:
        func: A function definition.

    Returns:
        The ``ast.arg`` nodes: positional-only, positional, ``*args``,
        keyword-only, ``**kwargs``.
    """
    args = func.args
    result = args.posonlyargs + args.args
    if args.vararg is not None:
        result.append(args.vararg)
    result.extend(args.kwonlyargs)
    if args.kwarg is not None:
        result.append(args.kwarg)
    return result


def constructor(cls: ast.ClassDef) -> Optional[FunctionNode]:
    """Return the ``__init__`` a class body defines (the last one, as at run time).

    Args:
        cls: A class definition.

    Returns:
        The last ``def __init__`` among the class body's own statements, or None.
    """
    for stmt in reversed(cls.body):
        if stmt.__class__ in FUNCTION_CLASSES:
            if stmt.name == "__init__":  # type: ignore[attr-defined]
                return stmt  # type: ignore[return-value]
    return None


def implicit_first(func: FunctionNode, in_class: bool) -> Optional[ast.arg]:
    """Return the ``self``/``cls`` parameter that needs no hint nor documentation.

    That is the first positional parameter when it is named ``self`` or ``cls``
    (also in module-level functions such as Celery ``bind=True`` tasks), or, in a
    class body, ``mcs``/``mcls``/``metacls`` (metaclasses).

    Args:
        func: A function definition.
        in_class: Whether ``func`` is defined directly in a class body.

    Returns:
        The implicit parameter, or None.
    """
    args = func.args
    positional = args.posonlyargs or args.args
    if not positional:
        return None
    first = positional[0]
    if first.arg in _SELF_NAMES or (in_class and first.arg in _META_NAMES):
        return first
    return None


def judged_parameters(func: FunctionNode, in_class: bool) -> List[ast.arg]:
    """Return the parameters a docstring must document.

    Not judged: ``self``/``cls`` (see :func:`implicit_first`), and private
    parameters whose name starts with ``_`` (``_``, ``_source``, ``*_args``).

    Args:
        func: A function definition.
        in_class: Whether ``func`` is defined directly in a class body.

    Returns:
        The parameters, in order.
    """
    skip = implicit_first(func, in_class)
    return [
        arg
        for arg in parameters(func)
        if arg is not skip and not arg.arg.startswith("_")
    ]


# ---- what a function body does -----------------------------------------------------

_STUB_EXCEPTIONS = frozenset({"NotImplementedError"})
_PROTOCOL_EXCEPTIONS = {
    "__next__": "StopIteration",
    "__anext__": "StopAsyncIteration",
}
_CATCHING_CONTEXTS = frozenset(
    {
        "raises",
        "suppress",
        "assertRaises",
        "assertRaisesRegex",
        "assertRaisesRegexp",
        "assertWarns",
    }
)


@dataclass
class BodyFacts:
    """What a function's own body does (nested defs and classes excluded)."""

    returns_value: bool = False
    is_generator: bool = False
    yields_value: bool = False
    is_stub: bool = False


def _expr_name(node: Optional[ast.AST]) -> Optional[str]:
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _class_name(exc: Optional[ast.expr]) -> Optional[str]:
    # Return the class name a ``raise`` raises by name, or None when not judged.
    #
    # ``raise X``, ``raise X(...)``, ``raise mod.X(...)`` count when the last part
    # is CapWords (a class); ``raise err`` of a variable, ``raise make_error()``
    # and ``raise self.error`` are not judged (nor, see escaping_raises, names
    # bound in the function).
    target = exc.func if isinstance(exc, ast.Call) else exc
    name = _expr_name(target)
    if not name:
        return None
    last = name.rpartition(".")[2]
    if not last[:1].isupper() or (last.isupper() and "_" in last):
        return None  # a variable (``err``) or a constant instance (``NOT_FOUND``)
    return name


def _handler_names(handler: ast.ExceptHandler) -> Optional[List[str]]:
    # Return the caught class names, or None for a bare ``except:``.
    if handler.type is None:
        return None
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = []
    for item in types:
        name = _expr_name(item)
        if name:
            names.append(name.rpartition(".")[2])
    return names


def _has_bare_raise(handler: ast.ExceptHandler) -> bool:
    # A ``raise`` is a statement: the handler's statements are enough.
    for stmt in own_statements(handler):
        if isinstance(stmt, ast.Raise) and stmt.exc is None:
            return True
    return False


def _catching_with(node: Union[ast.With, ast.AsyncWith]) -> bool:
    for item in node.items:
        expr = item.context_expr
        if isinstance(expr, ast.Call):
            name = _expr_name(expr.func) or ""
            if name.rpartition(".")[2] in _CATCHING_CONTEXTS:
                return True
    return False


def _walk_raises(
    func: FunctionNode, lines: Optional[List[int]] = None
) -> Iterator[Tuple[ast.Raise, List[List[ast.ExceptHandler]]]]:
    # Yield each own ``raise`` with the handler lists of the ``try`` bodies it is in.
    #
    # A raise under ``with pytest.raises(...)``/``suppress(...)`` is not yielded.
    # ``raise`` is a statement: only statement lists are walked, and with ``lines``
    # (those holding the word ``raise``) only the statements around them.
    stack: List[Tuple[ast.stmt, Tuple[List[ast.ExceptHandler], ...]]] = [
        (stmt, ()) for stmt in reversed(select_statements(func.body, lines))
    ]
    while stack:
        node, guards = stack.pop()
        if isinstance(node, ast.Raise):
            yield node, list(guards)
            continue
        if isinstance(node, SCOPE_TYPES):
            continue
        if isinstance(node, (ast.With, ast.AsyncWith)) and _catching_with(node):
            continue
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            handlers = list(node.handlers)  # type: ignore[attr-defined]
            rest: List[ast.stmt] = []
            for handler in handlers:
                rest.extend(select_statements(handler.body, lines))
            rest.extend(select_statements(node.orelse, lines))  # type: ignore
            rest.extend(select_statements(node.finalbody, lines))  # type: ignore
            for child in reversed(rest):
                stack.append((child, guards))
            body = select_statements(node.body, lines)  # type: ignore[attr-defined]
            for child in reversed(body):
                stack.append((child, guards + (handlers,)))
            continue
        for child in reversed(_blocks(node, lines)):
            stack.append((child, guards))


def _blocks(stmt: ast.stmt, lines: Optional[List[int]]) -> List[ast.stmt]:
    # The statements nested in ``stmt`` (if/for/while/with bodies, match cases)
    # whose lines hold one of ``lines`` (all with None).
    nested: List[ast.stmt] = []
    cls = stmt.__class__
    fields = _NESTED_FIELDS.get(cls)
    if fields is None:
        fields = tuple(f for f in cls._fields if f in ("body", "cases", "orelse"))
        _NESTED_FIELDS[cls] = fields
    for field in fields:
        items = getattr(stmt, field, None)
        if isinstance(items, list) and items:
            if isinstance(items[0], _MATCH_CASE):
                for case in items:
                    nested.extend(select_statements(case.body, lines))
            else:
                nested.extend(select_statements(items, lines))
    return nested


def _has_blocks(stmt: ast.stmt) -> bool:
    # True for a compound statement (its lines include those of its blocks).
    return stmt.__class__ in _COMPOUND or isinstance(stmt, _COMPOUND)


def _is_stub_body(func: FunctionNode) -> bool:
    # Return True when the body is only a docstring, ``pass``, ``...`` or a raise
    # of ``NotImplementedError``.
    for stmt in func.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring or ...
        if isinstance(stmt, ast.Raise):
            target = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            name = _expr_name(target) or ""
            if name.rpartition(".")[2] in _STUB_EXCEPTIONS:
                continue
        return False
    return True


def add_return(facts: BodyFacts, node: ast.Return) -> None:
    """Note a ``return`` of the function ``facts`` describe (for walk-driven rules).

    Args:
        facts: The facts being collected.
        node: A ``return`` statement of the function's own body.
    """
    if _returns_value(node):
        facts.returns_value = True


def add_yield(facts: BodyFacts, node: ast.AST) -> None:
    """Note a ``yield``/``yield from`` of the function ``facts`` describe.

    Args:
        facts: The facts being collected.
        node: A yield expression of the function's own body (see
            :func:`yield_owner`).
    """
    facts.is_generator = True
    value = node.value  # type: ignore[attr-defined]
    if node.__class__ is ast.YieldFrom or (
        value is not None
        and not (isinstance(value, ast.Constant) and value.value is None)
    ):
        facts.yields_value = True


def body_facts(ctx: FileContext, func: FunctionNode) -> BodyFacts:
    """Return what ``func``'s own body returns and yields (cached per function).

    ``return`` statements are found by walking statements only (those on lines
    holding ``return``); ``yield`` expressions only in the statements on lines
    holding ``yield``.

    Args:
        ctx: The file context (source lines and cache).
        func: A function definition.

    Returns:
        Whether it returns a value, is a generator (and yields a value), and
        whether it is a stub (only ``pass``/``...``/``raise NotImplementedError``).
    """

    def compute() -> BodyFacts:
        facts = BodyFacts(is_stub=_is_stub_body(func))
        if _returns_value(func.body[-1]) or (
            may_contain(ctx, func, "return")
            and any(
                _returns_value(stmt)
                for stmt in own_statements(func, word_lines(ctx, "return", func))
            )
        ):
            facts.returns_value = True
        if may_contain(ctx, func, "yield"):
            for stmt in own_statements(func, word_lines(ctx, "yield", func)):
                for node in statement_nodes(stmt, "body"):
                    kind = node.__class__
                    if kind is ast.Yield or kind is ast.YieldFrom:
                        facts.is_generator = True
                        value = node.value  # type: ignore[attr-defined]
                        if kind is ast.YieldFrom or (
                            value is not None
                            and not (
                                isinstance(value, ast.Constant) and value.value is None
                            )
                        ):
                            facts.yields_value = True
        return facts

    return ctx.cached(("docstrings", "body", id(func)), compute)


def _returns_value(stmt: ast.stmt) -> bool:
    # True for ``return <value>`` whose value is not a literal None.
    if stmt.__class__ is not ast.Return:
        return False
    value = stmt.value  # type: ignore[attr-defined]
    return value is not None and not (
        isinstance(value, ast.Constant) and value.value is None
    )


def raised_names(ctx: FileContext, func: FunctionNode) -> List[str]:
    """Return the exceptions ``func``'s own body raises by name and lets escape.

    ``raise X``/``raise X(...)``/``raise mod.X(...)`` count (CapWords last
    part); bare ``raise``, ``raise err`` of a local variable and factories do not.
    Raises caught by an enclosing ``try`` of the same function without
    re-raising, or under ``pytest.raises``/``suppress``, do not escape;
    ``NotImplementedError`` in abstract methods and stub bodies and
    ``StopIteration`` in ``__next__`` are protocol, not documented errors.

    Args:
        ctx: The file context (source lines, cache, file-local classes).
        func: A function definition.

    Returns:
        The dotted names as written, in order of first appearance.
    """

    def compute() -> List[str]:
        if not may_contain(ctx, func, "raise"):
            return []
        found = list(_walk_raises(func, word_lines(ctx, "raise", func)))
        return escaping_raises(ctx, func, found)

    return ctx.cached(("docstrings", "raises", id(func)), compute)


RaiseSite = Tuple[ast.Raise, List[List[ast.ExceptHandler]]]


def raise_site(
    ctx: FileContext, node: ast.Raise
) -> Optional[Tuple[ast.AST, RaiseSite]]:
    """Return the def whose own body holds a ``raise``, with the raise's guards.

    For rules that collect the raises as the walk meets them (the walk has
    linked the raise's ancestors): the same raises, in the same order, as
    :func:`raised_names` finds by itself.

    Args:
        ctx: The file context (parent links).
        node: A ``raise`` statement reached by the walk.

    Returns:
        The innermost def and ``(node, handler lists of the try bodies around
        it)``; None for a raise outside a def's own body (a class body) or under
        ``with pytest.raises(...)``/``suppress(...)``.
    """
    guards: List[List[ast.ExceptHandler]] = []
    child: ast.AST = node
    # The walk has linked every ancestor: the parent map is read directly, and
    # ctx.parent (which links nodes ahead of the walk) only asked for a miss.
    linked = ctx.parents.get
    parent = linked(node) or ctx.parent(node)
    while parent is not None:
        cls = parent.__class__
        if cls is ast.FunctionDef or cls is ast.AsyncFunctionDef:
            guards.reverse()  # outermost first, as raised_names walks them
            return parent, (node, guards)
        if cls in _BLOCK_CLASSES:
            pass  # the usual ancestors: `if`, `for`, `while` and their blocks
        elif isinstance(parent, SCOPE_TYPES):
            return None
        elif cls is ast.With or cls is ast.AsyncWith:
            if _catching_with(parent):  # type: ignore[arg-type]
                return None
        elif cls is ast.Try or cls.__name__ == "TryStar":
            if any(stmt is child for stmt in parent.body):  # type: ignore
                guards.append(list(parent.handlers))  # type: ignore[attr-defined]
        child = parent
        parent = linked(parent) or ctx.parent(parent)
    return None


# Ancestors raise_site passes without looking at them (neither scopes nor
# statements that catch).
_BLOCK_CLASSES = frozenset(
    {ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler}
)


def yield_owner(ctx: FileContext, node: ast.AST) -> Optional[ast.AST]:
    """Return the def whose own body (not a nested scope) holds a ``yield``.

    Args:
        ctx: The file context (parent links).
        node: A ``yield`` or ``yield from`` expression reached by the walk.

    Returns:
        The def, or None for a yield in a lambda, a class body or the header
        (decorators, defaults, annotations) of a def.
    """
    child: ast.AST = node
    parent = ctx.parent(node)
    while parent is not None:
        if isinstance(parent, SCOPE_TYPES):
            if isinstance(parent, FUNCTION_TYPES) and any(
                stmt is child for stmt in parent.body
            ):
                return parent
            return None
        child = parent
        parent = ctx.parent(parent)
    return None


def escaping_raises(
    ctx: FileContext,
    func: FunctionNode,
    found: Sequence[RaiseSite],
    abstract_decorated: Optional[bool] = None,
) -> List[str]:
    """Return the names raised by name in ``func`` that can escape it, in order.

    See :func:`raised_names`, which finds the raises itself.

    Args:
        ctx: The file context.
        func: A function definition.
        found: Its own raises in walk order with their guards (see
            :func:`raise_site`).
        abstract_decorated: Whether ``func`` is decorated abstract (see
            :func:`is_abstract`), when the caller judged it already; None to
            judge it here if needed.

    Returns:
        The dotted names as written, in order of first appearance.
    """
    abstract: Optional[bool] = None
    protocol = _PROTOCOL_EXCEPTIONS.get(func.name)
    raised: List[str] = []
    by_name: Dict[str, int] = {}  # how many of these raises name a plain Name
    for raise_node, _ in found:
        exc = raise_node.exc
        target = exc.func if isinstance(exc, ast.Call) else exc
        if isinstance(target, ast.Name):
            by_name[target.id] = by_name.get(target.id, 0) + 1
    for raise_node, guards in found:
        name = _class_name(raise_node.exc)
        if name is None or name in raised:
            continue
        last = name.rpartition(".")[2]
        if last == protocol:
            continue
        if last in _STUB_EXCEPTIONS:
            if abstract is None:
                abstract = _is_stub_body(func) or (
                    is_abstract(ctx, func)
                    if abstract_decorated is None
                    else abstract_decorated
                )
            if abstract:
                continue
        if any(_caught(ctx, last, handlers) for handlers in guards):
            continue
        if "." not in name and _is_local_name(ctx, func, name, by_name[name]):
            continue  # ``raise Error`` of a local variable or parameter
        raised.append(name)
    return raised


def _is_local_name(
    ctx: FileContext, func: FunctionNode, name: str, raises: int
) -> bool:
    # True when ``name`` is bound in ``func``'s own body: a parameter, a stored
    # name (also a walrus or comprehension target) or an ``except ... as`` name.
    # ``raises`` of the function's raise statements name it: a binding would be
    # one more occurrence of the word in the function's lines, and it is on a
    # line holding the name: only those statements are read.

    def compute() -> bool:
        if any(arg.arg == name for arg in parameters(func)):
            return True
        source = source_text(ctx)
        end = getattr(func, "end_lineno", None)
        body = func.body
        if docstring_text(func) is not None:
            body = body[1:]  # the docstring may name the exception too
        if source is not None and end is not None and body:
            first = body[0].lineno
            decorators = getattr(body[0], "decorator_list", None)
            if decorators:
                first = min(first, decorators[0].lineno)
            start, stop = source.span(first, end)
            if source.text.count(name, start, stop) <= raises:
                return False  # the name occurs in these raises only
        for stmt in own_statements(func, word_lines(ctx, name, func)):
            if isinstance(stmt, SCOPE_TYPES):
                continue
            end = getattr(stmt, "end_lineno", None)
            if source is not None and end is not None and not _has_blocks(stmt):
                text = source.text
                start, stop = source.span(stmt.lineno, end)
                if text.find(":=", start, stop) < 0 and (
                    text.find("for", start, stop) < 0
                    or _FOR_KEYWORD.search(text, start, stop) is None
                ):
                    # no walrus nor comprehension here: the statement's targets
                    if _target_binds(stmt, name):
                        return True
                    continue
            for node in statement_nodes(stmt, "body"):
                kind = node.__class__
                if kind is ast.Name:
                    if node.id == name and isinstance(  # type: ignore[attr-defined]
                        node.ctx, ast.Store  # type: ignore[attr-defined]
                    ):
                        return True
                elif kind is ast.ExceptHandler and node.name == name:  # type: ignore
                    return True
        return False

    return ctx.cached(("docstrings", "local", id(func), name), compute)


def _target_binds(stmt: ast.stmt, name: str) -> bool:
    # True when the targets of an assignment, loop, ``with`` or ``except`` of
    # ``stmt`` itself store ``name`` (walrus and comprehensions left out).
    cls = stmt.__class__
    if cls is ast.Assign:
        targets: List[ast.AST] = list(stmt.targets)  # type: ignore[attr-defined]
    elif cls in (ast.With, ast.AsyncWith):
        targets = [
            item.optional_vars
            for item in stmt.items  # type: ignore[attr-defined]
            if item.optional_vars is not None
        ]
    elif cls is ast.Try or cls.__name__ == "TryStar":
        return any(
            handler.name == name for handler in stmt.handlers  # type: ignore
        )
    else:
        target = getattr(stmt, "target", None)
        if target is None:
            target = getattr(stmt, "name", None)  # Python 3.12 `type X = ...`
        targets = [target] if isinstance(target, ast.AST) else []
    while targets:
        target = targets.pop()
        if target.__class__ is ast.Name:
            if target.id == name and isinstance(  # type: ignore[attr-defined]
                target.ctx, ast.Store  # type: ignore[attr-defined]
            ):
                return True
        elif isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
    return False


def _caught(ctx: FileContext, name: str, handlers: List[ast.ExceptHandler]) -> bool:
    # Return True when one of ``handlers`` catches ``name`` and does not re-raise.
    for handler in handlers:
        caught = _handler_names(handler)
        if caught is None:
            matches = True
        else:
            matches = any(is_subclass(ctx, name, parent) for parent in caught)
        if matches:
            return not _has_bare_raise(handler)
    return False


# ---- exception hierarchy ----------------------------------------------------------


def _local_bases(ctx: FileContext) -> Dict[str, List[str]]:
    def compute() -> Dict[str, List[str]]:
        bases: Dict[str, List[str]] = {}
        for name, classes in class_defs(ctx).items():
            for node in classes:
                names = [_expr_name(base) for base in node.bases]
                bases.setdefault(name, []).extend(
                    n.rpartition(".")[2] for n in names if n
                )
        return bases

    return ctx.cached(("docstrings", "class_bases"), compute)


def builtin_exception(name: str) -> Optional[type]:
    """Return the built-in exception class named ``name``, or None.

    Args:
        name: A bare name such as ``ValueError``.

    Returns:
        The class, or None when ``name`` is no built-in exception.
    """
    value = getattr(builtins, name, None)
    if isinstance(value, type) and issubclass(value, BaseException):
        return value
    return None


def is_subclass(ctx: FileContext, name: str, parent: str) -> bool:
    """Return True when exception class ``name`` is ``parent`` or derives from it.

    Names are compared by their last dotted part; builtin exceptions use the real
    hierarchy, classes defined in the file follow their written bases, and
    ``Exception`` covers every class but ``SystemExit``, ``KeyboardInterrupt``
    and ``GeneratorExit``.

    Args:
        ctx: The file context (classes defined in the file).
        name: The raised class name (last part).
        parent: The documented or caught class name (last part).

    Returns:
        Whether documenting or catching ``parent`` covers ``name``.
    """
    name = name.rpartition(".")[2]
    parent = parent.rpartition(".")[2]
    if name == parent or parent == "BaseException":
        return True
    if parent == "Exception":
        # Every exception except the few BaseException-only builtins derives from
        # Exception; an imported class whose bases are unknown is assumed to.
        builtin = builtin_exception(name)
        return builtin is None or issubclass(builtin, Exception)
    bases = _local_bases(ctx)
    seen: Set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current == parent:
            return True
        if current in seen:
            continue
        seen.add(current)
        if current in bases:
            todo.extend(bases[current])
            continue
        builtin, wanted = builtin_exception(current), builtin_exception(parent)
        if builtin is not None and wanted is not None and issubclass(builtin, wanted):
            return True
    return False


def undocumented_raises(
    ctx: FileContext, raised: Sequence[str], listed: Sequence[str]
) -> List[str]:
    """Return the raised names that no ``Raises`` entry covers.

    A raised ``errors.NotFound`` is covered by ``NotFound`` or ``errors.NotFound``
    (last parts compared) and by a documented base class (builtin hierarchy, or
    the bases of a class defined in the file).

    Args:
        ctx: The file context.
        raised: Exception names as raised (``ValueError``, ``errors.NotFound``).
        listed: The exception names listed in the docstring(s).

    Returns:
        The names not documented, in order.
    """
    documented = [entry.rpartition(".")[2] for entry in listed]
    return [
        name
        for name in raised
        if not any(is_subclass(ctx, name, entry) for entry in documented)
    ]


# ---- return annotations -----------------------------------------------------------

_NONE_RETURNS = frozenset({"None", "NoReturn", "Never"})
_ITERATOR_TYPES = frozenset(
    {
        "Iterator",
        "Iterable",
        "Generator",
        "AsyncIterator",
        "AsyncIterable",
        "AsyncGenerator",
    }
)


def _annotation_expr(annotation: Optional[ast.expr]) -> Optional[ast.expr]:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            return ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    return annotation


def returns_nothing_annotation(annotation: Optional[ast.expr]) -> bool:
    """Return True for ``-> None``, ``-> NoReturn``, ``-> Never`` (also quoted).

    Args:
        annotation: A return annotation, or None.

    Returns:
        Whether the annotation says the function returns no value.
    """
    expr = _annotation_expr(annotation)
    if isinstance(expr, ast.Constant) and expr.value is None:
        return True
    name = _expr_name(expr)
    return bool(name) and name.rpartition(".")[2] in _NONE_RETURNS


def yields_nothing_annotation(annotation: Optional[ast.expr]) -> bool:
    """Return True for ``Iterator[None]``, ``Generator[None, ...]`` and the like.

    Args:
        annotation: A return annotation of a generator, or None.

    Returns:
        Whether the annotation says the generator yields no value.
    """
    expr = _annotation_expr(annotation)
    if not isinstance(expr, ast.Subscript):
        return returns_nothing_annotation(expr)
    name = _expr_name(expr.value) or ""
    if name.rpartition(".")[2] not in _ITERATOR_TYPES:
        return False
    inner = expr.slice
    if isinstance(inner, ast.Index):  # Python 3.8
        inner = inner.value  # type: ignore[attr-defined]
    first = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
    return isinstance(first, ast.Constant) and first.value is None


def iterator_annotation(annotation: Optional[ast.expr]) -> bool:
    """Return True for ``Iterator[...]``, ``Generator[...]`` and their async kin.

    Args:
        annotation: A return annotation, or None.

    Returns:
        Whether the annotation is an iterator or generator type.
    """
    expr = _annotation_expr(annotation)
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    name = _expr_name(expr) or ""
    return name.rpartition(".")[2] in _ITERATOR_TYPES


def documented_by_annotation(arg: ast.arg) -> bool:
    """Return True for ``x: Annotated[int, Doc("...")]`` (PEP 727 documentation).

    Args:
        arg: A parameter.

    Returns:
        Whether the parameter's annotation carries a ``Doc(...)`` description.
    """
    annotation = _annotation_expr(arg.annotation)
    if not isinstance(annotation, ast.Subscript):
        return False
    if (_expr_name(annotation.value) or "").rpartition(".")[2] != "Annotated":
        return False
    inner = annotation.slice
    if isinstance(inner, ast.Index):  # Python 3.8
        inner = inner.value  # type: ignore[attr-defined]
    if not isinstance(inner, ast.Tuple):
        return False
    for meta in inner.elts[1:]:
        if isinstance(meta, ast.Call):
            if (_expr_name(meta.func) or "").rpartition(".")[2] == "Doc":
                return True
    return False
