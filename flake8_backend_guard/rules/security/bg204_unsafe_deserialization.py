"""BG204 unsafe-deserialization: loaders that can run code from the data.

Flagged (names resolved through imports and aliases):

* ``load``/``loads``/``Unpickler`` of ``pickle``, ``cPickle``, ``_pickle``, ``dill``
  and ``cloudpickle``; ``shelve.open`` (and the ``Shelf`` classes);
  ``marshal.load/loads``; ``jsonpickle.decode``; ``pandas.read_pickle`` (also
  ``pd.read_pickle`` and ``DataFrame``-less ``from pandas import read_pickle``);
  ``joblib.load`` (a pickle underneath: scikit-learn models); Django's
  ``SESSION_SERIALIZER = "...PickleSerializer"``;
* ``yaml.load``/``yaml.load_all`` without a safe loader (``SafeLoader``,
  ``CSafeLoader``, ``BaseLoader``, ``CBaseLoader`` or a class of the file derived
  from one), given as ``Loader=`` or positionally; ``yaml.unsafe_load``,
  ``yaml.full_load`` and their ``_all`` forms;
* explicit opt-ins to pickle: ``numpy.load(..., allow_pickle=True)`` and
  ``torch.load(..., weights_only=False)``. A bare ``torch.load`` is not flagged:
  since PyTorch 2.6 it loads weights only by default.

Writing (``pickle.dumps``), ``yaml.safe_load`` and ``json`` are fine.
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional, Set

from ...analysis.values import UNKNOWN, const_value, keyword_value
from ...context import FileContext, walk_nodes
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG204",
    name="unsafe-deserialization",
    message="{call} can run arbitrary code hidden in the data it loads",
    hint=(
        "exchange data as JSON and validate it with a schema; "
        "for YAML use yaml.safe_load"
    ),
    rationale=(
        "Why is this bad? Unpickling calls whatever constructor the byte stream "
        "names: a crafted pickle, marshal, dill, shelve, jsonpickle or joblib "
        "payload runs "
        "`os.system(...)` the moment it is loaded, and PyYAML's full and unsafe "
        "loaders can build arbitrary Python objects the same way. Data from a "
        "request, a cache, a queue or an uploaded file must be treated as untrusted: "
        "load it as JSON (or `yaml.safe_load`) and validate it with a schema."
    ),
    bad=Example(
        "import pickle\n\n\n"
        "def load_profile(request):\n"
        "    return pickle.loads(request.get_data())\n"
    ),
    good=Example(
        "import json\n\n\n"
        "def load_profile(request):\n"
        "    return json.loads(request.get_data())\n"
    ),
    severity="error",
    cwe=502,
    overlaps=("S301", "S302", "S506", "B301", "B302", "B506"),
    # The modules of every flagged loader (``ickle``: pickle, cPickle, cloudpickle,
    # jsonpickle, Unpickler).
    requires=(
        "ickle",
        "dill",
        "shelve",
        "marshal",
        "pandas",
        "yaml",
        "numpy",
        "torch",
        "joblib",
    ),
)

_PICKLE_MODULES = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle")
_ALWAYS = frozenset(
    {f"{m}.{f}" for m in _PICKLE_MODULES for f in ("load", "loads", "Unpickler")}
    | {
        "shelve.open",
        "shelve.Shelf",
        "shelve.DbfilenameShelf",
        "shelve.BsdDbShelf",
        "marshal.load",
        "marshal.loads",
        "jsonpickle.decode",
        "jsonpickle.loads",
        "jsonpickle.unpickler.decode",
        "jsonpickle.Unpickler",
        "pandas.read_pickle",
        "pandas.io.pickle.read_pickle",
        "joblib.load",  # pickle underneath (scikit-learn models)
        "sklearn.externals.joblib.load",
        "yaml.unsafe_load",
        "yaml.unsafe_load_all",
        "yaml.full_load",
        "yaml.full_load_all",
    }
)
_YAML_LOAD = frozenset({"yaml.load", "yaml.load_all"})
_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_UNSAFE_LOADERS = frozenset(
    {"Loader", "CLoader", "FullLoader", "CFullLoader", "UnsafeLoader", "CUnsafeLoader"}
)
_LAST_PARTS = frozenset(q.rsplit(".", 1)[1] for q in _ALWAYS | _YAML_LOAD) | frozenset(
    {"load"}
)


def _class_defs(ctx: FileContext) -> dict:
    def compute() -> dict:
        return {
            node.name: node
            for node in walk_nodes(ctx.tree)
            if isinstance(node, ast.ClassDef)
        }

    return ctx.cached(("BG204", "classes"), compute)


def _loader_is_safe(
    ctx: FileContext, node: ast.expr, seen: Optional[Set[str]] = None
) -> bool:
    # Return False only for a loader known to build arbitrary objects.
    seen = seen or set()
    qualname = ctx.qualname(node)
    if qualname is None:
        return True  # getattr(yaml, "CSafeLoader", yaml.SafeLoader) and the like
    last = qualname.rsplit(".", 1)[-1]
    if qualname.startswith(("yaml.", "ruamel.")):
        if last in _SAFE_LOADERS:
            return True
        return last not in _UNSAFE_LOADERS
    if "Safe" in last or last in _SAFE_LOADERS:
        return True
    cls = _class_defs(ctx).get(qualname) if "." not in qualname else None
    if cls is not None and qualname not in seen:
        bases = [b for b in cls.bases]
        return all(_loader_is_safe(ctx, b, seen | {qualname}) for b in bases)
    return True  # a loader we cannot see: not judged


def _yaml_problem(ctx: FileContext, call: ast.Call) -> Optional[str]:
    loader = keyword_value(call, "Loader")
    if (
        loader is None
        and len(call.args) > 1
        and not isinstance(call.args[1], ast.Starred)
    ):
        loader = call.args[1]
    if loader is None:
        if any(kw.arg is None for kw in call.keywords) or any(
            isinstance(a, ast.Starred) for a in call.args
        ):
            return None
        return "without a Loader"
    if _loader_is_safe(ctx, loader):
        return None
    name = (ctx.qualname(loader) or "").rsplit(".", 1)[-1]
    return f"with {name}"


def _vendored_pickle(name: str) -> bool:
    # six.moves.cPickle.loads, compat.pickle.load: a pickle module under a package
    parts = name.rsplit(".", 2)
    return (
        len(parts) == 3
        and parts[1] in _PICKLE_MODULES
        and parts[2] in ("load", "loads", "Unpickler")
    )


@RULE.on(ast.Call, names=_LAST_PARTS)
def _check_call(node: ast.Call, ctx: FileContext) -> Iterator[Finding]:
    func = node.func
    if isinstance(func, ast.Attribute):
        last = func.attr
    elif isinstance(func, ast.Name):
        last = func.id
    else:
        return
    if last not in _LAST_PARTS and not (
        isinstance(func, ast.Name) and last in ctx.aliases
    ):
        return
    name = ctx.qualname(func)
    if name is None:
        return
    if name in _ALWAYS or _vendored_pickle(name):
        yield RULE.finding(node, call=f"`{name}()`")
    elif name in _YAML_LOAD:
        problem = _yaml_problem(ctx, node)
        if problem:
            yield RULE.finding(node, call=f"`{name}()` {problem}")
    elif name == "numpy.load":
        value = const_value(ctx, keyword_value(node, "allow_pickle"))
        if value is not UNKNOWN and value:
            yield RULE.finding(node, call="`numpy.load(..., allow_pickle=True)`")
    elif name == "torch.load":
        value = const_value(ctx, keyword_value(node, "weights_only"))
        if value is not UNKNOWN and value is not None and not value:
            yield RULE.finding(node, call="`torch.load(..., weights_only=False)`")


@RULE.on(ast.Assign, names={"SESSION_SERIALIZER"})
def _check_session_serializer(node: ast.Assign, ctx: FileContext) -> Iterator[Finding]:
    # Django's ``SESSION_SERIALIZER = "...PickleSerializer"``: every request's
    # session is unpickled (with the signed-cookie backend, from the client).
    value = node.value
    if (
        isinstance(value, ast.Constant)
        and isinstance(value.value, str)
        and value.value.rsplit(".", 1)[-1] == "PickleSerializer"
    ):
        yield RULE.finding(value, call="Django's session `PickleSerializer`")
