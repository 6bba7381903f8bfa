"""BG202 shell-command: commands run through a shell.

Flagged (names resolved through imports and aliases):

* functions that always use a shell: ``os.system``, ``os.popen`` (and Python 2's
  ``os.popen2/3/4``, ``popen2.*``, ``commands.getoutput/getstatusoutput``),
  ``subprocess.getoutput/getstatusoutput``, ``platform.popen``,
  ``asyncio.create_subprocess_shell`` and the event loop's ``loop.subprocess_shell``;
* any ``subprocess.*`` call with ``shell=`` a truthy constant (module constants are
  resolved; a non-constant ``shell=`` is not judged, RULES.md Clarifications);
* the "shell forms" of ``os.spawn*``: the ``spawn*`` functions never use a shell by
  themselves, so a shell form is one that starts a shell to run a command string:
  the program is ``sh``, ``bash``, ``zsh``, ``dash``, ``ksh``, ``cmd``, ``powershell``
  ... (any path, any ``.exe``) and ``-c`` / ``/c`` / ``-Command`` is among its
  arguments, as in ``os.spawnl(os.P_WAIT, "/bin/sh", "sh", "-c", cmd)``;
* ``anyio.run_process``/``anyio.open_process`` given a command string (anyio runs
  a string through the shell and a list without one);
* an argv that starts a shell on a built command string:
  ``subprocess.run(["bash", "-c", f"ping {host}"])``,
  ``asyncio.create_subprocess_exec("sh", "-c", cmd)`` (a constant script is not
  judged: nothing can be injected into it).
"""

from __future__ import annotations

import ast
from typing import List, Optional

from ...analysis.dataflow import reaching_values
from ...analysis.values import UNKNOWN, const_value, keyword_value
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG202",
    name="shell-command",
    message="{call} runs a shell command",
    hint="use subprocess.run([...], shell=False, timeout=...)",
    rationale=(
        "Why is this bad? A shell parses its command line: quotes, `;`, `&&`, `|`, "
        "`$(...)` and back-ticks in any value pasted into it run further commands "
        "(OS command injection), and quoting every value correctly by hand is "
        "fragile. `subprocess.run([...])` with an argument list starts the program "
        "directly: each value is one argument, never parsed. Add a timeout so a hung "
        "command cannot block the worker."
    ),
    bad=Example(
        "import os\n\n\n"
        "def backup(path):\n"
        "    os.system('tar czf backup.tgz ' + path)\n"
    ),
    good=Example(
        "import subprocess\n\n\n"
        "def backup(path):\n"
        "    subprocess.run(\n"
        "        ['tar', 'czf', 'backup.tgz', path], check=True, timeout=60\n"
        "    )\n"
    ),
    severity="error",
    cwe=78,
    overlaps=("S602", "S605", "B602", "B605"),
)

_ALWAYS_SHELL = frozenset(
    {
        "os.system",
        "os.popen",
        "os.popen2",
        "os.popen3",
        "os.popen4",
        "posix.system",
        "posix.popen",
        "nt.system",
        "popen2.popen2",
        "popen2.popen3",
        "popen2.popen4",
        "popen2.Popen3",
        "popen2.Popen4",
        "commands.getoutput",
        "commands.getstatusoutput",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "platform.popen",
        "asyncio.create_subprocess_shell",
        "asyncio.subprocess.create_subprocess_shell",
    }
)
_LAST_PARTS = frozenset(q.rsplit(".", 1)[1] for q in _ALWAYS_SHELL) | frozenset(
    {"subprocess_shell", "run_process", "open_process"}
)
# Functions that take an argv list: ``subprocess.run(["bash", "-c", cmd])`` runs a
# shell as surely as ``shell=True`` does.
_ARGV_FUNCTIONS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "asyncio.create_subprocess_exec",
        "asyncio.subprocess.create_subprocess_exec",
        "anyio.run_process",
        "anyio.open_process",
    }
)
_ARGV_LAST = frozenset(q.rsplit(".", 1)[1] for q in _ARGV_FUNCTIONS)
_SPAWN = frozenset(
    {
        "spawnl",
        "spawnle",
        "spawnlp",
        "spawnlpe",
        "spawnv",
        "spawnve",
        "spawnvp",
        "spawnvpe",
    }
)
_SHELLS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "csh",
        "tcsh",
        "ash",
        "fish",
        "busybox",
        "cmd",
        "command.com",
        "powershell",
        "pwsh",
    }
)
_COMMAND_FLAGS = frozenset(
    {"-c", "/c", "/C", "-Command", "-command", "/k", "/K", "-lc", "-ic"}
)
# subprocess.Popen's positional parameters: shell is the 9th.
_POPEN_SHELL_POSITION = 8


def _is_shell_program(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    base = value.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if base.endswith(".exe"):
        base = base[:-4]
    return base in _SHELLS


def _spawn_argv(ctx: FileContext, call: ast.Call, name: str) -> Optional[List[object]]:
    # Return [program, argv...] of an ``os.spawn*`` call as constants (or UNKNOWN).
    args = call.args
    if any(isinstance(a, ast.Starred) for a in args) or len(args) < 3:
        return None
    program = const_value(ctx, args[1])
    if "v" in name[5:]:
        argv_node = args[2]
        if not isinstance(argv_node, (ast.List, ast.Tuple)):
            value = const_value(ctx, argv_node)
            if isinstance(value, (list, tuple)):
                return [program, *value]
            return None
        return [program, *(const_value(ctx, e) for e in argv_node.elts)]
    rest = args[2:]
    if name.endswith("e"):
        rest = rest[:-1]  # the environment mapping
    return [program, *(const_value(ctx, a) for a in rest)]


def _is_spawn_shell(ctx: FileContext, call: ast.Call, name: str) -> bool:
    argv = _spawn_argv(ctx, call, name)
    if not argv:
        return False
    if not _is_shell_program(argv[0]):
        return False
    return any(isinstance(a, str) and a in _COMMAND_FLAGS for a in argv[1:])


def _argv_elements(
    ctx: FileContext, call: ast.Call, name: str
) -> Optional[List[ast.expr]]:
    # Return the argv elements of a call given a literal list (or exec's arguments).
    if name.endswith("create_subprocess_exec"):
        args = list(call.args)
    else:
        first = call.args[0] if call.args else keyword_value(call, "args")
        if first is None and name.startswith("anyio."):
            first = keyword_value(call, "command")
        if isinstance(first, ast.Name):
            values = reaching_values(ctx, first)
            if len(values) == 1 and isinstance(values[0], (ast.List, ast.Tuple)):
                first = values[0]
        if not isinstance(first, (ast.List, ast.Tuple)):
            return None
        args = list(first.elts)
    if any(isinstance(a, ast.Starred) for a in args[:3]):
        return None
    return args


def _is_argv_shell(ctx: FileContext, call: ast.Call, name: str) -> bool:
    # ``[shell, "-c", <non-constant command>]``: a shell parses a built string.
    argv = _argv_elements(ctx, call, name)
    if not argv or len(argv) < 3 or not _is_shell_program(const_value(ctx, argv[0])):
        return False
    for position, element in enumerate(argv[1:-1], start=1):
        if const_value(ctx, element) in _COMMAND_FLAGS:
            command = argv[position + 1]
            return not isinstance(const_value(ctx, command), str)
    return False


def _shell_argument(call: ast.Call, name: str) -> Optional[ast.expr]:
    value = keyword_value(call, "shell")
    if value is not None:
        return value
    if name == "subprocess.Popen" and len(call.args) > _POPEN_SHELL_POSITION:
        if not any(isinstance(a, ast.Starred) for a in call.args):
            return call.args[_POPEN_SHELL_POSITION]
    return None


def _is_command_string(ctx: FileContext, node: Optional[ast.expr]) -> bool:
    if node is None:
        return False
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return isinstance(node.left, (ast.Constant, ast.JoinedStr)) and (
            isinstance(node.op, ast.Mod) or _is_command_string(ctx, node.left)
        )
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
    ):
        return True
    return isinstance(const_value(ctx, node), str)


# Callee names the call handler is keyed on; any other call can only be reported
# for its ``shell=`` keyword, judged by the keyword handler.
_KEYS = _LAST_PARTS | _SPAWN | _ARGV_LAST


def _keyed(ctx: FileContext, func: ast.expr) -> bool:
    # True when the engine dispatches the call of ``func`` to the call handler.
    if isinstance(func, ast.Attribute):
        return func.attr in _KEYS
    if isinstance(func, ast.Name):
        if func.id in _KEYS:
            return True
        qualified = ctx.aliases.get(func.id)
        return qualified is not None and qualified.rpartition(".")[2] in _KEYS
    return False


def _judge(ctx: FileContext, node: ast.Call) -> Optional[Finding]:
    # The finding for one call, if it runs a shell command.
    func = node.func
    if isinstance(func, ast.Attribute):
        last = func.attr
    elif isinstance(func, ast.Name):
        last = func.id
    else:
        return None
    has_shell_kw = any(kw.arg == "shell" for kw in node.keywords)
    if not (
        has_shell_kw
        or last in _LAST_PARTS
        or last in _SPAWN
        or last in _ARGV_LAST
        or (isinstance(func, ast.Name) and last in ctx.aliases)
    ):
        return None
    name = ctx.qualname(func) or ""
    if name in _ALWAYS_SHELL:
        return RULE.finding(node, call=f"`{name}()`")
    if last == "subprocess_shell" and isinstance(func, ast.Attribute):
        return RULE.finding(node, call="`loop.subprocess_shell()`")
    if name in _ARGV_FUNCTIONS and _is_argv_shell(ctx, node, name):
        shown = "shell, '-c', ..."
        if not name.endswith("create_subprocess_exec"):
            shown = f"[{shown}]"
        return RULE.finding(node, call=f"`{name}({shown})`")
    if name in ("anyio.run_process", "anyio.open_process"):
        command = node.args[0] if node.args else keyword_value(node, "command")
        if _is_command_string(ctx, command):
            return RULE.finding(node, call=f"`{name}()` with a command string")
        return None
    spawn = name.rsplit(".", 1)[-1]
    if spawn in _SPAWN and name in (f"os.{spawn}", f"posix.{spawn}", f"nt.{spawn}"):
        if _is_spawn_shell(ctx, node, spawn):
            return RULE.finding(node, call=f"`{name}()` starting a shell with -c")
        return None
    if name.startswith("subprocess."):
        shell = _shell_argument(node, name)
        if shell is None:
            return None
        value = const_value(ctx, shell)
        if value is not UNKNOWN and value:
            return RULE.finding(node, call=f"`{name}(..., shell=True)`")
    return None


@RULE.on(ast.Call, names=_KEYS)
def _check_call(node: ast.Call, ctx: FileContext) -> Optional[List[Finding]]:
    if not _keyed(ctx, node.func):
        return None  # judged at its ``shell=`` keyword, if it has one
    finding = _judge(ctx, node)
    return None if finding is None else [finding]


@RULE.on(ast.keyword, names={"shell"})
def _check_shell_keyword(node: ast.keyword, ctx: FileContext) -> Optional[List[Finding]]:
    # ``subprocess.<anything>(..., shell=True)`` of a callee the call handler is not
    # keyed on; the call is judged once, at its first ``shell=`` keyword.
    if node.arg != "shell":
        return None
    call = ctx.parent(node)
    if not isinstance(call, ast.Call) or _keyed(ctx, call.func):
        return None
    first = next(kw for kw in call.keywords if kw.arg == "shell")
    if first is not node:
        return None
    finding = _judge(ctx, call)
    return None if finding is None else [finding]
