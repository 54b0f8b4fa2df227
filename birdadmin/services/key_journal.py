"""The window's access-key changes, journaled on the worker that makes them (``journal_entries.py`` builds the
entries, as for the CLI's ``keys create|revoke|rotate``).

As for role changes, a journal that cannot be opened refuses the change before anything is sent; a change the
server made that the journal then cannot record is still made (a created key's secret must still be shown once),
and the one sentence why comes back to be shown (``note``). Qt-free and blocking: run it on a worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from birdadmin import errors, journal_entries
from birdadmin.bird.access_keys import AccessKey, AccessKeys
from birdadmin.journal_entries import envelope, key_created_entry, key_revoked_entry
from birdadmin.services.key_rotation import RotationResult
from birdadmin.store.journal import Journal, now_utc, os_user

if TYPE_CHECKING:
    from birdadmin.org_load import Session

log = logging.getLogger(__name__)

NOT_JOURNALED = "The change WAS made in Bird, but the journal could not record it: {}"


@dataclass(frozen=True)
class Created:
    """A key created from the window: the key, its secret (shown once, then forgotten) and any journal problem."""

    key: AccessKey
    secret: str = ""
    note: str = ""  # empty: journaled

    def __repr__(self) -> str:  # never the secret
        return f"Created(key={self.key.id!r}, note={self.note!r})"


def connection_record(session: Session) -> dict[str, Any]:
    """Which connection an entry was made on (``journal_entries.connection_record``); a profile's id is in its
    role-names key, ``profile-<id>``."""
    spec = session.spec
    profile = None
    if spec.profile_name:
        prefix = "profile-"
        profile = (spec.profile_name, spec.names_key[len(prefix):] if spec.names_key.startswith(prefix) else None)
    return journal_entries.connection_record(session.base_url, profile=profile, demo=spec.names_key == "demo")


def _open(path: Path | None, what: str) -> Journal:
    try:
        return Journal(path).open()
    except errors.ConfigError as exc:
        raise errors.ConfigError(f"{exc.message.rstrip('.')}; {what} was refused, so nothing was sent.") from exc


def _append(journal: Journal, content: Mapping[str, Any] | None, profile: Mapping[str, Any]) -> str:
    """Append ``content`` (None: nothing to record); the sentence why it could not be, else ""."""
    if content is None:
        return ""
    try:
        journal.append(envelope(content, time=now_utc(), os_user=os_user(), profile=profile, requests=[]))
    except errors.BirdadminError as exc:
        log.warning("an access key change was made but not journaled: %s", exc.message)
        return NOT_JOURNALED.format(exc.message)
    return ""


def create_key(keys: AccessKeys, name: str, description: str, role_ids: Sequence[str], *,
               profile: Mapping[str, Any], journal_path: Path | None = None) -> Created:
    """Create a key and journal it (the journal checked first: a journal that cannot be opened sends nothing)."""
    journal = _open(journal_path, "creating the key")
    try:
        key, secret = keys.create(name, description, role_ids)
        return Created(key, secret, _append(journal, key_created_entry(key, role_ids), profile))
    finally:
        journal.close()


def revoke_key(keys: AccessKeys, key: AccessKey, *, profile: Mapping[str, Any],
               journal_path: Path | None = None) -> str:
    """Revoke a key and journal it; returns the journal's problem sentence ("" when journaled)."""
    journal = _open(journal_path, "revoking the key")
    try:
        keys.revoke(key.id)
        return _append(journal, key_revoked_entry(key), profile)
    finally:
        journal.close()


def journal_rotation(rotate: Callable[[], RotationResult], profile_name: str, *,
                     journal_path: Path | None = None) -> tuple[RotationResult, str]:
    """Run a rotation (``rotate``) and journal what it changed on the server, by the profile's name and id."""
    journal = _open(journal_path, "the rotation")
    try:
        result = rotate()
        profile = {"name": profile_name, "id": result.profile_id}
        return result, _append(journal, result.journal_entry(), profile)
    finally:
        journal.close()
