"""Lean, immutable views of SCIM Users and Groups.

Parsed straight from ``json.loads`` output into slotted dataclasses: a listing of tens of thousands of users
must cost microseconds and a few hundred bytes per user, so the raw JSON is not kept (the detail view
re-reads one user when it needs it). Role UUIDs are interned: the same few roles repeat across every user.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from birdadmin.errors import ProtocolError

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class RolesShape(StrEnum):
    """How a connection writes ``roles``; both shapes are always read."""

    STRINGS = "strings"  # Bird: ["5f0c...", "a91e..."]
    COMPLEX = "complex"  # RFC 7643: [{"value": "5f0c...", "display": "..."}]


class RoleStrategy(StrEnum):
    """How a role change goes on the wire (docs/bird.md, U1)."""

    REPLACE = "replace"  # one PATCH replacing the whole array (default)
    ADD_REMOVE = "add-remove"  # PATCH add / remove operations for the difference only
    PUT = "put"  # full PUT of the re-read user with its roles, for servers without PATCH


def parse_bool(value: Any, default: bool = True) -> bool:
    """SCIM booleans, including Entra ID's ``"False"`` strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
    return default


def parse_roles(value: Any) -> tuple[str, ...]:
    """Role UUIDs from either wire shape, de-duplicated in order; a single string counts as one role."""
    if value is None:
        return ()
    if isinstance(value, (str, dict)):
        value = [value]
    out: list[str] = []
    seen: set[str] = set()
    for item in value:
        role = item.get("value") if isinstance(item, dict) else item
        if not isinstance(role, str) or not role or role in seen:
            continue
        seen.add(role)
        out.append(sys.intern(role))
    return tuple(out)


def encode_roles(roles: Iterable[str], shape: RolesShape) -> list[Any]:
    """Roles in the connection's wire shape."""
    if shape is RolesShape.COMPLEX:
        return [{"value": role} for role in roles]
    return list(roles)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _primary_email(emails: Any) -> str:
    if not isinstance(emails, list):
        return ""
    first = ""
    for item in emails:
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, str):
            if parse_bool(item.get("primary"), False):
                return value
            first = first or value
    return first


def _display_name(obj: Mapping[str, Any]) -> str:
    name = obj.get("displayName")
    if isinstance(name, str) and name:
        return name
    parts = obj.get("name")
    if isinstance(parts, dict):
        formatted = parts.get("formatted")
        if isinstance(formatted, str) and formatted:
            return formatted
        joined = " ".join(p for p in (_text(parts.get("givenName")), _text(parts.get("familyName"))) if p)
        if joined:
            return joined
    return ""


def _version(obj: Mapping[str, Any]) -> str | None:
    meta = obj.get("meta")
    version = meta.get("version") if isinstance(meta, dict) else None
    return version if isinstance(version, str) else None


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A group named on a user (the user's read-only ``groups`` attribute)."""

    id: str
    display: str = ""


@dataclass(slots=True, eq=True)
class User:
    """A user as listed. Not frozen only because frozen dataclasses cost 4x more to build (measured: 2.0 vs
    0.4 us), which a 50,000-user listing pays per row; treat it as immutable (use ``dataclasses.replace``)."""

    id: str
    user_name: str
    display_name: str = ""
    active: bool = True
    roles: tuple[str, ...] = ()
    email: str = ""
    external_id: str = ""
    version: str | None = None
    groups: tuple[GroupRef, ...] = ()

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def label(self) -> str:
        return self.display_name or self.user_name

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON shape: roles always a list of UUID strings, whatever the server sent."""
        return {
            "id": self.id,
            "userName": self.user_name,
            "displayName": self.display_name,
            "active": self.active,
            "roles": list(self.roles),
            "email": self.email,
            "externalId": self.external_id,
            "groups": [g.id for g in self.groups],
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class Member:
    value: str
    display: str = ""
    type: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    display_name: str
    members: tuple[Member, ...] | None = None  # None: not fetched (groups are listed without members)
    external_id: str = ""
    version: str | None = None

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.value for m in self.members or ())

    def to_json(self, *, with_members: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "displayName": self.display_name, "externalId": self.external_id}
        if with_members and self.members is not None:
            out["members"] = list(self.member_ids)
        return out


_JSON_TYPES: dict[type, str] = {
    str: "a text", int: "a number", float: "a number", bool: "true or false", list: "a list", dict: "an object",
    type(None): "null",
}


def _kind(value: Any) -> str:
    kind = type(value)
    return _JSON_TYPES.get(kind, kind.__name__)


def _malformed(what: str, obj: Mapping[str, Any], attribute: str, expected: str) -> ProtocolError:
    """The server sent a resource birdadmin cannot read faithfully: say which one, and what was wrong with it."""
    label = ""
    for name in ("userName", "displayName", "id"):
        value = obj.get(name)
        if isinstance(value, str) and value and name != attribute:
            label = f" ({name} {value[:80]!r})"
            break
    if attribute in obj:
        problem = f"whose '{attribute}' is {_kind(obj[attribute])}, not {expected}"
    else:
        problem = f"without an '{attribute}'"
    return ProtocolError(f"The SCIM server sent a {what}{label} {problem}; birdadmin cannot use this answer.")


def resource_id(what: str, obj: Mapping[str, Any]) -> str:
    """The resource's id, or a ProtocolError naming the resource when it has no usable one."""
    value = obj.get("id")
    if value.__class__ is not str or not value:
        raise _malformed(what, obj, "id", "a non-empty text")
    return value


def _checked_roles(obj: Mapping[str, Any], roles_raw: Any) -> tuple[str, ...]:
    """Roles in either documented wire shape; any other shape is refused, never read as 'no roles'."""
    readable = roles_raw is None or isinstance(roles_raw, (str, dict)) or (
        isinstance(roles_raw, list) and all(isinstance(item, (str, dict)) for item in roles_raw)
    )
    if not readable:
        raise _malformed("user", obj, "roles", "a list of role ids")
    return parse_roles(roles_raw)


def parse_user(obj: Mapping[str, Any], shared: SharedValues | None = None) -> User:
    """A User from one SCIM resource; tolerant of missing optional attributes, strict on ``id`` and ``roles``.

    The common shapes take a fast path (this runs once per listed user); anything unusual falls back to the
    general readers above. With ``shared``, equal values across a listing become one object. A resource whose
    ``id``, ``userName``, ``roles`` or ``groups`` has the wrong type is a ProtocolError naming it.
    """
    get = obj.get
    user_id = resource_id("user", obj)
    roles_raw = get("roles")
    if roles_raw.__class__ is list and all(r.__class__ is str for r in roles_raw):
        roles = tuple(dict.fromkeys(map(sys.intern, filter(None, roles_raw))))
    else:
        roles = _checked_roles(obj, roles_raw)
    name = get("displayName")
    if name.__class__ is not str or not name:
        name = _display_name(obj)
    active = get("active", True)
    if active is not True and active is not False:
        active = parse_bool(active, True)
    meta = get("meta")
    version = meta.get("version") if meta.__class__ is dict else None
    groups_raw = get("groups")
    groups: tuple[GroupRef, ...] = ()
    if groups_raw:
        if groups_raw.__class__ is not list or not all(
            isinstance(g, dict) and isinstance(g.get("value", ""), str) for g in groups_raw
        ):
            raise _malformed("user", obj, "groups", "a list of groups with text ids")
        groups = tuple(GroupRef(g["value"], _text(g.get("display"))) for g in groups_raw if g.get("value"))
    user_name = get("userName")
    if user_name.__class__ is not str:
        if user_name is not None:
            raise _malformed("user", obj, "userName", "a text")
        user_name = ""
    email = _primary_email(get("emails"))
    if email == user_name:
        email = user_name
    external_id = get("externalId")
    version = version if version.__class__ is str else None
    if shared is not None:
        roles, version, groups = shared.roles(roles), shared.text(version), shared.groups(groups)
    return User(
        user_id,
        user_name,
        name,
        active,
        roles,
        email,
        external_id if external_id.__class__ is str else "",
        version,
        groups,
    )


class SharedValues:
    """Makes equal values one object across a listing: thousands of users carry the same role list, the same
    few versions and the same groups, and a large directory is mostly such repeats (measured in the GUI
    benchmark: it keeps a loaded user under 2 KB). Safe across the listing's worker threads: only
    ``dict.setdefault``, which is atomic.
    """

    def __init__(self) -> None:
        self._roles: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._refs: dict[tuple[str, str], GroupRef] = {}
        self._groups: dict[tuple[GroupRef, ...], tuple[GroupRef, ...]] = {}

    def roles(self, roles: tuple[str, ...]) -> tuple[str, ...]:
        return self._roles.setdefault(roles, roles) if roles else ()

    @staticmethod
    def text(value: str | None) -> str | None:
        return sys.intern(value) if value else value

    def groups(self, groups: tuple[GroupRef, ...]) -> tuple[GroupRef, ...]:
        if not groups:
            return ()
        refs = self._refs
        one = tuple(refs.setdefault((g.id, g.display), g) for g in groups)
        return self._groups.setdefault(one, one)


def parse_group(obj: Mapping[str, Any]) -> Group:
    """A Group from one SCIM resource; a wrong type for ``id`` or ``members`` is a ProtocolError naming it."""
    group_id = resource_id("group", obj)
    members_raw = obj.get("members")
    members: tuple[Member, ...] | None = None
    if members_raw is not None:
        if not isinstance(members_raw, list) or not all(
            isinstance(m, dict) and isinstance(m.get("value", ""), str) for m in members_raw
        ):
            raise _malformed("group", obj, "members", "a list of members with text ids")
        members = tuple(
            Member(m["value"], _text(m.get("display")), _text(m.get("type"))) for m in members_raw if m.get("value")
        )
    return Group(
        id=group_id,
        display_name=_text(obj.get("displayName")),
        members=members,
        external_id=_text(obj.get("externalId")),
        version=_version(obj),
    )


def same_roles(a: Sequence[str], b: Sequence[str]) -> bool:
    """Role arrays compare as sets: servers may reorder them."""
    return set(a) == set(b)


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_uuid(text: str) -> bool:
    """A canonical 8-4-4-4-12 hex UUID, either case: the form of Bird's role ids and organization ids."""
    return bool(_UUID.match(text))
