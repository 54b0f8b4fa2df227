"""Lean, immutable views of the Bird Accounts API objects birdadmin needs, and their tolerant parsers.

Parsers accept what the documentation promises and ignore what it does not mention (counts, timestamps), so a
new field on Bird's side never breaks a listing. An item without an ``id`` is a protocol fault: the caller
raises, because de-duplication and every later write key on that id.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ORGANIZATION = "organization"


@dataclass(frozen=True, slots=True)
class Role:
    """One entry of the ``iam-roles`` catalogue; ``type`` is ``organization`` or ``managed``."""

    id: str
    name: str
    description: str = ""
    type: str = ORGANIZATION


@dataclass(frozen=True, slots=True)
class RoleRef:
    """A role carried by a team, optionally scoped to workspaces (no SCIM counterpart, so it is kept as-is)."""

    id: str
    type: str = ORGANIZATION
    workspaces: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "workspaces": list(self.workspaces)}


@dataclass(frozen=True, slots=True)
class Team:
    """A Bird team ("Group" in Bird's UI); its id is assumed to equal the SCIM Group's id (docs/bird.md, A2)."""

    id: str
    name: str
    description: str = ""
    active_member_count: int | None = None
    role_refs: tuple[RoleRef, ...] = ()
    version: str | None = None  # the ETag of a single-team read, when the server offers one (docs/bird.md, U7)

    @property
    def role_ids(self) -> tuple[str, ...]:
        return tuple(ref.id for ref in self.role_refs)


class MissingIdError(ValueError):
    """An item without a usable ``id``; the client turns it into a ProtocolError naming the endpoint."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _id(obj: Any) -> str:
    if not isinstance(obj, Mapping):
        raise MissingIdError("item is not a JSON object")
    value = obj.get("id")
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
        return str(value)
    raise MissingIdError("item has no id")


def parse_role(obj: Any) -> Role:
    return Role(
        id=sys.intern(_id(obj).lower()),
        name=_text(obj.get("name")),
        description=_text(obj.get("description")),
        type=_text(obj.get("type")) or ORGANIZATION,
    )


def parse_role_ref(obj: Any) -> RoleRef:
    workspaces = obj.get("workspaces") if isinstance(obj, Mapping) else None
    return RoleRef(
        id=sys.intern(_id(obj).lower()),
        type=_text(obj.get("type")) or ORGANIZATION,
        workspaces=tuple(w for w in workspaces if isinstance(w, str) and w) if isinstance(workspaces, list) else (),
    )


def parse_team(obj: Any) -> Team:
    team_id = _id(obj)
    refs_raw = obj.get("roleRefs")
    refs: list[RoleRef] = []
    if isinstance(refs_raw, list):
        for item in refs_raw:
            try:
                refs.append(parse_role_ref(item))
            except MissingIdError:
                continue  # a roleRef without a role id grants nothing; keeping it would only confuse writes
    count = obj.get("activeMemberCount")
    return Team(
        id=team_id,
        name=_text(obj.get("name")),
        description=_text(obj.get("description")),
        active_member_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        role_refs=tuple(refs),
    )


def role_refs_json(refs: Sequence[RoleRef]) -> list[dict[str, Any]]:
    return [ref.to_json() for ref in refs]
