"""In-memory keyring backends shared by the store and dialog tests (the real Secret Service runs in tests/keyring)."""

from __future__ import annotations

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict: a real KeyringBackend, so SecretStore exercises its real code path."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.locked = False

    def _guard(self) -> None:
        if self.locked:
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._guard()
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._guard()
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._guard()
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.items[(service, username)]
