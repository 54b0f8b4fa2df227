"""The Accounts API's view of the emulator's state: the role catalogue, teams with their roleRefs, members.

A team is a SCIM Group seen from the Accounts API (same id; displayName is its name); its ``roleRefs`` and
description live beside the group. Kept apart from the SCIM side of :class:`EmulatorState`, which mixes it in
and owns the lock and the tables this reads.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from typing import Any

from birdadmin.emulator.errors import AccountsError
from birdadmin.emulator.versions import GROUPS, is_uuid, now_iso


class TeamsMixin:
    """Accounts API operations over the state's tables; every method takes the state's one lock."""

    lock: threading.RLock
    _users: dict[str, dict[str, Any]]
    _groups: dict[str, dict[str, Any]]
    _group_names: dict[str, str]
    _teams: dict[str, dict[str, Any]]
    _roles: dict[str, dict[str, Any]]
    team_etags: bool = True  # offer the assumed team precondition (tests switch it off: a server without one)

    def create(self, kind: str, data: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _commit(
        self, kind: str, current: dict[str, Any], new: dict[str, Any], *, persist: bool = True
    ) -> dict[str, Any]:
        raise NotImplementedError

    def _written(self) -> None:
        raise NotImplementedError

    def roles(self) -> list[dict[str, Any]]:
        """The role catalogue with userCount (direct or through a team) and teamCount."""
        with self.lock:
            team_roles: dict[str, set[str]] = {}
            for gid, team in self._teams.items():
                for ref in team["roleRefs"]:
                    team_roles.setdefault(ref["id"], set()).add(gid)
            holders: dict[str, set[str]] = {rid: set() for rid in self._roles}
            for uid, user in self._users.items():
                for rid in user.get("roles", ()):
                    if rid in holders:
                        holders[rid].add(uid)
            for rid, gids in team_roles.items():
                if rid in holders:
                    for gid in gids:
                        holders[rid].update(m["value"] for m in self._groups[gid]["members"])
            out = []
            for rid, role in self._roles.items():
                item = dict(role)
                item["userCount"] = len(holders[rid])
                item["teamCount"] = len(team_roles.get(rid, ()))
                out.append(item)
            return out

    def _team_view(self, gid: str) -> dict[str, Any]:
        group, team = self._groups[gid], self._teams[gid]
        active = sum(1 for m in group["members"] if self._users[m["value"]].get("active", True) is True)
        return {
            "id": gid,
            "name": group["displayName"],
            "description": team["description"],
            "activeMemberCount": active,
            "roleRefs": copy.deepcopy(team["roleRefs"]),
            "createdAt": team["createdAt"],
            "updatedAt": max(team["updatedAt"], group["meta"]["lastModified"]),
        }

    def teams(self) -> list[dict[str, Any]]:
        with self.lock:
            return [self._team_view(gid) for gid in self._groups]

    def team(self, team_id: str) -> dict[str, Any]:
        with self.lock:
            if team_id not in self._groups:
                raise AccountsError(404, "not_found", f"team {team_id} not found")
            return self._team_view(team_id)

    def team_etag(self, team_id: str) -> str | None:
        """The ASSUMED precondition on teams (docs/bird.md, U7): an ETag of the team's roleRefs and updatedAt, on
        ``GET`` and ``PATCH teams/{id}``; None when ``team_etags`` is off (a server that offers none)."""
        if not self.team_etags:
            return None
        with self.lock:
            if team_id not in self._groups:
                return None
            team = self._teams[team_id]
            raw = json.dumps([team["roleRefs"], team["updatedAt"]], sort_keys=True).encode()
            return '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'

    def create_team(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise AccountsError(422, "validation_error", "the body must be a JSON object")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise AccountsError(422, "validation_error", "name is required")
        description = body.get("description", "")
        if not isinstance(description, str):
            raise AccountsError(422, "validation_error", "description must be a string")
        with self.lock:
            refs = self._role_refs(body.get("roleRefs", []))
            if name.casefold() in self._group_names:
                raise AccountsError(409, "already_exists", f"a team named {name} already exists")
            group = self.create(GROUPS, {"displayName": name})
            self._teams[group["id"]].update({"description": description, "roleRefs": refs})
            self._written()
            return self._team_view(group["id"])

    def set_team_role_refs(self, team_id: str, body: Any, if_match: str | None = None) -> dict[str, Any]:
        """The ASSUMED ``PATCH teams/{id}`` (docs/bird.md, U4): only ``roleRefs`` is changed. With ``If-Match``
        (U7) a stale ETag is a 412 and changes nothing; without ``team_etags`` the header is ignored."""
        if not isinstance(body, dict) or "roleRefs" not in body:
            raise AccountsError(422, "validation_error", "the body must be an object with roleRefs")
        with self.lock:
            if team_id not in self._groups:
                raise AccountsError(404, "not_found", f"team {team_id} not found")
            current = self.team_etag(team_id)
            if if_match and current is not None and if_match.strip() != "*":
                offered = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
                if current not in offered:
                    raise AccountsError(412, "precondition_failed", "the team changed since this version was read")
            refs = self._role_refs(body["roleRefs"])
            team = self._teams[team_id]
            if refs != team["roleRefs"]:
                team["roleRefs"] = refs
                team["updatedAt"] = now_iso()
                self._written()
            return self._team_view(team_id)

    def _role_refs(self, raw: Any) -> list[dict[str, Any]]:
        if not isinstance(raw, list):
            raise AccountsError(422, "validation_error", "roleRefs must be a list")
        out: list[dict[str, Any]] = []
        for ref in raw:
            if not isinstance(ref, dict) or not is_uuid(ref.get("id")):
                raise AccountsError(422, "validation_error", "each roleRef needs an id that is a role UUID")
            if ref["id"] not in self._roles:
                raise AccountsError(422, "validation_error", f"role {ref['id']} is not in the role catalogue")
            kind = ref.get("type", "organization")
            if kind != "organization":
                raise AccountsError(422, "validation_error", "roleRef type must be 'organization'")
            spaces = ref.get("workspaces", [])
            if not isinstance(spaces, list) or not all(is_uuid(w) for w in spaces):
                raise AccountsError(422, "validation_error", "roleRef workspaces must be a list of UUIDs")
            item = {"id": ref["id"], "type": kind, "workspaces": list(spaces)}
            if all(item["id"] != o["id"] for o in out):
                out.append(item)
        return out

    def team_members(self, team_id: str) -> list[dict[str, Any]]:
        with self.lock:
            group = self._groups.get(team_id)
            if group is None:
                raise AccountsError(404, "not_found", f"team {team_id} not found")
            out = []
            for member in group["members"]:
                user = self._users[member["value"]]
                out.append({"id": user["id"], "type": "user", "displayName": user.get("displayName", ""),
                            "email": user["userName"], "active": user.get("active", True)})  # fmt: skip
            return out

    def add_team_member(self, team_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("type") != "user" or not isinstance(body.get("id"), str):
            raise AccountsError(422, "validation_error", 'the body must be {"type": "user", "id": "<user id>"}')
        uid = body["id"]
        with self.lock:
            group = self._groups.get(team_id)
            if group is None:
                raise AccountsError(404, "not_found", f"team {team_id} not found")
            user = self._users.get(uid)
            if user is None:
                raise AccountsError(404, "not_found", f"user {uid} not found")
            if any(m["value"] == uid for m in group["members"]):
                raise AccountsError(409, "already_exists", f"user {uid} is already a member of this team")
            member = {"value": uid, "display": user.get("displayName") or user["userName"], "type": "User"}
            self._commit(GROUPS, group, {**group, "members": [*group["members"], member]})
            return {"id": uid, "type": "user"}

    def remove_team_member(self, team_id: str, user_id: str) -> None:
        with self.lock:
            group = self._groups.get(team_id)
            if group is None:
                raise AccountsError(404, "not_found", f"team {team_id} not found")
            if not any(m["value"] == user_id for m in group["members"]):
                raise AccountsError(404, "not_found", f"user {user_id} is not a member of this team")
            self._commit(GROUPS, group, {**group, "members": [m for m in group["members"] if m["value"] != user_id]})
