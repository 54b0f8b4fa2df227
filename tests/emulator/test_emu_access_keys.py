"""The emulator's access keys: the seeded kinds, lastUsedAt recorded on use, the assumed create and revoke
(docs/bird.md A7 to A9), a created key working on both APIs and a revoked one refused."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import httpx

from birdadmin.emulator import Emulator


def _keys(accounts: httpx.Client) -> list[dict]:
    resp = accounts.get("/access-keys", params={"limit": 100})
    assert resp.status_code == 200
    return resp.json()["results"]


def _role(accounts: httpx.Client, name: str) -> str:
    roles = accounts.get("/iam-roles", params={"limit": 100}).json()["results"]
    return next(r["id"] for r in roles if r["name"] == name)


def test_seeded_keys_cover_the_hygiene_cases(emu: Emulator, accounts: httpx.Client) -> None:
    keys = _keys(accounts)
    now = datetime.now(UTC)
    owner = _role(accounts, "Owner")
    assert any(k["lastUsedAt"] is None and k["suffix"] not in (emu.key[-8:],) for k in keys)
    months = [k for k in keys if k["lastUsedAt"] and
              (now - datetime.fromisoformat(k["lastUsedAt"].replace("Z", "+00:00"))).days > 90]
    assert months, "a key unused for months"
    assert any(owner in k["roleIds"] for k in keys)
    assert all({"id", "name", "description", "suffix", "roleIds", "createdAt", "lastUsedAt"} <= set(k) for k in keys)


def test_demo_keys_are_listed_with_suffixes_of_their_secrets(emu: Emulator, accounts: httpx.Client) -> None:
    keys = _keys(accounts)
    by_suffix = {k["suffix"]: k for k in keys}
    assert emu.key.endswith(by_suffix[emu.key[-8:]]["suffix"]) and by_suffix[emu.key[-8:]]["name"]
    assert by_suffix[emu.accounts_key[-8:]]["lastUsedAt"] is not None  # this very listing used it


def test_last_used_is_recorded_when_a_key_authenticates(emu: Emulator, scim: httpx.Client,
                                                        accounts: httpx.Client) -> None:
    scim_entry = next(k for k in _keys(accounts) if k["suffix"] == emu.key[-8:])
    assert scim_entry["lastUsedAt"] is None
    assert scim.get("/Users", params={"count": 1}).status_code == 200
    scim_entry = next(k for k in _keys(accounts) if k["suffix"] == emu.key[-8:])
    assert scim_entry["lastUsedAt"].endswith("Z")


def test_a_created_key_works_on_both_apis_and_a_revoked_one_is_401(emu: Emulator, accounts: httpx.Client,
                                                                   tls: ssl.SSLContext) -> None:
    role = _role(accounts, "Analyst")
    resp = accounts.post("/access-keys", json={"name": "ci", "description": "pipeline", "roleIds": [role]})
    assert resp.status_code == 201
    created = resp.json()
    secret = created["secret"]
    assert created["suffix"] == secret[-8:] and created["roleIds"] == [role] and created["lastUsedAt"] is None
    listed = _keys(accounts)
    assert secret not in accounts.get("/access-keys", params={"limit": 100}).text
    assert any(k["id"] == created["id"] and k["description"] == "pipeline" for k in listed)
    base = f"{emu.accounts_url}/organizations/{emu.org_id}"
    with httpx.Client(timeout=10, verify=tls) as plain:
        scim_ok = plain.get(f"{emu.scim_url}/Users", headers={"Authorization": f"Bearer {secret}"})
        acct_ok = plain.get(f"{base}/iam-roles", headers={"Authorization": f"AccessKey {secret}"})
        assert scim_ok.status_code == 200 and acct_ok.status_code == 200
        assert accounts.delete(f"/access-keys/{created['id']}").status_code == 204
        scim_gone = plain.get(f"{emu.scim_url}/Users", headers={"Authorization": f"Bearer {secret}"})
        acct_gone = plain.get(f"{base}/iam-roles", headers={"Authorization": f"AccessKey {secret}"})
    assert scim_gone.status_code == 401 and acct_gone.status_code == 401
    assert all(k["id"] != created["id"] for k in _keys(accounts))
    assert accounts.delete(f"/access-keys/{created['id']}").status_code == 404


def test_create_refuses_bad_bodies(accounts: httpx.Client) -> None:
    for body in ({"name": "", "roleIds": []}, {"name": "x", "roleIds": []}, {"name": "x", "roleIds": ["nope"]}, []):
        resp = accounts.post("/access-keys", json=body)
        assert resp.status_code == 422, body
        assert "secret" not in resp.text


def test_the_scim_key_still_cannot_call_the_accounts_api(emu: Emulator, tls: ssl.SSLContext) -> None:
    base = f"{emu.accounts_url}/organizations/{emu.org_id}"
    with httpx.Client(timeout=10, verify=tls) as plain:
        resp = plain.get(f"{base}/access-keys", headers={"Authorization": f"AccessKey {emu.key}"})
    assert resp.status_code == 403  # docs/bird.md A5
