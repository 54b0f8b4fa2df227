"""What applying a planned change will send, for the preview: computed from the plan and the connection's
settings without sending anything (the access key never appears). Qt-free.

Only writes are listed: reads that come first (a re-read where the server has no ETags or the body depends on the
roles' current form) are named in ``note``. The bodies are built by the same functions apply uses
(``scim/planned_roles.role_write``, ``bird/team_roles_adapter.request_body``), so the preview and the wire agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from birdadmin.bird import team_roles_adapter
from birdadmin.bird.models import RoleRef
from birdadmin.bird.role_refs import with_roles_set
from birdadmin.domain.changes import Change
from birdadmin.scim import filters
from birdadmin.scim.planned_roles import role_write, sends_directly
from birdadmin.scim.resources import PATCH_SCHEMA, RolesShape, RoleStrategy

if TYPE_CHECKING:
    from birdadmin.org_load import Session
    from birdadmin.scim.client import ScimClient


@dataclass(frozen=True)
class PlannedRequest:
    """One request a change will send: method, path (relative to the SCIM Base URL, or the Accounts API path for
    team roles), body, the If-Match value, and a note where the real body depends on what the server holds."""

    method: str
    path: str
    body: Any | None
    if_match: str | None
    note: str = ""


def etag_in_use(scim: ScimClient) -> bool:
    """Whether writes carry If-Match, without sending anything: the server's published answer when it was already
    read (it is, once the directory has loaded), else the connection's setting."""
    caps = scim._capabilities
    return scim.settings.use_etag and (caps is None or caps.etag is not False)


def scim_path(scim: ScimClient, *parts: str) -> str:
    """A SCIM endpoint's path relative to the Base URL, escaped as it goes on the wire (``/Users/<id>``)."""
    base = scim.base_url.path.rstrip("/")
    return scim.url(*parts).raw_path.decode("ascii").split("?", 1)[0].removeprefix(base) or "/"


def requests_for(change: Change, session: Session) -> list[PlannedRequest]:
    """The writes applying ``change`` sends when the server still holds what it was planned against."""
    if change.is_noop:
        return []
    if change.kind == "user-roles":
        return [_user_roles(change, session.scim)]
    if change.kind == "group-members":
        return _members(change, session.scim)
    return _team_roles(change, session)


def _user_roles(change: Change, scim: ScimClient) -> PlannedRequest:
    settings = scim.settings
    etag = etag_in_use(scim)
    direct = sends_directly(settings, change.version, etag)
    method, body = role_write(settings, change.before, change.after, None, {})
    notes: list[str] = []
    if not direct:
        notes.append("The user is read first and the write is sent only if the roles are still as planned"
                     + (", with the version read then as If-Match." if etag else "."))
    if settings.role_strategy is RoleStrategy.PUT:
        notes.append("The PUT carries the whole user as read, with these roles.")
    elif settings.roles_shape is RolesShape.COMPLEX and settings.role_strategy is RoleStrategy.REPLACE:
        notes.append("Roles the change keeps go back exactly as the server holds them (complex roles keep their "
                     "display and type).")
    return PlannedRequest(method, scim_path(scim, "Users", change.target_id), body,
                          change.version if etag else None, " ".join(notes))


def _members(change: Change, scim: ScimClient) -> list[PlannedRequest]:
    path = scim_path(scim, "Groups", change.target_id)
    note = ("Merged by the server: the group is read first, and only members not yet in it (or still in it) are "
            "sent; nothing else about the group changes.")
    out: list[PlannedRequest] = []
    if change.added:
        value = [{"value": u, "type": "User"} for u in dict.fromkeys(change.added)]
        body = {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "add", "path": "members", "value": value}]}
        out.append(PlannedRequest("PATCH", path, body, None, note))
    if change.removed:
        operations = [{"op": "remove", "path": f"members[value eq {filters.quote(u)}]"}
                      for u in dict.fromkeys(change.removed)]
        out.append(PlannedRequest("PATCH", path, {"schemas": [PATCH_SCHEMA], "Operations": operations}, None, note))
    return out


def _loaded_refs(session: Session, team_id: str) -> tuple[RoleRef, ...] | None:
    """The team's roleRefs as the organization was loaded (``org_load.OrgData.teams``), or None."""
    teams = session.org.teams if session.org is not None else []
    return next((t.role_refs for t in teams if t.id == team_id), None)


def _team_roles(change: Change, session: Session) -> list[PlannedRequest]:
    if session.accounts is None or not change.team_id:
        return []  # nothing is sent: apply reports why (services/verify.py ACCOUNTS_NEEDED, NO_TEAM)
    url = team_roles_adapter.team_roles_url(session.accounts.org_url, change.team_id)
    loaded = _loaded_refs(session, change.team_id)
    body = team_roles_adapter.request_body(with_roles_set(loaded or (), change.after))
    note = ("ASSUMED endpoint (docs/bird.md, U4). The team is read first; roles it keeps keep their workspaces as "
            "the team holds them, new ones are organization-wide.")
    if loaded is None:
        note += " The team's roles were not loaded, so kept roles are shown without their workspaces."
    if change.version is None:
        note += " The team offers no ETag, so its roles are compared with the plan just before the write (U7)."
    return [PlannedRequest(team_roles_adapter.METHOD, url.path, body, change.version, note)]
