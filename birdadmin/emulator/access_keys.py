"""The organization's access keys as the emulator keeps them: metadata, roles, secrets, and when each was last used.

Bird lists keys (``GET .../access-keys``); roles in the listing and creating and revoking keys are assumed
(docs/bird.md A7, A8, A9). The demo's own SCIM and Accounts keys are keys here too (suffixes match secrets), beside
seeded keys that were never used, keys unused for months and a key holding Owner. A created key works as a
Bearer key for SCIM and as an AccessKey for the Accounts API; a revoked key stops working (401). Keys live in
memory only (a state file does not keep them).
"""

from __future__ import annotations

import hmac
import random
import secrets
import string
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from birdadmin.emulator.errors import AccountsError
from birdadmin.emulator.versions import now_iso

Service = Literal["scim", "accounts"]
SUFFIX_LENGTH = 8  # long enough that the demo keys ("demo-scim-key", "demo-accounts-key") differ
_ALPHABET = string.ascii_letters + string.digits


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class KeyRegistry:
    """Thread-safe; the secrets never leave it except once, in the answer to a create."""

    def __init__(self, org_id: str, seed: int, started_at: str) -> None:
        self._lock = threading.Lock()
        self._org_id = org_id
        self._keys: dict[str, dict[str, Any]] = {}
        self._secrets: dict[str, str] = {}
        self._services: dict[str, frozenset[Service]] = {}
        self._rng = random.Random(seed)
        self._started_at = started_at

    def add(self, name: str, secret: str, *, services: frozenset[Service], role_ids: list[str],
            description: str = "", created_at: str | None = None, last_used_at: str | None = None,
            key_id: str | None = None) -> dict[str, Any]:  # fmt: skip
        key_id = key_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self._org_id}/access-keys/{name}/{secret[-8:]}"))
        doc = {
            "id": key_id, "name": name, "description": description, "suffix": secret[-SUFFIX_LENGTH:],
            "roleIds": list(role_ids), "createdAt": created_at or self._started_at, "lastUsedAt": last_used_at,
        }  # fmt: skip
        with self._lock:
            self._keys[key_id] = doc
            self._secrets[key_id] = secret
            self._services[key_id] = services
        return dict(doc)

    def seed(self, owner_role_id: str | None, other_role_ids: list[str], now: datetime) -> None:
        """Keys a real organization accumulates: never used, unused for months, old, one holding Owner."""
        some = other_role_ids[:1]
        plan = [
            ("CI export (never used)", "Created for a pipeline that never ran.", some, 40, None),
            ("Old Zapier sync", "Integration from the previous CRM migration.", some, 400, 200),
            ("Data warehouse loader", "Nightly export.", other_role_ids[1:3], 120, 1),
            ("Break-glass admin", "Emergency access; holds Owner.", [owner_role_id] if owner_role_id else [], 800, 150),
        ]
        for name, text, roles, age, unused in plan:
            secret = "".join(self._rng.choice(_ALPHABET) for _ in range(40))
            used = _iso(now - timedelta(days=unused)) if unused is not None else None
            self.add(name, secret, services=frozenset(("scim", "accounts")), role_ids=roles, description=text,
                     created_at=_iso(now - timedelta(days=age)), last_used_at=used)  # fmt: skip

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(doc, roleIds=list(doc["roleIds"])) for doc in self._keys.values()]

    def authenticate(self, token: str, service: Service) -> Literal["ok", "other-service", "unknown"]:
        """Which key ``token`` is; a match records ``lastUsedAt`` when it may call ``service``."""
        raw = token.encode()
        with self._lock:
            for key_id, secret in self._secrets.items():
                if hmac.compare_digest(raw, secret.encode()):
                    if service not in self._services[key_id]:
                        return "other-service"
                    self._keys[key_id]["lastUsedAt"] = now_iso()
                    return "ok"
        return "unknown"

    def create(self, body: Any, known_roles: set[str]) -> dict[str, Any]:
        """ASSUMED ``POST .../access-keys`` (docs/bird.md A8): the answer carries the secret, once."""
        if not isinstance(body, dict):
            raise AccountsError(422, "validation_error", "the body must be a JSON object")
        name, description, roles = body.get("name"), body.get("description", ""), body.get("roleIds", [])
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise AccountsError(422, "validation_error", "name must be a non-empty string")
        if not isinstance(description, str) or len(description) > 2000:
            raise AccountsError(422, "validation_error", "description must be a string")
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            raise AccountsError(422, "validation_error", "roleIds must be a non-empty list of role ids")
        unknown = [r for r in roles if r.lower() not in known_roles]
        if unknown:
            raise AccountsError(422, "validation_error", f"unknown role id {unknown[0]}")
        secret = secrets.token_urlsafe(30)
        doc = self.add(name.strip(), secret, services=frozenset(("scim", "accounts")), role_ids=roles,
                       description=description, created_at=now_iso(), key_id=str(uuid.uuid4()))  # fmt: skip
        return dict(doc, secret=secret)

    def revoke(self, key_id: str) -> None:
        """ASSUMED ``DELETE .../access-keys/{id}`` (docs/bird.md A9)."""
        with self._lock:
            if key_id not in self._keys:
                raise AccountsError(404, "not_found", f"access key {key_id} not found")
            del self._keys[key_id], self._secrets[key_id], self._services[key_id]
