"""``audit who-has|matrix|findings`` against the emulator, each answer checked against a listing done by raw HTTP
(httpx straight to the emulator's SCIM and Accounts endpoints, holders computed here independently)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator


@pytest.fixture()
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=60, groups=6, seed=7)) as running:
        yield running


# -- the independent listing -----------------------------------------------------------------------------------


def scim_all(emu: Emulator, kind: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with httpx.Client(base_url=emu.scim_url, headers={"Authorization": f"Bearer {emu.key}"}, timeout=10) as c:
        start = 1
        while True:
            page = c.get(f"/{kind}", params={"startIndex": start, "count": 50}).json()
            out += page.get("Resources", [])
            start += page["itemsPerPage"]
            if not page.get("Resources") or start > page["totalResults"]:
                return out


def accounts_all(emu: Emulator, what: str) -> list[dict[str, Any]]:
    base = f"{emu.accounts_url}/organizations/{emu.org_id}"
    out: list[dict[str, Any]] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"AccessKey {emu.accounts_key}"}, timeout=10) as c:
        token = ""
        while True:
            page = c.get(f"/{what}", params={"limit": 50, **({"pageToken": token} if token else {})}).json()
            out += page["results"]
            token = page.get("nextPageToken") or ""
            if not token:
                return out


def raw_holders(emu: Emulator, role_id: str) -> dict[str, tuple[bool, list[str]]]:
    """userName -> (active, sources) for ``role_id``, from raw HTTP only."""
    users = scim_all(emu, "Users")
    teams = {t["id"]: {r["id"].lower() for r in t["roleRefs"]} for t in accounts_all(emu, "teams")}
    out: dict[str, tuple[bool, list[str]]] = {}
    by_id = {u["id"]: u for u in users}
    via: dict[str, list[str]] = {}
    for group in scim_all(emu, "Groups"):
        if role_id in teams.get(group["id"], set()):
            for member in group.get("members", []):
                via.setdefault(member["value"], []).append(group["displayName"])
    for user in users:
        roles = {(r if isinstance(r, str) else r["value"]).lower() for r in user.get("roles", [])}
        sources = (["direct"] if role_id in roles else []) + sorted(via.get(user["id"], []))
        if sources:
            out[user["userName"]] = (user.get("active", True), sources)
    assert set(via) <= set(by_id)
    return out


def raw_key_holders(emu: Emulator, role_id: str) -> set[str]:
    """The ids of the access keys holding ``role_id``, from the raw listing of /organizations/{org}/access-keys
    (``roleIds``, docs/bird.md A7)."""
    out = set()
    for key in accounts_all(emu, "access-keys"):
        roles = key.get("roleIds") or []  # docs/bird.md A7: the roles a key holds, as role UUIDs
        if role_id in {(r if isinstance(r, str) else r["id"]).lower() for r in roles}:
            out.add(key["id"])
    return out


def role_named(emu: Emulator, name: str) -> str:
    return str(next(r["id"] for r in accounts_all(emu, "iam-roles") if r["name"] == name)).lower()


def add_team(emu: Emulator, name: str, role_id: str, members: list[str]) -> None:
    """A Bird team giving ``role_id`` (its SCIM group has the same id), with ``members``, over raw HTTP."""
    base = f"{emu.accounts_url}/organizations/{emu.org_id}"
    with httpx.Client(base_url=base, headers={"Authorization": f"AccessKey {emu.accounts_key}"}, timeout=10) as c:
        team = c.post("/teams", json={"name": name, "roleRefs": [{"id": role_id, "type": "organization"}]}).json()
    ops = [{"op": "add", "path": "members", "value": [{"value": m} for m in members]}]
    with httpx.Client(base_url=emu.scim_url, headers={"Authorization": f"Bearer {emu.key}"}, timeout=10) as c:
        resp = c.patch(f"/Groups/{team['id']}", json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
        assert resp.status_code in (200, 204), resp.text


# -- who-has ---------------------------------------------------------------------------------------------------


def test_who_has_lists_every_holder_with_every_source_as_raw_http_does(emu: Emulator, run) -> None:
    roles = accounts_all(emu, "iam-roles")
    assert len(roles) >= 3
    for role in roles:
        code, out, err = run("--format", "json", "audit", "who-has", role["name"])
        assert code == 0, err
        listed = json.loads(out)
        listed, keys = [h for h in listed if h["kind"] == "user"], [h for h in listed if h["kind"] == "key"]
        assert {h["id"] for h in keys} == raw_key_holders(emu, role["id"].lower()), role["name"]
        got = {h["userName"]: (h["active"], sorted(h["sources"][1:]) if h["sources"][:1] == ["direct"]
                               else sorted(h["sources"])) for h in listed}
        expected = {name: (active, [s for s in src if s != "direct"]) for name, (active, src) in
                    raw_holders(emu, role["id"].lower()).items()}
        assert got == expected, role["name"]
        assert all(set(h) == {"kind", "id", "userName", "displayName", "active", "sources"} for h in listed)
        direct = {h["userName"] for h in listed if "direct" in h["sources"]}
        assert direct == {n for n, (_, s) in raw_holders(emu, role["id"].lower()).items() if "direct" in s}
        assert [h["userName"].casefold() for h in listed] == sorted(h["userName"].casefold() for h in listed)


def test_a_role_held_directly_and_through_two_groups_shows_all_three(emu: Emulator, run) -> None:
    agent = role_named(emu, "Agent")
    name = next(n for n, (_, sources) in raw_holders(emu, agent).items() if sources == ["direct"])
    user = next(u for u in scim_all(emu, "Users") if u["userName"] == name)
    add_team(emu, "Night shift", agent, [user["id"]])
    add_team(emu, "Weekend desk", agent, [user["id"]])
    code, out, err = run("--format", "json", "audit", "who-has", agent)
    assert code == 0, err
    row = next(h for h in json.loads(out) if h["id"] == user["id"])
    assert row["sources"] == ["direct", "Night shift", "Weekend desk"]
    code, out, _ = run("audit", "who-has", "Agent")
    line = next(ln for ln in out.splitlines() if ln.split()[:2] == ["user", user["userName"]])
    assert "direct; Night shift; Weekend desk" in line and line.rstrip().endswith("yes")
    assert "through several sources" in out
    code, out, _ = run("--format", "csv", "audit", "matrix")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert next(r for r in rows if r["id"] == user["id"])["Agent"] == "D+G"
    code, out, _ = run("--format", "json", "audit", "findings")
    redundant = [f for f in json.loads(out) if f["kind"] == "redundant-grant" and f["subject"]["id"] == user["id"]]
    assert len(redundant) == 1 and redundant[0]["roleIds"] == [agent] and redundant[0]["severity"] == "info"
    assert "Night shift, Weekend desk" in redundant[0]["message"]


def test_an_unknown_role_name_is_bad_input(emu: Emulator, run) -> None:
    code, out, err = run("audit", "who-has", "No such role")
    assert code == 2 and out == "" and err.strip()


# -- matrix ----------------------------------------------------------------------------------------------------


def test_matrix_cells_agree_with_raw_http(emu: Emulator, run) -> None:
    code, out, err = run("--format", "json", "audit", "matrix")
    assert code == 0, err
    listed = json.loads(out)
    assert {r["kind"] for r in listed} <= {"user", "key"}
    rows = {r["id"]: r["roles"] for r in listed if r["kind"] == "user"}
    key_rows = {r["id"]: r["roles"] for r in listed if r["kind"] == "key"}
    users = scim_all(emu, "Users")
    assert set(rows) == {u["id"] for u in users}
    for role in accounts_all(emu, "iam-roles"):
        rid = role["id"].lower()
        assert {k for k, cells in key_rows.items() if cells.get(rid) == "D"} == raw_key_holders(emu, rid)
        holders = raw_holders(emu, rid)
        for user in users:
            sources = holders.get(user["userName"], (True, []))[1]
            expected = ("D" if "direct" in sources else "") + ("+" if len(sources) > 1 and "direct" in sources
                                                               else "") + ("G" if set(sources) - {"direct"} else "")
            assert rows[user["id"]].get(rid, "") == expected, (user["userName"], role["name"])


def test_group_matrix_marks_the_roles_each_group_gives(emu: Emulator, run) -> None:
    code, out, err = run("--format", "csv", "audit", "matrix", "--groups")
    assert code == 0, err
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    names = {r["id"].lower(): r["name"] for r in accounts_all(emu, "iam-roles")}
    teams = {t["id"]: {r["id"].lower() for r in t["roleRefs"]} for t in accounts_all(emu, "teams")}
    assert set(rows) == {g["id"] for g in scim_all(emu, "Groups")}
    for gid, row in rows.items():
        assert {names[rid] for rid in teams.get(gid, set())} == {k for k, v in row.items() if v == "D"}
    code, out, _ = run("audit", "matrix")
    assert out.splitlines()[0].split()[:2] == ["kind", "name"] and "holders per role" in out


# -- findings --------------------------------------------------------------------------------------------------


def deactivate(emu: Emulator, user_id: str) -> None:
    with httpx.Client(base_url=emu.scim_url, headers={"Authorization": f"Bearer {emu.key}"}, timeout=10) as c:
        c.patch(f"/Users/{user_id}", json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                           "Operations": [{"op": "replace", "path": "active", "value": False}]})


def test_findings_fail_on_severity_for_cron(emu: Emulator, run) -> None:
    owner = role_named(emu, "Owner")
    holders = raw_holders(emu, owner)
    name = next(n for n, (active, sources) in holders.items() if active and "direct" in sources)
    user = next(u for u in scim_all(emu, "Users") if u["userName"] == name)
    code, out, err = run("--format", "json", "audit", "findings")
    assert code == 0, err
    before = json.loads(out)
    assert not [f for f in before if f["kind"] == "inactive-with-roles" and f["subject"]["id"] == user["id"]]
    deactivate(emu, user["id"])
    code, out, err = run("--format", "json", "audit", "findings")
    assert code == 0, err  # without --fail-on: exit 0 whatever is found
    found = json.loads(out)
    mine = [f for f in found if f["kind"] == "inactive-with-roles" and f["subject"]["id"] == user["id"]]
    assert len(mine) == 1 and mine[0]["severity"] == "high" and owner in mine[0]["roleIds"]
    assert mine[0]["subject"] == {"kind": "user", "id": user["id"], "name": name}
    assert set(found[0]) == {"kind", "severity", "subject", "message", "roleIds"}
    assert run("audit", "findings", "--fail-on", "high")[0] == 1
    levels = {f["severity"] for f in found}
    assert run("audit", "findings", "--fail-on", "info")[0] == (1 if levels else 0)
    active_owners = sorted(n for n, (active, _) in raw_holders(emu, owner).items() if active)
    counts = [f for f in found if f["kind"] == "owner-count"]
    if not active_owners:
        assert [f["severity"] for f in counts] == ["high"]
    elif len(active_owners) == 1:
        assert [f["severity"] for f in counts] == ["medium"]
        assert f"only one active Owner: {active_owners[0]}" in counts[0]["message"]
    elif len(active_owners) > 3:  # the default owner_warn_above
        assert [f["severity"] for f in counts] == ["medium"] and str(len(active_owners)) in counts[0]["message"]
    else:
        assert counts == []
    assert all(f["subject"]["kind"] == "organization" for f in counts)


def test_findings_table_and_an_owner_role_that_is_not_a_uuid(emu: Emulator, run) -> None:
    code, out, err = run("audit", "findings")
    assert code == 0, err
    assert out.splitlines()[0].split() == ["severity", "kind", "subject", "message"]
    assert "findings (" in out
    code, out, err = run("audit", "findings", "--owner-role", "Owner")
    assert code == 2 and "UUID" in err


def test_without_the_accounts_api_group_roles_are_said_to_be_unknown(emu: Emulator, run) -> None:
    owner = role_named(emu, "Owner")
    code, out, err = run("--format", "json", "audit", "who-has", owner, accounts=False)
    assert code == 0, err
    assert all(h["sources"] == ["direct"] for h in json.loads(out))
    assert "Roles through groups are unknown" in err
    code, out, err = run("--format", "json", "audit", "findings", accounts=False)
    assert code == 0, err
    found = json.loads(out)
    assert any(f["kind"] == "owner-count" and f["severity"] == "info" for f in found)
    assert all("roles through groups unknown" in f["message"] for f in found if f["kind"] == "no-roles")
    code, out, err = run("--format", "json", "audit", "findings", "--owner-role", owner, accounts=False)
    count = [f for f in json.loads(out) if f["kind"] == "owner-count"]
    assert all(f["severity"] != "info" for f in count)


# -- access keys as principals (issue 13) ------------------------------------------------------------------------

def test_the_seeded_keys_are_principals_in_who_has_and_the_matrix(emu: Emulator, run) -> None:
    raw = accounts_all(emu, "access-keys")
    assert raw
    code, out, err = run("--format", "json", "audit", "matrix")
    assert code == 0, err
    listed = json.loads(out)
    assert {(r["id"], r["name"]) for r in listed if r["kind"] == "key"} == {(k["id"], k["name"]) for k in raw}
    assert [r["kind"] for r in listed] == sorted((r["kind"] for r in listed), key=lambda k: k == "key")
    owner = role_named(emu, "Owner")
    holding = raw_key_holders(emu, owner)
    assert holding, "the emulator seeds a key holding Owner"
    code, out, err = run("--format", "json", "audit", "who-has", "Owner")
    assert code == 0, err
    keys = [h for h in json.loads(out) if h["kind"] == "key"]
    assert {h["id"] for h in keys} == holding and all(h["sources"] == ["direct"] for h in keys)
    code, out, _ = run("audit", "who-has", "Owner")
    names = {k["id"]: k["name"] for k in raw}
    assert any(ln.split()[:1] == ["key"] and names[next(iter(holding))] in ln for ln in out.splitlines())
    assert f"{len(holding)} access key" in out
    code, out, _ = run("--format", "json", "audit", "findings")
    assert any(f["subject"]["kind"] == "key" and f["subject"]["id"] in holding for f in json.loads(out))
