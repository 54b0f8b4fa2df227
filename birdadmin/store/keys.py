"""Keys as profiles see them: saving one records its fingerprint on the profile, and a connection takes the
environment's key before the stored one. Kept apart from ``secrets`` (the keyring alone) and ``profiles`` (the
file alone) so that neither of those needs the other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from birdadmin.errors import InputError
from birdadmin.net.urls import check_server_url
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
            if profile.has_key(kind) or not secrets.persistent:
                secrets.delete(profile.id, kind)
    elif profile.scim_key_fingerprint or profile.accounts_key_fingerprint:
        raise ValueError("a profile with stored keys needs the keyring to be removed")
    profiles.remove(profile.name)


KeySource = Literal["typed", "environment", "session", "keyring"]


@dataclass(frozen=True, slots=True)
class ResolvedKeys:
    """The keys one connection will use, and where each came from (for messages; never the key itself)."""

    scim: str | None = field(default=None, repr=False)
    accounts: str | None = field(default=None, repr=False)
    scim_source: KeySource | None = None
    accounts_source: KeySource | None = None

    def source(self, kind: KeyKind) -> KeySource | None:
        return self.scim_source if kind == "scim" else self.accounts_source


def resolve_keys(
    profile: Profile,
    secrets: Secrets | None,
    *,
    environ: Mapping[str, str] | None = None,
    session: Secrets | None = None,
    typed: Mapping[str, str] | None = None,
) -> ResolvedKeys:
    """The one rule for which key a profile connects with, used by the CLI and every window path alike.

    For each kind, the first that has a key wins:
    1. ``typed``: a key typed into the profile editor for this very test (the editor only);
    2. the environment, ``BIRDADMIN_ACCESS_KEY`` / ``BIRDADMIN_ACCOUNTS_KEY`` (scripts, and a deliberate
       override of the stored key);
    3. ``session``: a key given for this session only because the keyring could not be used;
    4. the keyring, asked only when the profile records a stored key of that kind (an Accounts key only when
       the profile has an Accounts API URL), so a machine without a keyring still works through 1 to 3.

    Blocking (the keyring may wait on D-Bus or an unlock prompt): call it off the GUI thread. Raises
    :class:`SecretStoreError` when the keyring is needed and cannot be used.
    """
    env = os.environ if environ is None else environ
    found: dict[str, tuple[str | None, KeySource | None]] = {}
    sources: tuple[tuple[KeyKind, str], ...] = (("scim", ACCESS_KEY_ENV), ("accounts", ACCOUNTS_KEY_ENV))
    for kind, var in sources:
        typed_key = ((typed or {}).get(kind) or "").strip()
        env_key = (env.get(var) or "").strip()
        session_key = session.get(profile.id, kind) if session is not None else None
        wanted = kind == "scim" or bool(profile.accounts_url)
        if typed_key:
            found[kind] = (typed_key, "typed")
        elif env_key:
            register_secret(env_key)
            found[kind] = (env_key, "environment")
        elif session_key:
            found[kind] = (session_key, "session")
        elif secrets is not None and wanted and (profile.has_key(kind) or not secrets.persistent):
            stored = secrets.get(profile.id, kind)
            found[kind] = (stored, "keyring" if stored else None)
        else:
            found[kind] = (None, None)
    (scim, scim_source), (accounts, accounts_source) = found["scim"], found["accounts"]
    return ResolvedKeys(scim, accounts, scim_source, accounts_source)


def _address(url: str | None) -> str | None:
    """A URL as birdadmin will use it (normalised, so a trailing slash is no change of server)."""
    if not url or not url.strip():
        return None
    try:
        return str(check_server_url(url))
    except InputError:
        return url.strip()  # not usable yet (still being typed): compared as written


def moved_keys(stored: Profile, base_url: str | None, accounts_url: str | None) -> tuple[KeyKind, ...]:
    """The kinds of stored key that new addresses would send to another server than the one they were tested
    against. The one rule for the CLI's ``profiles edit`` and the window's profile editor: such a key is used
    there only when the person gives the new server's key (tested there first) or says the stored one belongs
    there too; a cleared Accounts API URL moves nothing."""
    moved: list[KeyKind] = []
    for kind, before, after in (("scim", stored.base_url, base_url), ("accounts", stored.accounts_url, accounts_url)):
        if stored.has_key(kind) and _address(after) is not None and _address(before) != _address(after):
            moved.append(kind)  # type: ignore[arg-type]
    return tuple(moved)
