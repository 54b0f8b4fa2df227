"""The seeded demo organization: deterministic from the seed, byte-identical for the same inputs.

It deliberately contains what makes role auditing hard: users without roles, inactive users who still hold
roles, teams that carry roles, users who hold a role both directly and through a team, stale role UUIDs that
are no longer in the catalogue, ``+`` and ``'`` in userNames and non-ASCII display names.
"""

from __future__ import annotations

import itertools
import random
import string
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from birdadmin.emulator.names import (
    DEPARTMENTS,
    FIRST_NAMES,
    LAST_NAMES,
    TITLES,
    ascii_local_part,
)
from birdadmin.emulator.schema import ENTERPRISE_URN

STATE_FORMAT = "birdadmin-emulator-state"
STATE_FORMAT_VERSION = 1
_NAMESPACE = uuid.UUID("3b0c5a52-95c4-4e0b-8f61-2a7d3d9e1c40")
_BASE_TIME = datetime(2023, 3, 1, 9, 0, 0, tzinfo=UTC)
DOMAIN = "example.com"
_BASE62 = string.digits + string.ascii_letters

# name, type, description; "managed" roles are Bird's built-ins, "organization" ones are custom.
ROLE_CATALOGUE: tuple[tuple[str, str, str], ...] = (
    ("Owner", "managed", "Full access, including billing and deleting the organization."),
    ("Administrator", "managed", "Manages users, roles, channels and settings."),
    ("Developer", "managed", "Manages API keys, webhooks and integrations."),
    ("Billing manager", "managed", "Views invoices and manages payment details."),
    ("Read-only", "managed", "Views everything, changes nothing."),
    ("Agent", "organization", "Answers conversations in the inbox."),
    ("Supervisor", "organization", "Monitors and reassigns conversations of a team."),
    ("Analyst", "organization", "Views reports and exports analytics."),
    ("Marketing manager", "organization", "Creates campaigns, audiences and templates."),
    ("Support lead", "organization", "Manages queues, routing rules and canned replies."),
    ("Compliance auditor", "organization", "Reviews audit logs and data retention settings."),
)
_ROLE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("Agent", 30), ("Supervisor", 10), ("Analyst", 10), ("Read-only", 10), ("Developer", 8),
    ("Marketing manager", 6), ("Support lead", 6), ("Billing manager", 4), ("Administrator", 3),
    ("Compliance auditor", 3),
)  # fmt: skip
_STALE_ROLES = ("Legacy inbox agent", "Campaign editor (retired)")

# team name, description, roles it carries
_TEAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Support EMEA", "First-line support for Europe, Middle East and Africa.", ("Agent",)),
    ("Support Americas", "First-line support for North and South America.", ("Agent",)),
    ("Supervisors", "Shift supervisors across all support teams.", ("Supervisor", "Agent")),
    ("Engineering", "Platform and integrations engineers.", ("Developer",)),
    ("Finance", "Accounts payable and billing.", ("Billing manager",)),
    ("Analytics", "Reporting and business intelligence.", ("Analyst",)),
    ("Marketing", "Campaigns and lifecycle messaging.", ("Marketing manager",)),
    ("Sales", "Account executives (roles are assigned per person).", ()),
    ("Auditors", "Internal audit and compliance.", ("Compliance auditor", "Read-only")),
    ("Team leads", "Leads of the support queues.", ("Support lead", "Supervisor")),
    ("Onboarding", "New joiners during their first weeks.", ("Read-only",)),
    ("Partners", "External partner agencies (roles assigned per person).", ()),
)

# display name, userName override, roles, active, extra group names
_SPECIALS: tuple[tuple[str, str | None, tuple[str, ...], bool, tuple[str, ...]], ...] = (
    ("Margaret Hamilton", None, ("Owner",), True, ()),
    ("José Álvarez", None, ("Administrator",), True, ("Engineering",)),
    ("Zoë Müller", None, ("Analyst", "Read-only"), False, ("Analytics",)),
    ("Łukasz Wiśniewski", None, ("Agent", "stale:Legacy inbox agent"), True, ("Support EMEA",)),
    ("Siobhán O'Brien", None, ("Supervisor",), True, ("Supervisors",)),
    ("Amélie Dubois", "amelie.dubois+bird@" + DOMAIN, ("Agent",), True, ("Support EMEA",)),
    ("Grace Hopper", None, ("Owner",), True, ()),
    ("Ada Lovelace", "ada+ops@" + DOMAIN, (), True, ("Onboarding",)),
)


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds (formatted by hand: strftime dominates seeding 50,000 users)."""
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )


def _base62(number: int, width: int) -> str:
    out = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        out.append(_BASE62[digit])
    return "".join(out)


def role_id(seed: int, name: str) -> str:
    """A role's stable UUID: the same seed and name always give the same id."""
    return str(uuid.uuid5(_NAMESPACE, f"{seed}:role:{name}"))


class _Seeder:
    def __init__(self, seed: int, org_id: str) -> None:
        self.seed = seed
        self.org_id = org_id
        self.rng = random.Random(f"birdadmin-emulator:{seed}")
        self.role_ids = {name: role_id(seed, name) for name, _, _ in ROLE_CATALOGUE}
        self.stale_ids = {name: role_id(seed, name) for name in _STALE_ROLES}
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}
        self.role_names = [n for n, _ in _ROLE_WEIGHTS]
        self.role_cum = list(itertools.accumulate(w for _, w in _ROLE_WEIGHTS))

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def when(self, after: datetime, max_days: int) -> datetime:
        return after + timedelta(seconds=self.rng.randrange(max_days * 86400), milliseconds=self.rng.randrange(1000))

    def user_name(self, display: str) -> str:
        local = ascii_local_part(display)
        if self.rng.random() < 0.04:
            local += "+" + self.rng.choice(("bird", "support", "test", "crm"))
        candidate = f"{local}@{DOMAIN}"
        head, _, tail = local.partition("+")
        while candidate.casefold() in self.taken:
            n = self.next_suffix[head] = self.next_suffix.get(head, 1) + 1
            candidate = f"{head}{n}{'+' + tail if tail else ''}@{DOMAIN}"
        return candidate

    def roles_for(self, names: tuple[str, ...]) -> list[str]:
        out = []
        for name in names:
            rid = self.stale_ids[name[6:]] if name.startswith("stale:") else self.role_ids[name]
            if rid not in out:
                out.append(rid)
        return out

    def random_roles(self) -> list[str]:
        pick = self.rng.random()
        count = 0 if pick < 0.15 else 1 if pick < 0.70 else 2 if pick < 0.95 else 3
        chosen: list[str] = []
        for name in self.rng.choices(self.role_names, cum_weights=self.role_cum, k=count):
            if name not in chosen:
                chosen.append(name)
        roles = self.roles_for(tuple(chosen))
        if self.rng.random() < 0.015:
            roles.append(self.stale_ids[self.rng.choice(_STALE_ROLES)])
        return roles

    def user(self, display: str, user_name: str | None, roles: list[str], active: bool) -> dict[str, Any]:
        given, _, family = display.partition(" ")
        user_name = user_name or self.user_name(display)
        self.taken.add(user_name.casefold())
        created = self.when(_BASE_TIME, 420)
        modified = self.when(created, 60)
        user: dict[str, Any] = {"id": self.new_id()}
        if self.rng.random() < 0.75:
            user["externalId"] = "00u" + _base62(self.rng.getrandbits(101), 17)
        user.update(
            {
                "userName": user_name,
                "name": {"givenName": given, "familyName": family, "formatted": display},
                "displayName": display,
                "emails": [{"value": user_name, "type": "work", "primary": True}],
                "active": active,
                "roles": roles,
            }
        )
        if self.rng.random() < 0.6:
            user["title"] = self.rng.choice(TITLES)
            user[ENTERPRISE_URN] = {"department": self.rng.choice(DEPARTMENTS)}
        user["meta"] = {"resourceType": "User", "created": iso(created), "lastModified": iso(modified),
                        "version": 'W/"1"'}
        return user


    def group(self, i: int, workspaces: list[dict[str, str]]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The ``i``-th group and its Bird team: the named teams first, then project teams with a random role."""
        if i < len(_TEAMS):
            name, description, role_names = _TEAMS[i]
        else:
            name, description = f"Project team {i + 1 - len(_TEAMS)}", "A project team."
            role_names = (self.rng.choice(_ROLE_WEIGHTS)[0],) if self.rng.random() < 0.5 else ()
        created = self.when(_BASE_TIME, 120)
        modified = self.when(created, 200)
        doc = {
            "id": self.new_id(),
            "displayName": name,
            "members": [],
            "meta": {"resourceType": "Group", "created": iso(created), "lastModified": iso(modified),
                     "version": 'W/"1"'},
        }  # fmt: skip
        main = [workspaces[0]["id"]] if i % 3 else [w["id"] for w in workspaces]
        team = {
            "description": description,
            "roleRefs": [
                {"id": self.role_ids[r], "type": "organization", "workspaces": list(main)} for r in role_names
            ],
            "createdAt": iso(created),
            "updatedAt": iso(modified),
        }
        return doc, team

    def member(self, i: int, group_docs: list[dict[str, Any]], by_name: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The ``i``-th user, added to its groups: the special users first, then random people in random groups."""
        extra: tuple[str, ...] = ()
        if i < len(_SPECIALS):
            display, user_name, role_names, active, extra = _SPECIALS[i]
            doc = self.user(display, user_name, self.roles_for(role_names), active)
        else:
            display = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            doc = self.user(display, None, self.random_roles(), self.rng.random() >= 0.12)
        member = {"value": doc["id"], "display": doc["displayName"], "type": "User"}
        chosen = [by_name[n] for n in extra if n in by_name]
        if i >= len(_SPECIALS) and group_docs:
            pick = self.rng.random()
            for _ in range(0 if pick < 0.3 else 1 if pick < 0.8 else 2):
                group = self.rng.choice(group_docs)
                if group not in chosen:
                    chosen.append(group)
        for group in chosen:
            group["members"].append(dict(member))
        return doc


def _role_docs(s: _Seeder) -> list[dict[str, Any]]:
    """The role catalogue as the Accounts API lists it: built-ins older than the organization's own roles."""
    roles = []
    for i, (name, kind, description) in enumerate(ROLE_CATALOGUE):
        created = _BASE_TIME - timedelta(days=400 if kind == "managed" else 200 - 10 * i)
        roles.append(
            {
                "id": s.role_ids[name],
                "name": name,
                "description": description,
                "type": kind,
                "createdAt": iso(created),
                "updatedAt": iso(created + timedelta(days=30)),
            }
        )
    return roles


def build_state(seed: int, users: int, groups: int, org_id: str) -> dict[str, Any]:
    """The whole demo organization as a state document (the same format the state file uses)."""
    s = _Seeder(seed, org_id)
    workspaces = [
        {"id": str(uuid.uuid5(_NAMESPACE, f"{seed}:workspace:{name}")), "name": name}
        for name in ("Main workspace", "Support workspace")
    ]
    roles = _role_docs(s)
    group_docs: list[dict[str, Any]] = []
    teams: dict[str, dict[str, Any]] = {}
    for i in range(groups):  # groups before users: the order the random numbers are drawn in is the seed's contract
        doc, team = s.group(i, workspaces)
        group_docs.append(doc)
        teams[doc["id"]] = team
    by_name = {g["displayName"]: g for g in group_docs}
    user_docs = [s.member(i, group_docs, by_name) for i in range(users)]
    return {
        "format": STATE_FORMAT,
        "formatVersion": STATE_FORMAT_VERSION,
        "orgId": org_id,
        "workspaces": workspaces,
        "roles": roles,
        "users": user_docs,
        "groups": group_docs,
        "teams": teams,
    }
