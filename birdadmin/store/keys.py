"""Keys as profiles see them: saving one records its fingerprint on the profile, and a connection takes the
environment's key before the stored one. Kept apart from ``secrets`` (the keyring alone) and ``profiles`` (the
file alone) so that neither of those needs the other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime

from birdadmin.redact import fingerprint, register_secret
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import (
    ACCESS_KEY_ENV,
    ACCOUNTS_KEY_ENV,
    KeyKind,
    Secrets,
    clean_key,
)


def store_key(profiles: ProfileStore, secrets: Secrets, profile: Profile, kind: KeyKind, key: str) -> Profile:
    """Save a key and record its fingerprint and time on the profile.

    With :class:`SessionSecrets` the key lives in memory only and the profile file is left alone: its
    fingerprint describes what the keyring holds, not what this session borrowed.
    """
    key = clean_key(key, kind)
    secrets.set(profile.id, kind, key)
    if not secrets.persistent:
        return profile
    now = datetime.now(UTC).replace(microsecond=0)
    changes = (
        {"scim_key_fingerprint": fingerprint(key), "scim_key_stored_at": now}
        if kind == "scim"
        else {"accounts_key_fingerprint": fingerprint(key), "accounts_key_stored_at": now}
    )
    current = profiles.get_by_id(profile.id)
    return profiles.update(current.model_copy(update=changes))


def forget_key(profiles: ProfileStore, secrets: Secrets, profile: Profile, kind: KeyKind) -> Profile:
    """Delete a key and clear its fingerprint on the profile."""
    secrets.delete(profile.id, kind)
    if not secrets.persistent:
        return profile
    changes = (
        {"scim_key_fingerprint": None, "scim_key_stored_at": None}
        if kind == "scim"
        else {"accounts_key_fingerprint": None, "accounts_key_stored_at": None}
    )
    current = profiles.get_by_id(profile.id)
    return profiles.update(current.model_copy(update=changes))


def remove_profile(profiles: ProfileStore, secrets: Secrets | None, profile: Profile) -> None:
    """Forget a profile's keys, then delete the profile; when a key cannot be forgotten the profile stays.

    ``secrets`` may be None only when the profile records no stored key (nothing to forget).
    """
    if secrets is not None:
        for kind in ("scim", "accounts"):
            if profile.has_key(kind) or not secrets.persistent:  # type: ignore[arg-type]
                secrets.delete(profile.id, kind)  # type: ignore[arg-type]
    elif profile.scim_key_fingerprint or profile.accounts_key_fingerprint:
        raise ValueError("a profile with stored keys needs the keyring to be removed")
    profiles.remove(profile.name)


def resolve_keys(
    profile: Profile, secrets: Secrets, environ: Mapping[str, str] | None = None
) -> tuple[str | None, str | None]:
    """(SCIM key, Accounts key) for a connection: environment variables first (for scripts), then the store.

    A key given by ``BIRDADMIN_ACCESS_KEY`` / ``BIRDADMIN_ACCOUNTS_KEY`` means the keyring is not touched for
    that kind, so a script on a machine without a keyring still works.
    """
    env = os.environ if environ is None else environ
    keys: list[str | None] = []
    for kind, var in (("scim", ACCESS_KEY_ENV), ("accounts", ACCOUNTS_KEY_ENV)):
        value = (env.get(var) or "").strip()
        if value:
            register_secret(value)
            keys.append(value)
            continue
        stored = profile.scim_key_fingerprint if kind == "scim" else profile.accounts_key_fingerprint
        keys.append(secrets.get(profile.id, kind) if stored or not secrets.persistent else None)  # type: ignore[arg-type]
    return keys[0], keys[1]
