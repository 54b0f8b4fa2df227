"""birdadmin-cli end to end against scim2-server: output formats, exit codes, and no key on any output."""

from __future__ import annotations

import json
import uuid

import pytest

from birdadmin.cli import build_parser, main
from tests.conftest import ScimServer, free_port

R1, R2 = str(uuid.UUID(int=0x11)), str(uuid.UUID(int=0x22))


@pytest.fixture
def run(scim2_server: ScimServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def invoke(*argv: str, key: str | None = None, base_url: str | None = None) -> tuple[int, str, str]:
        monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", key or scim2_server.key)
        code = main(["--base-url", base_url or scim2_server.base_url, *argv])
        out, err = capsys.readouterr()
        assert scim2_server.key not in out + err
        return code, out, err

    return invoke


def make_user(server: ScimServer, roles: list[str]) -> tuple[str, str]:
    name = f"cli+{uuid.uuid4().hex[:8]}@example.com"
    response = server.raw("POST", "Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                            "userName": name, "displayName": "Cli User", "roles": roles})
    return str(response.json()["id"]), name


def test_users_show_json_has_the_documented_shape(run, scim2_server: ScimServer) -> None:
    user_id, name = make_user(scim2_server, [R1])
    code, out, err = run("--format", "json", "users", "show", name)
    assert code == 0, err
    record = json.loads(out)
    assert {k: record[k] for k in ("id", "userName", "displayName", "active", "roles")} == {
        "id": user_id, "userName": name, "displayName": "Cli User", "active": True, "roles": [R1],
    }


def test_users_list_filter_and_csv(run, scim2_server: ScimServer) -> None:
    _, name = make_user(scim2_server, [])
    code, out, _ = run("--format", "csv", "users", "list", "--filter", f'userName eq "{name}"')
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "id,userName,displayName,active,roles" and len(lines) == 2 and name in lines[1]


def test_roles_add_remove_set_and_dry_run(run, scim2_server: ScimServer) -> None:
    user_id, name = make_user(scim2_server, [R1])
    code, out, _ = run("--format", "json", "users", "roles", "add", name, R2, "--dry-run")
    assert code == 0 and json.loads(out)["status"] == "dry-run"
    assert scim2_server.raw("GET", f"Users/{user_id}").json()["roles"] == [R1]
    assert run("users", "roles", "add", user_id, R2)[0] == 0
    assert scim2_server.raw("GET", f"Users/{user_id}").json()["roles"] == [R1, R2]
    code, out, _ = run("--format", "json", "users", "roles", "remove", name, R1)
    assert code == 0 and json.loads(out)["removed"] == [R1]
    assert run("users", "roles", "set", name, R1)[0] == 0
    assert scim2_server.raw("GET", f"Users/{user_id}").json()["roles"] == [R1]


def test_stale_version_is_a_conflict_exit_1(run, scim2_server: ScimServer) -> None:
    user_id, name = make_user(scim2_server, [R1])
    code, _, err = run("users", "roles", "set", name, R2, "--if-match", 'W/"0"')
    assert code == 1 and "changed" in err and "Traceback" not in err
    assert scim2_server.raw("GET", f"Users/{user_id}").json()["roles"] == [R1]


def test_members_add_and_remove(run, scim2_server: ScimServer) -> None:
    _, name = make_user(scim2_server, [])
    group = f"CLI group {uuid.uuid4().hex[:6]}"
    scim2_server.raw("POST", "Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                        "displayName": group})
    assert run("groups", "members", "add", group, name)[0] == 0
    code, out, _ = run("--format", "json", "groups", "show", group)
    assert code == 0 and len(json.loads(out)["members"]) == 1
    assert run("groups", "members", "remove", group, name)[0] == 0
    assert json.loads(run("--format", "json", "groups", "show", group)[1])["members"] == []


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["users", "roles", "add", "someone@example.com", "not-a-uuid"], "not a role UUID"),
        (["users", "roles", "set", "someone@example.com"], "--allow-empty"),
        (["users", "roles", "add", "someone@example.com"], "at least one role"),
    ],
)
def test_bad_input_exits_2_before_any_request(run, argv: list[str], fragment: str) -> None:
    code, out, err = run(*argv, base_url=f"http://127.0.0.1:{free_port()}/v2")  # nothing listens there
    assert code == 2 and fragment in err and out == ""


def test_http_to_a_remote_host_exits_2(run) -> None:
    code, _, err = run("users", "list", base_url="http://scim.example.com/v2")
    assert code == 2 and "https" in err


def test_wrong_key_exits_3(run) -> None:
    code, _, err = run("users", "list", key="not-the-key")
    assert code == 3 and "401" in err and "not-the-key" not in err


def test_unreachable_exits_4(run) -> None:
    code, _, err = run("users", "list", base_url=f"http://127.0.0.1:{free_port()}/v2")
    assert code == 4 and err.count("\n") == 1


def test_verbose_logs_requests_without_the_key(run) -> None:
    code, _, err = run("-v", "users", "list", "--filter", 'userName eq "nobody@example.com"')
    assert code == 0 and "GET http://127.0.0.1" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf"])
def test_a_timeout_that_is_not_positive_exits_2(run, timeout: str) -> None:
    code, out, err = run("--timeout", timeout, "users", "list", base_url=f"http://127.0.0.1:{free_port()}/v2")
    assert code == 2 and "--timeout" in err and err.count("\n") == 1 and out == ""


def test_a_missing_ca_bundle_exits_2_with_one_sentence(run, tmp_path) -> None:
    code, out, err = run("--ca-bundle", str(tmp_path / "nope.pem"), "users", "list")
    assert code == 2 and "CA bundle" in err and "does not exist" in err and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize("token", ["../Groups/{group}", "x?filter=y", "x#y", "."])
def test_a_user_argument_never_reaches_another_resource(run, scim2_server: ScimServer, token: str) -> None:
    group = scim2_server.raw("POST", "Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                                "displayName": f"Not a user {uuid.uuid4().hex[:6]}"}).json()["id"]
    code, out, err = run("--format", "json", "users", "show", token.format(group=group))
    assert code == 1 and out == "" and "No user" in err and "unexpected" not in err


def test_role_uuids_match_whatever_case_the_server_holds(run, scim2_server: ScimServer) -> None:
    upper = R2.upper().replace("0", "A")
    user_id, name = make_user(scim2_server, [R1, upper])
    code, out, _ = run("--format", "json", "users", "roles", "add", name, upper.lower())
    assert code == 0 and json.loads(out)["status"] == "unchanged"
    code, out, _ = run("--format", "json", "users", "roles", "remove", name, upper.lower())
    assert code == 0 and json.loads(out)["removed"] == [upper]
    assert scim2_server.raw("GET", f"Users/{user_id}").json()["roles"] == [R1]


def test_profile_keys_are_never_sent_to_a_url_given_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--base-url", "--accounts-url"):
        code = main(["--profile", "acme", flag, "https://elsewhere.example.com/v2", "users", "list"])
        err = capsys.readouterr().err
        assert code == 2 and "another server" in err


def test_demo_honours_connection_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    """--roles-shape and --role-strategy reach the demo connection, as they do a real one."""
    from birdadmin.cli.context import CliContext
    from birdadmin.cli.output import Output

    args = build_parser().parse_args(
        ["--demo", "--roles-shape", "complex", "--role-strategy", "put", "--timeout", "7", "users", "list"]
    )
    ctx = CliContext(args, Output("json"))
    try:
        spec = ctx.connection()
        assert (spec.scim.roles_shape, spec.scim.role_strategy, spec.http.timeout) == ("complex", "put", 7.0)
    finally:
        ctx.close()
