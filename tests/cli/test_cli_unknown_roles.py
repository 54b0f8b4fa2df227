"""A role UUID the organization's catalogue does not know is refused as a likely typo, naming the nearest known
role, unless --allow-unknown-role; without any catalogue (no Accounts API, no local names) UUIDs pass as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=8, groups=2, seed=11)) as running:
        yield running


def _typo(role_id: str) -> str:
    return role_id[:-1] + ("0" if role_id[-1] != "0" else "1")


def _owner(emu: Emulator) -> str:
    return next(r["id"] for r in emu.state.roles() if r["name"] == "Owner")


def test_a_mistyped_owner_uuid_is_refused_naming_owner(emu: Emulator, run) -> None:
    user = emu.state.users()[0]
    before = list(user.get("roles", []))
    typo = _typo(_owner(emu))
    code, out, err = run("users", "roles", "add", user["userName"], typo)
    assert code == 2 and out == ""
    assert f"Role {typo} is not in the organization's role catalogue; did you mean Owner ({_owner(emu)})?" in err
    assert "--allow-unknown-role" in err
    assert emu.state.user(user["id"]).get("roles", []) == before


def test_group_roles_refuse_a_mistyped_uuid_too(emu: Emulator, run) -> None:
    group = emu.state.groups()[0]
    code, _, err = run("groups", "roles", "add", group["id"], _typo(_owner(emu)))
    assert code == 2 and "did you mean Owner" in err


def test_allow_unknown_role_sends_it(emu: Emulator, run) -> None:
    user = emu.state.users()[1]
    code, _, err = run("users", "roles", "add", user["userName"], _typo(_owner(emu)), "--allow-unknown-role",
                       "--dry-run")
    assert code == 0, err


def test_without_a_catalogue_uuids_pass_as_before(emu: Emulator, run) -> None:
    user = emu.state.users()[2]
    code, _, err = run("users", "roles", "add", user["userName"], _typo(_owner(emu)), "--dry-run", accounts=False)
    assert code == 0, err


def test_nearest_is_only_a_close_one() -> None:
    class Role:
        def __init__(self, rid: str, name: str) -> None:
            self.id, self.name, self.description, self.type = rid, name, "", "organization"

    owner = "4fc52f09-1c1e-4a8e-9d6b-ecf53ba6ec31"
    catalogue = RoleCatalogue([Role(owner, "Owner")])
    near = catalogue.nearest(owner[:-1] + "a")
    assert near is not None and near.name == "Owner"
    assert catalogue.nearest("00000000-0000-4000-8000-000000000000") is None
