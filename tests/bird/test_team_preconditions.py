"""Group (team) roles under concurrent changes. The emulator offers the ASSUMED precondition (an ETag on
``GET/PATCH teams/{id}``, docs/bird.md U7); with it two changes at once both land. Switched off (a server without
one), the last writer wins, and a writer whose change was overwritten is told so instead of a clean success."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from birdadmin.bird import AccountsClient, RoleRef
from birdadmin.bird import role_refs as plans
from birdadmin.bird.accounts import TeamRoleChange
from birdadmin.cli import main
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator


@pytest.fixture()
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=10, groups=2, seed=7)) as running:
        yield running


def _role(emu: Emulator, name: str) -> str:
    return next(r["id"] for r in emu.state.roles() if r["name"] == name)


def _client(emu: Emulator) -> AccountsClient:
    return AccountsClient(emu.accounts_url, emu.org_id, emu.accounts_key)


def _team(emu: Emulator, name: str) -> str:
    return str(emu.state.create_team({"name": name, "roleRefs": []})["id"])


def test_the_emulator_offers_an_etag_and_refuses_a_stale_one(emu: Emulator) -> None:
    team_id = _team(emu, "Support Nordics")
    base = f"{emu.accounts_url}/organizations/{emu.org_id}/teams/{team_id}"
    headers = {"Authorization": f"AccessKey {emu.accounts_key}"}
    first = httpx.get(base, headers=headers, timeout=10)
    etag = first.headers["ETag"]
    body = {"roleRefs": [{"id": _role(emu, "Analyst")}]}
    ok = httpx.patch(base, headers={**headers, "If-Match": etag}, content=json.dumps(body), timeout=10)
    assert ok.status_code == 200 and ok.headers["ETag"] != etag
    stale = httpx.patch(base, headers={**headers, "If-Match": etag}, content=json.dumps({"roleRefs": []}), timeout=10)
    assert stale.status_code == 412
    assert [r["id"] for r in emu.state.team(team_id)["roleRefs"]] == [_role(emu, "Analyst")]


def _two_at_once(emu: Emulator, team_id: str, settle: float) -> list[TeamRoleChange]:
    emu.configure(latency_ms=150)  # both read the team before either writes
    names = ["Analyst", "Developer"]

    def change(name: str) -> TeamRoleChange:
        with _client(emu) as accounts:
            role = _role(emu, name)
            return accounts.change_team_roles(team_id, lambda refs: plans.with_roles_added(refs, [role]), settle=settle)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(change, names))


def test_two_changes_at_once_both_land_with_the_precondition(emu: Emulator) -> None:
    team_id = _team(emu, "Support Nordics")
    results = _two_at_once(emu, team_id, settle=0.05)
    assert all(r.changed and r.guarded and r.meanwhile is None for r in results)
    held = {r["id"] for r in emu.state.team(team_id)["roleRefs"]}
    assert held == {_role(emu, "Analyst"), _role(emu, "Developer")}


def test_without_a_precondition_a_lost_change_is_never_a_clean_success(emu: Emulator) -> None:
    emu.state.team_etags = False
    team_id = _team(emu, "Support Nordics")
    results = _two_at_once(emu, team_id, settle=0.4)
    held = {r["id"] for r in emu.state.team(team_id)["roleRefs"]}
    for name, result in zip(["Analyst", "Developer"], results, strict=True):
        assert not result.guarded
        if _role(emu, name) not in held:
            assert result.meanwhile is not None and {r.id for r in result.meanwhile.role_refs} == held


def test_cli_reports_a_change_overwritten_during_the_settle_delay(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.state.team_etags = False
    team_id = _team(emu, "Support Nordics")
    analyst, developer = _role(emu, "Analyst"), _role(emu, "Developer")
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)
    stop = threading.Event()

    def other_admin() -> None:  # overwrites the list as soon as the CLI's write has landed
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline:
            if any(r["id"] == analyst for r in emu.state.team(team_id)["roleRefs"]):
                emu.state.set_team_role_refs(team_id, {"roleRefs": [{"id": developer}]})
                return
            time.sleep(0.002)

    thread = threading.Thread(target=other_admin, daemon=True)
    thread.start()
    try:
        code = main(["--base-url", emu.scim_url, "--accounts-url", emu.accounts_url, "--format", "json",
                     "groups", "roles", "add", team_id, analyst, "--settle-delay", "0.5"])
    finally:
        stop.set()
        thread.join(5)
    captured = capsys.readouterr()
    assert code == 1
    record = json.loads(captured.out)
    assert record["status"] == "changed-meanwhile" and record["after"] == [analyst] and record["now"] == [developer]
    assert "the group changed meanwhile" in captured.err and "last writer wins" in captured.err


def test_the_precondition_is_sent_and_a_409_is_a_conflict_too() -> None:
    """A server that answers a stale If-Match with 409: re-read, re-plan, write again."""
    state = {"refs": [], "version": 1, "conflicts": 1}
    seen: list[str | None] = []
    org = "6f1c2b7e-4d3a-4e8b-9c5f-0a7d2e1b3c49"
    role = "11111111-1111-4111-8111-111111111111"

    def handler(request: httpx.Request) -> httpx.Response:
        team = {"id": "t1", "name": "T", "roleRefs": state["refs"]}
        etag = {"ETag": f'"v{state["version"]}"'}
        if request.method == "GET":
            return httpx.Response(200, json=team, headers=etag)
        seen.append(request.headers.get("If-Match"))
        if state["conflicts"]:
            state["conflicts"] -= 1
            state["version"] += 1
            return httpx.Response(409, json={"code": "conflict", "message": "changed"})
        state["refs"] = json.loads(request.content)["roleRefs"]
        state["version"] += 1
        return httpx.Response(200, json={**team, "roleRefs": state["refs"]}, headers={"ETag": f'"v{state["version"]}"'})

    with AccountsClient("https://api.bird.example", org, "k-123456", transport=httpx.MockTransport(handler)) as client:
        result = client.change_team_roles("t1", lambda refs: plans.with_roles_added(refs, [role]), settle=0)
    assert seen == ['"v1"', '"v2"'] and result.guarded and result.after.role_refs == (RoleRef(role),)
