"""ASSUMED endpoint: how a team's roles are changed. The only module that knows it.

Bird documents no endpoint that updates a team's ``roleRefs`` (docs/bird.md, U4). birdadmin assumes

    PATCH {accounts}/organizations/{orgId}/teams/{teamId}
    {"roleRefs": [{"id": roleUuid, "type": "organization", "workspaces": [...]}, ...]}

which replaces the team's whole ``roleRefs`` list and answers 200 with the team (or 204 without a body).
To follow Bird once it documents the real endpoint, change ``METHOD``, ``team_roles_url`` and ``request_body``
below (and ``_team_from_answer`` if the answer differs); nothing else in birdadmin builds this request.

Because the endpoint is a guess, every write is verified: the answer (or a re-read) must show exactly the role
ids that were sent, otherwise the server ignored the field and the user is told so instead of being told it
worked. A lost answer (5xx, timeout) is checked with a re-read rather than repeated blindly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from birdadmin import errors, in_flight
from birdadmin.bird.models import (
    MissingIdError,
    RoleRef,
    Team,
    parse_team,
    role_refs_json,
)
from birdadmin.net.responses import parse_json
from birdadmin.net.session import HttpSession
from birdadmin.net.urls import join

METHOD = "PATCH"


def team_roles_url(org_url: httpx.URL, team_id: str) -> httpx.URL:
    return join(org_url, "teams", team_id)


def request_body(role_refs: Sequence[RoleRef]) -> dict[str, Any]:
    return {"roleRefs": role_refs_json(role_refs)}


def _team_from_answer(response: httpx.Response, service: str) -> Team | None:
    if response.status_code == 204 or not response.content.strip():
        return None
    body = parse_json(response, service=service)
    try:
        return parse_team(body)
    except MissingIdError:
        return None


def _same_roles(team: Team, role_refs: Sequence[RoleRef]) -> bool:
    return {r.id.lower() for r in team.role_refs} == {r.id.lower() for r in role_refs}


def _not_supported(service: str, exc: errors.RequestError) -> errors.BadRequestError:
    return exc.retyped(
        errors.BadRequestError,
        f"The {service} server does not accept changes to a team's roles at the endpoint birdadmin "
        f"assumes ({METHOD} .../teams/{{id}}, HTTP {exc.status}); change the team's roles in Bird instead.",
    )


def _verify_after_lost_answer(
    exc: errors.RequestError, team_id: str, role_refs: Sequence[RoleRef], read_team: Callable[[str], Team]
) -> Team:
    """The team when a re-read shows the change was applied although its answer was lost; else ``exc``."""
    try:
        current = read_team(team_id)
    except errors.RequestError:
        raise exc from None
    if _same_roles(current, role_refs):
        return current
    raise exc


def request_headers(version: str | None) -> dict[str, str] | None:
    """ASSUMED precondition (docs/bird.md, U7): the ``ETag`` of ``GET .../teams/{id}`` sent back as ``If-Match``,
    a stale one answered 412 (or 409) without a change. Bird documents none; a server that sends no ETag gets no
    If-Match, and the caller re-verifies after a settle delay instead (``AccountsClient.change_team_roles``)."""
    return {"If-Match": version} if version else None


def update_team_roles(
    session: HttpSession,
    org_url: httpx.URL,
    team_id: str,
    role_refs: Sequence[RoleRef],
    *,
    read_team: Callable[[str], Team],
    version: str | None = None,
) -> Team:
    """Replace the team's ``roleRefs`` with ``role_refs`` and return the team as the server now has it; with
    ``version``, only if the team is still at that version (else PreconditionFailedError, nothing changed)."""
    url = team_roles_url(org_url, team_id)
    try:
        with in_flight.sending():
            response = session.request(
                METHOD, url, json_body=request_body(role_refs), headers=request_headers(version), ok=(200, 204)
            )
    except errors.ServerError as exc:
        if exc.status == 501:  # Not Implemented: a definite answer about the endpoint, not a lost change
            raise _not_supported(session.service, exc) from None
        # The change may have been applied before the answer was lost: look before reporting a failure.
        return _verify_after_lost_answer(exc, team_id, role_refs, read_team)
    except errors.ConnectionFailedError as exc:
        return _verify_after_lost_answer(exc, team_id, role_refs, read_team)
    except errors.BadRequestError as exc:
        if exc.status == 405:
            raise _not_supported(session.service, exc) from None
        raise
    except errors.ConflictError as exc:
        if version and exc.status == 409:  # a server that answers a stale precondition with 409: the same thing
            raise exc.retyped(errors.PreconditionFailedError) from None
        raise
    team = _team_from_answer(response, session.service)
    if team is None or team.id != team_id:
        team = read_team(team_id)
    elif response.headers.get("ETag"):
        team = dataclasses.replace(team, version=response.headers["ETag"])
    if not _same_roles(team, role_refs):
        raise errors.ProtocolError(
            f"The {session.service} server accepted the change but the team's roles did not change as asked; "
            "the endpoint birdadmin assumes for team roles may not be the one Bird uses.",
            method=METHOD,
            url=str(url),
            status=response.status_code,
            service=session.service,
        )
    return team
