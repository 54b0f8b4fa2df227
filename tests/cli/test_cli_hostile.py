"""birdadmin-cli against a server that breaks the protocol: one plain sentence and the documented exit code."""

from __future__ import annotations

import pytest

from birdadmin.cli import main
from birdadmin.scim.capabilities import from_service_provider_config
from tests.hostile import GOOD_USER_ID, KEY, HostileServer, modes


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def invoke(mode: str, *argv: str) -> tuple[int, str, str]:
        monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", KEY)
        with HostileServer(modes()[mode]) as server:
            code = main(["--base-url", server.base_url, "--timeout", "5", *argv])
        out, err = capsys.readouterr()
        assert KEY not in out + err
        assert "Traceback" not in err and "unexpected problem" not in err
        return code, out, err

    return invoke


@pytest.mark.parametrize("mode", ["spc-list", "spc-null", "spc-wrong-types"])
def test_a_malformed_service_provider_config_means_nothing_published(run, mode: str) -> None:
    code, out, err = run(mode, "--format", "json", "users", "list")
    assert code == 0, err
    assert GOOD_USER_ID in out


def test_wrong_types_in_a_service_provider_config_are_unknown() -> None:
    answers = modes()["spc-wrong-types"]
    caps = from_service_provider_config(
        *(__import__("json").loads(answers[p].body) for p in ("/ServiceProviderConfig", "/Schemas", "/ResourceTypes"))
    )
    assert caps.patch is None and caps.etag is None and caps.filter is None and caps.max_results is None
    assert caps.auth_schemes == () and caps.resource_types == () and caps.schemas == ()


@pytest.mark.parametrize(
    ("mode", "argv", "says"),
    [
        ("id-null", ("users", "list"), "whose 'id' is null"),
        ("id-number", ("users", "list"), "a user (userName 'ada@example.com') whose 'id' is a number"),
        ("roles-5", ("users", "list"), "whose 'roles' is a number"),
        ("user-id-null", ("users", "show", GOOD_USER_ID), "a user (userName 'ada@example.com') whose 'id' is null"),
        ("groups-wrong", ("groups", "list"), "a group (displayName 'G') whose 'id' is null"),
        ("members-wrong", ("groups", "list"), "whose 'members' is a number"),
        ("deep-json", ("users", "list"), "answered with something that is not JSON"),
        ("user-lone-surrogate", ("users", "show", GOOD_USER_ID), "answered with something that is not JSON"),
        ("user-lone-surrogate", ("--format", "json", "users", "show", GOOD_USER_ID), "is not JSON"),
        ("user-lone-surrogate", ("--format", "csv", "users", "show", GOOD_USER_ID), "is not JSON"),
        ("user-lone-surrogate", ("users", "roles", "add", GOOD_USER_ID, GOOD_USER_ID, "--allow-unknown-role"),
         "is not JSON"),
    ],
)
def test_a_resource_of_the_wrong_shape_is_a_protocol_error(run, mode: str, argv: tuple[str, ...], says: str) -> None:
    code, out, err = run(mode, *argv)
    assert code == 1
    assert says in err and err.count("\n") == 1, err
    assert "None" not in out


@pytest.mark.parametrize(
    "overrides",
    [{"id": ""}, {"id": ["x"]}, {"roles": [5]}, {"roles": [None]}, {"roles": True}, {"userName": 7},
     {"groups": {"value": "g"}}, {"groups": [{"value": None}]}],
)
def test_parse_user_refuses_every_wrong_type(overrides: dict) -> None:
    from birdadmin.errors import ProtocolError
    from birdadmin.scim.resources import parse_user
    from tests.hostile import user

    with pytest.raises(ProtocolError, match="The SCIM server sent a user"):
        parse_user(user(**overrides))


def test_parse_group_refuses_a_member_without_a_text_id() -> None:
    from birdadmin.errors import ProtocolError
    from birdadmin.scim.resources import parse_group

    with pytest.raises(ProtocolError, match=r"a group \(displayName 'G'\) whose 'members' is a list, not a list of"):
        parse_group({"id": "g1", "displayName": "G", "members": [{"value": 12}]})
