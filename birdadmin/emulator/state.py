"""One organization's data behind both APIs: SCIM Users/Groups and the Accounts API's roles and teams.

A SCIM Group and an Accounts team are the same object (same id; displayName is the team name; members are
shared); a team's ``roleRefs`` and description live beside the group because SCIM groups carry no roles.
Every method takes the one RLock, so the HTTP threads see consistent data; the rendered JSON of each
resource is cached so a page of 100 users is a string join, not 100 serialisations.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

from birdadmin.emulator.errors import (
    EmulatorStateError,
    ScimError,
    not_found,
)
from birdadmin.emulator.patch import apply_patch
from birdadmin.emulator.resource_rules import validated_group, validated_user
from birdadmin.emulator.schema import (
    ENTERPRISE_URN,
    GROUP_URN,
    USER_URN,
    ResourceSchema,
    group_schema,
    user_schema,
)
from birdadmin.emulator.seed import STATE_FORMAT, STATE_FORMAT_VERSION
from birdadmin.emulator.teams import TeamsMixin
from birdadmin.emulator.versions import GROUPS, USERS, etag_matches, now_iso, version_number

_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

Predicate = Callable[[dict[str, Any]], bool]


class EmulatorState(TeamsMixin):
    """Thread-safe organization state; the read methods return deep copies the caller may keep."""

    def __init__(self, document: dict[str, Any], scim_base: str = "") -> None:
        self.lock = threading.RLock()
        self.scim_base = scim_base.rstrip("/")
        self.on_write: Callable[[dict[str, Any]], None] | None = None
        self._users: dict[str, dict[str, Any]] = {}
        self._user_names: dict[str, str] = {}
        self._groups: dict[str, dict[str, Any]] = {}
        self._group_names: dict[str, str] = {}
        self._memberships: dict[str, dict[str, None]] = {}
        self._teams: dict[str, dict[str, Any]] = {}
        self._roles: dict[str, dict[str, Any]] = {}
        self._workspaces: list[dict[str, Any]] = []
        self._cache: dict[str, bytes] = {}
        self._order: dict[str, list[str] | None] = {USERS: None, GROUPS: None}
        self.org_id = ""
        self._load(document)

    # -- loading and saving ------------------------------------------------------------------------

    def _load(self, doc: dict[str, Any]) -> None:
        try:
            if doc.get("format") != STATE_FORMAT or doc.get("formatVersion") != STATE_FORMAT_VERSION:
                raise EmulatorStateError("it is not an emulator state file of a supported version")
            self.org_id = str(doc["orgId"])
            self._workspaces = [dict(w) for w in doc["workspaces"]]
            self._roles = {r["id"]: dict(r) for r in doc["roles"]}
            for user in doc["users"]:
                self._check_loaded(user, "userName")
                self._users[user["id"]] = user
                self._user_names[user["userName"].casefold()] = user["id"]
            for group in doc["groups"]:
                self._check_loaded(group, "displayName")
                self._groups[group["id"]] = group
                self._group_names[group["displayName"].casefold()] = group["id"]
                for member in group.get("members", []):
                    if member["value"] not in self._users:
                        raise EmulatorStateError(f"group {group['id']} lists an unknown member")
                    self._memberships.setdefault(member["value"], {})[group["id"]] = None
            teams = doc["teams"]
            for gid in self._groups:
                self._teams[gid] = dict(teams[gid])
        except EmulatorStateError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise EmulatorStateError(f"its content is not what the emulator wrote ({type(exc).__name__})") from None

    @staticmethod
    def _check_loaded(doc: Any, name_key: str) -> None:
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not isinstance(doc.get(name_key), str):
            raise EmulatorStateError(f"a resource has no valid id or {name_key}")
        if not isinstance(doc.get("meta"), dict) or not isinstance(doc["meta"].get("version"), str):
            raise EmulatorStateError(f"resource {doc['id']} has no meta.version")

    def to_dict(self) -> dict[str, Any]:
        """The whole state in the state-file format (a deep copy)."""
        with self.lock:
            return copy.deepcopy(
                {
                    "format": STATE_FORMAT,
                    "formatVersion": STATE_FORMAT_VERSION,
                    "orgId": self.org_id,
                    "workspaces": self._workspaces,
                    "roles": list(self._roles.values()),
                    "users": list(self._users.values()),
                    "groups": list(self._groups.values()),
                    "teams": self._teams,
                }
            )

    def to_json(self) -> str:
        """Deterministic serialisation (same seed, same bytes)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    def _written(self) -> None:
        if self.on_write is not None:
            self.on_write(self.to_dict())

    # -- rendering ---------------------------------------------------------------------------------

    def _location(self, kind: str, rid: str) -> str:
        return f"{self.scim_base}/{kind}/{rid}"

    def _render_user(self, user: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"schemas": [USER_URN] + ([ENTERPRISE_URN] if ENTERPRISE_URN in user else [])}
        for key, value in user.items():
            if key != "meta":
                out[key] = value
        groups = self._memberships.get(user["id"])
        if groups:
            out["groups"] = [
                {
                    "value": gid,
                    "$ref": self._location(GROUPS, gid),
                    "display": self._groups[gid]["displayName"],
                    "type": "direct",
                }
                for gid in groups
            ]
        out["meta"] = {**user["meta"], "location": self._location(USERS, user["id"])}
        return out

    def _render_group(self, group: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"schemas": [GROUP_URN]}
        for key, value in group.items():
            if key == "members":
                out["members"] = [
                    {**m, "$ref": self._location(USERS, m["value"])} if "$ref" not in m else m for m in value
                ]
            elif key != "meta":
                out[key] = value
        out["meta"] = {**group["meta"], "location": self._location(GROUPS, group["id"])}
        return out

    def _table(self, kind: str) -> dict[str, dict[str, Any]]:
        return self._users if kind == USERS else self._groups

    def _render(self, kind: str, rid: str) -> dict[str, Any]:
        doc = self._table(kind)[rid]
        return self._render_user(doc) if kind == USERS else self._render_group(doc)

    def _rendered_bytes(self, kind: str, rid: str) -> bytes:
        cached = self._cache.get(rid)
        if cached is None:
            cached = self._cache[rid] = _DUMPS(self._render(kind, rid)).encode("utf-8")
        return cached

    def _ids(self, kind: str) -> list[str]:
        order = self._order[kind]
        if order is None:
            order = self._order[kind] = list(self._table(kind))
        return order

    # -- test-facing reads -------------------------------------------------------------------------

    def user(self, user_id: str) -> dict[str, Any] | None:
        with self.lock:
            return json.loads(self._rendered_bytes(USERS, user_id)) if user_id in self._users else None

    def users(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(self._rendered_bytes(USERS, uid)) for uid in self._users]

    def group(self, group_id: str) -> dict[str, Any] | None:
        with self.lock:
            return json.loads(self._rendered_bytes(GROUPS, group_id)) if group_id in self._groups else None

    def groups(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(self._rendered_bytes(GROUPS, gid)) for gid in self._groups]

    def user_id_by_name(self, user_name: str) -> str | None:
        with self.lock:
            return self._user_names.get(user_name.casefold())

    def workspaces(self) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self._workspaces)

    # -- SCIM reads --------------------------------------------------------------------------------

    def get(self, kind: str, rid: str) -> dict[str, Any]:
        with self.lock:
            if rid not in self._table(kind):
                raise not_found(kind[:-1], rid)
            return self._render(kind, rid)

    def get_bytes(self, kind: str, rid: str) -> tuple[bytes, str]:
        """The cached JSON of one resource and its ETag."""
        with self.lock:
            doc = self._table(kind).get(rid)
            if doc is None:
                raise not_found(kind[:-1], rid)
            return self._rendered_bytes(kind, rid), doc["meta"]["version"]

    def version(self, kind: str, rid: str) -> str | None:
        with self.lock:
            doc = self._table(kind).get(rid)
            return doc["meta"]["version"] if doc else None

    def page(
        self,
        kind: str,
        *,
        predicate: Predicate | None = None,
        rendered_predicate: bool = False,
        user_name: str | None = None,
        sort_key: Callable[[dict[str, Any]], Any] | None = None,
        descending: bool = False,
        start: int = 1,
        count: int = 100,
        project: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> tuple[int, list[bytes]]:
        """(totalResults, the JSON of resources start..start+count-1) of a filtered, sorted listing.

        ``user_name`` narrows to one candidate first (``userName eq "..."``, the IdPs' commonest query).
        ``rendered_predicate`` evaluates on the rendered form (filters on the computed ``groups``).
        """
        with self.lock:
            table = self._table(kind)
            if user_name is not None and kind == USERS:
                found = self._user_names.get(user_name.casefold())
                ids = [found] if found else []
            else:
                ids = self._ids(kind)
            if predicate is not None:
                if rendered_predicate:
                    ids = [rid for rid in ids if predicate(self._render(kind, rid))]
                else:
                    ids = [rid for rid in ids if predicate(table[rid])]
            if sort_key is not None:
                ids = sorted(ids, key=lambda rid: sort_key(table[rid]), reverse=descending)
            total = len(ids)
            chosen = ids[start - 1 : start - 1 + count] if count > 0 else []
            if project is None:
                return total, [self._rendered_bytes(kind, rid) for rid in chosen]
            return total, [_DUMPS(project(self._render(kind, rid))).encode("utf-8") for rid in chosen]

    # -- SCIM writes -------------------------------------------------------------------------------

    def create(self, kind: str, data: Any) -> dict[str, Any]:
        schema = self._schema(kind)
        with self.lock:
            doc = schema.canonical_resource(_object(data))
            rid = str(uuid.uuid4())
            doc = self._validated(kind, doc, rid)
            if kind == USERS:
                doc.setdefault("active", True)  # Bird creates active users unless told otherwise
            stamp = now_iso()
            doc = {"id": rid, **doc, "meta": {"resourceType": kind[:-1], "created": stamp, "lastModified": stamp,
                                              "version": 'W/"1"'}}  # fmt: skip
            self._store(kind, doc, None)
            if kind == GROUPS:
                self._teams[rid] = {"description": "", "roleRefs": [], "createdAt": stamp, "updatedAt": stamp}
            self._written()
            return self._render(kind, rid)

    def replace(self, kind: str, rid: str, data: Any, if_match: str | None = None) -> dict[str, Any]:
        """PUT: every writable attribute the body omits is cleared, ``roles`` included (docs/bird.md, H1)."""
        schema = self._schema(kind)
        with self.lock:
            current = self._current(kind, rid, if_match)
            body = _object(data)
            given_id = next((v for k, v in body.items() if k.lower() == "id"), None)
            if given_id is not None and given_id != rid:
                raise ScimError(400, "id cannot be changed", "mutability")
            doc = self._validated(kind, schema.canonical_resource(body), rid)
            return self._commit(kind, current, {"id": rid, **doc})

    def patch(self, kind: str, rid: str, body: Any, if_match: str | None = None) -> dict[str, Any]:
        schema = self._schema(kind)
        with self.lock:
            current = self._current(kind, rid, if_match)
            base = {k: v for k, v in current.items() if k not in ("id", "meta")}
            patched = apply_patch(base, body, schema, rid)
            doc = self._validated(kind, patched, rid)
            return self._commit(kind, current, {"id": rid, **doc})

    def delete(self, kind: str, rid: str, if_match: str | None = None) -> None:
        with self.lock:
            self._current(kind, rid, if_match)
            if kind == USERS:
                for gid in list(self._memberships.get(rid, {})):
                    group = self._groups[gid]
                    new = {**group, "members": [m for m in group["members"] if m["value"] != rid]}
                    self._commit(GROUPS, group, new, persist=False)
                doc = self._users.pop(rid)
                self._user_names.pop(doc["userName"].casefold(), None)
                self._memberships.pop(rid, None)
            else:
                doc = self._groups.pop(rid)
                self._group_names.pop(doc["displayName"].casefold(), None)
                self._teams.pop(rid, None)
                for member in doc.get("members", []):
                    self._memberships.get(member["value"], {}).pop(rid, None)
                    self._cache.pop(member["value"], None)
            self._cache.pop(rid, None)
            self._order[kind] = None
            self._written()

    # -- SCIM write helpers ------------------------------------------------------------------------

    @staticmethod
    def _schema(kind: str) -> ResourceSchema:
        return user_schema() if kind == USERS else group_schema()

    def _current(self, kind: str, rid: str, if_match: str | None) -> dict[str, Any]:
        doc = self._table(kind).get(rid)
        if doc is None:
            raise not_found(kind[:-1], rid)
        version = doc["meta"]["version"]
        if if_match is not None and not etag_matches(if_match, version):
            raise ScimError(412, f"the {kind[:-1].lower()} was changed by someone else; its version is now {version}")
        return doc

    def _validated(self, kind: str, doc: dict[str, Any], rid: str) -> dict[str, Any]:
        if kind == USERS:
            return validated_user(doc, rid, self._user_names)
        return validated_group(doc, rid, self._group_names, self._users)

    def _commit(
        self, kind: str, current: dict[str, Any], new: dict[str, Any], *, persist: bool = True
    ) -> dict[str, Any]:
        rid = current["id"]
        new = {k: v for k, v in new.items() if k != "meta"}
        old_body = {k: v for k, v in current.items() if k != "meta"}
        if old_body == new:  # nothing changed: same version, no write
            return self._render(kind, rid)
        meta = dict(current["meta"])
        meta["version"] = f'W/"{version_number(meta["version"]) + 1}"'
        meta["lastModified"] = now_iso()
        new["meta"] = meta
        self._store(kind, new, current)
        if kind == GROUPS and rid in self._teams:
            self._teams[rid]["updatedAt"] = meta["lastModified"]
        if persist:
            self._written()
        return self._render(kind, rid)

    def _store(self, kind: str, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        rid = doc["id"]
        if kind == USERS:
            if old is not None:
                self._user_names.pop(old["userName"].casefold(), None)
            self._user_names[doc["userName"].casefold()] = rid
            self._users[rid] = doc
        else:
            if old is not None:
                self._group_names.pop(old["displayName"].casefold(), None)
            self._group_names[doc["displayName"].casefold()] = rid
            self._groups[rid] = doc
            old_members = {m["value"] for m in old.get("members", [])} if old else set()
            new_members = {m["value"] for m in doc["members"]}
            for uid in old_members - new_members:
                self._memberships.get(uid, {}).pop(rid, None)
            for uid in new_members - old_members:
                self._memberships.setdefault(uid, {})[rid] = None
            renamed = old is not None and old["displayName"] != doc["displayName"]
            for uid in (old_members | new_members) if renamed else (old_members ^ new_members):
                self._cache.pop(uid, None)  # their computed "groups" changed
        self._cache.pop(rid, None)
        if old is None:
            self._order[kind] = None


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ScimError(400, "the body must be a JSON object", "invalidSyntax")
    return data


