"""The subset of Bird's Accounts REST API the product uses: role catalogue, teams, team members, key metadata.

``Authorization: AccessKey <key>`` (a Bearer header is refused with 401; the SCIM key is recognised but not
allowed here, 403, and so is a valid key on another organization's path), cursor pagination with an opaque
``pageToken``, ``{"code", "message"}`` errors.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Protocol

from birdadmin.emulator.access_keys import KeyRegistry
from birdadmin.emulator.errors import AccountsError
from birdadmin.emulator.state import EmulatorState
from birdadmin.emulator.wire import (
    PLAIN_JSON,
    Request,
    Response,
    accounts_error_response,
    json_response,
)

DEFAULT_LIMIT, MAX_LIMIT = 10, 100


class AccountsSettings(Protocol):
    state: EmulatorState
    key: str
    accounts_key: str
    keys: KeyRegistry

    def access_keys(self) -> list[dict[str, Any]]: ...


def handle_accounts(ctx: AccountsSettings, req: Request, segments: list[str]) -> Response:
    try:
        _authenticate(ctx, req)
        return _route(ctx, req, segments)
    except AccountsError as exc:
        return accounts_error_response(exc)


def _authenticate(ctx: AccountsSettings, req: Request) -> None:
    scheme, _, text = (req.header("Authorization") or "").strip().partition(" ")
    token = text.strip().encode()
    if scheme.lower() == "bearer":
        raise AccountsError(401, "unauthorized", "the Accounts API needs 'Authorization: AccessKey <key>', not Bearer")
    if scheme.lower() != "accesskey" or not token:
        raise AccountsError(401, "unauthorized", "missing access key (send Authorization: AccessKey <key>)")
    found = ctx.keys.authenticate(token.decode(), "accounts")
    if found == "ok":
        return
    if found == "other-service":
        raise AccountsError(403, "forbidden", "this is a SCIM provisioning key; it cannot call the Accounts API")
    raise AccountsError(401, "unauthorized", "unknown access key")


def handle_other_organization(ctx: AccountsSettings, req: Request) -> Response:
    """A valid key used on another organization's path is forbidden (403); anything else is 401."""
    try:
        _authenticate(ctx, req)
    except AccountsError as exc:
        return accounts_error_response(exc)
    return accounts_error_response(AccountsError(403, "forbidden", "this access key belongs to another organization"))


def _route(ctx: AccountsSettings, req: Request, segs: list[str]) -> Response:
    state, method, n = ctx.state, req.method, len(segs)
    head = segs[0] if segs else ""
    if head == "iam-roles" and n <= 2:
        _allow(method, "GET")
        if n == 1:
            return _page(req, state.roles())
        for role in state.roles():
            if role["id"] == segs[1]:
                return _ok(role)
        raise AccountsError(404, "not_found", f"role {segs[1]} not found")
    if head == "access-keys" and n == 1:
        _allow(method, "GET", "POST")
        if method == "POST":  # ASSUMED (docs/bird.md A8)
            known = {str(r["id"]).lower() for r in state.roles()}
            return _ok(ctx.keys.create(req.json(as_scim=False), known), 201)
        return _page(req, ctx.access_keys())
    if head == "access-keys" and n == 2:
        _allow(method, "DELETE")  # ASSUMED (docs/bird.md A9)
        ctx.keys.revoke(segs[1])
        return Response(204)
    if head == "teams":
        if n == 1:
            _allow(method, "GET", "POST")
            if method == "POST":
                return _ok(state.create_team(req.json(as_scim=False)), 201)
            return _page(req, state.teams())
        if n == 2:
            _allow(method, "GET", "PATCH")
            if method == "PATCH":
                team = update_team_role_refs(state, segs[1], req.json(as_scim=False), req.header("If-Match"))
            else:
                team = state.team(segs[1])
            etag = state.team_etag(segs[1])
            return json_response(200, team, PLAIN_JSON, ETag=etag) if etag else _ok(team)
        if n == 3 and segs[2] == "members":
            _allow(method, "GET", "POST")
            if method == "POST":
                return _ok(state.add_team_member(segs[1], req.json(as_scim=False)), 201)
            return _page(req, state.team_members(segs[1]))
        if n == 4 and segs[2] == "members":
            _allow(method, "DELETE")
            state.remove_team_member(segs[1], segs[3])
            return Response(204)
    raise AccountsError(404, "not_found", f"no Accounts API endpoint at {req.path}")


def update_team_role_refs(
    state: EmulatorState, team_id: str, body: Any, if_match: str | None = None
) -> dict[str, Any]:
    """ASSUMED endpoint ``PATCH /organizations/{orgId}/teams/{teamId}`` with ``{"roleRefs": [...]}``, and ASSUMED
    precondition: the team's ``ETag`` (on GET and PATCH) sent back as ``If-Match``, a stale one answered 412.

    Bird documents no way to change a team's roles, nor any precondition on teams; this is the one place that
    guesses (docs/bird.md, U4 and U7).
    """
    return state.set_team_role_refs(team_id, body, if_match)


def _allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise AccountsError(405, "method_not_allowed", f"{method} is not supported here; use {' or '.join(allowed)}")


def _ok(data: Any, status: int = 200) -> Response:
    return json_response(status, data, PLAIN_JSON)


def encode_token(offset: int) -> str:
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        offset = data["o"]
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError
        return offset
    except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error):
        raise AccountsError(422, "validation_error", "pageToken is not a token this server issued") from None


def _page(req: Request, items: list[dict[str, Any]]) -> Response:
    raw_limit = req.param("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise AccountsError(422, "validation_error", f"limit must be an integer from 1 to {MAX_LIMIT}") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise AccountsError(422, "validation_error", f"limit must be from 1 to {MAX_LIMIT}")
    token = req.param("pageToken")
    offset = decode_token(token) if token else 0
    chunk = items[offset : offset + limit]
    following = offset + limit
    return _ok({"results": chunk, "nextPageToken": encode_token(following) if following < len(items) else ""})
