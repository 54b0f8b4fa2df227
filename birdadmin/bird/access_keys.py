"""The organization's access keys over the Accounts API: list, create, revoke. The only module that knows these
endpoints.

Bird documents only the listing (``GET .../access-keys``: name, suffix, lastUsedAt). Everything else here is an
assumption (docs/bird.md): roles and descriptions in the listing (A7), ``POST .../access-keys`` answering with
the secret once (A8), and ``DELETE .../access-keys/{id}`` (A9). The secret is handed back to the caller and is
registered for redaction at once; it is never logged or kept here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from birdadmin import errors, in_flight
from birdadmin.bird.accounts import SERVICE, AccountsClient, _check_id
from birdadmin.net.responses import parse_json
from birdadmin.net.urls import join
from birdadmin.redact import register_secret

CREATE_METHOD, REVOKE_METHOD = "POST", "DELETE"  # A8, A9


@dataclass(frozen=True, slots=True)
class AccessKey:
    id: str
    name: str
    description: str
    suffix: str  # the last characters Bird shows of the secret (never the secret)
    role_ids: tuple[str, ...] | None  # None: the server did not say (not "no roles")
    created_at: str | None  # ISO 8601 as the server sent it
    last_used_at: str | None  # None: never used


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_access_key(raw: Any) -> AccessKey | None:
    """One listed key, or None for an item that is not a key (server data is untrusted)."""
    if not isinstance(raw, dict):
        return None
    key_id, suffix = _text(raw.get("id")), _text(raw.get("suffix"))
    if not key_id or suffix is None:
        return None
    roles = raw.get("roleIds")  # A7: the roles a key holds, as role UUIDs
    role_ids = tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else None
    return AccessKey(
        id=key_id,
        name=_text(raw.get("name")) or "",
        description=_text(raw.get("description")) or "",
        suffix=suffix,
        role_ids=role_ids,
        created_at=_text(raw.get("createdAt")),
        last_used_at=_text(raw.get("lastUsedAt")),
    )


def key_for_secret(keys: Sequence[AccessKey], secret: str) -> AccessKey | None:
    """The key whose suffix ends ``secret``; None when none does or two keys would (no guessing)."""
    secret = (secret or "").strip()
    found = [k for k in keys if k.suffix and secret.endswith(k.suffix)]
    if not found:
        return None
    longest = max(len(k.suffix) for k in found)
    best = [k for k in found if len(k.suffix) == longest]
    return best[0] if len(best) == 1 else None


class AccessKeys:
    """One small adapter over an :class:`AccountsClient` (its session, errors and paging rules)."""

    def __init__(self, accounts: AccountsClient) -> None:
        self._accounts = accounts
        self._url = join(accounts.org_url, "access-keys")

    def list(self) -> list[AccessKey]:
        return self._accounts._list(self._url, parse_access_key, lambda k: k.id)

    def create(self, name: str, description: str, role_ids: Sequence[str]) -> tuple[AccessKey, str]:
        """A new key holding ``role_ids``, and its secret (shown once by the server; A8)."""
        if not name or not name.strip():
            raise errors.InputError("An access key needs a name.")
        if not role_ids:
            raise errors.InputError("An access key needs at least one role.")
        body = {"name": name.strip(), "description": description, "roleIds": list(role_ids)}
        session = self._accounts._session
        with self._accounts._typed(), in_flight.sending():
            response = session.request(CREATE_METHOD, self._url, json_body=body, ok=(200, 201))
        data = parse_json(response, service=SERVICE)
        secret = data.get("secret") if isinstance(data, dict) else None
        if isinstance(secret, str) and secret.strip():
            register_secret(secret.strip())
        key = parse_access_key(data)
        # A secret is sent as an HTTP header and shown on a terminal: anything but visible ASCII is no usable key
        # (and could rewrite a terminal line when printed).
        usable = isinstance(secret, str) and bool(secret.strip()) and secret.strip().isascii() and \
            secret.strip().isprintable() and " " not in secret.strip()
        if key is None or not isinstance(secret, str) or not usable:
            raise errors.ProtocolError(
                f"The {SERVICE} server created an access key but its answer carries no usable key and secret; "
                "revoke it in Bird if it is listed.",
                method=CREATE_METHOD, url=str(self._url), status=response.status_code, service=SERVICE,
            )  # fmt: skip
        return key, secret.strip()

    def revoke(self, key_id: str) -> None:
        """Revoke a key (A9); it stops working at once."""
        url = join(self._url, _check_id(key_id, "The access key id"))
        with self._accounts._typed(), in_flight.sending():
            self._accounts._session.request(REVOKE_METHOD, url, ok=(200, 204))
