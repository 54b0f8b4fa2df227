"""Rotating the key a profile uses, in five steps that cannot lock the profile out.

create (a new key with the same roles as the profile's key, found by suffix) -> store (in the keyring under a
staging name) -> test (the connection check with the new key) -> switch (``store_key`` for the profile, the
fingerprint updated) -> revoke (the old key). Any failure stops there: before "switch" the profile is still on its
old key, which still works (the new key, if created, is revoked again when possible); after "switch" the profile
is on the new, tested key. The new secret is never logged, printed, or written anywhere but the keyring
(docs/bird.md A7 to A9 for the endpoints). Qt-free and blocking: run it on a worker in the window.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from birdadmin import errors
from birdadmin.bird.access_keys import AccessKey, AccessKeys, key_for_secret
from birdadmin.bird.accounts import AccountsClient
from birdadmin.connection_check import check_connection
from birdadmin.journal_entries import key_rotation_entry
from birdadmin.net.session import HttpSettings
from birdadmin.redact import register_secret
from birdadmin.store.keys import resolve_keys, store_key
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import Secrets

log = logging.getLogger(__name__)

STEPS = ("create", "store", "test", "switch", "revoke")
_KIND_TEXT = {"scim": "SCIM key", "accounts": "Accounts API key"}


@dataclass(frozen=True)
class RotationResult:
    completed: tuple[str, ...]  # the steps done, in order
    stopped_at: str | None  # the step that failed, or None when all were done
    message: str  # one sentence: what happened and, on a stop, that the old key still works
    new_key: AccessKey | None
    old_key: AccessKey | None = None  # the key the profile used, once found in the list (for the journal)
    profile_id: str | None = None  # the rotated profile's id (the journal names a profile by name and id)

    def journal_entry(self) -> dict[str, Any] | None:
        """What the journal records of this rotation (journal_entries.py); None when no key was created."""
        return key_rotation_entry(self.old_key, self.new_key, self.completed, self.stopped_at, self.message)


class _Stop(Exception):  # noqa: N818 - control flow inside this module only
    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step, self.message = step, message


def staging_id(profile: Profile) -> str:
    """The keyring name the new key waits under until the switch (never the profile's own entry)."""
    return f"{profile.id}.rotating"


def _reason(exc: BaseException) -> str:
    return errors.explain(exc).message.rstrip(".")


def _admin(profile: Profile, accounts_key: str) -> AccessKeys:
    if not profile.accounts_url or not profile.org_id:
        raise _Stop("create", "The profile has no Accounts API URL or organization id, so no key can be created; "
                    "nothing was changed.")  # fmt: skip
    try:
        client = AccountsClient(profile.accounts_url, profile.org_id, accounts_key,
                                http=HttpSettings(timeout=profile.timeout, ca_bundle=profile.ca_bundle))  # fmt: skip
    except errors.BirdadminError as exc:
        raise _Stop("create", f"The Accounts API cannot be used ({_reason(exc)}); nothing was changed.") from None
    return AccessKeys(client)


@dataclass
class _Run:
    profile: Profile
    profiles: ProfileStore
    secrets: Secrets
    kind: Literal["scim", "accounts"]
    on_step: Callable[[str], None] | None
    completed: list[str]
    new_key: AccessKey | None = None
    old_key: AccessKey | None = None

    def step(self, name: str) -> None:
        if self.on_step is not None:
            self.on_step(name)

    def done(self, name: str) -> None:
        self.completed.append(name)


def rotate_profile_key(profile_name: str, *, profiles: ProfileStore, secrets: Secrets,
                       kind: Literal["scim", "accounts"] = "scim",
                       on_step: Callable[[str], None] | None = None) -> RotationResult:  # fmt: skip
    """Rotate the profile's ``kind`` key; see the module docstring. Never raises for a failed step."""
    run = _Run(profiles.get(profile_name), profiles, secrets, kind, on_step, [])
    try:
        _rotate(run)
    except _Stop as stop:
        log.info("Key rotation of profile %s stopped at %s", run.profile.name, stop.step)
        return RotationResult(tuple(run.completed), stop.step, stop.message, run.new_key, run.old_key,
                              run.profile.id)
    what = _KIND_TEXT[kind]
    assert run.new_key is not None
    return RotationResult(tuple(run.completed), None,
                          f"The profile {run.profile.name!r} now uses the new {what} …{run.new_key.suffix}, and the "
                          "old key was revoked.", run.new_key, run.old_key, run.profile.id)  # fmt: skip


def _rotate(run: _Run) -> None:
    what = _KIND_TEXT[run.kind]
    try:
        keys = resolve_keys(run.profile, run.secrets, environ={})
    except errors.BirdadminError as exc:
        raise _Stop("create", f"The keyring could not be read ({_reason(exc)}); nothing was changed.") from None
    old_secret, accounts_key = keys.scim if run.kind == "scim" else keys.accounts, keys.accounts
    if not old_secret or not accounts_key:
        raise _Stop("create", f"The profile {run.profile.name!r} has no stored {what} or Accounts API key to rotate "
                    "with; nothing was changed.")  # fmt: skip
    admin = _admin(run.profile, accounts_key)
    try:
        new_secret, old = _create(run, admin, old_secret)
        _store(run, admin, new_secret)
        _test(run, admin, new_secret)
        _switch(run, admin, new_secret)
        _revoke(run, old, new_secret if run.kind == "accounts" else accounts_key)
    finally:
        admin._accounts.close()


def _undo_create(run: _Run, admin: AccessKeys) -> str:
    """Revoke the new key again after a stop before the switch; says what became of it."""
    if run.new_key is None:
        return ""
    with contextlib.suppress(Exception):
        run.secrets.delete(staging_id(run.profile), run.kind)
    try:
        admin.revoke(run.new_key.id)
    except errors.NotFoundError:
        return " The new key is no longer listed."
    except errors.BirdadminError:
        return f" The new key …{run.new_key.suffix} could not be revoked; revoke it in Bird."
    return " The new key was revoked again."


def _create(run: _Run, admin: AccessKeys, old_secret: str) -> tuple[str, AccessKey]:
    run.step("create")
    stay = f"the profile still uses its old {_KIND_TEXT[run.kind]}, which still works"
    try:
        old = key_for_secret(admin.list(), old_secret)
        if old is None:
            raise _Stop("create", f"The key the profile uses is not in the organization's list of access keys (or "
                        f"its suffix is ambiguous), so no new key was created; {stay}.")  # fmt: skip
        run.old_key = old
        if not old.role_ids:
            raise _Stop("create", f"The server did not say which roles the key holds, so no new key was created; "
                        f"{stay}.")  # fmt: skip
        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        run.new_key, new_secret = admin.create(f"{old.name or 'birdadmin'} (rotated {stamp})",
                                               f"Replaces the key ending …{old.suffix}.", old.role_ids)  # fmt: skip
    except errors.BirdadminError as exc:
        raise _Stop("create", f"Creating the new key failed ({_reason(exc)}); {stay}.") from None
    register_secret(new_secret)
    run.done("create")
    return new_secret, old


def _store(run: _Run, admin: AccessKeys, new_secret: str) -> None:
    run.step("store")
    try:
        run.secrets.set(staging_id(run.profile), run.kind, new_secret)
    except (errors.BirdadminError, ValueError) as exc:
        undo = _undo_create(run, admin)
        raise _Stop("store", f"Storing the new key in the keyring failed ({_reason(exc)}); the profile still uses "
                    f"its old key, which still works.{undo}") from None  # fmt: skip
    run.done("store")


def _test(run: _Run, admin: AccessKeys, new_secret: str) -> None:
    run.step("test")
    scim, accounts = (new_secret, None) if run.kind == "scim" else (None, new_secret)
    try:
        report = check_connection(run.profile, scim, accounts)
        accepted = report.key_accepted if run.kind == "scim" else report.accounts_key_accepted
        failed = "" if accepted else (report.messages[0] if report.messages else "the key was not accepted")
    except errors.BirdadminError as exc:
        failed = _reason(exc)
    if failed:
        undo = _undo_create(run, admin)
        raise _Stop("test", f"The new key did not pass the connection test ({failed.rstrip('.')}); the profile "
                    f"still uses its old key, which still works.{undo}")  # fmt: skip
    run.done("test")


def _switch(run: _Run, admin: AccessKeys, new_secret: str) -> None:
    run.step("switch")
    try:
        store_key(run.profiles, run.secrets, run.profile, run.kind, new_secret)
    except Exception as exc:  # noqa: BLE001 - the keyring or the profile file; one sentence either way
        current = None
        with contextlib.suppress(Exception):
            current = run.secrets.get(run.profile.id, run.kind)
        if current == new_secret:
            raise _Stop("switch", f"The keyring holds the new key but the profile file could not record it "
                        f"({_reason(exc)}); the profile uses the new, tested key and the old key still "
                        "works.") from None  # fmt: skip
        undo = _undo_create(run, admin)
        raise _Stop("switch", f"Switching the profile to the new key failed ({_reason(exc)}); the profile still "
                    f"uses its old key, which still works.{undo}") from None  # fmt: skip
    with contextlib.suppress(Exception):
        run.secrets.delete(staging_id(run.profile), run.kind)
    run.done("switch")


def _revoke(run: _Run, old: AccessKey, accounts_key: str) -> None:
    run.step("revoke")
    try:
        admin = _admin(run.profile, accounts_key)
        try:
            admin.revoke(old.id)
        finally:
            admin._accounts.close()
    except errors.BirdadminError as exc:
        raise _Stop("revoke", f"Revoking the old key …{old.suffix} failed ({_reason(exc)}); the profile uses the "
                    "new, tested key, and the old key still works until it is revoked in Bird.") from None
    run.done("revoke")
