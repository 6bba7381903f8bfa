"""FileContext: what the rules know about the file being checked.

The engine fills the parent map and the scope stack during its single walk; every
other fact (import aliases, module constants, per-function facts, the package the
file belongs to) is computed lazily, once, on first use.
"""

from __future__ import annotations

import ast
import os
import re
from typing import (
    Any,
    Callable,
    Dict,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from .options import DEFAULT_CONFIG, Config

T = TypeVar("T")
FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
ScopeNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda]
FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# The same as sets, for ``node.__class__ in ...`` on hot paths.
FUNCTION_CLASSES = frozenset(FUNCTION_TYPES)
SCOPE_CLASSES = frozenset(SCOPE_TYPES)


class FileContext:
    """Facts about one file, shared by all rules during one check."""

    def __init__(
        self,
        tree: ast.Module,
        filename: str = "<unknown>",
        lines: Optional[Sequence[str]] = None,
        config: Config = DEFAULT_CONFIG,
    ) -> None:
        """Create the context; ``filename`` may be a stdin display name.

        Args:
            tree: The parsed module being checked.
            filename: The file's path, used to find the package it belongs to.
            lines: The file's source lines; None stands for none available.
            config: The validated options the rules read.
        """
        self.tree = tree
        self.filename = filename
        self.lines: Sequence[str] = lines if lines is not None else ()
        self.config = config
        self.parents: Dict[ast.AST, ast.AST] = {}
        self.scopes: List[ScopeNode] = []
        self._cache: Dict[Any, Any] = {}
        self._aliases: Optional[Dict[str, str]] = None
        self._linked: Set[int] = set()
        self._contains: Dict[str, bool] = {}
        # The file's distinct lowercased words (see ``word_set``) and the same
        # joined for substring searches, when the engine has already computed
        # them; computed on demand otherwise.
        self.words: Optional[Set[bytes]] = None
        self.word_index: Optional[bytes] = None

    def release(self) -> None:
        """Drop the per-file facts once the file is checked.

        Some cached facts refer back to the context (a reference cycle that only
        the cyclic garbage collector could free, keeping the file's tree alive
        until it runs); the engine calls this when its walk is over.
        """
        self._cache.clear()
        self._contains.clear()
        self.parents.clear()
        self._aliases = None
        self.words = None
        self.word_index = None

    # ---- generic lazy cache -------------------------------------------------
    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """Return the value cached under ``key``, computing it once.

        Args:
            key: Any hashable key naming the fact, unique across rules.
            compute: A function called without arguments on the first request.

        Returns:
            The value ``compute`` returned the first time ``key`` was requested.
        """
        try:
            return self._cache[key]  # type: ignore[no-any-return]
        except KeyError:  # the first request (a subscript is cheaper than .get)
            value = self._cache[key] = compute()
            return value

    def nodes(self, node_type: Type[T]) -> List[T]:
        """Return every node of exactly ``node_type`` in the tree, in walk order.

        The index of all node types is built by one walk on first use and shared by
        all rules; the returned list must not be modified.

        Args:
            node_type: An AST class such as ``ast.ClassDef`` (subclasses excluded;
                expression contexts and operators are not indexed).

        Returns:
            The nodes of that type in ``ast.walk`` order (empty when none).
        """
        index = self._cache.get(("context", "node-index"))
        if index is None:
            index = {}
            for node in walk_nodes(self.tree):
                bucket = index.get(node.__class__)
                if bucket is None:
                    index[node.__class__] = [node]
                else:
                    bucket.append(node)
            self._cache[("context", "node-index")] = index
        return index.get(node_type, [])

    # ---- tree navigation -------------------------------------------------------
    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        """Return the parent of ``node`` (nodes already reached by the walk).

        Args:
            node: A node of the checked tree.

        Returns:
            The node's parent, or None for the module.
        """
        parent = self.parents.get(node)
        if parent is None and node is not self.tree:
            self._link_ahead(node)
            parent = self.parents.get(node)
        return parent

    def _link_ahead(self, node: ast.AST) -> None:
        """Link the parents of the scopes being walked, for nodes not reached yet.

        The walk records a node's children when it enters the node; a rule that
        looks at deeper nodes ahead of the walk (the arguments of an argument) gets
        them linked here, once per enclosing scope, innermost first.

        Args:
            node: A node whose parent is not known yet.
        """
        candidates: List[ast.AST] = list(reversed(self.scopes))
        candidates.append(self.tree)
        for scope in candidates:
            if id(scope) in self._linked:
                continue
            self._linked.add(id(scope))
            link_parents(scope, self.parents)
            if node in self.parents:
                return

    def ancestors(self, node: ast.AST) -> List[ast.AST]:
        """Return the ancestors of ``node``, innermost first.

        Args:
            node: A node of the checked tree already reached by the walk.

        Returns:
            The chain of parents from the direct parent up to the module.
        """
        result = []
        current = self.parent(node)
        while current is not None:
            result.append(current)
            current = self.parent(current)
        return result

    @property
    def function(self) -> Optional[FunctionNode]:
        """Return the innermost enclosing def (not lambda) at the walk position."""
        for scope in reversed(self.scopes):
            if isinstance(scope, FUNCTION_TYPES):
                return scope
        return None

    @property
    def class_(self) -> Optional[ast.ClassDef]:
        """Return the class directly enclosing the walk position, if any."""
        if self.scopes and isinstance(self.scopes[-1], ast.ClassDef):
            return self.scopes[-1]
        return None

    @property
    def at_module_level(self) -> bool:
        """Return True when the walk is outside every def, lambda and class."""
        return not self.scopes

    def enclosing_function(self, node: ast.AST) -> Optional[FunctionNode]:
        """Return the innermost def that contains ``node`` (via the parent map).

        Args:
            node: A node of the checked tree already reached by the walk.

        Returns:
            The closest enclosing function or async function definition (lambdas
            and classes are skipped), or None at module level.
        """
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, FUNCTION_TYPES):
                return ancestor
        return None

    # ---- file facts ---------------------------------------------------------------
    @property
    def text(self) -> Optional[str]:
        """Return the file's source text, or None when the lines were not given.

        Rules use it for cheap substring pre-checks before walking the tree.
        """
        if not self.lines:
            return None
        return self.cached("text", lambda: "".join(self.lines))

    def may_contain(self, word: str) -> bool:
        """Return False only when ``word`` certainly does not occur in the source.

        Args:
            word: A substring such as ``"global"``.

        Returns:
            True when the source contains ``word`` or is unknown (each word is
            searched once per file; when the engine has built the word index, a
            word with a run of ASCII word characters in none of the file's words
            is known absent without searching the text).
        """
        found = self._contains.get(word)
        if found is None:
            text = self.text
            index = self.word_index
            if text is None:
                found = True
            elif index is not None and not all(
                run.lower().encode("ascii") in index
                for run in _WORD_RUNS.findall(word)
            ):
                found = False  # a run of its word characters is in no word
            else:
                found = word in text
            self._contains[word] = found
        return found

    def may_contain_word_part(self, *parts: str) -> bool:
        """Return False only when no word of the source contains one of ``parts``.

        Case-insensitive: each part (ASCII letters, digits, underscores, in lower
        case) is searched in the file's word index, a fraction of its text.

        Args:
            *parts: Lower-case word parts such as ``"akia"`` or ``"ghp_"``.

        Returns:
            True when a word of the source contains one of them, or the source is
            unknown.
        """
        index = self.word_index
        if index is None:
            text = self.text
            if text is None:
                return True
            if self.words is None:
                self.words = word_set(text)
            index = self.word_index = b" ".join(self.words)
        return any(part.encode("ascii") in index for part in parts)

    @property
    def basename(self) -> str:
        """Return the file's base name (``settings.py``)."""
        return os.path.basename(self.filename)

    @property
    def package(self) -> Any:
        """Return the :class:`~.project.ModuleInfo` of the file (cached)."""
        from .project import module_info

        return self.cached(
            "package",
            lambda: module_info(self.filename, self.config.namespace_packages),
        )

    # ---- names and imports --------------------------------------------------------
    @property
    def module_statements(self) -> List[ast.stmt]:
        """Return :func:`module_level_statements` of the file (computed once).

        The list is shared: callers must not change it.
        """
        return self.cached(
            ("context", "module-statements"),
            lambda: _module_level_statements(self.tree.body),
        )

    @property
    def aliases(self) -> Dict[str, str]:
        """Return local name -> qualified name for the imports seen so far.

        Module-level imports (also inside ``if``/``try``/``with`` blocks) are known
        from the start; imports inside functions are added as the walk reaches them.
        """
        if self._aliases is None:
            self._aliases = {}
            for stmt in self.module_statements:
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    self.add_import(stmt)
        return self._aliases

    def add_import(self, node: Union[ast.Import, ast.ImportFrom]) -> None:
        """Record the names bound by an import statement.

        Args:
            node: The ``import`` or ``from ... import`` statement; relative modules
                keep their leading dots and ``*`` imports bind nothing.
        """
        aliases = self._aliases if self._aliases is not None else self.aliases
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    aliases[top] = top
            return
        module = "." * (node.level or 0) + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            if module.endswith("."):
                qualified = module + alias.name
            else:
                qualified = f"{module}.{alias.name}"
            aliases[alias.asname or alias.name] = qualified

    def qualname(self, node: ast.AST) -> Optional[str]:
        """Return the dotted name of a Name/Attribute chain through import aliases.

        ``sp.run`` -> ``subprocess.run`` after ``import subprocess as sp``; a name
        that was not imported is returned as written (``cursor.execute``).

        Args:
            node: The expression to name, typically a call's ``func``.

        Returns:
            The qualified dotted name, or None for anything that is not a plain name
            chain (a call, subscript or literal at its root).
        """
        return dotted_name(node, self.aliases)

    def call_name(self, call: ast.AST) -> Optional[str]:
        """Return the qualified name of the function a Call calls, if it is a name.

        Args:
            call: The node to inspect; anything but an ``ast.Call`` gives None.

        Returns:
            The callee's qualified dotted name (see :meth:`qualname`), or None.
        """
        if isinstance(call, ast.Call):
            return self.qualname(call.func)
        return None

    def is_imported(self, name: str) -> bool:
        """Return True when local ``name`` is bound by an import.

        Args:
            name: A local name as written in the code (``sp``, ``json``).

        Returns:
            Whether an import seen so far binds that name.
        """
        return name in self.aliases

    # ---- module constants -----------------------------------------------------------
    @property
    def module_constants(self) -> Dict[str, ast.expr]:
        """Return module-level names bound exactly once, mapped to their value."""
        return self.cached(
            "module_constants", lambda: _module_constants(self.module_statements)
        )


# Fields that never hold a node, whatever the class (identifiers, numbers, kinds).
_NON_NODE_FIELDS = frozenset(
    {
        "id",
        "attr",
        "name",
        "arg",
        "asname",
        "module",
        "level",
        "kind",
        "type_comment",
        "conversion",
        "is_async",
        "tag",
        "rest",
        "kwd_attrs",
    }
)
#: Fields that only ever hold leaf singletons (expression contexts, operators).
SINGLETON_FIELDS = frozenset({"ctx", "op", "ops"})
#: Classes whose remaining fields hold no node either.
NO_CHILD_CLASSES = frozenset({ast.Constant, ast.Global, ast.Nonlocal})
_FIELDS: Dict[Tuple[type, bool], Tuple[str, ...]] = {}


# Runs of ASCII word characters in a searched word (see ``may_contain``).
_WORD_RUNS = re.compile(r"[A-Za-z0-9_]+")
WORD_CHARS = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
)
# Maps each byte to itself lowercased when it is an ASCII word character, else to a
# space (UTF-8 bytes of other characters included).
_FOLD_WORDS = bytes(
    (byte | 0x20 if 0x41 <= byte <= 0x5A else byte) if byte in WORD_CHARS else 0x20
    for byte in range(256)
)


def word_set(text: str) -> Set[bytes]:
    """Return the distinct ASCII words of ``text``, lowercased.

    A word is a maximal run of ASCII letters, digits and underscores, so an
    identifier (or a part of one) made of such characters occurs in ``text``,
    case-insensitively, exactly when it occurs in one of the words.

    Args:
        text: A file's source.

    Returns:
        The words, as bytes.
    """
    folded = text.encode("utf-8", "surrogatepass").translate(_FOLD_WORDS)
    return set(folded.split())


def word_index(text: str) -> bytes:
    """Return :func:`word_set` of ``text`` joined by spaces, for substring searches.

    About a seventh of a typical source file: searching it for a word part is
    that much cheaper than searching the text.

    Args:
        text: A file's source.

    Returns:
        The index, as bytes.
    """
    return b" ".join(word_set(text))


def node_fields(cls: type, singletons: bool = False) -> Tuple[str, ...]:
    """Return the fields of an AST class that may hold child nodes.

    Args:
        cls: An AST node class.
        singletons: Keep the fields that hold only expression contexts and
            operators (``ctx``, ``op``, ``ops``).

    Returns:
        The field names in ``_fields`` order, without identifiers and numbers.
    """
    key = (cls, singletons)
    fields = _FIELDS.get(key)
    if fields is None:
        if cls in NO_CHILD_CLASSES:
            fields = ()
        else:
            excluded = _NON_NODE_FIELDS if singletons else (
                _NON_NODE_FIELDS | SINGLETON_FIELDS
            )
            if cls.__name__ == "TypeAlias":  # 3.12: ``type X = ...``, name is a Name
                excluded = excluded - {"name"}
            fields = tuple(f for f in cls._fields if f not in excluded)
        _FIELDS[key] = fields
    return fields


def walk_nodes(root: ast.AST) -> List[ast.AST]:
    """Return ``root`` and every node below it in ``ast.walk`` order.

    Expression contexts and operator singletons are left out; otherwise the
    order is exactly that of ``ast.walk`` (breadth first), at about half the cost.

    Args:
        root: Any AST node.

    Returns:
        The nodes, breadth first.
    """
    result: List[ast.AST] = [root]
    append = result.append
    ast_type = ast.AST
    fields_of = _FIELDS
    index = 0
    while index < len(result):
        node = result[index]
        index += 1
        cls = node.__class__
        fields = fields_of.get((cls, False))
        if fields is None:
            fields = node_fields(cls)
        for field_name in fields:
            value = getattr(node, field_name, None)
            if value.__class__ is list:
                for child in value:
                    if isinstance(child, ast_type):
                        append(child)
            elif isinstance(value, ast_type):
                append(value)
    return result


def link_parents(root: ast.AST, parents: Dict[ast.AST, ast.AST]) -> None:
    """Record the parent of every node below ``root`` that has none yet.

    The links are those the engine's walk records when it gets there (expression
    contexts and operators, which the walk skips, are left out).

    Args:
        root: The node whose descendants are linked.
        parents: The parent map to fill (``ctx.parents``).
    """
    todo: List[ast.AST] = [root]
    pop = todo.pop
    push = todo.append
    ast_type = ast.AST
    fields_of = _FIELDS
    while todo:
        node = pop()
        cls = node.__class__
        fields = fields_of.get((cls, False))
        if fields is None:
            fields = node_fields(cls)
        for field_name in fields:
            value = getattr(node, field_name, None)
            if value.__class__ is list:
                for child in value:
                    if isinstance(child, ast_type):
                        if child not in parents:
                            parents[child] = node
                        push(child)
            elif isinstance(value, ast_type):
                if value not in parents:
                    parents[value] = node
                push(value)


def walk_children(root: ast.AST) -> List[ast.AST]:
    """Return ``root`` and the nodes below it, depth first.

    The order is that of a stack walk pushing each node's children in field order
    (last child popped first); expression contexts and operators are left out.

    Args:
        root: The node to walk.

    Returns:
        The nodes in visiting order.
    """
    result: List[ast.AST] = []
    stack: List[ast.AST] = [root]
    pop = stack.pop
    push = stack.append
    ast_type = ast.AST
    fields_of = _FIELDS
    while stack:
        node = pop()
        result.append(node)
        cls = node.__class__
        fields = fields_of.get((cls, False))
        if fields is None:
            fields = node_fields(cls)
        for field_name in fields:
            value = getattr(node, field_name, None)
            if value.__class__ is list:
                for child in value:
                    if isinstance(child, ast_type):
                        push(child)
            elif isinstance(value, ast_type):
                push(value)
    return result


_NESTED_DEFS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def scope_nodes(scope: ast.AST, decorators: bool = False) -> List[ast.AST]:
    """Return the nodes of a scope's own body, not entering nested scopes.

    Nested defs, classes and lambdas are included themselves but not entered;
    with ``decorators`` their decorators (which run in this scope) are walked.
    The order is that of a stack walk over the body (last statement first, each
    node's children pushed in field order); no expression contexts or operators.

    Args:
        scope: A def, class or module (a lambda has no statement body: empty).
        decorators: Walk the decorators of nested defs and classes.

    Returns:
        The nodes in visiting order.
    """
    body = getattr(scope, "body", None)
    stack: List[ast.AST] = list(body) if isinstance(body, list) else []
    result: List[ast.AST] = []
    pop = stack.pop
    push = stack.append
    ast_type = ast.AST
    defs = _NESTED_DEFS
    lambda_type = ast.Lambda
    fields_of = _FIELDS
    while stack:
        node = pop()
        result.append(node)
        cls = node.__class__
        if cls in defs:
            if decorators:
                stack.extend(node.decorator_list)  # type: ignore[attr-defined]
            continue
        if cls is lambda_type:
            continue
        fields = fields_of.get((cls, False))
        if fields is None:
            fields = node_fields(cls)
        for field_name in fields:
            value = getattr(node, field_name, None)
            if value.__class__ is list:
                for child in value:
                    if isinstance(child, ast_type):
                        push(child)
            elif isinstance(value, ast_type):
                push(value)
    return result


#: The fields of a statement that hold blocks of statements.
BLOCK_FIELDS = frozenset({"body", "orelse", "handlers", "finalbody", "cases"})
#: The statement classes without any block (``x = 1``, ``return``, ``import``...),
#: which statement walks need not look into.
SIMPLE_STATEMENTS = frozenset(
    cls
    for cls in vars(ast).values()
    if isinstance(cls, type)
    and issubclass(cls, ast.stmt)
    and cls is not ast.stmt
    and not BLOCK_FIELDS & set(cls._fields)
)
#: The statement classes ``nested_statements`` finds nothing in: the simple ones,
#: defs and classes (their bodies run elsewhere) and ``match`` (not entered). Told
#: apart by one set look-up instead of its isinstance chain, for every
#: module-level statement of every file.
FLAT_STATEMENTS = SIMPLE_STATEMENTS | frozenset(
    (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    + ((ast.Match,) if hasattr(ast, "Match") else ())  # 3.10+
)


def _module_level_statements(body: Sequence[ast.stmt]) -> List[ast.stmt]:
    """Return statements at module level, descending into if/try/with blocks.

    Args:
        body: The statements of a module body.

    Returns:
        Every statement in source order, including those nested in ``if``, ``for``,
        ``while``, ``with`` and ``try`` blocks (but not in defs or classes).
    """
    result: List[ast.stmt] = []
    stack = list(reversed(body))
    pop = stack.pop
    flat = FLAT_STATEMENTS
    while stack:
        stmt = pop()
        result.append(stmt)
        if stmt.__class__ not in flat:
            children = nested_statements(stmt)
            if children:
                stack.extend(reversed(children))
    return result


def source_excerpt(node: ast.AST, limit: int = 40) -> str:
    """Return the source of ``node`` as shown in a message, cut to ``limit`` chars.

    Args:
        node: An expression.
        limit: The longest text returned; longer source ends in ``...``.

    Returns:
        ``ast.unparse`` of the node, shortened.
    """
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def dotted_name(node: ast.AST, aliases: Dict[str, str]) -> Optional[str]:
    """Return the dotted name of a Name/Attribute chain, its root mapped by ``aliases``.

    Args:
        node: The expression to name.
        aliases: Local name -> qualified name (the imports of a module).

    Returns:
        The qualified dotted name, or None when the chain does not start at a name.
    """
    parts: List[str] = []
    current = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name):
        return None
    parts.append(aliases.get(current.id, current.id))
    return ".".join(reversed(parts))


def nested_statements(
    stmt: ast.stmt, import_time_only: bool = False
) -> List[ast.stmt]:
    """Return the statements nested in a compound statement that runs at its level.

    ``if``/``for``/``while`` bodies and ``else`` blocks, ``with`` bodies, and every
    block of ``try`` (also ``try``/``except*``); nothing for defs and classes,
    whose bodies are other scopes (or run at another time).

    Args:
        stmt: A statement.
        import_time_only: Leave out the blocks that never run when the module
            is imported: the bodies of ``if TYPE_CHECKING:`` (true only for a
            type checker) and ``if __name__ == "__main__":`` (true only when the
            file is run as a script); their ``else`` blocks still run.

    Returns:
        The nested statements in source order (empty for simple statements).
    """
    if isinstance(stmt, ast.If):
        if import_time_only and (
            is_type_checking_test(stmt.test) or is_main_guard(stmt.test)
        ):
            return list(stmt.orelse)
        return stmt.body + stmt.orelse
    if isinstance(stmt, (ast.For, ast.While, ast.AsyncFor)):
        return stmt.body + stmt.orelse
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return list(stmt.body)
    if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        children = list(stmt.body)  # type: ignore[attr-defined]
        for handler in stmt.handlers:  # type: ignore[attr-defined]
            children.extend(handler.body)
        return children + stmt.orelse + stmt.finalbody  # type: ignore[attr-defined]
    return []


def is_main_guard(test: ast.expr) -> bool:
    """Return True for ``__name__ == "__main__"`` (either order).

    Args:
        test: The ``if`` test.

    Returns:
        Whether the test is a ``__main__`` guard: its block runs only when the file
        is run as a script.
    """
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


def is_type_checking_test(test: ast.expr) -> bool:
    """Return True for the test of ``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:``.

    Args:
        test: The test expression of an ``if`` statement.

    Returns:
        Whether the block only runs under a static type checker.
    """
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    return False


def module_level_statements(tree: ast.Module) -> List[ast.stmt]:
    """Return the module's statements, including those nested in if/try/with.

    Args:
        tree: The parsed module.

    Returns:
        The module-level statements in source order, nested blocks included.
    """
    return _module_level_statements(tree.body)


def _module_constants(statements: Sequence[ast.stmt]) -> Dict[str, ast.expr]:
    counts: Dict[str, int] = {}
    values: Dict[str, ast.expr] = {}
    for stmt in statements:
        targets: List[Tuple[ast.expr, Optional[ast.expr]]] = []
        if isinstance(stmt, ast.Assign):
            targets = [(t, stmt.value) for t in stmt.targets]
        elif isinstance(stmt, ast.AnnAssign):
            targets = [(stmt.target, stmt.value)]
        elif isinstance(stmt, ast.AugAssign):
            targets = [(stmt.target, None)]
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            counts[stmt.name] = counts.get(stmt.name, 0) + 2
            continue
        for target, value in targets:
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
                if value is not None:
                    values[target.id] = value
            elif isinstance(target, (ast.Tuple, ast.List)):
                for elt in ast.walk(target):
                    if isinstance(elt, ast.Name):
                        counts[elt.id] = counts.get(elt.id, 0) + 2
    return {name: value for name, value in values.items() if counts.get(name) == 1}
