"""Command lines that start Python code: is a package module run by file path?

Shared by BG106 in Python code (argv lists and command strings) and by the standalone
command's checks of Dockerfiles, Procfiles and compose files.
"""

from __future__ import annotations

import re
import shlex
from typing import List, Optional, Sequence

SERVERS = frozenset(
    {"uvicorn", "gunicorn", "hypercorn", "daphne", "granian", "waitress-serve", "uwsgi"}
)
_PYTHON_RE = re.compile(r"^python(?:[23](?:\.\d+)?)?(?:\.exe)?$|^pypy3?$")
# Interpreter options that take a separate argument.
_PYTHON_OPTS_WITH_ARG = frozenset({"-W", "-X", "-Q"})
_SHELL_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_ENV_ASSIGN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def is_python_program(word: str) -> bool:
    """Return True for ``python``, ``python3.11``, ``/usr/bin/python3``, ``pypy3``.

    Args:
        word: A command word, possibly with a directory part; ``sys.executable``
            (the source text of an argv item) counts too.

    Returns:
        Whether the word names a Python interpreter.
    """
    base = word.rsplit("/", 1)[-1]
    return bool(_PYTHON_RE.match(base)) or word == "sys.executable"


def is_server_program(word: str) -> bool:
    """Return True for ASGI/WSGI servers such as ``uvicorn`` or ``gunicorn``.

    Args:
        word: A command word, possibly with a directory part.

    Returns:
        Whether the word's base name is a known ASGI/WSGI server program.
    """
    return word.rsplit("/", 1)[-1] in SERVERS


def is_script_path(word: str) -> bool:
    """Return True for a relative path with a directory part ending in ``.py``.

    ``src/main.py`` and ``./app/main.py`` yes; ``main.py``, ``./main.py`` and
    ``/opt/app/main.py`` no.

    Args:
        word: A command-line argument.

    Returns:
        Whether the argument is such a script path (absolute, home-relative,
        variable-based paths and URLs are not).
    """
    if not word.endswith(".py") or word.startswith(("/", "~", "$")) or "://" in word:
        return False
    path = word[2:] if word.startswith("./") else word
    return "/" in path and not path.startswith("/")


def script_in_argv(argv: Sequence[str]) -> Optional[str]:
    """Return the script path that ``argv`` runs by file path, or None.

    ``["python", "src/main.py"]`` -> ``"src/main.py"``;
    ``["python", "-m", "src.main"]`` -> None; ``["uvicorn", "src/main.py"]`` ->
    ``"src/main.py"``. Leading ``env``/``exec``/``nohup``/``sudo``/``time`` words
    and ``VAR=value`` assignments are skipped.

    Args:
        argv: The words of one simple command, program first.

    Returns:
        The script path run by a Python interpreter or ASGI/WSGI server, or None
        when the command runs a module (``-m``), inline code (``-c``) or no script
        path.
    """
    words = list(argv)
    start = 0
    while start < len(words) and (
        words[start] in ("env", "exec", "nohup", "sudo", "time")
        or _ENV_ASSIGN_RE.match(words[start])
    ):
        start += 1
    if start >= len(words):
        return None
    program = words[start]
    rest = words[start + 1 :]
    if is_python_program(program):
        index = 0
        while index < len(rest):
            word = rest[index]
            if word in ("-m", "-c") or word.startswith(("-m", "-c")) and len(word) > 2:
                return None
            if word in _PYTHON_OPTS_WITH_ARG:
                index += 2
                continue
            if word.startswith("-"):
                index += 1
                continue
            return word if is_script_path(word) else None
        return None
    if is_server_program(program):
        for word in rest:
            if is_script_path(word):
                return word
    return None


def split_command(command: str) -> List[List[str]]:
    """Split a shell command string into the argv of each simple command.

    ``"cd app && python src/main.py"`` gives
    ``[["cd", "app"], ["python", "src/main.py"]]``.

    Args:
        command: A shell command line; unbalanced quotes fall back to whitespace
            splitting.

    Returns:
        The non-empty argv lists, split at ``&&``, ``||``, ``;``, ``|`` and ``&``.
    """
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        words = command.split()
    commands: List[List[str]] = [[]]
    for word in words:
        if word in _SHELL_SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


# What a command without quotes or backslashes holds when one of its words names
# an interpreter or a server (its words are then pieces of it).
_PROGRAM_PARTS = ("python", "pypy", "sys.executable") + tuple(sorted(SERVERS))


def script_in_command(command: str) -> Optional[str]:
    """Return the script path a shell command string runs by file path, or None.

    Also looks inside ``sh -c "..."`` / ``bash -c "..."``.

    Args:
        command: A shell command line, possibly of several simple commands.

    Returns:
        The first script path run by file path (see :func:`script_in_argv`), or
        None.
    """
    if not any(part in command for part in _PROGRAM_PARTS):
        if not any(char in command for char in "'\"\\"):
            return None  # no word can name a Python interpreter or a server
        # Quotes and backslashes only glue pieces of a word together (``py"thon"``):
        # a word naming a program is written whole once they are taken out.
        bare = command.replace("'", "").replace('"', "").replace("\\", "")
        if not any(part in bare for part in _PROGRAM_PARTS):
            return None
    for argv in split_command(command):
        if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash") and argv[1] == "-c":
            found = script_in_command(argv[2])
        else:
            found = script_in_argv(argv)
        if found:
            return found
    return None
