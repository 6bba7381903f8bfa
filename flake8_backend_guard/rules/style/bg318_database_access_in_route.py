"""BG318 database-access-in-route: route handlers that query the database directly."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple, Union

from ...analysis.structure import db_access, own_nodes
from ...analysis.web import is_route_handler
from ...context import FileContext
from ...rule import Example, Finding, Rule

RULE = Rule(
    code="BG318",
    name="database-access-in-route",
    message="route handler `{func}` talks to the database directly (`{access}`)",
    hint="move the query into a service-layer function and call that from the route",
    rationale=(
        "Route functions should stay thin: parse the request, call the service "
        "layer, shape the response. Queries written inside a handler (a cursor's "
        "`execute`, `db.session.*`, `session.add/commit/query/execute`, "
        "`Model.query...`, Django's `Model.objects...`) tie the HTTP layer to the "
        "schema, cannot be reused by other entry points (CLI, workers), and can "
        "only be tested through HTTP. Handing the session on to a service "
        "(`user_service.create(db, data)`) is the intended design and is not "
        "flagged. Reported once per handler, at its first database access."
    ),
    bad=Example(
        "from flask import Blueprint, jsonify\n"
        "from .models import User, db\n\n"
        'bp = Blueprint("users", __name__, url_prefix="/api/users")\n\n\n'
        '@bp.route("/<int:user_id>")\n'
        "def get_user(user_id: int):\n"
        "    user = db.session.get(User, user_id)\n"
        "    return jsonify(user.to_dict())\n"
    ),
    good=Example(
        "from flask import Blueprint, jsonify\n"
        "from .services import user_service\n\n"
        'bp = Blueprint("users", __name__, url_prefix="/api/users")\n\n\n'
        '@bp.route("/<int:user_id>")\n'
        "def get_user(user_id: int):\n"
        "    return jsonify(user_service.get_user(user_id))\n"
    ),
    overlaps=(),
    requires=("@",),  # a route handler is decorated
)

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


@RULE.on_leave(ast.FunctionDef, ast.AsyncFunctionDef)
def _check_handler(node: FunctionNode, ctx: FileContext) -> Optional[List[Finding]]:
    if not node.decorator_list or not is_route_handler(ctx, node):
        return None
    first: Optional[Tuple[Tuple[int, int], ast.AST, str]] = None
    for inner in own_nodes(node, ctx):
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        access = db_access(ctx, inner, node)
        if access is None:
            continue
        position = (getattr(inner, "lineno", 0), getattr(inner, "col_offset", 0))
        if first is None or position < first[0]:
            first = (position, inner, access)
    if first is None:
        return None
    return [RULE.finding(first[1], func=node.name, access=first[2])]
