"""Access-key hygiene: keys never used, unused for months, holding Owner or a sensitive role, past rotation.

Pure (no I/O): the keys come from ``bird/access_keys.py``, the thresholds from the profile (``key_unused_days``,
``key_rotation_days``, ``sensitive_role_ids``). A key whose roles the server did not list (docs/bird.md A7) is
never reported as holding nothing; a date the server sent in a form that cannot be read gives no finding about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.finding import SEVERITIES, Finding
from birdadmin.domain.guards import owner_role_ids as catalogue_owner_ids

if TYPE_CHECKING:  # the key's shape only: importing the adapter would bring the HTTP client into domain/
    from birdadmin.bird.access_keys import AccessKey

KINDS = ("key-sensitive-role", "key-never-used", "key-unused", "key-old")


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 time as the server sent it (``Z`` or an offset; none means UTC), or None."""
    if not text or not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _days(delta: timedelta) -> int:
    return int(delta.total_seconds() // 86_400)


def _name(key: AccessKey) -> str:
    return key.name or f"…{key.suffix}"


def _role_finding(key: AccessKey, owners: frozenset[str], sensitive: frozenset[str],
                  catalogue: RoleCatalogue | None) -> Finding | None:  # fmt: skip
    held = [r for r in key.role_ids or () if r.lower() in owners or r.lower() in sensitive]
    if not held:
        return None
    is_owner = any(r.lower() in owners for r in held)
    if catalogue is not None:
        what = ", ".join(catalogue.name_for(r) for r in held)
    else:
        what = "Owner" if is_owner else f"the sensitive role {', '.join(held)}"
    return Finding("key-sensitive-role", "high" if is_owner else "medium", "key", key.id, _name(key),
                   f"Access key {_name(key)!r} holds {what}; a key with this access should be rare, used and rotated.",
                   tuple(held))  # fmt: skip


def _use_finding(key: AccessKey, now: datetime, unused_days: int) -> Finding | None:
    if key.last_used_at is None:
        return Finding("key-never-used", "medium", "key", key.id, _name(key),
                       f"Access key {_name(key)!r} has never been used; revoke it if nothing needs it.",
                       key.role_ids or ())  # fmt: skip
    used = parse_time(key.last_used_at)
    if used is None or _days(now - used) <= unused_days:
        return None
    return Finding("key-unused", "medium", "key", key.id, _name(key),
                   f"Access key {_name(key)!r} was last used {_days(now - used)} days ago (more than {unused_days}).",
                   key.role_ids or ())  # fmt: skip


def _age_finding(key: AccessKey, now: datetime, rotation_days: int) -> Finding | None:
    created = parse_time(key.created_at)
    if created is None or _days(now - created) <= rotation_days:
        return None
    return Finding("key-old", "low", "key", key.id, _name(key),
                   f"Access key {_name(key)!r} is {_days(now - created)} days old, past the rotation period of "
                   f"{rotation_days} days.", key.role_ids or ())  # fmt: skip


def key_findings(
    keys: Sequence[AccessKey],
    *,
    now: datetime,
    unused_days: int = 90,
    rotation_days: int = 365,
    owner_role_ids: frozenset[str] = frozenset(),
    sensitive_role_ids: frozenset[str] = frozenset(),
    catalogue: RoleCatalogue | None = None,
) -> list[Finding]:
    """Every finding about ``keys``, most severe first (then by kind and key name).

    The Owner role is ``owner_role_ids`` when given, else the catalogue's role named "Owner".
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    owners = frozenset(r.lower() for r in owner_role_ids) or catalogue_owner_ids(catalogue)
    owners = frozenset(r.lower() for r in owners)
    sensitive = frozenset(r.lower() for r in sensitive_role_ids)
    found: list[Finding] = []
    for key in keys:
        for finding in (_role_finding(key, owners, sensitive, catalogue), _use_finding(key, now, unused_days),
                        _age_finding(key, now, rotation_days)):  # fmt: skip
            if finding is not None:
                found.append(finding)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    found.sort(key=lambda f: (-rank[f.severity], KINDS.index(f.kind), f.subject_name.casefold(), f.subject_id))
    return found
