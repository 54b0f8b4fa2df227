"""The seeded organization, its determinism, and the --state file across restarts."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import httpx
import pytest

from birdadmin.emulator import EmulatorOptions, EmulatorStateError, start_emulator
from birdadmin.emulator.seed import build_state
from birdadmin.emulator.state import EmulatorState


def test_same_seed_gives_byte_identical_state_and_another_seed_does_not() -> None:
    a = EmulatorState(build_state(1, 250, 12, "org")).to_json()
    b = EmulatorState(build_state(1, 250, 12, "org")).to_json()
    c = EmulatorState(build_state(2, 250, 12, "org")).to_json()
    assert a == b
    assert a != c


def test_seeded_organization_has_the_hard_cases() -> None:
    state = EmulatorState(build_state(1, 250, 12, "org"))
    users, roles, teams = state.users(), state.roles(), state.teams()
    catalogue = {r["id"] for r in roles}
    assert len(users) == 250 and len(teams) == 12 and len(roles) >= 10
    assert len({u["userName"].casefold() for u in users}) == 250
    assert any(not u["roles"] for u in users), "users with no roles"
    assert any(not u["active"] and u["roles"] for u in users), "inactive users who still hold roles"
    assert any(set(u["roles"]) - catalogue for u in users), "stale role UUIDs"
    assert any("+" in u["userName"] for u in users) and any("'" in u["userName"] for u in users)
    names = {u["displayName"] for u in users}
    assert {"José Álvarez", "Zoë Müller", "Łukasz Wiśniewski"} <= names
    team_roles = {t["id"]: {r["id"] for r in t["roleRefs"]} for t in teams}
    both = [
        u for u in users
        if any(set(u["roles"]) & team_roles[g["value"]] for g in u.get("groups", []))
    ]  # fmt: skip
    assert both, "a role held both directly and through a team"
    only_via_team = [u for u in users if not u["roles"] and any(team_roles[g["value"]] for g in u.get("groups", []))]
    assert only_via_team, "a role held only through a team"


def test_state_file_keeps_changes_across_restarts(tmp_path: Path, tls: ssl.SSLContext) -> None:
    path = tmp_path / "org.json"
    with start_emulator(EmulatorOptions(users=20, groups=3, state_file=path)) as emu:
        assert json.loads(path.read_text(encoding="utf-8"))["orgId"] == emu.org_id
        uid = emu.state.users()[4]["id"]
        with httpx.Client(base_url=emu.scim_url, headers={"Authorization": f"Bearer {emu.key}"}, verify=tls) as c:
            body = {"Operations": [{"op": "replace", "path": "roles", "value": ["kept-role"]}]}
            assert c.patch(f"/Users/{uid}", json=body).status_code == 200
            created = c.post("/Users", json={"userName": "persisted@example.com"}).json()
        saved = emu.state.to_json()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["org.json"]  # no temporary files left behind
    with start_emulator(EmulatorOptions(users=5, groups=1, seed=9, state_file=path)) as again:
        assert again.state.user(uid)["roles"] == ["kept-role"]
        assert again.state.user(created["id"])["userName"] == "persisted@example.com"
        assert len(again.state.users()) == 21  # loaded, not re-seeded
        assert again.state.to_json() == saved
        assert again.state.user(uid)["meta"]["version"] == 'W/"2"'


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", '{"format": "something else"}', '{"format": "birdadmin-emulator-state", "formatVersion": 1}'],
)
def test_corrupt_state_file_is_one_sentence(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EmulatorStateError) as caught:
        start_emulator(EmulatorOptions(state_file=path))
    message = str(caught.value)
    assert str(path) in message and message.endswith(".") and "\n" not in message
