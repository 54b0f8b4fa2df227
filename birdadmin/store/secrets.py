"""Access keys in the operating system's keyring, and nowhere else.

Bird shows a key exactly once, so the keyring is its only home: no plaintext fallback, no copy in the profile
file. A keyring that is missing, plaintext or locked is reported with the fix for this platform; the caller may
then keep the key in memory for this session only (:class:`SessionSecrets`).

Keyring layout: service ``birdadmin``, username ``<profile id>:<kind>`` (kind ``scim`` or ``accounts``). The
profile id never changes, so renaming a profile keeps its keys.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Literal, Protocol

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from birdadmin.errors import InputError, SecretStoreError
from birdadmin.redact import register_secret

log = logging.getLogger(__name__)

KeyKind = Literal["scim", "accounts"]
KEY_KINDS: tuple[KeyKind, ...] = ("scim", "accounts")
SERVICE = "birdadmin"
ACCESS_KEY_ENV = "BIRDADMIN_ACCESS_KEY"
ACCOUNTS_KEY_ENV = "BIRDADMIN_ACCOUNTS_KEY"
_PROBE_USER = "birdadmin-probe"
_KIND_LABEL = {"scim": "SCIM access key", "accounts": "Accounts API key"}


def key_label(kind: KeyKind) -> str:
    return _KIND_LABEL[kind]


def username(profile_id: str, kind: KeyKind) -> str:
    if kind not in KEY_KINDS:
        raise ValueError(f"unknown key kind {kind!r}")
    return f"{profile_id}:{kind}"


def platform_fix(*, locked: bool = False, platform: str | None = None) -> str:
    """The sentence that tells a person how to get a working keyring on their system."""
    platform = platform or sys.platform
    if platform == "darwin":
        return (
            "Unlock the login keychain in Keychain Access and try again."
            if locked
            else "birdadmin uses the macOS Keychain; make sure your login keychain exists and is unlocked."
        )
    if platform.startswith("win"):
        return (
            "Log in to Windows normally so that Credential Manager is available, then try again."
            if locked
            else "birdadmin uses Windows Credential Manager; log in to a normal Windows account so it is available."
        )
    if locked:
        return (
            "Unlock the keyring (for example in 'Passwords and Keys' / Seahorse, or by logging in to a desktop "
            "session) and try again."
        )
    return (
        "Install and unlock a Secret Service keyring such as GNOME Keyring or KWallet "
        "(for example `apt install gnome-keyring`) and log in to a desktop session."
    )


def _describe(backend: keyring.backend.KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def refusal_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why a backend may not hold access keys (None when it may): absent, or stores keys in plain text."""
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return "none"
    module = type(backend).__module__
    if module.startswith("keyrings.alt") or "plaintext" in type(backend).__name__.lower():
        return "plaintext"
    return None


def _pick_backend(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend:
    """Unwrap keyring's chainer to its best acceptable backend.

    The chainer would fall through to the next backend when the first refuses a write, which is exactly how a
    key would end up in a plaintext file; so birdadmin talks to one chosen backend only.
    """
    if isinstance(backend, chainer.ChainerBackend):
        candidates: list[keyring.backend.KeyringBackend] = backend.backends  # sorted by priority, highest first
        for candidate in candidates:
            if refusal_reason(candidate) is None:
                return candidate
        return fail.Keyring()
    return backend


class Secrets(Protocol):
    """What profile code needs from a key store; both the keyring and the session store provide it."""

    persistent: bool

    def check(self) -> None: ...
    def get(self, profile_id: str, kind: KeyKind) -> str | None: ...
    def set(self, profile_id: str, kind: KeyKind, key: str) -> None: ...
    def delete(self, profile_id: str, kind: KeyKind) -> None: ...


class SecretStore:
    """The OS keyring, refusing backends that would not keep a key safe."""

    persistent = True

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._given = backend
        self._backend: keyring.backend.KeyringBackend | None = None
        self._checked = False
        self._lock = threading.Lock()

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        if self._backend is None:
            self._backend = _pick_backend(self._given if self._given is not None else keyring.get_keyring())
        return self._backend

    def describe(self) -> str:
        """The backend's name, for details panes and logs (never a key)."""
        return _describe(self.backend)

    def _unusable(self, reason: str, *, locked: bool = False, cause: str = "") -> SecretStoreError:
        what = {
            "none": "No usable keyring was found, so birdadmin cannot store the access key safely.",
            "plaintext": "The configured keyring stores keys in plain text, so birdadmin will not use it.",
            "locked": "The keyring is locked, so birdadmin cannot read or store the access key.",
            "failed": "The keyring could not be used, so birdadmin cannot read or store the access key.",
        }[reason]
        details = f"Keyring backend: {self.describe()}"
        if cause:
            details += f"\nReason: {cause}"
        return SecretStoreError(f"{what} {platform_fix(locked=locked)}", details=details)

    def check(self) -> None:
        """Raise SecretStoreError with this platform's fix unless the keyring can hold keys right now."""
        with self._lock:
            if self._checked:
                return
            reason = refusal_reason(self.backend)
            if reason is not None:
                raise self._unusable(reason)
            try:
                self.backend.get_password(SERVICE, _PROBE_USER)
            except Exception as exc:  # noqa: BLE001 - backends raise their own D-Bus/OS error types
                raise self._translate(exc) from None
            self._checked = True

    def _translate(self, exc: Exception) -> SecretStoreError:
        if isinstance(exc, SecretStoreError):
            return exc
        self._checked = False
        if isinstance(exc, keyring.errors.KeyringLocked) or "locked" in str(exc).lower():
            return self._unusable("locked", locked=True, cause=type(exc).__name__)
        if isinstance(exc, keyring.errors.NoKeyringError):
            return self._unusable("none", cause=type(exc).__name__)
        return self._unusable("failed", cause=f"{type(exc).__name__}: {str(exc)[:200]}")

    def get(self, profile_id: str, kind: KeyKind) -> str | None:
        self.check()
        try:
            value = self.backend.get_password(SERVICE, username(profile_id, kind))
        except Exception as exc:  # noqa: BLE001 - translated into one sentence, never lost
            raise self._translate(exc) from None
        register_secret(value)
        return value or None

    def set(self, profile_id: str, kind: KeyKind, key: str) -> None:
        key = clean_key(key, kind)
        register_secret(key)
        self.check()
        try:
            self.backend.set_password(SERVICE, username(profile_id, kind), key)
        except Exception as exc:  # noqa: BLE001 - translated into one sentence, never lost
            raise self._translate(exc) from None
        log.info("Stored the %s of profile %s in %s", key_label(kind), profile_id, self.describe())

    def delete(self, profile_id: str, kind: KeyKind) -> None:
        """Forget a key; forgetting one that is not there is not an error."""
        self.check()
        try:
            self.backend.delete_password(SERVICE, username(profile_id, kind))
        except keyring.errors.PasswordDeleteError:
            return
        except Exception as exc:  # noqa: BLE001 - translated into one sentence, never lost
            raise self._translate(exc) from None
        log.info("Forgot the %s of profile %s", key_label(kind), profile_id)


class SessionSecrets:
    """Keys kept in memory until the program exits: the explicit choice when no keyring can be used."""

    persistent = False

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._lock = threading.Lock()

    def check(self) -> None:
        return None

    def get(self, profile_id: str, kind: KeyKind) -> str | None:
        with self._lock:
            return self._keys.get(username(profile_id, kind))

    def set(self, profile_id: str, kind: KeyKind, key: str) -> None:
        key = clean_key(key, kind)
        register_secret(key)
        with self._lock:
            self._keys[username(profile_id, kind)] = key

    def delete(self, profile_id: str, kind: KeyKind) -> None:
        with self._lock:
            self._keys.pop(username(profile_id, kind), None)

    def __repr__(self) -> str:
        return f"SessionSecrets({len(self._keys)} keys)"


def clean_key(key: str | None, kind: KeyKind = "scim") -> str:
    """A pasted key without surrounding whitespace; refuse one that is empty or has spaces inside."""
    text = (key or "").strip()
    label = key_label(kind)
    if not text:
        raise InputError(f"The {label} is empty; paste the key exactly as Bird showed it.")
    if any(ch.isspace() for ch in text):
        raise InputError(f"The {label} contains spaces or line breaks; paste the key exactly as Bird showed it.")
    return text
