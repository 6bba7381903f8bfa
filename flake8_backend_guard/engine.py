"""The engine: one iterative walk per file, dispatching to the enabled rules only.

Two things keep the walk cheap on files a rule cannot report anything in:

- per-file rule gating: a rule that declares ``requires`` words runs only on files
  whose source contains one of them;
- keyed dispatch: a handler registered with ``names=`` (``RULE.on(ast.Call,
  names={"system"})``) is called only for nodes with one of those names (see
  :data:`~.rule.KEYED_TYPES`), instead of for every call in the file.

``Engine(..., gating=False)`` turns both off (every enabled rule sees every node);
the tests use it to prove that gating never changes a finding.
"""

from __future__ import annotations

import ast
import gc
import io
import keyword
import operator
import re
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional
from typing import Sequence, Set, Tuple, Type

from .context import NO_CHILD_CLASSES, SCOPE_CLASSES, WORD_CHARS, FileContext
from .context import node_fields, word_set
from .options import DEFAULT_CONFIG, Config
from .rule import INTERNAL_ERROR_CODE, Finding, Handler, HandlerKeys, Rule
from .rule import all_rules

HandlerList = List[Tuple[Rule, Handler]]
DispatchTable = Dict[Type[ast.AST], HandlerList]
# (rule, handler, names or None, keyword names or None) in registration order
_Entry = Tuple[Rule, Handler, Optional[HandlerKeys], Optional[HandlerKeys]]
# The key of an assignment without a single bound name: every keyed handler.
_ANY_NAME = object()
_EMPTY: FrozenSet[Any] = frozenset()
# Bound on a keyed table's memo of per-name handler lists (names seen in a run).
_MEMO_LIMIT = 50_000


def _subclasses(*bases: Type[ast.AST]) -> FrozenSet[Type[ast.AST]]:
    found = set()
    todo = list(bases)
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return frozenset(found)


_LEAF_TYPES = _subclasses(
    ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop
)
# Node classes that never have children (besides leaf singletons).
_CHILDLESS = NO_CHILD_CLASSES | {
    ast.Name,
    ast.Pass,
    ast.Break,
    ast.Continue,
    ast.alias,
}


# Keyed node types whose handlers may be left out of a file's tables (``absent``).
_GATED_KEYED_TYPES = _CHILDLESS | {ast.Attribute}
# A finding's sort key: (line, col, code), its first three fields.
_POSITION = operator.itemgetter(0, 1, 2)
_IMPORT_CLASSES = frozenset((ast.Import, ast.ImportFrom))
# What the walk does with a node type besides dispatching it (``_Tables.special``).
_IMPORT = 1  # record the import (inside a def or class)
_SCOPE = 2  # push the scope (and pop it when left)
_LEAVE = 4  # plain leave handlers
_LEAVE_KEYED = 8  # keyed leave handlers


class _Matcher:
    """Which entries a name selects: those keyed on a fixed set holding it and
    those whose predicate accepts it, memoised per name."""

    __slots__ = ("named", "predicates", "config", "memo")

    def __init__(self, keys: Sequence[Optional[HandlerKeys]], config: Config) -> None:
        """Index the keys of each entry (None: the entry is not keyed this way).

        Args:
            keys: The ``names=`` (or ``keywords=``) of each entry, by entry index.
            config: The options handed to predicates.
        """
        named: Dict[str, Set[int]] = {}
        self.predicates: List[Tuple[int, Any]] = []
        for index, key in enumerate(keys):
            if callable(key):
                self.predicates.append((index, key))
            elif key is not None:
                for name in key:
                    named.setdefault(name, set()).add(index)
        self.named = {name: frozenset(found) for name, found in named.items()}
        self.config = config
        self.memo: Dict[str, FrozenSet[int]] = {}

    def __call__(self, name: str) -> FrozenSet[int]:
        """Return the indexes of the entries ``name`` selects.

        Args:
            name: A node's name.

        Returns:
            The entry indexes.
        """
        found = self.memo.get(name)
        if found is None:
            found = self.named.get(name, _EMPTY)
            config = self.config
            for index, predicate in self.predicates:
                if index not in found and predicate(name, config):
                    found = found | {index}
            if len(self.memo) >= _MEMO_LIMIT:
                self.memo.clear()
            self.memo[name] = found
        return found


class _Keyed:
    """The handlers of one keyed node type: per-name lists, built on first use."""

    __slots__ = (
        "entries",
        "by_key",
        "by_keywords",
        "unkeyed",
        "names",
        "keywords",
    )

    def __init__(self, entries: List[_Entry], config: Config) -> None:
        """Hold the entries of one node type.

        Args:
            entries: (rule, handler, names or None, keyword names or None) in
                registration order.
            config: The options handed to ``names=`` predicates.
        """
        self.entries = entries
        self.by_key: Dict[Any, HandlerList] = {}
        # Some handler is keyed on a call's keyword arguments too.
        self.by_keywords = any(kw is not None for _r, _f, _k, kw in entries)
        self.unkeyed = frozenset(
            index
            for index, (_rule, _func, keys, keyword_keys) in enumerate(entries)
            if keys is None and keyword_keys is None
        )
        self.names = _Matcher([keys for _r, _f, keys, _kw in entries], config)
        self.keywords = _Matcher([kw for _r, _f, _k, kw in entries], config)

    def lookup(
        self, key: Any, alias_key: Any, keywords: Tuple[str, ...] = ()
    ) -> HandlerList:
        """Return the handlers for a node named ``key`` (or ``alias_key``).

        Args:
            key: The node's name as written (None when it has none; the
                ``_ANY_NAME`` marker when every keyed handler must see it).
            alias_key: The last part of what an imported name stands for, or None.
            keywords: The names of a call's keyword arguments (only looked at when
                a handler is keyed on them).

        Returns:
            The unkeyed handlers and those keyed on either name or on one of the
            keywords, in order.
        """
        if keywords:
            memo_key: Any = (key, alias_key, keywords)
        elif alias_key is None or alias_key == key:
            memo_key = key
        else:
            memo_key = (key, alias_key)
        found = self.by_key.get(memo_key)
        if found is not None:
            return found
        if key is _ANY_NAME:
            found = [(rule, func) for rule, func, _k, _kw in self.entries]
        else:
            chosen = self.unkeyed
            for name in (key, alias_key):
                if name is not None:
                    chosen = chosen | self.names(name)
            for arg in keywords:
                chosen = chosen | self.keywords(arg)
            entries = self.entries
            found = [
                (entries[index][0], entries[index][1]) for index in sorted(chosen)
            ]
        if len(self.by_key) >= _MEMO_LIMIT:
            self.by_key.clear()
        self.by_key[memo_key] = found
        return found


_RuleEntries = List[Tuple[bool, Type[ast.AST], _Entry]]


def _entries(rule: Rule, gating: bool) -> _RuleEntries:
    """Return ``(leave?, node type, entry)`` for each handler of ``rule``.

    Args:
        rule: A declared rule.
        gating: Whether the entries carry the handlers' keys.

    Returns:
        The entries, enter handlers first, in registration order.
    """
    found: _RuleEntries = []
    for leaving, source in ((False, rule.handlers), (True, rule.leave_handlers)):
        for node_type, funcs in source.items():
            for func in funcs:
                entry: _Entry = (rule, func, None, None)
                if gating:
                    keys = rule.handler_keys.get((node_type, func))
                    keyword_keys = rule.handler_keywords.get((node_type, func))
                    if keyword_keys is not None and keys is None:
                        keys = _EMPTY  # keyed on its keywords only
                    entry = (rule, func, keys, keyword_keys)
                found.append((leaving, node_type, entry))
    return found


# What the walk does with a node class: (pusher, enter handlers, flags, key of).
_Step = Tuple[Any, Any, int, Any]


class _Tables:
    """Dispatch tables for one set of active rules."""

    __slots__ = (
        "enter",
        "leave",
        "enter_keyed",
        "leave_keyed",
        "plain",
        "steps",
        "skip",
        "quiet",
        "dispatch",
        "special",
    )

    def __init__(
        self,
        rules: Sequence[_RuleEntries],
        config: Config,
        absent: FrozenSet[Tuple[Type[ast.AST], Handler]] = frozenset(),
        parent: Optional[_Tables] = None,
    ) -> None:
        """Build the tables.

        Args:
            rules: The entries of each active rule (see ``_entries``).
            config: The options handed to ``names=`` predicates.
            absent: Keyed handlers left out: none of their names is in the file.
            parent: The tables with every enabled rule (None: these are those
                tables). Its keyed node types are shared, with their memos of
                per-name handler lists, instead of being matched again per set of
                active rules; the walk skips the handlers of the rules a file
                leaves out when a shared list holds some (see
                ``Engine._tables_for``).
        """
        enter: Dict[Type[ast.AST], List[_Entry]] = {}
        leave: Dict[Type[ast.AST], List[_Entry]] = {}
        # Node types some of whose handlers are left out as absent: not shared
        # (an assignment of several targets reaches every keyed handler).
        thinned = {node_type for node_type, _func in absent}
        for rule_entries in rules:
            for leaving, node_type, entry in rule_entries:
                if absent and (node_type, entry[1]) in absent:
                    continue
                (leave if leaving else enter).setdefault(node_type, []).append(entry)
        self.enter: DispatchTable = {}
        self.leave: DispatchTable = {}
        self.enter_keyed: Dict[Type[ast.AST], _Keyed] = {}
        self.leave_keyed: Dict[Type[ast.AST], _Keyed] = {}
        for table, plain, keyed, parents in (
            (enter, self.enter, self.enter_keyed, parent and parent.enter_keyed),
            (leave, self.leave, self.leave_keyed, parent and parent.leave_keyed),
        ):
            for node_type, entries in table.items():
                if any(keys is not None for _r, _f, keys, _kw in entries):
                    shared = parents.get(node_type) if parents else None
                    if shared is None or node_type in thinned:
                        shared = _Keyed(entries, config)
                    keyed[node_type] = shared
                else:
                    plain[node_type] = [(rule, func) for rule, func, _k, _kw in entries]
        wanted = set(enter) | set(leave)
        # Leaf singletons (Load/Store/Del, operators) are never entered unless a
        # rule asks for them: a third of all nodes, and none has children.
        self.skip = frozenset(t for t in _LEAF_TYPES if t not in wanted)
        # What the walk does with each node class it entered so far: its pusher,
        # its enter handlers (a list, or the _Keyed of a keyed type, or None), its
        # ``special`` flags and, for a keyed type, how to find its handlers;
        # ``plain`` holds the pushers of the classes with neither handlers nor
        # flags (most nodes), looked up first.
        self.steps: Dict[Type[Any], _Step] = {}
        self.plain: Dict[Type[Any], _Pusher] = {}
        if len(self.skip) < len(_LEAF_TYPES):
            self.skip = frozenset()  # a rule wants singletons: visit them all
        # Childless nodes no active rule handles get a parent but are not entered
        # (names and constants are half of all nodes). Leaf singletons never
        # reach the walk (their fields are left out) unless a rule wants them.
        self.quiet = frozenset(t for t in _CHILDLESS if t not in wanted)
        # The enter handlers of each node type (a list, or the _Keyed of a keyed
        # type) and what else the walk does with it: what ``step`` reads.
        self.dispatch: Dict[Type[ast.AST], Any] = dict(self.enter)
        self.dispatch.update(self.enter_keyed)
        self.special: Dict[Type[ast.AST], int] = {}
        for node_type in _IMPORT_CLASSES:
            self.special[node_type] = _IMPORT
        for node_type in SCOPE_CLASSES:
            self.special[node_type] = self.special.get(node_type, 0) | _SCOPE
        for node_type in self.leave:
            self.special[node_type] = self.special.get(node_type, 0) | _LEAVE
        for node_type in self.leave_keyed:
            self.special[node_type] = self.special.get(node_type, 0) | _LEAVE_KEYED

    def step(self, cls: Type[Any]) -> _Step:
        """Return what the walk does with a ``cls`` node (see ``steps``).

        Args:
            cls: The class of a node the walk entered.

        Returns:
            ``(pusher, enter handlers or None, flags, key function or None)``,
            cached per class.
        """
        pusher = _pusher(cls, not self.skip)
        handlers = self.dispatch.get(cls)
        flags = self.special.get(cls, 0)
        key_of = _KEY_OF[cls] if cls in self.enter_keyed else None
        found = self.steps[cls] = (pusher, handlers, flags, key_of)
        if handlers is None and not flags and cls is not tuple:
            self.plain[cls] = pusher
        return found


class Engine:
    """Dispatch tables for a set of enabled rules; reusable across files."""

    def __init__(
        self,
        rules: Optional[Iterable[Rule]] = None,
        config: Config = DEFAULT_CONFIG,
        gating: bool = True,
    ) -> None:
        """Prepare the dispatch for ``rules`` (default: all rules).

        Args:
            rules: The enabled rules; None enables every declared rule.
            config: The validated options handed to every file's context.
            gating: Skip rules on files without their ``requires`` words and call
                keyed handlers only for their names; False calls every handler of
                every enabled rule (same findings, slower; used by the tests).
        """
        self.rules = list(all_rules() if rules is None else rules)
        self.config = config
        self.gating = gating
        self._gated = [
            (rule.code, [_needle(word) for word in rule.requires])
            for rule in self.rules
            if rule.requires and gating
        ]
        # Keyed handlers of names and attribute reads (the commonest nodes) with a
        # fixed set of names: left out of a file's tables when none of the names
        # is one of the file's words, so that the walk need not enter the file's
        # names at all, nor look up a handler list per attribute read. (Other
        # keyed handlers are not called for absent names anyway, and leaving them
        # out would only multiply the tables.)
        self._keyed_gates: List[Tuple[str, Tuple[Type[ast.AST], Handler], Any]] = []
        if gating:
            for rule in self.rules:
                keyed = set(rule.handler_keys) | set(rule.handler_keywords)
                for key in keyed:
                    if key[0] not in _GATED_KEYED_TYPES:
                        continue
                    words = _name_words(
                        rule.handler_keys.get(key), rule.handler_keywords.get(key)
                    )
                    if words is not None:
                        self._keyed_gates.append((rule.code, key, words))
        self._entries = {rule.code: _entries(rule, gating) for rule in self.rules}
        self._tables: Dict[Any, _Tables] = {}
        # For each (active rules, absent handlers) of a file so far: its tables
        # and the codes the walk skips in shared keyed lists (see _tables_for).
        self._planned: Dict[Any, Tuple[_Tables, Dict[str, bool]]] = {}
        self._all_codes = frozenset(rule.code for rule in self.rules)
        all_tables = self._all_tables = _Tables(
            [self._entries[rule.code] for rule in self.rules], config
        )
        # Rules that are in a file's keyed lists only (their handlers are all on
        # keyed node types that an always-active rule handles too, never dropped
        # as absent): whether they are active changes no table, only what the
        # walk skips, so they are left out of the tables' key (fewer tables).
        always = [rule for rule in self.rules if not rule.requires]
        shared_only = set()
        for rule in self.rules:
            if rule.requires and all(
                (all_tables.leave_keyed if leaving else all_tables.enter_keyed).get(
                    node_type
                )
                is not None
                and node_type not in _GATED_KEYED_TYPES
                and any(
                    node_type in (other.leave_handlers if leaving else other.handlers)
                    for other in always
                )
                for leaving, node_type, _entry in self._entries[rule.code]
            ):
                shared_only.add(rule.code)
        self._shared_only = frozenset(shared_only)
        self._keyed_codes = frozenset(
            entry[0].code
            for keyed in (all_tables.enter_keyed, all_tables.leave_keyed)
            for shared in keyed.values()
            for entry in shared.entries
        )
        # The tables with every enabled rule active (kept for introspection).
        self.enter = all_tables.enter
        self.leave = all_tables.leave

    def _tables_for(
        self, active: FrozenSet[str], absent: FrozenSet[Any]
    ) -> Tuple[_Tables, Dict[str, bool]]:
        """Return a file's dispatch tables and the codes its walk starts skipping.

        Args:
            active: The codes of the rules active in the file.
            absent: The keyed handlers left out of it.

        Returns:
            The tables (shared by every active set that differs only in rules
            found in shared keyed lists alone), and a dict of the codes the file
            leaves out whose handlers those lists hold (the walk's initial
            ``failed``).
        """
        planned = self._planned.get((active, absent))
        if planned is None:
            key = (active.difference(self._shared_only), absent)
            tables = self._tables.get(key)
            if tables is None:
                rules = [
                    self._entries[rule.code]
                    for rule in self.rules
                    if rule.code in key[0]
                ]
                tables = _Tables(rules, self.config, absent, self._all_tables)
                self._tables[key] = tables
            inactive = {code: True for code in self._keyed_codes if code not in active}
            planned = self._planned[(active, absent)] = (tables, inactive)
        return planned

    def active_codes(self, text: Optional[str]) -> FrozenSet[str]:
        """Return the codes of the enabled rules that can report in ``text``.

        Args:
            text: The file's source, or None when unknown (every rule is active).

        Returns:
            The codes of the rules with a ``requires`` word in ``text`` (and of every
            rule without ``requires``); see :class:`~.rule.Rule` for how words match.
        """
        return self._plan(text)[0]

    def _plan(
        self, text: Optional[str]
    ) -> Tuple[FrozenSet[str], FrozenSet[Any], Optional[Set[bytes]], Optional[bytes]]:
        # (active rule codes, keyed handlers none of whose names is in ``text``,
        # the words of ``text`` and their joined index, when they were needed)
        if text is None or not self.gating:
            return self._all_codes, _EMPTY, None, None
        words = word_set(text)
        active = self._all_codes
        index: Optional[bytes] = None
        if self._gated:
            # Each word is searched once per file, whatever the number of rules
            # using it. Words of letters, digits and underscores are searched in
            # the file's distinct lowercased words (a fraction of its text).
            seen: Dict[Any, bool] = {}
            inactive = []
            for code, needles in self._gated:
                for needle in needles:
                    found = seen.get(needle)
                    if found is None:
                        if needle.__class__ is bytes:
                            if index is None:
                                index = b" ".join(words)
                            found = needle in index
                        else:
                            found = needle in text
                        seen[needle] = found
                    if found:
                        break
                else:
                    inactive.append(code)
            if inactive:
                active = active.difference(inactive)
        absent = frozenset(
            key
            for code, key, names in self._keyed_gates
            if code in active and names.isdisjoint(words)
        )
        return active, absent, words, index

    def check(
        self,
        tree: ast.Module,
        filename: str = "<unknown>",
        lines: Optional[Sequence[str]] = None,
    ) -> List[Finding]:
        """Walk ``tree`` once and return the findings, sorted by position.

        Args:
            tree: The parsed module to check.
            filename: The file's path (or display name) used for package facts.
            lines: The file's source lines, if the rules may need them.

        Returns:
            The findings of the enabled rules, plus a ``BG000`` finding for each rule
            that failed internally, sorted by line, column and code.
        """
        # The cyclic garbage collector is paused while one file is checked: the
        # walk builds tens of thousands of short-lived containers (parent links,
        # handler lists, findings) that reference counting frees, and each
        # collection they trigger would scan the whole fresh tree again. It runs
        # again afterwards, as it was (inside flake8, inside ``backend-guard``).
        collecting = gc.isenabled()
        if collecting:
            gc.disable()
        try:
            return self._check(tree, filename, lines)
        finally:
            if collecting:
                gc.enable()

    def _check(
        self, tree: ast.Module, filename: str, lines: Optional[Sequence[str]]
    ) -> List[Finding]:
        ctx = FileContext(tree, filename, lines, self.config)
        try:
            return self._walk(ctx)
        finally:
            ctx.release()  # no reference cycle through its caches outlives the file

    def _walk(self, ctx: FileContext) -> List[Finding]:
        tree = ctx.tree
        active, absent, ctx.words, ctx.word_index = self._plan(ctx.text)
        tables, inactive = self._tables_for(active, absent)
        findings: List[Finding] = []
        # Rules whose handlers are skipped: those that failed, and the inactive
        # ones whose handlers a shared keyed list holds.
        failed: Dict[str, bool] = dict(inactive) if inactive else {}
        leave = tables.leave
        leave_keyed = tables.leave_keyed
        keyed_any = bool(tables.enter_keyed or leave_keyed)
        aliases = ctx.aliases if keyed_any else {}
        plain = tables.plain
        steps = tables.steps
        new_step = tables.step
        quiet = tables.quiet
        skip = tables.skip
        parents = ctx.parents
        scopes = ctx.scopes
        scope_types = SCOPE_CLASSES
        tuple_type = tuple
        # Stack items: a node to enter, or a tuple (node,) / (node, handlers) to
        # leave.
        stack: List[Any] = [tree]
        pop = stack.pop
        push = stack.append
        while stack:
            node = pop()
            node_type = node.__class__
            # Children go straight onto the stack, last child first, parents
            # recorded before the handlers run.
            push_children = plain.get(node_type)
            if push_children is not None:  # nothing to do but enter the children
                try:
                    push_children(node, push, parents, quiet)
                except AttributeError:  # a node built by hand without all fields
                    _push_generic(node, stack, parents, quiet, skip)
                continue
            if node_type is tuple_type:  # a node to leave
                item = node
                node = item[0]
                flags = 0
                if len(item) == 2:
                    handlers = item[1]  # keyed: looked up when entered
                else:
                    if node.__class__ in scope_types:
                        scopes.pop()
                    handlers = leave.get(node.__class__)
            else:  # a node to enter
                step = steps.get(node_type)
                if step is None:
                    step = new_step(node_type)
                push_children, handlers, flags, key_of = step
                if flags:
                    if flags & _IMPORT and scopes:
                        ctx.add_import(node)
                    if flags & (_SCOPE | _LEAVE):
                        push((node,))  # below the children: left after all of them
                    elif flags & _LEAVE_KEYED:
                        # Keyed leave handlers are looked up now (an expression
                        # binds no import, so the aliases are the same when it is
                        # left); nodes with none are not left at all.
                        leaving = _KEY_OF[node_type](
                            leave_keyed[node_type], node, aliases
                        )
                        if leaving:
                            push((node, leaving))
                try:
                    push_children(node, push, parents, quiet)
                except AttributeError:  # a node built by hand without all fields
                    _push_generic(node, stack, parents, quiet, skip)
                if key_of is not None:  # a keyed node type
                    handlers = key_of(handlers, node, aliases)
            if handlers:
                # Each handler on ``node`` (inlined: the walk's hottest call); an
                # exception becomes one BG000 for its rule, which is then skipped.
                for rule, func in handlers:
                    if failed and rule.code in failed:
                        continue
                    try:
                        result = func(node, ctx)
                        if result is not None:
                            findings.extend(result)
                    except Exception as exc:  # one bad rule never stops the run
                        _failure(rule, node, exc, findings, failed)
            if flags & _SCOPE:
                scopes.append(node)
        findings.sort(key=_POSITION)
        return findings


# ---- pushing a node's children -------------------------------------------------

# A pusher pushes the children of one node onto the walk's stack, last child
# first, and records their parent: ``pusher(node, push, parents, quiet)``.
_Pusher = Callable[[Any, Callable[[Any], None], Dict[Any, Any], FrozenSet[Any]], None]
# The node-free field types of the ASDL signature in an AST class's docstring.
_PLAIN_FIELD_TYPES = frozenset({"identifier", "int", "string", "constant"})
_SIGNATURE = re.compile(r"\s*\w+\((.*)\)\s*$")
_PUSHERS: Dict[Tuple[Type[Any], bool], _Pusher] = {}

# The code reading one field, by what the field's ASDL type says it holds.
_ONE_NODE = """
    c = node.{name}
    parents[c] = node
    if c.__class__ not in quiet:
        push(c)"""
_OPTIONAL_NODE = """
    c = node.{name}
    if c is not None:
        parents[c] = node
        if c.__class__ not in quiet:
            push(c)"""
_NODE_LIST = """
    for c in reversed(node.{name}):
        if c is not None:
            parents[c] = node
            if c.__class__ not in quiet:
                push(c)"""
_ANY_VALUE = """
    v = getattr(node, {name!r}, None)
    if v.__class__ is list:
        for c in reversed(v):
            if isinstance(c, AST):
                parents[c] = node
                if c.__class__ not in quiet:
                    push(c)
    elif isinstance(v, AST):
        parents[v] = node
        if v.__class__ not in quiet:
            push(v)"""


def _field_kinds(cls: Type[Any]) -> Dict[str, str]:
    # Field name -> its ASDL type (``expr``, ``stmt*``, ``expr?``...), read off
    # the signature that is the first line of an AST class's docstring
    # (``BinOp(expr left, operator op, expr right)``); empty when there is none.
    doc = (getattr(cls, "__doc__", None) or "").strip().split("\n", 1)[0]
    match = _SIGNATURE.match(doc)
    kinds: Dict[str, str] = {}
    if match:
        for part in match.group(1).split(","):
            kind, _, name = part.strip().rpartition(" ")
            if kind and name.isidentifier():
                kinds[name] = kind
    return kinds


def _pusher(cls: Type[Any], singletons: bool, typed: bool = True) -> _Pusher:
    """Return a function pushing the children of a ``cls`` node (cached).

    The function is generated for the class, one plain attribute read per field
    that may hold nodes, in reverse field order: several times cheaper than a loop
    over the field names with ``getattr`` and a type test per value, and the walk
    runs it for every node it enters. A field's ASDL type (from the class's
    docstring) says whether it holds one node, an optional node or a list; a field
    of unknown type is read as the generic loop would.

    Args:
        cls: A node class (anything else gets a pusher that pushes nothing).
        singletons: Whether expression contexts and operators are walked.
        typed: Use the ASDL types (False: read every field generically, as for a
            node built by hand without all its fields).

    Returns:
        The pusher.
    """
    key = (cls, singletons) if typed else (cls, singletons, False)
    found = _PUSHERS.get(key)  # type: ignore[call-overload]
    if found is not None:
        return found
    kinds = _field_kinds(cls) if typed else {}
    fields = node_fields(cls, singletons) if issubclass(cls, ast.AST) else ()
    code = []
    for name in reversed(fields):
        if not name.isidentifier() or keyword.iskeyword(name):
            continue  # not an AST field (cannot be read as an attribute)
        kind = kinds.get(name)
        if kind is None:
            template = _ANY_VALUE
        elif kind.rstrip("*?") in _PLAIN_FIELD_TYPES:
            continue  # an identifier, number, string or constant
        elif kind.endswith("*"):
            template = _NODE_LIST
        elif kind.endswith("?"):
            template = _OPTIONAL_NODE
        else:
            template = _ONE_NODE
        code.append(template.format(name=name))
    source = "def push_children(node, push, parents, quiet):" + (
        "".join(code) or "\n    pass"
    )
    namespace: Dict[str, Any] = {"AST": ast.AST}
    exec(compile(source, f"<pusher of {cls.__name__}>", "exec"), namespace)
    found = _PUSHERS[key] = namespace["push_children"]  # type: ignore[index]
    return found  # type: ignore[no-any-return]


def _push_generic(
    node: Any,
    stack: List[Any],
    parents: Dict[Any, Any],
    quiet: FrozenSet[Any],
    skip: FrozenSet[Any],
) -> None:
    # Push the children of a node whose typed pusher failed half-way (a field
    # missing): take back what it pushed, then read every field generically.
    while stack and stack[-1].__class__ is not tuple:
        if parents.get(stack[-1]) is not node:
            break
        stack.pop()
    _pusher(node.__class__, not skip, typed=False)(node, stack.append, parents, quiet)


def _word_bytes(word: str) -> Optional[bytes]:
    # ``word`` lowercased, as the word index holds it; None when it is not made of
    # ASCII letters, digits and underscores only.
    raw = word.lower().encode("ascii", "replace")
    if raw and word.isascii() and all(byte in WORD_CHARS for byte in raw):
        return raw
    return None


def _name_words(*keys: Optional[HandlerKeys]) -> Optional[FrozenSet[bytes]]:
    # The lowercased words a keyed handler's names (and keyword names) are
    # written as; None for a predicate or a name that is not an ASCII identifier
    # (the handler is then never left out).
    words = set()
    for key in keys:
        if callable(key):
            return None
        for name in key or ():
            raw = _word_bytes(name)
            if raw is None:
                return None
            words.add(raw)
    return frozenset(words)


def _needle(word: str) -> Any:
    # A requires word as searched: lowercased bytes for the word index when it
    # is made of word characters only, else the word itself for the text.
    raw = _word_bytes(word)
    return word if raw is None else raw


_ATTRIBUTE = ast.Attribute
_NAME = ast.Name
_ASSIGN = ast.Assign


def _alias_key(aliases: Dict[str, str], name: str) -> Optional[str]:
    # The last dotted part of what an imported ``name`` stands for.
    qualified = aliases.get(name)
    if qualified is None:
        return None
    return qualified.rpartition(".")[2]


def _keyed_call(keyed: _Keyed, node: ast.Call, aliases: Dict[str, str]) -> HandlerList:
    func = node.func
    cls = func.__class__
    if keyed.by_keywords and node.keywords:
        keywords = tuple(kw.arg for kw in node.keywords if kw.arg is not None)
        if cls is _ATTRIBUTE:
            return keyed.lookup(func.attr, None, keywords)
        if cls is _NAME:
            return keyed.lookup(func.id, _alias_key(aliases, func.id), keywords)
        return keyed.lookup(None, None, keywords)
    # The common case, a callee's name memoised alone, looked up here first.
    if cls is _ATTRIBUTE:
        name = func.attr
    elif cls is _NAME:
        name = func.id
        if name in aliases:
            return keyed.lookup(name, _alias_key(aliases, name))
    else:
        return keyed.lookup(None, None)
    found = keyed.by_key.get(name)
    return keyed.lookup(name, None) if found is None else found


def _keyed_name(keyed: _Keyed, node: Any, aliases: Dict[str, str]) -> HandlerList:
    return keyed.lookup(node.id, _alias_key(aliases, node.id))


def _keyed_attribute(keyed: _Keyed, node: Any, aliases: Dict[str, str]) -> HandlerList:
    return keyed.lookup(node.attr, None)


def _keyed_keyword(keyed: _Keyed, node: Any, aliases: Dict[str, str]) -> HandlerList:
    return keyed.lookup(node.arg, None)


def _keyed_binding(keyed: _Keyed, node: Any, aliases: Dict[str, str]) -> HandlerList:
    # An assignment is keyed on the id or attr of its one Name/Attribute target
    # (a Name also on the last part of what it was imported as, like a callee);
    # several targets or another shape reach every keyed handler.
    targets = node.targets if node.__class__ is _ASSIGN else (node.target,)
    if len(targets) == 1:
        target = targets[0]
        cls = target.__class__
        if cls is _NAME:
            name = target.id
            if name in aliases:
                return keyed.lookup(name, _alias_key(aliases, name))
        elif cls is _ATTRIBUTE:
            name = target.attr
        else:
            return keyed.lookup(_ANY_NAME, None)
        found = keyed.by_key.get(name)  # the common case, looked up here first
        return keyed.lookup(name, None) if found is None else found
    return keyed.lookup(_ANY_NAME, None)


# How each of rule.KEYED_TYPES finds its handlers, entered or left.
_KEY_OF: Dict[Type[ast.AST], Callable[[_Keyed, Any, Dict[str, str]], HandlerList]] = {
    ast.Call: _keyed_call,
    ast.Name: _keyed_name,
    ast.Attribute: _keyed_attribute,
    ast.keyword: _keyed_keyword,
    ast.Assign: _keyed_binding,
    ast.AnnAssign: _keyed_binding,
}


def _failure(
    rule: Rule,
    node: ast.AST,
    exc: Exception,
    findings: List[Finding],
    failed: Dict[str, bool],
) -> None:
    # Turn an exception inside a rule into one BG000 finding and stop the rule.
    failed[rule.code] = True
    line = getattr(node, "lineno", 1)
    findings.append(
        Finding(
            line=line,
            col=getattr(node, "col_offset", 0),
            code=INTERNAL_ERROR_CODE,
            message=(
                f"internal error in {rule.code} at line {line}: "
                f"{type(exc).__name__}: {exc}; please report this bug"
            ),
        )
    )


def check_source(
    source: str,
    filename: str = "<unknown>",
    config: Config = DEFAULT_CONFIG,
    select: Optional[Iterable[str]] = None,
    gating: bool = True,
) -> List[Finding]:
    """Parse ``source`` and check it (a convenience for tests and tools).

    Args:
        source: The Python source text to check.
        filename: The path (or display name) the source is checked as.
        config: The validated options to check with.
        select: Code prefixes (``"BG2"``, ``"BG101"``) limiting the rules; None
            runs every rule.
        gating: As for :class:`Engine`.

    Returns:
        The findings, sorted by position.
    """
    tree = ast.parse(source, filename=filename)
    rules = all_rules()
    if select is not None:
        prefixes = tuple(select)
        rules = [rule for rule in rules if rule.code.startswith(prefixes)]
    # split as the tokenizer counts lines (``str.splitlines`` also splits at form
    # feeds, which would put the lines out of step with the AST's line numbers)
    lines = io.StringIO(source, newline="").readlines()
    return Engine(rules, config, gating).check(tree, filename, lines)
