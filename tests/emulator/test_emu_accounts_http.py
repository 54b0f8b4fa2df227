"""The Accounts API subset over real HTTP, and its identity with the SCIM side (one state behind both)."""

from __future__ import annotations

import ssl
import uuid
from typing import Any

import httpx
import pytest

from birdadmin.emulator import Emulator


def assert_error(resp: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"code", "message"} and body["message"]
    if code:
        assert body["code"] == code
    return body


def all_pages(client: httpx.Client, path: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = ""
    for _ in range(100):
        params: dict[str, Any] = {"limit": limit}
        if token:
            params["pageToken"] = token
        page = client.get(path, params=params).json()
        assert len(page["results"]) <= limit
        items += page["results"]
        token = page["nextPageToken"]
        if not token:
            return items
    raise AssertionError("the cursor never ended")


# -- auth --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "status"),
    [(None, 401), ("Bearer demo-accounts-key", 401), ("AccessKey wrong", 401), ("AccessKey demo-scim-key", 403)],
)
def test_only_the_accounts_key_with_the_accesskey_scheme_is_accepted(
    emu: Emulator, tls: ssl.SSLContext, header: str | None, status: int
) -> None:
    headers = {"Authorization": header} if header else {}
    resp = httpx.get(f"{emu.accounts_url}/organizations/{emu.org_id}/iam-roles", headers=headers, verify=tls)
    body = assert_error(resp, status)
    assert emu.accounts_key not in body["message"] and emu.key not in body["message"]


def test_a_valid_key_on_another_organization_is_forbidden(accounts: httpx.Client, emu: Emulator) -> None:
    other = f"{emu.accounts_url}/organizations/{uuid.uuid4()}/teams"
    assert_error(accounts.get(other), 403, "forbidden")


# -- role catalogue and cursor paging ----------------------------------------------------------------


def test_role_catalogue_through_small_cursor_pages(emu: Emulator, accounts: httpx.Client) -> None:
    roles = all_pages(accounts, "/iam-roles", 3)
    assert roles == emu.state.roles()
    names = {r["name"] for r in roles}
    assert {"Owner", "Administrator", "Agent", "Supervisor", "Analyst", "Billing manager", "Developer",
            "Read-only"} <= names  # fmt: skip
    for role in roles:
        uuid.UUID(role["id"])
        assert role["type"] in ("organization", "managed")
        assert {"description", "userCount", "teamCount", "createdAt", "updatedAt"} <= set(role)
    agent = next(r for r in roles if r["name"] == "Agent")
    assert agent["teamCount"] >= 2 and agent["userCount"] > 0


def test_default_limit_is_ten(accounts: httpx.Client) -> None:
    first = accounts.get("/teams").json()
    assert len(first["results"]) == 10 and first["nextPageToken"]
    second = accounts.get("/teams", params={"pageToken": first["nextPageToken"]}).json()
    assert len(second["results"]) == 2 and second["nextPageToken"] == ""


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"pageToken": "garbage!"}])
def test_bad_paging_parameters_are_422(accounts: httpx.Client, params: dict[str, Any]) -> None:
    assert_error(accounts.get("/iam-roles", params=params), 422, "validation_error")


def test_unknown_paths_and_methods(accounts: httpx.Client) -> None:
    assert_error(accounts.get("/nothing-here"), 404, "not_found")
    assert_error(accounts.get(f"/teams/{uuid.uuid4()}"), 404, "not_found")
    assert_error(accounts.delete("/iam-roles"), 405)


# -- teams -------------------------------------------------------------------------------------------


def test_teams_carry_role_refs_and_counts(emu: Emulator, accounts: httpx.Client) -> None:
    teams = all_pages(accounts, "/teams", 5)
    assert teams == emu.state.teams() and len(teams) == 12
    catalogue = {r["id"] for r in emu.state.roles()}
    assert any(t["roleRefs"] for t in teams) and any(not t["roleRefs"] for t in teams)
    for team in teams:
        for ref in team["roleRefs"]:
            assert ref["id"] in catalogue and ref["type"] == "organization" and ref["workspaces"]
        group = emu.state.group(team["id"])  # the SCIM Group with the same id
        assert group is not None and group["displayName"] == team["name"]
        active = [m for m in group["members"] if emu.state.user(m["value"])["active"]]
        assert team["activeMemberCount"] == len(active)


def test_created_team_is_a_scim_group_with_the_same_id(
    emu: Emulator, accounts: httpx.Client, scim: httpx.Client
) -> None:
    agent = next(r["id"] for r in emu.state.roles() if r["name"] == "Agent")
    resp = accounts.post("/teams", json={"name": "Night shift", "description": "After hours",
                                         "roleRefs": [{"id": agent, "type": "organization"}]})  # fmt: skip
    assert resp.status_code == 201
    team = resp.json()
    assert team["roleRefs"] == [{"id": agent, "type": "organization", "workspaces": []}]
    group = scim.get(f"/Groups/{team['id']}").json()
    assert group["displayName"] == "Night shift" and group["members"] == [] and "roles" not in group
    assert accounts.get(f"/teams/{team['id']}").json() == team


@pytest.mark.parametrize(
    ("body", "status"),
    [({"name": "support emea"}, 409), ({"description": "no name"}, 422), ({"name": "  "}, 422), ([], 422)],
)
def test_bad_team_creation(accounts: httpx.Client, body: Any, status: int) -> None:
    assert_error(accounts.post("/teams", json=body), status)


def test_patch_role_refs_the_assumed_endpoint(emu: Emulator, accounts: httpx.Client) -> None:
    team = emu.state.teams()[7]
    roles = {r["name"]: r["id"] for r in emu.state.roles()}
    workspace = emu.state.workspaces()[0]["id"]
    refs = [{"id": roles["Analyst"], "type": "organization", "workspaces": [workspace]}, {"id": roles["Read-only"]}]
    resp = accounts.patch(f"/teams/{team['id']}", json={"roleRefs": refs})
    assert resp.status_code == 200
    want = [{"id": roles["Analyst"], "type": "organization", "workspaces": [workspace]},
            {"id": roles["Read-only"], "type": "organization", "workspaces": []}]  # fmt: skip
    assert resp.json()["roleRefs"] == want == emu.state.team(team["id"])["roleRefs"]
    group_version = emu.state.group(team["id"])["meta"]["version"]
    assert group_version == 'W/"1"'  # SCIM groups carry no roles: their version is untouched


@pytest.mark.parametrize(
    "refs",
    [
        [{"id": "not-a-uuid"}],
        [{"id": "00000000-0000-4000-8000-000000000000"}],
        [{"type": "organization"}],
        "not a list",
        [{"id": "{agent}", "workspaces": ["nope"]}],
    ],
)
def test_bad_role_refs_are_422(emu: Emulator, accounts: httpx.Client, refs: Any) -> None:
    agent = next(r["id"] for r in emu.state.roles() if r["name"] == "Agent")
    if isinstance(refs, list):
        refs = [{k: (agent if v == "{agent}" else v) for k, v in r.items()} for r in refs]
    team = emu.state.teams()[0]
    assert_error(accounts.patch(f"/teams/{team['id']}", json={"roleRefs": refs}), 422, "validation_error")
    assert emu.state.team(team["id"])["roleRefs"] == team["roleRefs"]


# -- members shared with SCIM ------------------------------------------------------------------------


def test_members_are_shared_with_scim_group_members(emu: Emulator, accounts: httpx.Client, scim: httpx.Client) -> None:
    team = emu.state.teams()[11]
    before = {m["value"] for m in emu.state.group(team["id"])["members"]}
    outsider = next(u for u in emu.state.users() if u["id"] not in before)
    path = f"/teams/{team['id']}/members"
    resp = accounts.post(path, json={"type": "user", "id": outsider["id"]})
    assert resp.status_code == 201
    assert outsider["id"] in {m["value"] for m in scim.get(f"/Groups/{team['id']}").json()["members"]}
    assert_error(accounts.post(path, json={"type": "user", "id": outsider["id"]}), 409)
    assert_error(accounts.post(path, json={"type": "user", "id": str(uuid.uuid4())}), 404)
    assert_error(accounts.post(path, json={"id": outsider["id"]}), 422)
    listed = {m["id"] for m in all_pages(accounts, path, 100)}
    assert listed == before | {outsider["id"]}
    assert accounts.delete(f"{path}/{outsider['id']}").status_code == 204
    assert {m["value"] for m in emu.state.group(team["id"])["members"]} == before
    assert_error(accounts.delete(f"{path}/{outsider['id']}"), 404)


def test_scim_member_change_shows_in_the_accounts_members(
    emu: Emulator, accounts: httpx.Client, scim: httpx.Client
) -> None:
    team = emu.state.teams()[2]
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "members", "value": []}]}  # fmt: skip
    assert scim.patch(f"/Groups/{team['id']}", json=body).status_code == 200
    assert accounts.get(f"/teams/{team['id']}/members").json() == {"results": [], "nextPageToken": ""}
    assert accounts.get(f"/teams/{team['id']}").json()["activeMemberCount"] == 0


def test_access_keys_show_metadata_never_the_secret(emu: Emulator, accounts: httpx.Client) -> None:
    resp = accounts.get("/access-keys")
    keys = resp.json()["results"]
    assert {emu.key[-8:], emu.accounts_key[-8:]} <= {k["suffix"] for k in keys}
    assert all({"id", "name", "suffix", "createdAt", "lastUsedAt"} <= set(k) for k in keys)
    assert emu.key not in resp.text and emu.accounts_key not in resp.text
    accounts_entry = next(k for k in keys if k["suffix"] == emu.accounts_key[-8:])
    assert accounts_entry["lastUsedAt"] is None or accounts_entry["lastUsedAt"].endswith("Z")


def test_a_body_nested_deeper_than_any_parser_goes_is_422(accounts: httpx.Client) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    resp = accounts.post("/teams", content=body, headers={"Content-Type": "application/json"})
    assert_error(resp, 422, "validation_error")
