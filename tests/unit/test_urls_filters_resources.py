"""Pure pieces: which URLs are allowed, filter quoting, and reading both wire shapes of roles."""

from __future__ import annotations

import pytest

from birdadmin.errors import InputError
from birdadmin.net.urls import check_server_url, is_loopback_host, org_id_from_url
from birdadmin.redact import fingerprint, redact, register_secret
from birdadmin.scim import filters
from birdadmin.scim.resources import (
    RolesShape,
    encode_roles,
    parse_group,
    parse_roles,
    parse_user,
)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.1", "api.bird.com", "localhost.evil.com", "128.0.0.1"])
def test_non_loopback_hosts(host: str) -> None:
    assert not is_loopback_host(host)


def test_https_and_loopback_http_are_accepted() -> None:
    url = check_server_url("https://api.bird.com/organizations/5F0C1111-2222-3333-4444-555566667777/scim/v2/")
    assert str(url) == "https://api.bird.com/organizations/5F0C1111-2222-3333-4444-555566667777/scim/v2"
    assert check_server_url("http://127.0.0.1:8900/scim/v2").port == 8900


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty"),
        ("api.bird.com/scim", "not an http"),
        ("ftp://api.bird.com/scim", "not an http"),
        ("http://api.bird.com/scim", "unencrypted"),
        ("https://user:pw@api.bird.com/scim", "user name"),
        ("https://api.bird.com/scim?token=x", "query"),
        ("https://", "not"),
    ],
)
def test_bad_urls_are_refused_with_a_sentence(url: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        check_server_url(url)


def test_org_id_is_parsed_from_the_documented_shape() -> None:
    assert org_id_from_url("https://api.bird.com/organizations/5F0C1111-2222-3333-4444-555566667777/scim/v2") == (
        "5f0c1111-2222-3333-4444-555566667777"
    )
    assert org_id_from_url("https://scim.bird.com/workspaces/abc/scim/v2") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('o"brien@x.com', r'userName eq "o\"brien@x.com"'),
        ("back\\slash", r'userName eq "back\\slash"'),
        ("a+b@x.com", 'userName eq "a+b@x.com"'),
        ("zoë@exämple.com", 'userName eq "zoë@exämple.com"'),
    ],
)
def test_filter_values_are_json_quoted(value: str, expected: str) -> None:
    assert filters.eq("userName", value) == expected


def test_filter_attribute_names_are_checked() -> None:
    with pytest.raises(ValueError, match="not a SCIM attribute path"):
        filters.eq('userName eq "x" or userName', "y")


def test_roles_are_read_in_both_shapes_and_deduplicated() -> None:
    assert parse_roles(["a", "b", "a"]) == ("a", "b")
    assert parse_roles([{"value": "a", "display": "Owner"}, {"value": "b"}, {"display": "no value"}]) == ("a", "b")
    assert parse_roles(None) == () and parse_roles("a") == ("a",)
    assert encode_roles(["a"], RolesShape.STRINGS) == ["a"]
    assert encode_roles(["a"], RolesShape.COMPLEX) == [{"value": "a"}]


def test_user_parsing_handles_entra_strings_and_missing_attributes() -> None:
    user = parse_user(
        {
            "id": "1",
            "userName": "ann@x.com",
            "active": "False",
            "name": {"givenName": "Ann", "familyName": "Lee"},
            "emails": [{"value": "other@x.com"}, {"value": "ann@x.com", "primary": True}],
            "roles": [{"value": "r1"}],
            "groups": [{"value": "g1", "display": "Sales"}],
            "meta": {"version": 'W/"3"'},
        }
    )
    assert (user.active, user.display_name, user.email, user.roles, user.version) == (
        False, "Ann Lee", "ann@x.com", ("r1",), 'W/"3"',
    )
    assert user.groups[0].id == "g1"
    bare = parse_user({"id": "2"})
    assert (bare.user_name, bare.active, bare.roles) == ("", True, ())


def test_group_without_members_is_marked_not_fetched() -> None:
    assert parse_group({"id": "g", "displayName": "G"}).members is None
    assert parse_group({"id": "g", "members": [{"value": "u1"}]}).member_ids == ("u1",)


def test_redaction_of_schemes_and_registered_secrets() -> None:
    register_secret("plainsecretvalue123")
    text = redact("Authorization: Bearer abc.def and AccessKey xyz; leaked plainsecretvalue123 access_key=zzz")
    assert "abc.def" not in text and "xyz" not in text and "plainsecretvalue123" not in text and "zzz" not in text
    assert fingerprint("plainsecretvalue123") == "…e123"


def test_planned_roles_match_uuids_case_insensitively_and_keep_the_server_spelling() -> None:
    from birdadmin.scim.role_values import plan_roles

    upper, lower = "AAAAAAAA-1111-2222-3333-444444444444", "aaaaaaaa-1111-2222-3333-444444444444"
    other = "bbbbbbbb-1111-2222-3333-444444444444"
    assert plan_roles([upper, other], remove=[lower]) == [other]
    assert plan_roles([upper], add=[lower, other]) == [upper, other]
    assert plan_roles([upper], set_to=[other, lower]) == [other, upper]
    assert plan_roles(["Admin"], remove=["admin"]) == ["Admin"]  # values that are not UUIDs stay exact
    assert plan_roles(["a", "b"], set_to=["b", "c", "b"], add=["d"], remove=["c"]) == ["b", "d"]
