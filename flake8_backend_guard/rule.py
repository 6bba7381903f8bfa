"""Rule declarations and the registry of all rules.

Every rule module declares exactly one :class:`Rule`. The declaration is the single
source of the rule's code, name, message, hint, documentation, severity, CWE,
overlaps and examples; the docs, the ``rule`` command, SARIF metadata and the README
table are generated from it.
"""

from __future__ import annotations

import ast
import keyword
import re
import string
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Type,
    Union,
)

CODE_RE = re.compile(r"^BG[1-3][0-9]{2}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
FAMILIES = {"1": "imports", "2": "security", "3": "style"}
SEVERITIES = ("error", "warning")

Handler = Callable[[Any, Any], Optional[Iterable["Finding"]]]

#: Node types a handler may be keyed on, and the name each is keyed by: the
#: callee of a call (its last dotted part as written, and for an imported name
#: also the last part of what it was imported as), a name's ``id``, an
#: attribute's ``attr``, a keyword argument's ``arg``, and the name an assignment
#: binds (``x = ...``, ``obj.x = ...``, ``x: T = ...``: ``x``; for an imported
#: name also the last part of what it was imported as). An assignment
#: with several targets or a target of another shape (``a, b = ...``,
#: ``d["k"] = ...``) has no single name: every keyed handler sees it.
KEYED_TYPES = (
    ast.Call,
    ast.Name,
    ast.Attribute,
    ast.keyword,
    ast.Assign,
    ast.AnnAssign,
)

#: A ``names=`` predicate: called with a node's name and the run's options, True
#: when the handler may report something for a node of that name. It must be a
#: pure function of its arguments (the engine memoises its answers).
NamePredicate = Callable[[str, Any], bool]
HandlerKeys = Union[FrozenSet[str], NamePredicate]


class Finding(NamedTuple):
    """One problem found in a file (1-based line, 0-based column).

    A named tuple: immutable, and cheap to build (rules build one per finding,
    tens of thousands on a large untyped codebase).
    """

    line: int
    col: int
    code: str
    message: str
    end_line: Optional[int] = None
    end_col: Optional[int] = None

    @property
    def text(self) -> str:
        """Return the flake8 text: code followed by the message."""
        return f"{self.code} {self.message}"


# ``Finding(...)`` without the named tuple's Python-level ``__new__`` (rules build
# one per finding: 59k over the stdlib).
_new_tuple = tuple.__new__


def _compile_template(template: str) -> Callable[..., str]:
    """Return a function rendering ``template`` from keyword arguments.

    ``template.format(**fields)`` parses the template on every call; the function
    returned is an f-string over the template's fields (its literal text held in
    variables, so no text needs escaping), several times cheaper. Fields that are
    not plain names (``{0}``, ``{a.b}``, nested specs) keep ``str.format``.
    Keyword arguments the template does not use are accepted and ignored, as
    ``str.format`` does; a missing one raises TypeError (``str.format``:
    KeyError).

    Args:
        template: A ``str.format`` template.

    Returns:
        The renderer.
    """
    namespace: Dict[str, Any] = {}
    parts: List[str] = []
    names: List[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return template.format
    for index, (literal, name, spec, conversion) in enumerate(parsed):
        if literal:
            namespace[f"_l{index}"] = literal
            parts.append(f"{{_l{index}}}")
        if name is None:
            continue
        if (
            not name.isidentifier()
            or keyword.iskeyword(name)
            or name.startswith("_")
            or "{" in (spec or "")
            or (conversion or "s") not in "rsa"
        ):
            return template.format
        names.append(name)
        field_code = name + (f"!{conversion}" if conversion else "")
        field_code += f":{spec}" if spec else ""
        parts.append("{" + field_code + "}")
    arguments = "".join(f"{name}, " for name in sorted(set(names)))
    source = (
        f"def render({'*, ' if arguments else ''}{arguments}**_unused):\n"
        f"    return f{''.join(parts)!r}\n"
    )
    try:
        exec(compile(source, "<message template>", "exec"), namespace)
    except SyntaxError:  # a spec an f-string does not take as written
        return template.format
    return namespace["render"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Example:
    """A bad or good code example; ``path`` places it in a temporary tree."""

    code: str
    path: str = "example.py"
    files: Tuple[Tuple[str, str], ...] = ()


class RuleDeclarationError(ValueError):
    """A rule declaration is inconsistent."""


@dataclass
class Rule:
    """The one declaration of a rule.

    ``message`` says what is wrong and ``hint`` what to do instead; both are
    ``str.format`` templates filled with the keyword arguments given to
    :meth:`finding`.

    ``requires`` lists words of which at least one must occur in a file's source
    for the rule to be able to report anything there (an import of the module it
    looks for, the attribute it matches); the engine does not run the rule on
    files that contain none of them. Empty means the rule runs on every file. A
    word made of ASCII letters, digits and underscores matches case-insensitively
    anywhere inside a word of the source (``"assw"`` matches ``DB_PASSWORD``); any
    other word (``".py"``, ``"@"``) must occur in the text exactly as written.
    """

    code: str
    name: str
    message: str
    hint: str
    rationale: str
    bad: Example
    good: Example
    severity: str = "warning"
    cwe: Optional[int] = None
    fixable: bool = False
    overlaps: Tuple[str, ...] = ()
    options: Tuple[str, ...] = ()
    references: Tuple[str, ...] = ()
    requires: Tuple[str, ...] = ()
    handlers: Dict[Type[ast.AST], List[Handler]] = field(default_factory=dict)
    leave_handlers: Dict[Type[ast.AST], List[Handler]] = field(default_factory=dict)
    handler_keys: Dict[Tuple[Type[ast.AST], Handler], HandlerKeys] = field(
        default_factory=dict
    )
    handler_keywords: Dict[Tuple[Type[ast.AST], Handler], HandlerKeys] = field(
        default_factory=dict
    )
    # "message; hint": the template of every finding's text
    _template: str = field(default="", init=False, repr=False, compare=False)
    # the template compiled into a function (see ``_compile_template``)
    _render: Callable[..., str] = field(
        default=str.format, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Validate the declaration and register the rule.

        Raises:
            RuleDeclarationError: When a field is invalid (code, name, severity,
                empty texts, missing CWE, examples, unknown options) or the code is
                already registered.
        """
        problems = []
        if not CODE_RE.match(self.code):
            problems.append("code must look like BG1xx/BG2xx/BG3xx")
        if not NAME_RE.match(self.name):
            problems.append("name must be kebab-case")
        if self.severity not in SEVERITIES:
            problems.append(f"severity must be one of {SEVERITIES}")
        for attr in ("message", "hint", "rationale"):
            if not getattr(self, attr).strip():
                problems.append(f"{attr} must not be empty")
        if self.code.startswith("BG2") and self.cwe is None:
            problems.append("security rules declare a CWE id")
        if not isinstance(self.bad, Example) or not isinstance(self.good, Example):
            problems.append("bad and good must be Example instances")
        from .options import SCHEMA  # the schema has no rule imports

        for opt in self.options:
            if opt not in SCHEMA:
                problems.append(f"unknown option {opt!r}")
        if isinstance(self.requires, str) or not all(
            isinstance(word, str) and word for word in self.requires
        ):
            problems.append("requires must be a tuple of non-empty strings")
        if problems:
            raise RuleDeclarationError(f"{self.code}: " + "; ".join(problems))
        if self.code in REGISTRY:
            raise RuleDeclarationError(f"{self.code} is declared twice")
        self._template = f"{self.message}; {self.hint}"
        self._render = _compile_template(self._template)
        REGISTRY[self.code] = self

    @property
    def family(self) -> str:
        """Return the family name (imports, security, style)."""
        return FAMILIES[self.code[2]]

    @property
    def url(self) -> str:
        """Return the documentation URL of the rule."""
        return f"{DOCS_BASE_URL}/{self.code}.md"

    def on(
        self,
        *node_types: Type[ast.AST],
        names: Union[Iterable[str], NamePredicate, None] = None,
        keywords: Union[Iterable[str], NamePredicate, None] = None,
    ) -> Callable[[Handler], Handler]:
        """Register a handler called when the walk enters a node of these types.

        Args:
            *node_types: The AST node classes the handler is dispatched for.
            names: Only call the handler for nodes with one of these names (see
                :data:`KEYED_TYPES`: a call's callee name, a name's id, an
                attribute's attr, a keyword's arg, the name an assignment binds),
                or with a name this :data:`NamePredicate` accepts; None calls it
                for every node.
            keywords: ``ast.Call`` only: also call the handler for calls passing
                a keyword argument of one of these names (or that this predicate
                accepts). With ``keywords`` and no ``names``, the handler sees only
                calls with such a keyword argument.

        Returns:
            A decorator that registers the handler and returns it unchanged.
        """
        return self._register(self.handlers, node_types, names, keywords)

    def on_leave(
        self,
        *node_types: Type[ast.AST],
        names: Union[Iterable[str], NamePredicate, None] = None,
        keywords: Union[Iterable[str], NamePredicate, None] = None,
    ) -> Callable[[Handler], Handler]:
        """Register a handler called when the walk leaves a node of these types.

        Args:
            *node_types: The AST node classes the handler is dispatched for.
            names: As for :meth:`on`.
            keywords: As for :meth:`on`.

        Returns:
            A decorator that registers the handler and returns it unchanged.
        """
        return self._register(self.leave_handlers, node_types, names, keywords)

    def _keys(
        self, what: str, names: Union[Iterable[str], NamePredicate, None]
    ) -> Optional[HandlerKeys]:
        # A ``names=``/``keywords=`` argument as stored: None, a predicate or a set.
        if names is None:
            return None
        if isinstance(names, str):
            raise RuleDeclarationError(f"{self.code}: {what} must not be a string")
        return names if callable(names) else frozenset(names)

    def _register(
        self,
        table: Dict[Type[ast.AST], List[Handler]],
        node_types: Tuple[Type[ast.AST], ...],
        names: Union[Iterable[str], NamePredicate, None],
        keywords: Union[Iterable[str], NamePredicate, None] = None,
    ) -> Callable[[Handler], Handler]:
        keys = self._keys("names", names)
        keyword_keys = self._keys("keywords", keywords)
        for node_type in node_types:
            if keys is not None and node_type not in KEYED_TYPES:
                raise RuleDeclarationError(
                    f"{self.code}: {node_type.__name__} nodes have no name to "
                    "dispatch on"
                )
            if keyword_keys is not None and node_type is not ast.Call:
                raise RuleDeclarationError(
                    f"{self.code}: only calls can be keyed on keyword arguments"
                )

        def decorator(func: Handler) -> Handler:
            for node_type in node_types:
                table.setdefault(node_type, []).append(func)
                if keys is not None:
                    self.handler_keys[(node_type, func)] = keys
                if keyword_keys is not None:
                    self.handler_keywords[(node_type, func)] = keyword_keys
            return func

        return decorator

    def render(self, **fields: Any) -> str:
        """Return the full message text: what is wrong, then what to do.

        Args:
            **fields: Values filling the ``message`` and ``hint`` templates.

        Returns:
            The formatted message and hint, joined by ``"; "``.
        """
        return self._render(**fields)

    def finding(self, node: Any, **fields: Any) -> Finding:
        """Return a finding located at ``node`` (an AST node with a position).

        Args:
            node: The AST node whose start and end positions locate the finding;
                missing positions default to line 1, column 0.
            **fields: Values filling the ``message`` and ``hint`` templates.

        Returns:
            The finding of this rule, with the rendered message.
        """
        message = self._render(**fields)
        try:
            return _new_tuple(
                Finding,
                (
                    node.lineno,
                    node.col_offset,
                    self.code,
                    message,
                    node.end_lineno,
                    node.end_col_offset,
                ),
            )
        except AttributeError:  # a node without (some) positions
            return Finding(
                getattr(node, "lineno", 1),
                getattr(node, "col_offset", 0),
                self.code,
                message,
                getattr(node, "end_lineno", None),
                getattr(node, "end_col_offset", None),
            )

    def finding_at(self, line: int, col: int = 0, **fields: Any) -> Finding:
        """Return a finding at an explicit position (1-based line, 0-based col).

        Args:
            line: The 1-based line of the finding.
            col: The 0-based column of the finding.
            **fields: Values filling the ``message`` and ``hint`` templates.

        Returns:
            The finding of this rule, with the rendered message and no end position.
        """
        return Finding(line, col, self.code, self.render(**fields))


DOCS_BASE_URL = (
    "https://github.com/flake8-backend-guard/flake8-backend-guard/blob/main/docs/rules"
)

REGISTRY: Dict[str, Rule] = {}

INTERNAL_ERROR_CODE = "BG000"


def all_rules() -> List[Rule]:
    """Return every declared rule, sorted by code (loads the rule modules).

    Returns:
        The registered rules, ordered by their code.
    """
    from . import rules  # noqa: F401  (importing registers the rules)

    return [REGISTRY[code] for code in sorted(REGISTRY)]


def get_rule(code: str) -> Optional[Rule]:
    """Return the rule declared for ``code``, or None.

    Args:
        code: A rule code such as ``BG101`` (case-insensitive).

    Returns:
        The declared rule, or None when no rule has that code.
    """
    all_rules()
    return REGISTRY.get(code.upper())
