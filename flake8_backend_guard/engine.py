"""The engine: one iterative walk per file, dispatching to the enabled rules only."""

from __future__ import annotations

import ast
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple
from typing import Type

from .context import SCOPE_TYPES, FileContext
from .options import DEFAULT_CONFIG, Config
from .rule import INTERNAL_ERROR_CODE, Finding, Handler, Rule, all_rules

DispatchTable = Dict[Type[ast.AST], List[Tuple[Rule, Handler]]]


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


class Engine:
    """Dispatch tables for a set of enabled rules; reusable across files."""

    def __init__(
        self, rules: Optional[Iterable[Rule]] = None, config: Config = DEFAULT_CONFIG
    ) -> None:
        """Build the dispatch tables for ``rules`` (default: all rules).

        Args:
            rules: The enabled rules; None enables every declared rule.
            config: The validated options handed to every file's context.
        """
        self.rules = list(all_rules() if rules is None else rules)
        self.config = config
        self.enter: DispatchTable = {}
        self.leave: DispatchTable = {}
        for rule in self.rules:
            for node_type, funcs in rule.handlers.items():
                for func in funcs:
                    self.enter.setdefault(node_type, []).append((rule, func))
            for node_type, funcs in rule.leave_handlers.items():
                for func in funcs:
                    self.leave.setdefault(node_type, []).append((rule, func))
        # Leaf singletons (Load/Store/Del, operators) are never entered unless a
        # rule asks for them: a third of all nodes, and none has children.
        self.skip = frozenset(
            t for t in _LEAF_TYPES if t not in self.enter and t not in self.leave
        )

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
        ctx = FileContext(tree, filename, lines, self.config)
        findings: List[Finding] = []
        failed: Dict[str, bool] = {}
        enter = self.enter
        leave = self.leave
        parents = ctx.parents
        scopes = ctx.scopes
        scope_types = SCOPE_TYPES
        import_types = (ast.Import, ast.ImportFrom)
        ast_type = ast.AST
        skip = self.skip
        # Stack items: a node to enter, or a 1-tuple (node,) to leave.
        stack: List[Any] = [tree]
        pop = stack.pop
        push = stack.append
        while stack:
            item = pop()
            if type(item) is tuple:
                node = item[0]
                if isinstance(node, scope_types):
                    scopes.pop()
                handlers = leave.get(type(node))
                if handlers:
                    _dispatch(handlers, node, ctx, findings, failed)
                continue
            node = item
            node_type = type(node)
            if node_type in import_types and scopes:
                ctx.add_import(node)
            is_scope = isinstance(node, scope_types)
            if is_scope or node_type in leave:
                push((node,))  # below the children: left after all of them
            # children go straight onto the stack, last child first, parents
            # recorded before the handlers run (no per-node list)
            start = len(stack)
            for field_name in node._fields:
                value = getattr(node, field_name, None)
                if value.__class__ is list:
                    for child in value:
                        if isinstance(child, ast_type) and child.__class__ not in skip:
                            push(child)
                            parents[child] = node
                elif isinstance(value, ast_type) and value.__class__ not in skip:
                    push(value)
                    parents[value] = node
            if len(stack) - start > 1:
                stack[start:] = stack[start:][::-1]
            handlers = enter.get(node_type)
            if handlers:
                _dispatch(handlers, node, ctx, findings, failed)
            if is_scope:
                scopes.append(node)
        findings.sort(key=lambda f: (f.line, f.col, f.code))
        return findings


def _dispatch(
    handlers: List[Tuple[Rule, Handler]],
    node: ast.AST,
    ctx: FileContext,
    findings: List[Finding],
    failed: Dict[str, bool],
) -> None:
    for rule, func in handlers:
        if rule.code in failed:
            continue
        try:
            result = func(node, ctx)
            if result is not None:
                findings.extend(result)
        except Exception as exc:  # one bad rule must never take flake8 down
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
) -> List[Finding]:
    """Parse ``source`` and check it (a convenience for tests and tools).

    Args:
        source: The Python source text to check.
        filename: The path (or display name) the source is checked as.
        config: The validated options to check with.
        select: Code prefixes (``"BG2"``, ``"BG101"``) limiting the rules; None
            runs every rule.

    Returns:
        The findings, sorted by position.
    """
    tree = ast.parse(source, filename=filename)
    rules = all_rules()
    if select is not None:
        prefixes = tuple(select)
        rules = [rule for rule in rules if rule.code.startswith(prefixes)]
    return Engine(rules, config).check(tree, filename, source.splitlines(True))
