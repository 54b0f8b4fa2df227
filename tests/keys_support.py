"""Access keys for tests: the real ``bird/access_keys.AccessKey``, with defaults for what a test does not care about."""

from __future__ import annotations

from birdadmin.bird.access_keys import AccessKey


def access_key(
    id: str,
    name: str,
    description: str = "",
    suffix: str = "abcd",
    role_ids: tuple[str, ...] | None = (),
    created_at: str | None = "2026-01-01T00:00:00Z",
    last_used_at: str | None = None,
) -> AccessKey:
    return AccessKey(id, name, description, suffix, role_ids, created_at, last_used_at)
