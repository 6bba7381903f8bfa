"""BG215 unvalidated-request-data: request bodies and parameters used unchecked."""

from __future__ import annotations

import ast
import re
from typing import Dict, Iterator, List, Optional, Set, Tuple, Union

from ...analysis.values import is_constant
from ...analysis.web import (
    ROUTE_WORDS,
    LocalFlow,
    annotation_item_types,
    annotation_parts,
    function_nodes,
    is_flask_request,
    is_view_method,
    local_flow,
    may_be_route,
    parameters_with_defaults,
    path_parameters,
    request_parameters,
    routes,
)
from ...context import FileContext
from ...rule import Example, Finding, Rule

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

RULE = Rule(
    code="BG215",
    name="unvalidated-request-data",
    message="{what}",
    hint=(
        "validate it first with a schema: marshmallow `Schema().load(...)` or a "
        "pydantic model (in FastAPI, declare the body as a pydantic model parameter)"
    ),
    rationale=(
        "Why is this bad? Request data is attacker-controlled. Used without a schema, "
        "a missing key becomes a 500 error, a string arrives where a number was "
        "expected, `User(**data)` lets a client set `is_admin` (mass assignment), and "
        "every handler re-implements its own partial checks. A schema (marshmallow in "
        "Flask, pydantic in FastAPI) states the accepted shape once, rejects bad "
        "input with a clear 400/422 before any code runs, and documents the API."
    ),
    bad=Example(
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/api/users")\n'
        "def create_user():\n"
        "    data = request.get_json()\n"
        '    return save_user(name=data["name"], email=data["email"])\n'
    ),
    good=Example(
        "from flask import Flask, request\n\n"
        "from .schemas import UserSchema\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/api/users")\n'
        "def create_user():\n"
        "    data = UserSchema().load(request.get_json())\n"
        '    return save_user(name=data["name"], email=data["email"])\n'
    ),
    severity="warning",
    cwe=20,
    overlaps=(),
    options=(),
    requires=ROUTE_WORDS,  # only routes and view methods are judged
)

_FLASK_READ_ATTRS = frozenset({"json", "form", "args", "values", "data"})
_FLASK_READ_CALLS = frozenset({"get_json", "get_data"})
_STARLETTE_READ_CALLS = frozenset({"json", "form", "body"})
_VALIDATOR_ATTRS = frozenset(
    {
        "load",
        "loads",
        "load_many",
        "validate",
        "validate_python",
        "validate_json",
        "validate_strings",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "parse_obj",
        "parse_raw",
        "validate_on_submit",
        "is_valid",
        "deserialize",
        "from_json",
        "parse_args",
    }
)
_NOT_SCHEMA_RECEIVERS = frozenset(
    {
        "json",
        "simplejson",
        "orjson",
        "ujson",
        "yaml",
        "pickle",
        "marshal",
        "tomllib",
        "toml",
        "ast",
        "base64",
        "codecs",
        "dill",
    }
)
_VALIDATOR_NAME_RE = re.compile(
    r"valid|schema|sanitiz|verify|signature|construct_event|parse_obj", re.IGNORECASE
)
_SIGNATURE_MODULES = frozenset({"hmac", "hashlib"})
_TRANSPARENT_CALLS = frozenset(
    {
        "json.loads",
        "dict",
        "list",
        "copy.copy",
        "copy.deepcopy",
        "werkzeug.datastructures.MultiDict",
        "werkzeug.datastructures.ImmutableMultiDict",
    }
)
_TRANSPARENT_METHODS = frozenset({"to_dict", "copy", "dict", "decode", "lists"})
_CONVERSIONS = frozenset(
    {"int", "float", "bool", "uuid.UUID", "UUID", "Decimal", "decimal.Decimal"}
)
_BENIGN_CALLS = frozenset({"len", "bool", "isinstance", "type", "print", "id", "repr"})
_LOG_NAME_RE = re.compile(r"(^|\.)(log|logger|logging|_log|_logger|LOG|LOGGER)(\.|$)")
_SCHEMA_SUFFIXES = (
    "Schema",
    "In",
    "Input",
    "Create",
    "Update",
    "Request",
    "Payload",
    "Body",
    "Params",
    "Query",
    "Form",
    "DTO",
    "Dto",
    "Validator",
)
_SCHEMA_MODULE_PARTS = frozenset(
    {
        "schema",
        "schemas",
        "dto",
        "dtos",
        "validators",
        "serializers",
        "forms",
        "payloads",
    }
)
_PYDANTIC_BASES = frozenset({"BaseModel", "RootModel", "BaseSettings", "Schema"})
_VALIDATING_DECORATORS = frozenset(
    {
        "use_args",
        "use_kwargs",
        "validate",
        "arguments",
        "expects_json",
        "input",
        "expect",
        "accepts",
        "validate_request",
        "validate_json",
        "validate_querystring",
        "use_schema",
        "validate_with",
        "body",
        "querystring",
    }
)
_NON_BODY_PARAMS = frozenset(
    {"Query", "Path", "Header", "Cookie", "Depends", "Security", "Form", "File"}
)
_LOOSE_BODY_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})
_LOOSE_ANY_TYPES = frozenset({"Any", "object"})

_UPLOAD_KEY_RE = re.compile(
    r"file|upload|image|photo|avatar|attachment|document|picture", re.IGNORECASE
)

# Events of a request value: what the handler does with it.
USE = "use"
VALIDATED = "validated"


def _last(name: Optional[str]) -> str:
    return (name or "").rsplit(".", 1)[-1]


def _callee(ctx: FileContext, call: ast.Call) -> str:
    name = ctx.qualname(call.func)
    if name is None and isinstance(call.func, ast.Attribute):
        name = call.func.attr
    return name or ""


def _module_classes(ctx: FileContext) -> Dict[str, ast.ClassDef]:
    def compute() -> Dict[str, ast.ClassDef]:
        return {
            node.name: node
            for node in ast.walk(ctx.tree)
            if isinstance(node, ast.ClassDef)
        }

    return ctx.cached(("BG215", "classes"), compute)


def _is_schema_class(ctx: FileContext, callee: ast.expr, depth: int = 0) -> bool:
    # Return True when ``callee`` names a validating model (pydantic, WTForms...).
    name = ctx.qualname(callee) or ""
    last = _last(name)
    if not last or not last[:1].isupper() or depth > 5:
        return False
    classes = _module_classes(ctx)
    if "." not in name and last in classes:
        cls = classes[last]
        for kw in cls.keywords:
            if kw.arg == "table":
                return False  # SQLModel table models do not validate
        for base in cls.bases:
            base_name = ctx.qualname(base) or ""
            if (
                base_name.split(".")[0] == "pydantic"
                or _last(base_name) in _PYDANTIC_BASES
            ):
                return True
            if _last(base_name).endswith(_SCHEMA_SUFFIXES) or _is_schema_class(
                ctx, base, depth + 1
            ):
                return True
        return False
    if last.endswith(_SCHEMA_SUFFIXES):
        return True
    module_parts = set(re.split(r"[._]", name.lower())[:-1])
    return bool(module_parts & _SCHEMA_MODULE_PARTS)


def _is_validator_call(ctx: FileContext, call: ast.Call) -> bool:
    func = call.func
    name = _callee(ctx, call)
    if isinstance(func, ast.Attribute) and func.attr in _VALIDATOR_ATTRS:
        receiver = ctx.qualname(func.value) or ""
        if receiver.split(".")[0] not in _NOT_SCHEMA_RECEIVERS:
            return True
    if name.split(".")[0] in _SIGNATURE_MODULES:
        return True
    if _VALIDATOR_NAME_RE.search(_last(name)):
        return True
    return _is_schema_class(ctx, func)


def _is_benign_call(ctx: FileContext, call: ast.Call) -> bool:
    name = _callee(ctx, call)
    if name in _BENIGN_CALLS or name in _CONVERSIONS:
        return True
    return bool(_LOG_NAME_RE.search(name)) or name.startswith("logging.")


class _Tracker:
    # Follows one request value through a handler: is it validated, is it used?

    def __init__(self, ctx: FileContext, func: FunctionNode) -> None:
        self.ctx = ctx
        self.func = func
        self.flow: LocalFlow = local_flow(ctx, func)
        self.loads: Dict[str, List[ast.Name]] = {}
        for node in function_nodes(ctx, func):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                self.loads.setdefault(node.id, []).append(node)

    def events(self, expr: ast.AST, depth: int = 0) -> Set[str]:
        # Return what happens to the value of ``expr`` (USE and/or VALIDATED).
        if depth > 4:
            return set()
        parent = self.flow.parent
        top = expr
        while True:
            holder = parent(top)
            if isinstance(holder, (ast.Await, ast.BoolOp)):
                top = holder
            elif isinstance(holder, ast.IfExp) and holder.test is not top:
                top = holder
            elif (
                isinstance(holder, ast.Call)
                and top in holder.args
                and _callee(self.ctx, holder) in _TRANSPARENT_CALLS
            ):
                top = holder
            elif (
                isinstance(holder, ast.Attribute)
                and holder.attr in _TRANSPARENT_METHODS
                and isinstance(parent(holder), ast.Call)
                and parent(holder).func is holder  # type: ignore[union-attr]
            ):
                top = parent(holder)  # type: ignore[assignment]
            else:
                break
        holder = parent(top)
        if holder is None:
            return set()
        if isinstance(holder, ast.Subscript) and holder.value is top:
            if self._converted(holder) or self._upload_key(_subscript_key(holder)):
                return set()
            return {USE} if self._result_used(holder) else set()
        if isinstance(holder, ast.Attribute) and holder.value is top:
            call = parent(holder)
            if isinstance(call, ast.Call) and call.func is holder:
                if any(kw.arg == "type" for kw in call.keywords):
                    return set()  # request.args.get("page", 1, type=int)
                if self._converted(call):
                    return set()
                if holder.attr in ("get", "getlist") and call.args:
                    if self._upload_key(call.args[0]):
                        return set()
                return {USE} if self._result_used(call) else set()
            return set()
        if isinstance(holder, ast.keyword):
            call = parent(holder)
            if isinstance(call, ast.Call):
                return self._as_argument(call, star=holder.arg is None)
            return set()
        if isinstance(holder, ast.Starred):
            call = parent(holder)
            if isinstance(call, ast.Call):
                return self._as_argument(call, star=True)
            return {USE}
        if isinstance(holder, ast.Call) and top in holder.args:
            return self._as_argument(holder, star=False)
        if isinstance(holder, ast.Dict):
            index = next((i for i, v in enumerate(holder.values) if v is top), None)
            if index is not None and holder.keys[index] is None:
                return {USE}  # {**request.json}
            return set()
        if (
            isinstance(holder, (ast.For, ast.AsyncFor, ast.comprehension))
            and holder.iter is top
        ):
            return {USE}
        if isinstance(holder, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            return self._follow_assignment(holder, top, depth)
        return set()

    def _result_used(self, node: ast.AST) -> bool:
        # A value only tested (`if request.args.get("debug"):`, `== "on"`,
        # `not ...`, `is None`) is not used as data.
        parent = self.flow.parent
        current = node
        holder = parent(current)
        while isinstance(holder, ast.BoolOp):
            current, holder = holder, parent(holder)
        if isinstance(holder, ast.Compare):
            # `== "on"`, `is None`, `in ("a", "b")`: a test; `Model.name == value`
            # (a query filter) uses the value.
            others = [holder.left] + list(holder.comparators)
            return not all(o is current or is_constant(self.ctx, o) for o in others)
        if isinstance(holder, ast.UnaryOp):
            return not isinstance(holder.op, ast.Not)
        if isinstance(holder, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            return holder.test is not current
        return True

    def _upload_key(self, key: ast.AST) -> bool:
        # A form field named like a file (Starlette forms hold uploads too).
        return (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and bool(_UPLOAD_KEY_RE.search(key.value))
        )

    def _converted(self, node: ast.AST) -> bool:
        holder = self.flow.parent(node)
        return (
            isinstance(holder, ast.Call)
            and node in holder.args
            and _callee(self.ctx, holder) in _CONVERSIONS
        )

    def _as_argument(self, call: ast.Call, star: bool) -> Set[str]:
        if _is_validator_call(self.ctx, call):
            return {VALIDATED}
        if not star and _is_benign_call(self.ctx, call):
            return set()
        return {USE}

    def _follow_assignment(
        self, holder: ast.AST, value: ast.AST, depth: int
    ) -> Set[str]:
        if isinstance(holder, ast.Assign):
            targets = holder.targets
        elif isinstance(holder, ast.AnnAssign):
            targets = [holder.target]
        else:
            targets = [holder.target]  # type: ignore[attr-defined]
        result: Set[str] = set()
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            for load in self.loads.get(target.id, []):
                if (load.lineno, load.col_offset) <= (holder.lineno, holder.col_offset):
                    continue
                reaching = [v for v, _ in self.flow.reaching(load)]
                assigned = getattr(holder, "value", None)
                if any(v is value or v is assigned for v in reaching):
                    result |= self.events(load, depth + 1)
        return result


def _subscript_key(node: ast.Subscript) -> ast.AST:
    key = node.slice
    if isinstance(key, ast.Index):  # Python 3.8 AST shape
        key = key.value  # type: ignore[attr-defined]
    return key


def _has_validating_decorator(ctx: FileContext, func: FunctionNode) -> bool:
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = ctx.qualname(target) or getattr(target, "attr", "")
        if _last(name) in _VALIDATING_DECORATORS:
            return True
    return False


def _read_text(node: ast.AST) -> str:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        base = node.func.value
        owner = base.id if isinstance(base, ast.Name) else "request"
        return f"`{owner}.{node.func.attr}()`"
    if isinstance(node, ast.Attribute):
        return f"`request.{node.attr}`"
    return "request data"


def _request_reads(ctx: FileContext, func: FunctionNode) -> List[ast.AST]:
    # Return the expressions of ``func`` that read the request body or query.
    starlette = request_parameters(ctx, func)
    reads: List[ast.AST] = []
    for node in function_nodes(ctx, func):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr in _FLASK_READ_ATTRS and is_flask_request(ctx, node.value):
            reads.append(node)
        elif node.attr in _FLASK_READ_CALLS and is_flask_request(ctx, node.value):
            holder = local_flow(ctx, func).parent(node)
            if isinstance(holder, ast.Call) and holder.func is node:
                reads.append(holder)
        elif (
            node.attr in _STARLETTE_READ_CALLS
            and isinstance(node.value, ast.Name)
            and node.value.id in starlette
        ):
            holder = local_flow(ctx, func).parent(node)
            if isinstance(holder, ast.Call) and holder.func is node:
                reads.append(holder)
    reads.sort(key=lambda n: (n.lineno, n.col_offset))
    return reads


def _param_kind(ctx: FileContext, node: Optional[ast.AST]) -> Optional[str]:
    if isinstance(node, ast.Call):
        last = _last(ctx.qualname(node.func))
        if last in _NON_BODY_PARAMS or last == "Body":
            return last
    return None


def _loose_body_params(
    ctx: FileContext, func: FunctionNode
) -> List[Tuple[ast.arg, str]]:
    # Return FastAPI body parameters typed ``dict``/``Any`` (no schema).
    in_path: Set[str] = set()
    for info in routes(ctx, func):
        in_path |= path_parameters(info.path)
    found: List[Tuple[ast.arg, str]] = []
    for arg, default in parameters_with_defaults(func):
        if arg.arg in in_path or arg.arg in ("self", "cls"):
            continue
        names, metadata = annotation_parts(ctx, arg.annotation)
        kind = _param_kind(ctx, default)
        for item in metadata:
            kind = kind or _param_kind(ctx, item)
        if kind in _NON_BODY_PARAMS:
            continue
        lasts = {_last(n) for n in names}
        items = {_last(n) for n in annotation_item_types(ctx, arg.annotation)}
        loose = bool(lasts & _LOOSE_BODY_TYPES) or bool(
            items & (_LOOSE_BODY_TYPES | _LOOSE_ANY_TYPES)
        )
        if kind == "Body":
            loose = loose or not names or bool(lasts & _LOOSE_ANY_TYPES)
        if loose:
            shown = (
                ast.unparse(arg.annotation) if arg.annotation is not None else "no type"
            )
            found.append((arg, shown))
    return found


@RULE.on_leave(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_function(
    node: FunctionNode, ctx: FileContext
) -> Optional[Iterator[Finding]]:
    # a plain function (every def of the file gets here): findings only for
    # what may be a route
    if not may_be_route(ctx, node):
        return None
    return _function_findings(node, ctx)


def _function_findings(node: FunctionNode, ctx: FileContext) -> Iterator[Finding]:
    infos = routes(ctx, node) if node.decorator_list else []
    if not infos and not is_view_method(ctx, node, ctx.class_):
        return
    if _has_validating_decorator(ctx, node):
        return
    if infos and infos[0].framework == "fastapi":
        for arg, shown in _loose_body_params(ctx, node):
            yield RULE.finding(
                arg,
                what=f"request body `{arg.arg}: {shown}` is accepted without a schema",
            )
            return
    reads = _request_reads(ctx, node)
    if not reads:
        return
    tracker = _Tracker(ctx, node)
    for read in reads:
        events = tracker.events(read)
        if USE in events and VALIDATED not in events:
            yield RULE.finding(
                read,
                what=(
                    f"request data {_read_text(read)} is used without schema "
                    "validation"
                ),
            )
            return
