"""Resource kinds, versions, ETags and ids as the emulator's state compares them; shared by the state, its teams
and the HTTP layer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from birdadmin.emulator.seed import iso

USERS, GROUPS = "Users", "Groups"
_VERSION = re.compile(r'^(?:W/)?"?(\d+)"?$')
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def now_iso() -> str:
    return iso(datetime.now(UTC))


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def version_number(version: str) -> int:
    match = _VERSION.match(version.strip())
    return int(match.group(1)) if match else 0


def etag_matches(header: str, current: str) -> bool:
    """If-Match semantics with weak comparison: ``*`` or any listed tag with the same opaque value."""
    want = current[2:] if current.startswith("W/") else current
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        if (tag[2:] if tag.startswith("W/") else tag) == want:
            return True
    return False
