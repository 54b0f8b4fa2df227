"""SCIM 2.0 endpoints under ``/organizations/{orgId}/scim/v2`` (RFC 7644), Bird-style.

Routing, authentication, query parameters, paging with a silent cap and ETags. The data rules live in ``state``;
projection (``attributes`` / ``excludedAttributes``) in ``projection``, the discovery documents in
``scim_discovery``; this module only speaks HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from birdadmin.emulator.access_keys import KeyRegistry
from birdadmin.emulator.errors import ScimError
from birdadmin.emulator.filter_syntax import Compare, FilterError, Node, attribute_names, parse_filter
from birdadmin.emulator.filters import Scope, compile_filter
from birdadmin.emulator.projection import Projection, projection
from birdadmin.emulator.schema import (
    LIST_URN,
    SEARCH_URN,
    ResourceSchema,
    group_schema,
    resource_schemas,
    user_schema,
)
from birdadmin.emulator.scim_discovery import DISCOVERY, discovery_response
from birdadmin.emulator.state import EmulatorState
from birdadmin.emulator.versions import GROUPS, USERS, etag_matches
from birdadmin.emulator.wire import (
    SCIM_JSON,
    Request,
    Response,
    json_response,
    scim_error_response,
)


class ScimSettings(Protocol):
    """What the handlers need from the running emulator (read on every request, so runtime changes apply)."""

    state: EmulatorState
    key: str
    keys: KeyRegistry
    scim_url: str
    max_page_size: int
    patch_returns_204: bool


def handle_scim(ctx: ScimSettings, req: Request, segments: list[str]) -> Response:
    try:
        _authenticate(ctx, req)
        return _route(ctx, req, segments)
    except ScimError as exc:
        extra = [("WWW-Authenticate", 'Bearer realm="Bird SCIM"')] if exc.status == 401 else []
        return scim_error_response(exc, extra)


def _authenticate(ctx: ScimSettings, req: Request) -> None:
    scheme, _, token = (req.header("Authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or ctx.keys.authenticate(token.strip(), "scim") != "ok":
        raise ScimError(401, "missing or wrong SCIM access key (send Authorization: Bearer <key>)")


def _not_allowed(method: str, allowed: str) -> ScimError:
    return ScimError(405, f"{method} is not supported here; use {allowed}")


def _route(ctx: ScimSettings, req: Request, segs: list[str]) -> Response:
    method = req.method
    head = segs[0].lower() if segs else ""
    if head in DISCOVERY:
        if method != "GET":
            resp = scim_error_response(_not_allowed(method, "GET"))
            resp.headers.append(("Allow", "GET"))
            return resp
        return discovery_response(ctx.scim_url, ctx.max_page_size, head, segs[1:])
    if head in ("users", "groups"):
        kind = USERS if head == "users" else GROUPS
        if len(segs) == 1:
            if method == "GET":
                return _list(ctx, kind, _ListQuery.from_request(req))
            if method == "POST":
                return _create(ctx, kind, req)
            raise _not_allowed(method, "GET or POST")
        if len(segs) == 2 and segs[1] == ".search":
            if method != "POST":
                raise _not_allowed(method, "POST")
            return _list(ctx, kind, _ListQuery.from_body(req.json()))
        if len(segs) == 2:
            return _one(ctx, kind, segs[1], req)
    elif head == ".search" and len(segs) == 1:
        if method != "POST":
            raise _not_allowed(method, "POST")
        return _search_all(ctx, _ListQuery.from_body(req.json()))
    elif head in ("bulk", "me") and len(segs) == 1:
        raise ScimError(501, f"/{segs[0]} is not supported by this service provider")
    raise ScimError(404, f"no SCIM endpoint at {req.path}")


# -- single resources --------------------------------------------------------------------------------


def _one(ctx: ScimSettings, kind: str, rid: str, req: Request) -> Response:
    state, method = ctx.state, req.method
    project = projection(_schema(kind), req.param("attributes"), req.param("excludedAttributes"))
    if method == "GET":
        body, version = state.get_bytes(kind, rid)
        if_none = req.header("If-None-Match")
        if if_none is not None and etag_matches(if_none, version):
            return Response(304, b"", None, [("ETag", version)])
        if project is not None:
            return _resource(state.get(kind, rid), 200, project)
        return Response(200, body, SCIM_JSON, [("ETag", version)])
    if_match = req.header("If-Match")
    if method == "PUT":
        return _resource(state.replace(kind, rid, req.json(), if_match), 200, project)
    if method == "PATCH":
        doc = state.patch(kind, rid, req.json(), if_match)
        if ctx.patch_returns_204:
            return Response(204, b"", None, [("ETag", doc["meta"]["version"])])
        return _resource(doc, 200, project)
    if method == "DELETE":
        state.delete(kind, rid, if_match)
        return Response(204)
    raise _not_allowed(method, "GET, PUT, PATCH or DELETE")


def _create(ctx: ScimSettings, kind: str, req: Request) -> Response:
    project = projection(_schema(kind), req.param("attributes"), req.param("excludedAttributes"))
    doc = ctx.state.create(kind, req.json())
    resp = _resource(doc, 201, project)
    resp.headers.append(("Location", doc["meta"]["location"]))
    return resp


def _resource(doc: dict[str, Any], status: int, project: Projection | None = None) -> Response:
    """One resource with its ETag header, projected when the request named attributes."""
    version = doc["meta"]["version"]
    return json_response(status, project(doc) if project else doc, ETag=version)


def _schema(kind: str) -> ResourceSchema:
    return user_schema() if kind == USERS else group_schema()


# -- listing -----------------------------------------------------------------------------------------


@dataclass
class _ListQuery:
    filter: str | None = None
    start: str | int | None = None
    count: str | int | None = None
    sort_by: str | None = None
    sort_order: str | None = None
    attributes: str | list[str] | None = None
    excluded: str | list[str] | None = None

    @classmethod
    def from_request(cls, req: Request) -> _ListQuery:
        return cls(
            req.param("filter"),
            req.param("startIndex"),
            req.param("count"),
            req.param("sortBy"),
            req.param("sortOrder"),
            req.param("attributes"),
            req.param("excludedAttributes"),
        )

    @classmethod
    def from_body(cls, body: Any) -> _ListQuery:
        if not isinstance(body, dict):
            raise ScimError(400, "a search body must be a JSON object", "invalidSyntax")
        get = {k.lower(): v for k, v in body.items()}.get
        schemas = get("schemas")
        if schemas is not None and (not isinstance(schemas, list) or SEARCH_URN not in schemas):
            raise ScimError(400, f"a search body must declare the schema {SEARCH_URN}", "invalidSyntax")
        return cls(
            get("filter"), get("startindex"), get("count"), get("sortby"), get("sortorder"),
            get("attributes"), get("excludedattributes"),
        )  # fmt: skip

    def paging(self, cap: int) -> tuple[int, int]:
        start = _int_param("startIndex", self.start, 1)
        count = _int_param("count", self.count, cap)
        return max(1, start), min(max(0, count), cap)


def _int_param(name: str, raw: str | int | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise ScimError(400, f"{name} must be an integer", "invalidValue")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ScimError(400, f"{name} must be an integer", "invalidValue") from None


def _parse(text: str | None) -> Node | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ScimError(400, "filter must be a string", "invalidFilter")
    try:
        return parse_filter(text)
    except FilterError as exc:
        raise ScimError(400, f"invalid filter: {exc}", "invalidFilter") from None


def _predicate(node: Node | None, schema: ResourceSchema, strict: bool) -> Callable[[Any], bool] | None:
    if node is None:
        return None
    try:
        return compile_filter(node, schema, strict)
    except FilterError as exc:
        raise ScimError(400, f"invalid filter: {exc}", "invalidFilter") from None


def _needs_render(node: Node | None) -> bool:
    """Filters on the computed ``groups`` (or meta.location) must see the rendered resource."""
    if node is None:
        return False
    for name in attribute_names(node):
        local = name.rsplit(":", 1)[-1] if name.startswith("urn:") else name
        if local.startswith("groups") or local == "meta.location":
            return True
    return False


def _user_name_hint(node: Node | None, schema: ResourceSchema) -> str | None:
    if isinstance(node, Compare) and node.op == "eq" and isinstance(node.value, str) and schema is user_schema():
        ref = schema.resolve(node.path)
        if ref is not None and ref.ext is None and ref.attr is not None and ref.attr.name == "userName" and not ref.sub:
            return node.value
    return None


def _sort_key(schema: ResourceSchema, sort_by: str | None) -> Callable[[dict[str, Any]], Any] | None:
    if not sort_by or not isinstance(sort_by, str):
        return None
    found = Scope(schema).getter(sort_by)
    if found is None:
        raise ScimError(400, f"cannot sort by unknown attribute '{sort_by}'", "invalidValue")
    get, attr = found
    fold = attr.type in ("string", "reference") and not attr.case_exact

    def key(doc: dict[str, Any]) -> tuple[int, str, Any]:
        values = [v for v in get(doc) if v is not None and not isinstance(v, (dict, list))]
        if not values:
            return (1, "", "")
        value = values[0]
        if fold and isinstance(value, str):
            value = value.casefold()
        return (0, type(value).__name__, value)

    return key


def _list(ctx: ScimSettings, kind: str, q: _ListQuery) -> Response:
    schema = _schema(kind)
    start, count = q.paging(ctx.max_page_size)
    node = _parse(q.filter)
    project = projection(schema, q.attributes, q.excluded)
    total, items = ctx.state.page(
        kind,
        predicate=_predicate(node, schema, strict=True),
        rendered_predicate=_needs_render(node),
        user_name=_user_name_hint(node, schema),
        sort_key=_sort_key(schema, q.sort_by),
        descending=isinstance(q.sort_order, str) and q.sort_order.lower() == "descending",
        start=start,
        count=count,
        project=project,
    )
    return _list_response(total, start, items)


def _search_all(ctx: ScimSettings, q: _ListQuery) -> Response:
    """``POST /.search`` over Users then Groups; unknown attributes simply match nothing in the other type."""
    start, count = q.paging(ctx.max_page_size)
    node = _parse(q.filter)
    items: list[bytes] = []
    total = 0
    offset = start
    for kind, schema in zip((USERS, GROUPS), resource_schemas(), strict=True):
        predicate = _predicate(node, schema, strict=False)
        project = projection(schema, q.attributes, q.excluded)
        kind_total, _ = ctx.state.page(kind, predicate=predicate, rendered_predicate=_needs_render(node), count=0)
        want = count - len(items)
        if want > 0 and offset <= kind_total:
            _, got = ctx.state.page(
                kind, predicate=predicate, rendered_predicate=_needs_render(node),
                start=offset, count=want, project=project,
            )  # fmt: skip
            items.extend(got)
        offset = max(1, offset - kind_total)
        total += kind_total
    return _list_response(total, start, items)


def _list_response(total: int, start: int, items: list[bytes]) -> Response:
    head = f'{{"schemas":["{LIST_URN}"],"totalResults":{total},"itemsPerPage":{len(items)},"startIndex":{start},'
    body = head.encode() + b'"Resources":[' + b",".join(items) + b"]}"
    return Response(200, body, SCIM_JSON)
