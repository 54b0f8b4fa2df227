"""Shared pieces of the apply-engine tests: a Session on a running emulator, another admin's edits sent straight
over HTTP (not through the code under test), and the wire as sent (an httpx event hook)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx

from birdadmin.connection import ConnectionSpec, spec_for_emulator
from birdadmin.net.session import HttpSettings
from birdadmin.org_load import Session
from birdadmin.scim.endpoint import ScimSettings


@contextmanager
def session_on(emu: Any, scim: ScimSettings | None = None, *, accounts: bool = True,
               http: HttpSettings | None = None) -> Iterator[Session]:
    spec = spec_for_emulator(emu)
    spec = replace(spec, scim=scim or ScimSettings(), http=http or spec.http)
    if not accounts:
        spec = replace(spec, accounts_url=None, accounts_key=None)
    session = Session(spec)
    try:
        yield session
    finally:
        session.close()


@contextmanager
def session_at(base_url: str, key: str, scim: ScimSettings | None = None) -> Iterator[Session]:
    session = Session(ConnectionSpec("test", base_url, key, scim=scim or ScimSettings(),
                                     http=HttpSettings(timeout=10, max_retries=2)))
    try:
        yield session
    finally:
        session.close()


def other_admin_sets_roles(base_url: str, key: str, user_id: str, roles: list[str]) -> None:
    """Another client replaces a user's roles (no If-Match): the edit the engine must not overwrite."""
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "roles", "value": roles}]}
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/scim+json"}
    answer = httpx.patch(f"{base_url}/Users/{user_id}", content=json.dumps(body), headers=headers, timeout=10)
    assert answer.status_code in (200, 204), answer.text


def server_roles(base_url: str, key: str, user_id: str) -> list[str]:
    answer = httpx.get(f"{base_url}/Users/{user_id}", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return [r["value"] if isinstance(r, dict) else r for r in answer.json().get("roles") or []]


@dataclass
class Sent:
    method: str
    path: str
    if_match: str | None
    body: Any


class Wire:
    """Every write request a client sends, as it went on the wire (method, path, If-Match, parsed body)."""

    def __init__(self, *clients: Any) -> None:
        self.sent: list[Sent] = []
        for client in clients:
            client._session._client.event_hooks["request"].append(self._seen)

    def _seen(self, request: httpx.Request) -> None:
        if request.method in ("GET", "HEAD"):
            return
        body = json.loads(request.content) if request.content else None
        self.sent.append(Sent(request.method, request.url.path, request.headers.get("If-Match"), body))
