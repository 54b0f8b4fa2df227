"""Connection profiles: which server, which organization, how to write roles; never a key.

The file is ``<config dir>/profiles.json``: ``{"version": 1, "profiles": [...], "lastUsed": "name"}``, written
atomically. A file birdadmin cannot read (corrupt, wrong shape, or written by a newer version) is copied to
``profiles.json.bak-<timestamp>`` and reported; nothing writes over it until a person decides. The model and
its validation are in ``profile_model``; this module is the file.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from birdadmin.domain.thresholds import DEFAULT_BATCH_THRESHOLD, MAX_BATCH_THRESHOLD, MIN_BATCH_THRESHOLD
from birdadmin.errors import ConfigError, InputError
from birdadmin.store.atomic import write_json_atomic
from birdadmin.store.paths import CONFIG_DIR_ENV, config_dir
from birdadmin.store.profile_model import Profile, validate_profile_fields
from birdadmin.store.timeouts import MAX_TIMEOUT, MIN_TIMEOUT

# The model is re-exported: the window, the CLI and the tests know a profile as ``store.profiles.Profile``.
__all__ = [
    "DEFAULT_BATCH_THRESHOLD",
    "FILE_NAME",
    "FILE_VERSION",
    "MAX_BATCH_THRESHOLD",
    "MAX_TIMEOUT",
    "MIN_BATCH_THRESHOLD",
    "MIN_TIMEOUT",
    "Profile",
    "ProfileStore",
    "validate_profile_fields",
]

FILE_NAME = "profiles.json"
FILE_VERSION = 1


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise InputError(" ".join(problems.values()))


@dataclass(slots=True)
class _Document:
    profiles: list[Profile] = field(default_factory=list)
    last_used: str | None = None


_PROCESS_LOCK = threading.RLock()


class ProfileStore:
    """The profile file, re-read on every call so a CLI run and an open window never disagree for long."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = Path(directory) if directory is not None else None

    @property
    def directory(self) -> Path:
        target = self._directory
        try:
            if target is None:
                return config_dir()
            target.mkdir(parents=True, exist_ok=True, mode=0o700)
            return target
        except OSError as exc:
            where = target if target is not None else exc.filename
            raise ConfigError(
                f"The settings folder {where} cannot be created ({exc.strerror}); "
                f"set {CONFIG_DIR_ENV} to a folder you can write to."
            ) from None

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME

    # -- reading -------------------------------------------------------------------------------------------
    def list(self) -> list[Profile]:
        return sorted(self._read().profiles, key=lambda p: p.name.casefold())

    def names(self) -> builtins.list[str]:  # `list` is the method above, here
        return [p.name for p in self.list()]

    def get(self, name: str) -> Profile:
        """The profile called ``name`` (exact, else case-insensitive); InputError naming the known ones."""
        profiles = self._read().profiles
        for profile in profiles:
            if profile.name == name:
                return profile
        for profile in profiles:
            if profile.name.casefold() == (name or "").strip().casefold():
                return profile
        known = ", ".join(sorted((p.name for p in profiles), key=str.casefold))
        hint = f"known profiles: {known}" if known else "there are no profiles yet"
        raise InputError(f"No profile named '{name}'; {hint}.")

    def get_by_id(self, profile_id: str) -> Profile:
        for profile in self._read().profiles:
            if profile.id == profile_id:
                return profile
        raise InputError("That profile no longer exists; it was removed, perhaps from another window.")

    def last_used(self) -> str | None:
        document = self._read()
        if document.last_used and any(p.name == document.last_used for p in document.profiles):
            return document.last_used
        return None

    # -- writing -------------------------------------------------------------------------------------------
    def add(self, profile: Profile) -> Profile:
        with self._locked():
            document = self._read()
            if any(p.id == profile.id for p in document.profiles):
                raise InputError(f"A profile with the id {profile.id} already exists.")
            _refuse(self._problems(profile, [p.name for p in document.profiles], check_ca=True))
            document.profiles.append(profile)
            self._write(document)
        return profile

    def update(self, profile: Profile) -> Profile:
        """Replace the stored profile that has ``profile.id`` (a rename keeps the keys: they follow the id)."""
        with self._locked():
            document = self._read()
            index = next((i for i, p in enumerate(document.profiles) if p.id == profile.id), None)
            if index is None:
                raise InputError(f"The profile '{profile.name}' no longer exists; it was removed, perhaps elsewhere.")
            old = document.profiles[index]
            others = [p.name for p in document.profiles if p.id != profile.id]
            # A CA bundle that vanished since it was chosen must not block recording a key; check it when changed.
            _refuse(self._problems(profile, others, check_ca=profile.ca_bundle != old.ca_bundle))
            document.profiles[index] = profile
            if document.last_used == old.name:
                document.last_used = profile.name
            self._write(document)
        return profile

    def remove(self, name: str) -> None:
        """Delete a profile from the file; its keys are ``store.keys.remove_profile``'s business."""
        profile = self.get(name)
        with self._locked():
            document = self._read()
            document.profiles = [p for p in document.profiles if p.id != profile.id]
            if document.last_used == profile.name:
                document.last_used = None
            self._write(document)

    def duplicate(self, name: str, new_name: str) -> Profile:
        """A copy under a new name and id. Keys are not copied: the copy needs its own (Bird keys are per use)."""
        source = self.get(name)
        copy = source.model_copy(
            update={
                "id": uuid.uuid4().hex,
                "name": new_name.strip(),
                "scim_key_fingerprint": None,
                "scim_key_stored_at": None,
                "accounts_key_fingerprint": None,
                "accounts_key_stored_at": None,
            }
        )
        return self.add(copy)

    def set_last_used(self, name: str | None) -> None:
        with self._locked():
            document = self._read()
            if name is not None:
                name = next((p.name for p in document.profiles if p.name.casefold() == name.casefold()), None)
                if name is None:
                    return
            if document.last_used != name:
                document.last_used = name
                self._write(document)

    def start_fresh(self) -> Path:
        """Set an unreadable profile file aside (its backup is kept) and start with no profiles.

        Only for an explicit choice in the UI; returns where the old file's copy is.
        """
        with self._locked():
            try:
                self._read()
            except ConfigError:
                pass
            else:
                raise InputError("The profile file is readable; there is nothing to set aside.")
            try:
                backup = self._backup()
            except OSError as exc:
                raise ConfigError(
                    f"The profile file {self.path} cannot be copied aside ({exc.strerror}); "
                    "move it away by hand, then try again."
                ) from None
            self._write(_Document())
        return backup

    # -- file handling ------------------------------------------------------------------------------------
    @staticmethod
    def _problems(profile: Profile, others: builtins.list[str], *, check_ca: bool) -> dict[str, str]:
        return validate_profile_fields(
            profile.name,
            profile.base_url,
            profile.accounts_url,
            profile.ca_bundle if check_ca else None,
            profile.timeout,
            others,
            org_id=profile.org_id,
            owner_role_id=profile.owner_role_id,
            batch_threshold=profile.batch_threshold,
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise read-modify-write between threads and, on POSIX, between processes."""
        with _PROCESS_LOCK:
            if os.name != "posix":
                yield
                return
            import fcntl

            lock_path = self.directory / (FILE_NAME + ".lock")
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise ConfigError(
                    f"The profile file cannot be changed: its lock file {lock_path} cannot be opened ({exc.strerror})."
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _read(self) -> _Document:
        path = self.path
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return _Document()
        except OSError as exc:
            raise ConfigError(f"The profile file {path} cannot be read ({exc.strerror}).") from None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested thousands deep
            self._quarantine("is not valid JSON")
        if not isinstance(data, dict) or not isinstance(data.get("version"), int) or isinstance(data["version"], bool):
            self._quarantine("is not a birdadmin profile file")
        version = data["version"]
        if version > FILE_VERSION:
            self._quarantine(f"was written by a newer birdadmin (file version {version}); update birdadmin")
        if version < 1 or not isinstance(data.get("profiles"), list):
            self._quarantine("is not a birdadmin profile file")
        try:
            profiles = [Profile.model_validate(item) for item in data["profiles"]]
        except RecursionError:
            self._quarantine("has an entry nested too deeply")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            self._quarantine(f"has an invalid entry ({where}: {first.get('msg', 'invalid')})")
        ids = [p.id for p in profiles]
        names = [p.name.casefold() for p in profiles]
        if len(set(ids)) != len(ids) or len(set(names)) != len(names):
            self._quarantine("lists the same profile twice")
        last_used = data.get("lastUsed")
        return _Document(profiles, last_used if isinstance(last_used, str) else None)

    def _backup(self) -> Path:
        """Copy the current file beside itself once (an identical earlier copy is reused)."""
        path = self.path
        content = path.read_bytes()
        for existing in sorted(path.parent.glob(FILE_NAME + ".bak-*")):
            with contextlib.suppress(OSError):
                if existing.read_bytes() == content:
                    return existing
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        backup = path.with_name(f"{FILE_NAME}.bak-{stamp}")
        shutil.copy2(path, backup)
        os.chmod(backup, 0o600)
        return backup

    def _quarantine(self, problem: str) -> Any:
        try:
            backup = self._backup()
        except OSError as exc:
            raise ConfigError(
                f"The profile file {self.path} {problem}, and a backup copy could not be made ({exc.strerror}); "
                "birdadmin left it unchanged."
            ) from None
        raise ConfigError(
            f"The profile file {self.path} {problem}; birdadmin left it unchanged and kept a copy at {backup.name}. "
            "Fix or move the file, then try again.",
            details=f"Backup: {backup}",
        )

    def _write(self, document: _Document) -> None:
        path = self.path
        try:
            write_json_atomic(
                path,
                {
                    "version": FILE_VERSION,
                    "profiles": [p.model_dump(mode="json") for p in document.profiles],
                    "lastUsed": document.last_used,
                },
            )
        except OSError as exc:  # full disk, read-only folder: the old file is intact (atomic write)
            raise ConfigError(
                f"The profile file {path} could not be saved ({exc.strerror}); nothing was changed."
            ) from None
