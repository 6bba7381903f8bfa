"""BG216 unsafe-upload-filename: the client's file name used in a file path."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Set, Union

from ...analysis.values import const_value
from ...analysis.web import (
    LocalFlow,
    annotation_item_types,
    annotation_parts,
    function_nodes,
    is_flask_request,
    local_flow,
    mentions,
    parameters_with_defaults,
    request_parameters,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

RULE = Rule(
    code="BG216",
    name="unsafe-upload-filename",
    message="the client's file name `{source}` is used in a file path ({sink})",
    hint=(
        "pass it through `werkzeug.utils.secure_filename()` first, or store the file "
        "under a generated name such as `uuid4().hex`"
    ),
    rationale=(
        "Why is this bad? The name of an uploaded file is chosen by the client, not "
        "the browser: it can be `../../app/config.py`, an absolute path, or contain "
        "NUL bytes and reserved device names. Joined into a path it lets a client "
        "write (or overwrite) files anywhere the server process can, which often ends "
        "in code execution. `secure_filename()` reduces it to a safe base name; a "
        "generated name avoids the problem (and name clashes) entirely."
    ),
    bad=Example(
        "import os\n\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/api/upload")\n'
        "def upload():\n"
        '    f = request.files["file"]\n'
        '    f.save(os.path.join("/srv/uploads", f.filename))\n'
        '    return {"ok": True}\n'
    ),
    good=Example(
        "import os\n\n"
        "from flask import Flask, request\n"
        "from werkzeug.utils import secure_filename\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/api/upload")\n'
        "def upload():\n"
        '    f = request.files["file"]\n'
        '    f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))\n'
        '    return {"ok": True}\n'
    ),
    severity="error",
    cwe=22,
    overlaps=(),
    options=("bg-filename-sanitizers",),
    requires=(".filename",),  # the client's file name is always ``X.filename``
)

_UPLOAD_TYPES = frozenset({"UploadFile", "FileStorage"})
_UPLOAD_PARAM_NAMES = frozenset(
    {
        "file",
        "upload",
        "uploaded_file",
        "upload_file",
        "uploaded",
        "file_storage",
        "filestorage",
        "attachment",
        "form_picture",
        "image_file",
        "uploaded_image",
    }
)
_SANITIZERS = frozenset(
    {
        "werkzeug.utils.secure_filename",
        "werkzeug.secure_filename",
        "secure_filename",
        "werkzeug.utils.safe_join",
        "werkzeug.security.safe_join",
        "flask.helpers.safe_join",
        "safe_join",
        "os.path.basename",
        "posixpath.basename",
        "ntpath.basename",
        "basename",
    }
)
_PATH_SINKS = frozenset(
    {
        "os.path.join",
        "posixpath.join",
        "ntpath.join",
        "open",
        "io.open",
        "codecs.open",
        "os.open",
        "aiofiles.open",
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
        "pathlib.WindowsPath",
        "Path",
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.move",
        "os.rename",
        "os.replace",
        "os.remove",
        "os.unlink",
        "os.makedirs",
        "os.mkdir",
        "flask.send_file",
    }
)
_FIRST_ARG_SINKS = frozenset(
    {"open", "io.open", "codecs.open", "os.open", "aiofiles.open"}
)
_SINK_METHODS = frozenset({"save", "joinpath"})
_STR_METHODS = frozenset(
    {
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "encode",
        "decode",
        "casefold",
        "title",
        "removeprefix",
        "removesuffix",
        "format",
        "join",
        "expandtabs",
        "zfill",
    }
)
_SAFE_PATH_ATTRS = frozenset({"name", "stem", "suffix", "suffixes"})
_FILES_METHODS = frozenset({"get", "getlist", "values", "items", "__getitem__"})


def _last(name: Optional[str]) -> str:
    return (name or "").rsplit(".", 1)[-1]


def _subscript_index(node: ast.Subscript) -> ast.AST:
    index = node.slice
    if isinstance(index, ast.Index):  # Python 3.8 AST shape
        index = index.value  # type: ignore[attr-defined]
    return index


class _Analysis:
    # The upload objects and file-name taint of one function.

    def __init__(self, ctx: FileContext, func: FunctionNode) -> None:
        self.ctx = ctx
        self.func = func
        self.flow: LocalFlow = local_flow(ctx, func)
        self.request_params = request_parameters(ctx, func)
        self.params: Dict[str, ast.arg] = {
            arg.arg: arg for arg, _default in parameters_with_defaults(func)
        }
        self.sanitizers = ctx.config.filename_sanitizers
        self._raw_cache: Dict[int, Optional[str]] = {}
        self.saved_names: Set[str] = {
            node.func.value.id
            for node in function_nodes(ctx, func)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "save"
            and isinstance(node.func.value, ast.Name)
        }

    # ---- upload objects ----------------------------------------------------------
    def _is_files(self, node: ast.AST) -> bool:
        # ``request.files`` (Flask) or a Starlette form from ``await request.form()``.
        if isinstance(node, ast.Attribute) and node.attr == "files":
            return is_flask_request(self.ctx, node.value)
        if isinstance(node, ast.Name):
            for value, kind in self.flow.reaching(node):
                if kind == "assign" and self._is_starlette_form(value):
                    return True
        return self._is_starlette_form(node)

    def _is_starlette_form(self, node: Optional[ast.AST]) -> bool:
        if isinstance(node, ast.Await):
            node = node.value
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "form"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in self.request_params
        )

    def _is_upload_list(self, node: Optional[ast.AST], depth: int = 0) -> bool:
        if node is None or depth > 4:
            return False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("getlist", "values") and self._is_files(
                node.func.value
            ):
                return True
        if isinstance(node, ast.Name):
            for value, kind in self.flow.reaching(node):
                if kind == "param":
                    arg = self.params.get(node.id)
                    if (
                        arg is not None
                        and {
                            _last(n)
                            for n in annotation_item_types(self.ctx, arg.annotation)
                        }
                        & _UPLOAD_TYPES
                    ):
                        return True
                elif kind == "assign" and self._is_upload_list(value, depth + 1):
                    return True
        return False

    def is_upload(self, node: Optional[ast.AST], depth: int = 0) -> bool:
        # Return True when ``node`` is an uploaded file object.
        if node is None or depth > 5:
            return False
        if isinstance(node, ast.Subscript):
            if self._is_files(node.value):
                return True
            return self._is_upload_list(node.value, depth + 1)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr == "get" and self._is_files(node.func.value)
        if isinstance(node, ast.Attribute):
            # WTForms/Flask-WTF: form.photo.data is a FileStorage
            return node.attr == "data" and isinstance(node.value, ast.Attribute)
        if isinstance(node, ast.Name):
            for value, kind in self.flow.reaching(node):
                if kind == "param" and self._upload_param(node.id):
                    return True
                if kind == "assign" and self.is_upload(value, depth + 1):
                    return True
                if kind == "iter" and self._is_upload_list(value, depth + 1):
                    return True
                if (
                    kind == "iter"
                    and isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Attribute)
                    and value.func.attr == "items"
                    and self._is_files(value.func.value)
                ):
                    return True
        return False

    def _upload_param(self, name: str) -> bool:
        arg = self.params.get(name)
        if arg is None:
            return False
        names, _ = annotation_parts(self.ctx, arg.annotation)
        if {_last(n) for n in names} & _UPLOAD_TYPES:
            return True
        if arg.annotation is None and name in self.saved_names:
            return True  # an untyped object with .filename and .save(): FileStorage
        return arg.annotation is None and name.lower() in _UPLOAD_PARAM_NAMES

    # ---- file-name taint -------------------------------------------------------------
    def source_of(self, node: Optional[ast.AST], depth: int = 0) -> Optional[str]:
        # Return the text of the client file name ``node`` carries, or None.
        if node is None or depth > 8:
            return None
        key = id(node)
        if key in self._raw_cache:
            return self._raw_cache[key]
        self._raw_cache[key] = None  # cycles
        found = self._source(node, depth)
        self._raw_cache[key] = found
        return found

    def _source(self, node: ast.AST, depth: int) -> Optional[str]:
        if isinstance(node, ast.Attribute):
            if node.attr == "filename" and self.is_upload(node.value):
                return _text(node)
            return None
        if isinstance(node, ast.Name):
            for _pos, value, stmt, kind in self.flow.reaching_bindings(node):
                if kind == "assign":
                    found = self.source_of(value, depth + 1)
                elif kind == "unpack":
                    found = self._unpacked(node.id, stmt, depth)
                else:
                    found = None
                if found:
                    return found
            return None
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    found = self.source_of(part.value, depth + 1)
                    if found:
                        return found
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            return self.source_of(node.left, depth + 1) or self._any(
                [node.right] + list(getattr(node.right, "elts", [])), depth
            )
        if isinstance(node, (ast.IfExp,)):
            return self._any([node.body, node.orelse], depth)
        if isinstance(node, ast.BoolOp):
            return self._any(node.values, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        return None

    def _any(self, nodes: List[ast.AST], depth: int) -> Optional[str]:
        for item in nodes:
            found = self.source_of(item, depth + 1)
            if found:
                return found
        return None

    def _unpacked(self, name: str, stmt: ast.AST, depth: int) -> Optional[str]:
        # ``stem, ext = os.path.splitext(f.filename)``: the stem is the client's.
        if not isinstance(stmt, ast.Assign):
            return None
        value = stmt.value
        if not isinstance(value, ast.Call):
            return None
        callee = self.ctx.call_name(value) or ""
        for target in stmt.targets:
            if not isinstance(target, (ast.Tuple, ast.List)):
                continue
            for index, elt in enumerate(target.elts):
                if isinstance(elt, ast.Name) and elt.id == name:
                    if _last(callee) == "splitext" and index == 0 and value.args:
                        return self.source_of(value.args[0], depth + 1)
                    if (
                        isinstance(value.func, ast.Attribute)
                        and value.func.attr
                        in ("split", "rsplit", "partition", "rpartition")
                        and index == 0
                    ):
                        return self.source_of(value.func.value, depth + 1)
        return None

    def _subscript(self, node: ast.Subscript, depth: int) -> Optional[str]:
        index = const_value(self.ctx, _subscript_index(node))
        value = node.value
        if isinstance(value, ast.Call):
            callee = self.ctx.call_name(value) or ""
            if _last(callee) == "splitext" and value.args:
                return self.source_of(value.args[0], depth + 1) if index == 0 else None
            if isinstance(value.func, ast.Attribute) and value.func.attr in (
                "split",
                "rsplit",
                "partition",
                "rpartition",
            ):
                if index in (-1, 1, 2) and index != 0:
                    return None  # the extension only
                return self.source_of(value.func.value, depth + 1)
        return self.source_of(value, depth + 1)

    def _call(self, node: ast.Call, depth: int) -> Optional[str]:
        callee = self.ctx.call_name(node) or ""
        if self._is_sanitizer(callee) or callee in _PATH_SINKS:
            return None  # sanitised, or a path built here (reported at that call)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS:
            if func.attr in ("format", "join"):
                args = list(node.args) + [kw.value for kw in node.keywords]
                if (
                    func.attr == "join"
                    and node.args
                    and isinstance(node.args[0], (ast.List, ast.Tuple))
                ):
                    args = list(node.args[0].elts)
                return self._any(args, depth)
            return self.source_of(func.value, depth + 1)
        if (
            callee in ("str", "urllib.parse.unquote", "unquote", "os.fspath")
            and node.args
        ):
            return self.source_of(node.args[0], depth + 1)
        return None

    def _is_sanitizer(self, callee: str) -> bool:
        if callee in _SANITIZERS or _last(callee) in ("secure_filename", "basename"):
            return True
        configured = self.sanitizers
        stripped = callee.lstrip(".")
        return (
            stripped in configured
            or _last(stripped) in configured
            or any(stripped.endswith("." + item) for item in configured)
        )

    # ---- sinks -----------------------------------------------------------------------
    def sink_findings(self) -> Iterator[Finding]:
        for node in function_nodes(self.ctx, self.func):
            if isinstance(node, ast.Call):
                yield from self._check_sink_call(node)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                source = self.source_of(node.right) or self.source_of(node.left)
                if source:
                    yield RULE.finding(
                        node, source=source, sink="the `/` path operator"
                    )

    def _check_sink_call(self, node: ast.Call) -> Iterator[Finding]:
        func = node.func
        callee = self.ctx.call_name(node) or ""
        args: List[ast.AST] = []
        if callee in _PATH_SINKS:
            holder = self.flow.parent(node)
            if isinstance(holder, ast.Attribute) and holder.attr in _SAFE_PATH_ATTRS:
                return  # Path(f.filename).name / .suffix: the base name or extension
            if callee in _FIRST_ARG_SINKS:
                args = list(node.args[:1]) + [
                    kw.value for kw in node.keywords if kw.arg == "file"
                ]
            else:
                args = list(node.args) + [kw.value for kw in node.keywords if kw.arg]
            sink = f"`{callee}()`"
        elif isinstance(func, ast.Attribute) and func.attr in _SINK_METHODS:
            args = list(node.args[:1]) + [
                kw.value for kw in node.keywords if kw.arg in ("dst", "path")
            ]
            sink = f"`.{func.attr}()`"
        else:
            return
        for arg in args:
            if isinstance(arg, ast.Starred):
                continue
            source = self.source_of(arg)
            if source:
                yield RULE.finding(node, source=source, sink=sink)
                return


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


@RULE.on_leave(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(
    node: FunctionNode, ctx: FileContext
) -> Optional[Iterator[Finding]]:
    if not mentions(ctx, node, (".filename",)):
        return None
    # Every source is an ``X.filename`` of the function itself whose ``X`` is an
    # upload (``source_of`` follows the function's own bindings and subexpressions
    # only): without one, no sink can report.
    analysis: Optional[_Analysis] = None
    for sub in function_nodes(ctx, node):
        if isinstance(sub, ast.Attribute) and sub.attr == "filename":
            if analysis is None:
                analysis = _Analysis(ctx, node)
            if analysis.is_upload(sub.value):
                return analysis.sink_findings()
    return None
