"""The flake8 adapter: options in, findings out. All logic lives in the engine."""

from __future__ import annotations

import argparse
import ast
import sys
from typing import Any, ClassVar, Iterator, List, Optional, Sequence, Tuple, Type

from . import __version__
from .engine import Engine
from .options import DEFAULT_CONFIG, SCHEMA, Config, OptionError, build_config
from .rule import INTERNAL_ERROR_CODE, Rule, all_rules

FlakeError = Tuple[int, int, str, Type[Any]]
_warned_b_prefix = False


class BackendGuardChecker:
    """flake8 checker for the BG rules (entry point ``BG``)."""

    name = "flake8-backend-guard"
    version = __version__
    _config: ClassVar[Config] = DEFAULT_CONFIG
    _engine: ClassVar[Optional[Engine]] = None

    def __init__(
        self, tree: ast.Module, filename: str = "<unknown>", lines: Sequence[str] = ()
    ) -> None:
        """Keep what flake8 hands over; the work happens in :meth:`run`.

        Args:
            tree: The parsed module of the file.
            filename: The file's path, or flake8's display name for stdin.
            lines: The file's source lines.
        """
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser: Any) -> None:
        """Register every option of the schema with flake8.

        Args:
            parser: flake8's option manager; every option is also read from config.
        """
        for spec in SCHEMA.values():
            kwargs: dict = {
                "parse_from_config": True,
                "default": None,
                "help": f"{spec.help} (flake8-backend-guard; {spec.kind}; "
                f"default: {_show_default(spec.default)})",
            }
            if spec.is_list:
                kwargs["comma_separated_list"] = True
            if spec.name == "bg-namespace-packages":
                kwargs["normalize_paths"] = True
            parser.add_option(f"--{spec.name}", **kwargs)

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Validate the option values; a bad value ends flake8 with one line.

        Also builds the shared engine with only the rules flake8 would report.

        Args:
            options: The options flake8 parsed from the command line and config.

        Raises:
            SystemExit: With status 2, after writing the error to stderr, when an
                option value is invalid.
        """
        raw = {}
        for spec in SCHEMA.values():
            value = getattr(options, spec.dest, None)
            if value is not None:
                raw[spec.name] = value
        try:
            cls._config = build_config(raw)
        except OptionError as exc:
            sys.stderr.write(f"flake8-backend-guard: error: {exc}" + "\n")
            raise SystemExit(2) from None
        cls._engine = Engine(_enabled_rules(options), cls._config)
        _warn_if_b_hides_bg(options)

    def run(self) -> Iterator[FlakeError]:
        """Yield flake8 error tuples for this file; never raises.

        Yields:
            ``(line, column, "CODE message", checker class)`` for each finding, or a
            single ``BG000`` tuple when the engine itself fails.
        """
        engine = type(self)._engine
        try:
            if engine is None:
                engine = type(self)._engine = Engine(None, type(self)._config)
            findings = engine.check(self.tree, self.filename, self.lines)
        except Exception as exc:  # never take flake8 down
            yield (
                1,
                0,
                f"{INTERNAL_ERROR_CODE} internal error in the engine: "
                f"{type(exc).__name__}: {exc}; please report this bug",
                type(self),
            )
            return
        for finding in findings:
            yield (finding.line, finding.col, finding.text, type(self))


def _show_default(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ",".join(value) if value else "none"
    return str(value)


def _enabled_rules(options: argparse.Namespace) -> List[Rule]:
    """Return the rules flake8 would report, so disabled rules never run.

    Args:
        options: The parsed flake8 options holding the select/ignore settings.

    Returns:
        The selected rules, or every rule when flake8's decision engine cannot be
        used (an unsupported flake8 version); flake8 then filters the results.
    """
    rules = all_rules()
    try:
        from flake8.style_guide import Decision, DecisionEngine

        decider = DecisionEngine(options)
        return [r for r in rules if decider.decision_for(r.code) is Decision.Selected]
    except Exception:  # an older or newer flake8: run everything, flake8 filters
        return rules


def _codes(options: argparse.Namespace, *names: str) -> List[str]:
    result: List[str] = []
    for name in names:
        value = getattr(options, name, None) or []
        if isinstance(value, str):
            value = value.split(",")
        result.extend(str(v).strip().upper() for v in value)
    return result


def _warn_if_b_hides_bg(options: argparse.Namespace) -> None:
    global _warned_b_prefix
    if _warned_b_prefix:
        return
    ignored = _codes(options, "ignore", "extend_ignore")
    selected = _codes(options, "select", "extend_select")
    if "B" in ignored and not any(code.startswith("BG") for code in selected):
        _warned_b_prefix = True
        sys.stderr.write(
            "flake8-backend-guard: warning: ignoring 'B' also hides every BG code "
            "(flake8 matches codes by prefix); add 'extend-select = BG' to keep them"
            + "\n"
        )
