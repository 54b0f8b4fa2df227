"""``birdadmin-cli snapshot save|list|diff`` against the emulator: a role changed by raw HTTP shows in the diff."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from birdadmin.cli import main


@pytest.fixture
def cli(demo_emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    emu = demo_emulator
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)

    def run(*argv: str, connect: bool = True) -> tuple[int, str, str]:
        where = ["--base-url", emu.scim_url, "--accounts-url", emu.accounts_url] if connect else []
        code = main([*where, *argv])
        out, err = capsys.readouterr()
        assert emu.key not in out + err and "Traceback" not in err
        return code, out, err

    return run


def _raw_set_roles(emu: Any, user_id: str, roles: list[str]) -> None:
    """A change made behind birdadmin's back: a plain SCIM PATCH, as another tool would send it."""
    answer = httpx.patch(
        f"{emu.scim_url}/Users/{user_id}", timeout=30,
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{"op": "replace", "path": "roles", "value": [{"value": r} for r in roles]}]},
    )
    assert answer.status_code in (200, 204), answer.text


def _raw_user(emu: Any, user_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{emu.scim_url}/Users/{user_id}", timeout=30, headers={"Authorization": f"Bearer {emu.key}"})
    assert answer.status_code == 200
    return dict(answer.json())


def test_save_change_by_raw_http_and_diff(cli, demo_emulator) -> None:
    emu = demo_emulator
    code, out, err = cli("--format", "json", "snapshot", "save")
    assert code == 0, err
    first = json.loads(out)
    assert first["id"] == 1 and len(first["hash"]) == 64 and first["users"] == len(emu.state.users())
    code, out, err = cli("snapshot", "save")  # table: one sentence with id, time and hash
    assert code == 0, err
    assert out.startswith("Snapshot 2 saved") and first["hash"] in out and first["time"][:10] in out

    user = next(u for u in emu.state.users() if u.get("roles") and all(isinstance(r, str) for r in u["roles"]))
    held = [str(r).lower() for r in user["roles"]]
    analyst = next(str(r["id"]).lower() for r in emu.state.roles() if str(r["id"]).lower() not in held)
    _raw_set_roles(emu, user["id"], [*held[1:], analyst])
    now = [str(r.get("value", r) if isinstance(r, dict) else r).lower() for r in _raw_user(emu, user["id"])["roles"]]
    assert analyst in now and held[0] not in now

    code, out, err = cli("--format", "json", "snapshot", "diff", "1")  # against the live organization
    assert code == 0, err
    result = json.loads(out)
    direct = {(d["subjectId"], d["roleId"], d["change"]) for d in result["roles"] if d["via"] == "direct"}
    assert direct == {(user["id"], analyst, "gained"), (user["id"], held[0], "lost")}
    assert not result["usersAdded"] and not result["usersRemoved"] and not result["members"]

    assert cli("snapshot", "save")[0] == 0
    code, out, err = cli("snapshot", "diff", "1", "3", connect=False)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["change", "subject", "role", "via"]
    assert any(line.startswith("user gained") and user["userName"] in line and "direct" in line for line in lines)
    assert lines[-1].startswith("2 changes from snapshot 1")
    code, out, err = cli("snapshot", "diff", "1", "2", connect=False)
    assert code == 0 and out.splitlines()[1:] == ["0 changes from snapshot 1 (" + first["time"] + ") to snapshot 2."]


def test_list_and_refusals(cli, demo_emulator) -> None:
    code, out, err = cli("snapshot", "list", connect=False)
    assert code == 0 and out.strip().endswith("0 snapshots")
    assert cli("snapshot", "save")[0] == 0
    code, out, err = cli("--format", "json", "snapshot", "list", connect=False)
    assert code == 0, err
    [info] = json.loads(out)
    assert info["id"] == 1 and info["complete"] is True and len(info["hash"]) == 64
    code, out, err = cli("snapshot", "list", connect=False)
    assert code == 0 and info["hash"][:12] in out and info["hash"] not in out
    code, out, err = cli("snapshot", "diff", "7", "1", connect=False)
    assert code == 2 and "no snapshot 7" in err and len(err.strip().splitlines()) == 1


def test_diff_as_json_lists_keys_added_and_removed(cli, demo_emulator) -> None:
    emu = demo_emulator
    assert cli("snapshot", "save")[0] == 0
    gone = next(k for k in emu.access_keys()
                if not emu.key.endswith(k["suffix"]) and not emu.accounts_key.endswith(k["suffix"]))
    emu.keys.revoke(gone["id"])  # behind birdadmin's back
    code, _, err = cli("keys", "create", "snapshot probe", "--role", "Analyst")
    assert code == 0, err
    added = next(k for k in emu.access_keys() if k["name"] == "snapshot probe")
    code, out, err = cli("--format", "json", "snapshot", "diff", "1")
    assert code == 0, err
    result = json.loads(out)
    assert result["keysAdded"] == [{"id": added["id"], "name": "snapshot probe"}]
    assert result["keysRemoved"] == [{"id": gone["id"], "name": gone["name"]}]
    assert cli("snapshot", "save")[0] == 0
    code, out, _ = cli("--format", "json", "snapshot", "diff", "2", "2", connect=False)
    assert code == 0 and json.loads(out)["keysAdded"] == json.loads(out)["keysRemoved"] == []
