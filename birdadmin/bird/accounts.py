"""Client for the part of Bird's Accounts REST API that birdadmin needs: role names, teams and their roles.

The Accounts API is a different service from SCIM with a different key (``Authorization: AccessKey``), so it has
its own HttpSession; errors, retries and redaction follow the same rules as the SCIM client. Changing a team's
roles goes through the assumed endpoint in ``team_roles_adapter``.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from birdadmin import errors, in_flight
from birdadmin.bird import team_roles_adapter
from birdadmin.bird.errors import refine
from birdadmin.bird.models import (
    MissingIdError,
    Role,
    RoleRef,
    Team,
    parse_role,
    parse_team,
    role_refs_json,
)
from birdadmin.bird.paging import DEFAULT_MAX_PAGES, check_limit, collect
from birdadmin.bird.role_refs import describe_change
from birdadmin.net.responses import parse_json
from birdadmin.net.session import HttpSession, HttpSettings
from birdadmin.net.urls import check_server_url, join
from birdadmin.scim.resources import is_uuid

SERVICE = "Bird Accounts"
T = TypeVar("T")

# Ids go into URL paths: anything beyond these characters would change which resource is addressed.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._~-]{1,200}$")


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _SAFE_ID.match(value) or value in (".", ".."):
        raise errors.InputError(f"{what} {value!r} is not a valid id (letters, digits, '-', '_', '.', '~').")
    return value


@dataclass(frozen=True, slots=True)
class TeamRoleChange:
    """The outcome of :meth:`AccountsClient.change_team_roles`: the team before, as written, and whether the write
    was guarded by a precondition; ``meanwhile`` is the team re-read after the settle delay when it no longer holds
    what was written (someone else changed it: with no precondition, the last writer wins)."""

    before: Team
    after: Team
    changed: bool
    guarded: bool
    meanwhile: Team | None = None


def same_refs(a: Sequence[RoleRef], b: Sequence[RoleRef]) -> bool:
    """Role refs compared as sets of (role, type, workspaces): servers may reorder either list."""

    def key(refs: Sequence[RoleRef]) -> set[tuple[str, str, frozenset[str]]]:
        return {(r.id.lower(), r.type, frozenset(w.lower() for w in r.workspaces)) for r in refs}

    return key(a) == key(b)


class AccountsClient:
    """A thread-safe client for one organization; one HTTP connection pool, closed by ``close()``."""

    def __init__(
        self,
        base_url: str,
        org_id: str,
        key: str,
        *,
        http: HttpSettings | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        page_limit: int = 100,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        base = check_server_url(base_url, what="Accounts API URL")
        if not key or not key.strip():
            raise errors.InputError("The Accounts API access key is empty; set BIRDADMIN_ACCOUNTS_KEY.")
        self.org_id = _check_id((org_id or "").strip(), "The organization id")
        self.page_limit = check_limit(page_limit)
        self.max_pages = max_pages
        self.org_url = join(base, "organizations", self.org_id)
        self._session = HttpSession(
            scheme="AccessKey", key=key.strip(), service=SERVICE, settings=http, transport=transport, sleep=sleep
        )
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"AccountsClient({str(self.org_url)!r})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> AccountsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------------------------

    @contextmanager
    def _typed(self) -> Iterator[None]:
        try:
            yield
        except errors.RequestError as exc:
            refined = refine(exc)
            if refined is exc:
                raise
            raise refined from None

    def _get_json(self, url: httpx.URL, params: Mapping[str, Any] | None = None) -> Any:
        with self._typed():
            response = self._session.request("GET", url, params=params, ok=(200,))
        return parse_json(response, service=SERVICE)

    def _list(self, url: httpx.URL, parse: Callable[[Any], T | None], key: Callable[[T], str]) -> list[T]:
        return collect(
            lambda params: self._get_json(url, params),
            parse,
            key,
            limit=self.page_limit,
            url=str(url),
            service=SERVICE,
            max_pages=self.max_pages,
        )

    def _one(self, response: httpx.Response, parse: Callable[[Any], T]) -> T:
        try:
            return parse(parse_json(response, service=SERVICE))
        except MissingIdError as exc:
            raise errors.ProtocolError(
                f"The {SERVICE} server answered with an object that cannot be used ({exc}).",
                method=response.request.method,
                url=str(response.request.url),
                status=response.status_code,
                service=SERVICE,
            ) from None

    def _team_url(self, team_id: str, *rest: str) -> httpx.URL:
        return join(self.org_url, "teams", _check_id(team_id, "The team id"), *rest)

    # -- reads ------------------------------------------------------------------------------------------------

    def list_roles(self) -> list[Role]:
        """The organization's role catalogue (``iam-roles``): where role names come from."""
        return self._list(join(self.org_url, "iam-roles"), parse_role, lambda r: r.id)

    def list_teams(self) -> list[Team]:
        return self._list(join(self.org_url, "teams"), parse_team, lambda t: t.id)

    def get_team(self, team_id: str) -> Team:
        """One team, with its ETag as ``version`` when the server sends one; an answer about another team is a
        ProtocolError (nothing may be read or written in the asked team's name)."""
        url = self._team_url(team_id)
        with self._typed():
            response = self._session.request("GET", url, ok=(200,))
        team = self._one(response, parse_team)
        if team.id != team_id and not (is_uuid(team_id) and team.id.lower() == team_id.lower()):
            raise errors.ProtocolError(
                f"The {SERVICE} server answered a request for team {team_id!r} with team {team.id!r}; birdadmin "
                "does not use an answer about another team.",
                method="GET",
                url=str(url),
                service=SERVICE,
            )
        etag = response.headers.get("ETag")
        return dataclasses.replace(team, version=etag) if etag else team

    # -- writes -----------------------------------------------------------------------------------------------

    def create_team(self, name: str, description: str = "", role_refs: Sequence[RoleRef] = ()) -> Team:
        if not name or not name.strip():
            raise errors.InputError("A team needs a name.")
        body = {"name": name.strip(), "description": description, "roleRefs": role_refs_json(role_refs)}
        with self._typed(), in_flight.sending():
            response = self._session.request("POST", join(self.org_url, "teams"), json_body=body, ok=(200, 201))
        return self._one(response, parse_team)

    def add_team_member(self, team_id: str, user_id: str) -> None:
        body = {"type": "user", "id": _check_id(user_id, "The user id")}
        with self._typed(), in_flight.sending():
            self._session.request("POST", self._team_url(team_id, "members"), json_body=body, ok=(200, 201, 204))

    def remove_team_member(self, team_id: str, user_id: str) -> None:
        url = self._team_url(team_id, "members", _check_id(user_id, "The user id"))
        with self._typed(), in_flight.sending():
            self._session.request("DELETE", url, ok=(200, 204))

    def set_team_roles(self, team_id: str, role_refs: Sequence[RoleRef], *, if_match: str | None = None) -> Team:
        """Replace the team's roleRefs with exactly ``role_refs`` (plan them with ``bird.role_refs``); with
        ``if_match`` (a ``Team.version``), only if the team is still at that version.

        Callers that add or remove one role build ``role_refs`` from the team's current refs so that other
        roles keep their workspace scoping; :meth:`change_team_roles` does that safely.
        """
        _check_id(team_id, "The team id")
        with self._typed():
            return team_roles_adapter.update_team_roles(
                self._session, self.org_url, team_id, tuple(role_refs), read_team=self.get_team, version=if_match
            )

    def change_team_roles(
        self,
        team_id: str,
        plan: Callable[[tuple[RoleRef, ...]], tuple[RoleRef, ...]],
        *,
        attempts: int = 3,
        settle: float = 1.0,
    ) -> TeamRoleChange:
        """Re-read the team, plan its new roleRefs from what it holds, and write them.

        When the server offers a precondition (an ETag, docs/bird.md U7) the write carries it; a 412 (or 409)
        re-reads and re-plans, ``attempts`` times at most, and nothing is overwritten. Without one, the write is
        last-writer-wins: after ``settle`` seconds the team is read again, and if it no longer holds what was
        written, the result says so (``changed_meanwhile``) instead of reporting a clean success.
        """
        team = self.get_team(team_id)
        original = team
        for _ in range(max(1, attempts)):
            planned = plan(team.role_refs)
            if describe_change(team.role_refs, planned).is_empty:
                return TeamRoleChange(original, team, changed=False, guarded=team.version is not None)
            try:
                written = self.set_team_roles(team_id, planned, if_match=team.version)
            except errors.PreconditionFailedError:
                team = self.get_team(team_id)
                continue
            if team.version is not None:
                return TeamRoleChange(original, written, changed=True, guarded=True)
            self._sleep(max(0.0, settle))
            now = self.get_team(team_id)
            meanwhile = None if same_refs(now.role_refs, written.role_refs) else now
            return TeamRoleChange(original, written, changed=True, guarded=False, meanwhile=meanwhile)
        raise errors.PreconditionFailedError(
            f"The group's roles kept changing while birdadmin tried to update them ({max(1, attempts)} attempts); "
            "nothing was overwritten.",
            method=team_roles_adapter.METHOD,
            url=str(team_roles_adapter.team_roles_url(self.org_url, team_id)),
            status=412,
            service=SERVICE,
        )
