"""Rules the CLI shares with the window, run through both: the role catalogue with local names and the read-only
check; and the command line itself: options anywhere on the line."""

from __future__ import annotations

import json
import uuid

import pytest

from birdadmin.cli import main
from birdadmin.connection import ConnectionSpec, spec_for_profile
from birdadmin.errors import InputError
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.role_names import save_local_names
from tests.conftest import ScimServer

R1, R2 = str(uuid.UUID(int=0x31)), str(uuid.UUID(int=0x32))


def _user(server: ScimServer, roles: list[str]) -> tuple[str, str]:
    name = f"rules+{uuid.uuid4().hex[:8]}@example.com"
    response = server.raw("POST", "Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                            "userName": name, "displayName": "Rules User", "roles": roles})
    return str(response.json()["id"]), name


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


# -- options anywhere on the line ----------------------------------------------------------------------------


def test_a_commands_options_may_come_between_its_arguments(cli, scim2_server: ScimServer) -> None:
    user_id, name = _user(scim2_server, [R1])
    env = {"BIRDADMIN_ACCESS_KEY": scim2_server.key}
    code, out, err = cli("--base-url", scim2_server.base_url, "--format", "json",
                         "users", "roles", "set", name, "--dry-run", R2, env=env)
    assert code == 0, err
    record = json.loads(out)
    assert (record["status"], record["after"], record["removed"]) == ("dry-run", [R2], [R1])
    assert scim2_server.raw("GET", f"Users/{user_id}").json()["roles"] == [R1]


def test_global_options_may_follow_the_command(cli, scim2_server: ScimServer) -> None:
    _, name = _user(scim2_server, [R1])
    env = {"BIRDADMIN_ACCESS_KEY": scim2_server.key}
    code, out, err = cli("users", "list", "--filter", f'userName eq "{name}"', "--format", "json",
                         "--base-url", scim2_server.base_url, "--page-size", "50", env=env)
    assert code == 0, err
    assert [u["userName"] for u in json.loads(out)] == [name]
    code, out, _ = cli("users", "show", name, "--format", "csv", "--base-url", scim2_server.base_url, env=env)
    assert code == 0 and out.splitlines()[0].startswith("id,userName")


def test_options_before_the_command_still_count_and_after_it_win(cli, scim2_server: ScimServer) -> None:
    _, name = _user(scim2_server, [])
    env = {"BIRDADMIN_ACCESS_KEY": scim2_server.key}
    code, out, _ = cli("--format", "csv", "--base-url", scim2_server.base_url,
                       "users", "show", name, "--format", "json", env=env)
    assert code == 0 and json.loads(out)["userName"] == name


def test_a_profile_commands_own_options_keep_their_meaning(cli) -> None:
    """``profiles add NAME --base-url URL`` is the profile's URL, not a one-off connection."""
    url = f"https://api.bird.com/organizations/{uuid.uuid4()}/scim/v2"
    code, _, err = cli("profiles", "add", "Later", "--base-url", url, "--no-key", "--format", "json")
    assert code == 0, err
    assert ProfileStore().get("Later").base_url == url


def test_an_unknown_option_after_the_command_is_still_a_usage_error(cli) -> None:
    code, out, err = cli("users", "list", "--frobnicate")
    assert code == 2 and out == "" and "unrecognized arguments" in err


# -- read-only -------------------------------------------------------------------------------------------------


def test_the_read_only_rule_refuses_in_one_sentence() -> None:
    spec = ConnectionSpec(label="Audit", base_url="https://scim.example.com/v2", key="k-123456", read_only=True)
    with pytest.raises(InputError) as refused:
        spec.require_writable("'users roles add'")
    assert refused.value.exit_code == 2
    assert refused.value.message == ("The connection 'Audit' is read-only; 'users roles add' would change data, "
                                     "so nothing was sent.")
    ConnectionSpec(label="Admin", base_url="https://scim.example.com/v2", key="k-123456").require_writable("x")


def test_a_read_only_profile_refuses_every_cli_write_before_sending(cli, scim2_server: ScimServer) -> None:
    profile = ProfileStore().add(Profile(name="Auditor", base_url=scim2_server.base_url, read_only=True))
    user_id, name = _user(scim2_server, [R1])
    group = scim2_server.raw("POST", "Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                                "displayName": f"RO {uuid.uuid4().hex[:6]}"}).json()
    env = {"BIRDADMIN_ACCESS_KEY": scim2_server.key}
    spec = spec_for_profile(profile, scim2_server.key, None)
    for argv, what in (
        (["users", "roles", "add", name, R2], "'users roles add'"),
        (["users", "roles", "set", name, "--allow-empty"], "'users roles set'"),
        (["groups", "members", "add", group["id"], name], "'groups members add'"),
    ):
        code, out, err = cli("--profile", "Auditor", *argv, env=env)
        with pytest.raises(InputError) as same:
            spec.require_writable(what)  # the function says exactly what the CLI said
        assert (code, out, err) == (2, "", f"birdadmin-cli: {same.value.message}\n")
    assert scim2_server.raw("GET", f"Users/{user_id}").json()["roles"] == [R1]
    assert not scim2_server.raw("GET", f"Groups/{group['id']}").json().get("members")
    code, out, _ = cli("--profile", "Auditor", "--format", "json", "users", "roles", "add", name, R2, "--dry-run",
                       env=env)
    assert code == 0 and json.loads(out)["status"] == "dry-run"


# -- the role catalogue with local names -------------------------------------------------------------------------


def test_roles_list_gives_the_names_the_window_shows(cli, demo_emulator) -> None:
    """One catalogue (catalogue_source.build_catalogue) for both: the window's, from load_org, and `roles list`
    give the same roles with the same names once a local names file exists for the profile."""
    from birdadmin.services.connection import Session, load_org

    emu = demo_emulator
    profile = ProfileStore().add(Profile(name="Demo", base_url=emu.scim_url, accounts_url=emu.accounts_url,
                                         org_id=emu.org_id))
    owner = next(r["id"] for r in emu.state.roles() if r["name"] == "Owner").lower()
    unnamed = str(uuid.UUID(int=0xABC))  # a role Bird does not name
    save_local_names(f"profile-{profile.id}", f"id,name,description\n{owner},Top dog,\n{unnamed},Night shift,\n")
    spec = spec_for_profile(profile, emu.key, emu.accounts_key)
    assert spec.names_key == f"profile-{profile.id}"
    session = Session(spec)
    try:
        window = {r.id: r.name for r in load_org(session).catalogue.roles()}
    finally:
        session.close()
    env = {"BIRDADMIN_ACCESS_KEY": emu.key, "BIRDADMIN_ACCOUNTS_KEY": emu.accounts_key}
    code, out, err = cli("--profile", "Demo", "--format", "json", "roles", "list", env=env)
    assert code == 0, err
    listed = {r["id"]: r["name"] for r in json.loads(out)}
    assert listed == window
    assert listed[owner] == "Top dog" and listed[unnamed] == "Night shift"
    # ... and a local name works as a ROLE argument, as it does in the window.
    user = emu.state.users()[0]["userName"]
    code, out, err = cli("--profile", "Demo", "--format", "json", "users", "roles", "add", user, "night shift",
                         "--dry-run", env=env)
    assert code == 0, err
    assert unnamed in json.loads(out)["after"]


# -- role-change planning ------------------------------------------------------------------------------------------


HELD = str(uuid.UUID(int=0xA1)).upper()  # how the server spells a role the user holds


@pytest.mark.parametrize(
    ("action", "given"),
    [("add", [R2.upper(), HELD.lower()]), ("remove", [HELD.lower(), "--allow-empty"]), ("set", [R2, HELD.lower()]),
     ("set", ["--allow-empty"])],
)
def test_a_dry_run_shows_exactly_what_the_real_run_then_does(cli, scim2_server: ScimServer, action, given) -> None:
    """Both go through domain.role_plan: the dry run's plan, the client's write and the server's state agree."""
    user_id, name = _user(scim2_server, [HELD])
    env = {"BIRDADMIN_ACCESS_KEY": scim2_server.key}
    where = ["--base-url", scim2_server.base_url, "--format", "json"]
    code, out, err = cli(*where, "users", "roles", action, name, *given, "--dry-run", env=env)
    assert code == 0, err
    planned = json.loads(out)
    code, out, err = cli(*where, "users", "roles", action, name, *given, env=env)
    assert code == 0, err
    done = json.loads(out)
    assert planned["after"] == done["after"] == scim2_server.raw("GET", f"Users/{user_id}").json().get("roles", [])
    assert (planned["added"], planned["removed"]) == (done["added"], done["removed"])
    assert HELD.lower() not in done["after"]  # a held role keeps the server's spelling, never duplicated


@pytest.mark.parametrize(("action", "given"), [("remove", [HELD.lower()]), ("set", [])])
def test_taking_the_last_roles_needs_allow_empty_in_a_dry_run_and_a_real_run(
    cli, scim2_server: ScimServer, action, given
) -> None:
    """Bird reads an empty roles array as no roles at all: removing the last role is refused like set-to-nothing."""
    user_id, name = _user(scim2_server, [HELD])
    env = {"BIRDADMIN_ACCESS_KEY": scim2_server.key}
    where = ["--base-url", scim2_server.base_url]
    for dry in (["--dry-run"], []):
        code, out, err = cli(*where, "users", "roles", action, name, *given, *dry, env=env)
        assert code == 2 and out == "", (code, out, err)
        assert "would remove every role" in err and "--allow-empty" in err and "Traceback" not in err
    assert scim2_server.raw("GET", f"Users/{user_id}").json().get("roles") == [HELD]
