"""BG106 in launch files: Dockerfiles, Procfiles and Docker Compose files.

The standalone command applies BG106 (a package module run by file path) to the
commands these files start: Dockerfile ``CMD``, ``ENTRYPOINT``, ``RUN`` and
``HEALTHCHECK CMD`` (shell and exec forms, line continuations, comments, the
``escape`` directive; an exec-form ``ENTRYPOINT`` is combined with the exec-form
``CMD`` of its stage), Procfile process lines, and compose ``command:`` /
``entrypoint:`` of each service (strings or lists, combined like Docker does).

A finding is suppressed by a ``# noqa`` / ``# noqa: BG106`` comment (flake8's
syntax) on its line, and, for Dockerfiles and compose files, on the comment line
directly above the instruction or key. Compose files need PyYAML (the ``yaml``
extra); without it they are skipped with one warning.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from .analysis.commands import script_in_argv, script_in_command
from .noqa import is_suppressed

if TYPE_CHECKING:  # pragma: no cover - rule.py loads when a finding is made
    from .rule import Finding

CODE = "BG106"
_COMPOSE_RE = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_DIRECTIVE_RE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(.*?)\s*$")
_PROCFILE_RE = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*:\s*(.*)$")
_TRAILING_NOQA_RE = re.compile(r"\s+#\s*noqa\b.*$", re.IGNORECASE)
_RUN_FLAG_RE = re.compile(r"^--[a-z-]+(=\S*)?$")


class LauncherError(Exception):
    """A launch file could not be read (one-line message)."""


def launcher_kind(filename: str) -> Optional[str]:
    """Return ``dockerfile``, ``procfile`` or ``compose`` for a launch file name.

    Args:
        filename: A path or a base name.

    Returns:
        The kind, or None when the name is not a launch file.
    """
    name = os.path.basename(filename)
    lower = name.lower()
    if (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "containerfile."))
        or lower.endswith((".dockerfile", ".containerfile"))
    ):
        return "dockerfile"
    if name == "Procfile" or name.startswith("Procfile."):
        return "procfile"
    if _COMPOSE_RE.match(name):
        return "compose"
    return None


def module_for(path: str) -> str:
    """Return the dotted module a script path names (``src/main.py`` -> ``src.main``).

    Args:
        path: A relative script path.

    Returns:
        The dotted module name.
    """
    while path.startswith("./"):
        path = path[2:]
    if path.endswith(".py"):
        path = path[:-3]
    return path.strip("/").replace("/", ".")


def message_for(path: str) -> str:
    """Return the BG106 message for a script path.

    Uses the BG106 declaration when it is registered (fields ``path`` and
    ``module``), else an equivalent built-in text.

    Args:
        path: The script path the command runs.

    Returns:
        The message (without the code).
    """
    from .rule import get_rule

    module = module_for(path)
    rule = get_rule(CODE)
    if rule is not None:
        try:
            return rule.render(path=path, module=module)
        except (KeyError, IndexError, ValueError):
            pass
    return (
        f"`{path}` runs a package module by file path; "
        f"run it as a module: `python -m {module}`"
    )


@dataclass
class _Command:
    """A command found in a launch file, with the lines it spans."""

    line: int
    end_line: int
    argv: Optional[List[str]] = None
    command_line: Optional[str] = None
    keyword: str = ""


def _script(command: _Command) -> Optional[str]:
    if command.argv is not None:
        return script_in_argv(command.argv)
    if command.command_line is not None:
        return script_in_command(command.command_line)
    return None


def _locate(
    lines: Sequence[str], first: int, last: int, needle: str
) -> Tuple[int, int, bool]:
    # (line, col, found) of ``needle`` in lines first..last
    for number in range(first, last + 1):
        col = lines[number - 1].find(needle) if number <= len(lines) else -1
        if col >= 0:
            return number, col, True
    return first, 0, False


def _suppressed(lines: Sequence[str], numbers: Sequence[int]) -> bool:
    return any(
        0 < n <= len(lines) and is_suppressed(CODE, lines[n - 1]) for n in numbers
    )


def _finding(
    lines: Sequence[str], command: _Command, script: str, extra_noqa: Sequence[int]
) -> Optional[Finding]:
    line, col, found = _locate(lines, command.line, command.end_line, script)
    noqa_lines = list(range(command.line, command.end_line + 1)) + list(extra_noqa)
    if _suppressed(lines, noqa_lines):
        return None
    from .rule import Finding

    return Finding(
        line=line,
        col=col,
        code=CODE,
        message=message_for(script),
        end_line=line if found else None,
        end_col=col + len(script) if found else None,
    )


# ---- Dockerfile -------------------------------------------------------------------


def _exec_form(text: str) -> Optional[List[str]]:
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    for candidate in (stripped, _TRAILING_NOQA_RE.sub("", stripped)):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return None


def _command_of(
    keyword: str, args: str, line: int, end_line: int
) -> Optional[_Command]:
    if keyword == "HEALTHCHECK":
        words = args.split(None, 1)
        while words and words[0].startswith("--"):
            words = words[1].split(None, 1) if len(words) > 1 else []
        if len(words) < 2 or words[0].upper() != "CMD":
            return None
        args = words[1]
    elif keyword == "RUN":
        words = args.split(None, 1)
        while words and _RUN_FLAG_RE.match(words[0]):
            words = words[1].split(None, 1) if len(words) > 1 else []
        args = words[0] + (" " + words[1] if len(words) > 1 else "") if words else ""
        if args.startswith("<<"):
            return None  # heredocs are not judged
    argv = _exec_form(args)
    if argv is not None:
        return _Command(line, end_line, argv=argv, keyword=keyword)
    return _Command(line, end_line, command_line=args, keyword=keyword)


def _dockerfile_instructions(
    lines: Sequence[str],
) -> List[Tuple[str, str, int, int, int]]:
    # (keyword, arguments, first line, last line, comment line just above or 0)
    escape = "\\"
    for line in lines:
        match = _DIRECTIVE_RE.match(line.strip())
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
    result = []
    parts: List[str] = []
    start = 0
    comment_above = 0
    last_comment = 0
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if not parts:
            if not stripped:
                last_comment = 0
                continue
            if stripped.startswith("#"):
                last_comment = number
                continue
            start = number
            comment_above = last_comment if last_comment == number - 1 else 0
        elif not stripped or stripped.startswith("#"):
            continue  # comments and blank lines inside a continuation
        body = line.rstrip()
        if body.endswith(escape):
            parts.append(body[: -len(escape)])
            continue
        parts.append(body)
        text = " ".join(p.strip() for p in parts)
        parts = []
        keyword, _, args = text.partition(" ")
        result.append((keyword.upper(), args.strip(), start, number, comment_above))
        last_comment = 0
    if parts:
        text = " ".join(p.strip() for p in parts)
        keyword, _, args = text.partition(" ")
        result.append((keyword.upper(), args.strip(), start, len(lines), comment_above))
    return result


def check_dockerfile(lines: Sequence[str]) -> List[Finding]:
    """Return BG106 findings of a Dockerfile.

    Args:
        lines: The file's lines.

    Returns:
        The findings, in line order.
    """
    findings: List[Finding] = []
    entrypoint: Optional[Tuple[_Command, int]] = None
    cmd: Optional[Tuple[_Command, int]] = None

    def close_stage() -> None:
        if entrypoint is None or cmd is None:
            return
        entry, cmd_command = entrypoint[0], cmd[0]
        if entry.argv is None or cmd_command.argv is None:
            return
        if _script(entry) or _script(cmd_command):
            return
        script = script_in_argv(entry.argv + cmd_command.argv)
        if script:
            found = _finding(lines, cmd_command, script, [cmd[1], entrypoint[1]])
            if found:
                findings.append(found)

    for keyword, args, first, last, above in _dockerfile_instructions(lines):
        if keyword == "FROM":
            close_stage()
            entrypoint = cmd = None
            continue
        if keyword not in ("CMD", "ENTRYPOINT", "RUN", "HEALTHCHECK"):
            continue
        command = _command_of(keyword, args, first, last)
        if command is None:
            continue
        if keyword == "ENTRYPOINT":
            entrypoint = (command, above)
        elif keyword == "CMD":
            cmd = (command, above)
        script = _script(command)
        if script:
            found = _finding(lines, command, script, [above] if above else [])
            if found:
                findings.append(found)
    close_stage()
    return sorted(findings, key=lambda f: (f.line, f.col))


# ---- Procfile ---------------------------------------------------------------------


def check_procfile(lines: Sequence[str]) -> List[Finding]:
    """Return BG106 findings of a Procfile (``web: python src/main.py``).

    Args:
        lines: The file's lines.

    Returns:
        The findings, in line order.
    """
    findings = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if line.lstrip().startswith("#"):
            continue
        match = _PROCFILE_RE.match(line)
        if not match:
            continue
        command = _Command(number, number, command_line=match.group(2))
        script = _script(command)
        if script:
            found = _finding(lines, command, script, [])
            if found:
                findings.append(found)
    return findings


# ---- compose ----------------------------------------------------------------------


def _compose_value(node: Any) -> Optional[_Command]:
    from yaml import ScalarNode, SequenceNode  # PyYAML is imported lazily

    first = node.start_mark.line + 1
    end = node.end_mark
    last = max(end.line + 1 if end.column else end.line, first)
    if isinstance(node, ScalarNode) and isinstance(node.value, str):
        return _Command(first, last, command_line=node.value)
    if isinstance(node, SequenceNode) and all(
        isinstance(item, ScalarNode) for item in node.value
    ):
        argv = [str(item.value) for item in node.value]
        end = max([item.end_mark.line + 1 for item in node.value] or [first])
        return _Command(first, end, argv=argv)
    return None


def _mapping_items(node: Any) -> List[Tuple[str, Any, int]]:
    from yaml import MappingNode, ScalarNode

    if not isinstance(node, MappingNode):
        return []
    return [
        (key.value, value, key.start_mark.line + 1)
        for key, value in node.value
        if isinstance(key, ScalarNode)
    ]


def check_compose(text: str, lines: Sequence[str]) -> List[Finding]:
    """Return BG106 findings of a Docker Compose file.

    Args:
        text: The file's text.
        lines: The same text split into lines.

    Returns:
        The findings, in line order.

    Raises:
        ImportError: PyYAML is not installed.
        LauncherError: The file is not valid YAML.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        documents = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LauncherError(f"invalid YAML: {problem}") from None
    findings: List[Finding] = []
    for document in documents:
        for key, services, _ in _mapping_items(document):
            if key != "services":
                continue
            for _, service, _ in _mapping_items(services):
                _check_service(service, lines, findings)
    return sorted(findings, key=lambda f: (f.line, f.col))


def _check_service(service: Any, lines: Sequence[str], findings: List[Finding]) -> None:
    commands = {}
    for key, value, key_line in _mapping_items(service):
        if key in ("command", "entrypoint"):
            command = _compose_value(value)
            if command is not None:
                commands[key] = (command, key_line)
    flagged = False
    for command, key_line in commands.values():
        script = _script(command)
        if script:
            flagged = True
            found = _finding(lines, command, script, _with_above(lines, key_line))
            if found:
                findings.append(found)
    entry = commands.get("entrypoint")
    cmd = commands.get("command")
    if flagged or entry is None or cmd is None:
        return
    if entry[0].argv is None or cmd[0].argv is None:
        return
    script = script_in_argv(entry[0].argv + cmd[0].argv)
    if script:
        noqa = _with_above(lines, cmd[1]) + _with_above(lines, entry[1])
        found = _finding(lines, cmd[0], script, noqa)
        if found:
            findings.append(found)


def _with_above(lines: Sequence[str], line: int) -> List[int]:
    above = line - 1
    if 0 < above <= len(lines) and lines[above - 1].lstrip().startswith("#"):
        return [line, above]
    return [line]


CHECKERS: Dict[str, Callable[[str, List[str]], List[Finding]]] = {
    "dockerfile": lambda text, lines: check_dockerfile(lines),
    "procfile": lambda text, lines: check_procfile(lines),
    "compose": check_compose,
}


def check_launcher(path: str, text: str) -> List[Finding]:
    """Return the BG106 findings of a launch file.

    Args:
        path: The file's path (its name gives its kind).
        text: The file's text.

    Returns:
        The findings; an empty list when the name is not a launch file.

    Raises:
        ImportError: A compose file and PyYAML is not installed.
        LauncherError: The file could not be parsed.
    """
    kind = launcher_kind(path)
    if kind is None:
        return []
    return CHECKERS[kind](text, text.splitlines(True))
