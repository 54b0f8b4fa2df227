"""AccountsClient behaviour that a real server cannot show on demand: malformed answers, looping cursors,
an endpoint that ignores the assumed team-roles write. Everything else is tested against the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from birdadmin import errors
from birdadmin.bird import AccountsClient, RoleRef, ValidationError

ORG = "5e1b8c1a-0000-4000-8000-00000000abcd"
KEY = "acct-secret-key-123456"
ROLE_A = "0b1c2d3e-0000-4000-8000-000000000001"
ROLE_B = "0b1c2d3e-0000-4000-8000-000000000002"

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, **kwargs: object) -> AccountsClient:
    return AccountsClient(
        "http://127.0.0.1:9", ORG, KEY, transport=httpx.MockTransport(handler), sleep=lambda _s: None, **kwargs
    )


def test_requests_carry_the_accesskey_header_and_paging_params() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        token = request.url.params.get("pageToken")
        if token is None:
            return httpx.Response(200, json={"results": [{"id": ROLE_A.upper(), "name": "A"}], "nextPageToken": "p2"})
        return httpx.Response(200, json={"results": [{"id": ROLE_B, "name": "B", "type": "managed"}]})

    with client(handler, page_limit=7) as accounts:
        roles = accounts.list_roles()
    assert [(r.id, r.name, r.type) for r in roles] == [(ROLE_A, "A", "organization"), (ROLE_B, "B", "managed")]
    assert [r.headers["Authorization"] for r in seen] == [f"AccessKey {KEY}"] * 2
    assert seen[0].url.path == f"/organizations/{ORG}/iam-roles"
    assert dict(seen[0].url.params) == {"limit": "7"}
    assert dict(seen[1].url.params) == {"limit": "7", "pageToken": "p2"}


def test_a_repeated_page_token_stops_the_walk() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json={"results": [{"id": f"t{calls}", "name": "x"}], "nextPageToken": "same"})

    with client(handler) as accounts, pytest.raises(errors.ProtocolError, match="repeated a page cursor"):
        accounts.list_teams()
    assert calls == 2


def test_the_page_backstop_ends_an_endless_cursor() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json={"results": [], "nextPageToken": f"t{calls}"})

    with client(handler, max_pages=5) as accounts, pytest.raises(errors.ProtocolError, match="after 5 pages"):
        accounts.list_teams()
    assert calls == 5


def test_items_repeated_across_pages_are_listed_once() -> None:
    pages = {
        None: {"results": [{"id": "t1", "name": "One"}, {"id": "t2", "name": "Two"}], "nextPageToken": "b"},
        "b": {"results": [{"id": "t2", "name": "Two"}, {"id": "t3", "name": "Three"}], "nextPageToken": ""},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("pageToken")])

    with client(handler) as accounts:
        assert [t.id for t in accounts.list_teams()] == ["t1", "t2", "t3"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>login</html>", "not JSON"),
        (json.dumps([1, 2]).encode(), "without a 'results' list"),
        (json.dumps({"results": {"id": "x"}}).encode(), "without a 'results' list"),
        (json.dumps({"results": [{"name": "no id"}]}).encode(), "cannot be used"),
        (json.dumps({"results": [], "nextPageToken": {"a": 1}}).encode(), "not text"),
    ],
)
def test_malformed_listings_are_protocol_errors(body: bytes, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    with client(handler) as accounts, pytest.raises(errors.ProtocolError, match=message) as caught:
        accounts.list_teams()
    assert caught.value.service == "Bird Accounts"


def test_errors_are_typed_and_never_show_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(422, json={"code": "invalid", "message": f"bad name; your key {KEY} was used"})
        return httpx.Response(403, json={"code": "forbidden", "message": "missing permission"})

    with client(handler) as accounts:
        with pytest.raises(ValidationError) as invalid:
            accounts.create_team("x")
        with pytest.raises(errors.AuthError) as denied:
            accounts.list_roles()
    assert invalid.value.status == 422 and invalid.value.scim_type == "invalid" and invalid.value.exit_code == 1
    assert isinstance(invalid.value, errors.BadRequestError)
    assert denied.value.exit_code == 3 and "missing permission" in denied.value.message
    for exc in (invalid.value, denied.value):
        assert KEY not in exc.message + exc.details + repr(exc)


def test_bad_input_is_refused_before_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may be sent")

    with pytest.raises(errors.InputError, match="https"):
        AccountsClient("http://api.example.com", ORG, KEY)
    with pytest.raises(errors.InputError, match="page size"):
        client(handler, page_limit=101)
    with pytest.raises(errors.InputError, match="key is empty"):
        AccountsClient("https://api.bird.com", ORG, "  ")
    with client(handler) as accounts:
        with pytest.raises(errors.InputError):
            accounts.get_team("../access-keys")
        with pytest.raises(errors.InputError):
            accounts.remove_team_member("t1", "u1/../../x")
        with pytest.raises(errors.InputError):
            accounts.create_team("   ")


# -- the assumed team-roles endpoint -----------------------------------------------------------------------


class FakeTeams:
    """A tiny team store for the behaviours of the assumed PATCH endpoint that a real server can't be told to do."""

    def __init__(self, *, patch: str = "apply") -> None:
        self.refs: list[dict[str, object]] = [{"id": ROLE_A, "type": "organization", "workspaces": ["w1"]}]
        self.patch = patch
        self.patches: list[dict[str, object]] = []

    def team(self) -> dict[str, object]:
        return {"id": "t1", "name": "Support", "roleRefs": self.refs}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/organizations/{ORG}/teams/t1"
        if request.method == "GET":
            return httpx.Response(200, json=self.team())
        assert request.method == "PATCH"
        body = json.loads(request.content)
        self.patches.append(body)
        if self.patch in ("405", "501"):
            return httpx.Response(int(self.patch), json={"code": "not_supported", "message": "no"})
        if self.patch == "ignore":
            return httpx.Response(200, json=self.team())
        self.refs = body["roleRefs"]
        if self.patch == "lost":
            return httpx.Response(500, json={"code": "internal", "message": "oops"})
        if self.patch == "204":
            return httpx.Response(204)
        return httpx.Response(200, json=self.team())


WANTED = (RoleRef(ROLE_A, workspaces=("w1",)), RoleRef(ROLE_B))


@pytest.mark.parametrize("mode", ["apply", "204", "lost"])
def test_team_roles_are_written_and_read_back(mode: str) -> None:
    fake = FakeTeams(patch=mode)
    with client(fake) as accounts:
        team = accounts.set_team_roles("t1", WANTED)
    assert team.role_refs == WANTED
    assert fake.patches == [
        {
            "roleRefs": [
                {"id": ROLE_A, "type": "organization", "workspaces": ["w1"]},
                {"id": ROLE_B, "type": "organization", "workspaces": []},
            ]
        }
    ]


def test_a_server_that_ignores_the_assumed_endpoint_is_reported() -> None:
    with client(FakeTeams(patch="ignore")) as accounts, pytest.raises(errors.ProtocolError, match="assumes"):
        accounts.set_team_roles("t1", WANTED)


@pytest.mark.parametrize("status", ["405", "501"])
def test_a_server_without_the_assumed_endpoint_says_so(status: str) -> None:
    fake = FakeTeams(patch=status)
    with client(fake) as accounts, pytest.raises(errors.BadRequestError) as caught:
        accounts.set_team_roles("t1", WANTED)
    assert "assumes" in caught.value.message and caught.value.status == int(status)
    assert caught.value.exit_code == 1 and len(fake.patches) == 1


def test_a_lost_answer_for_a_change_not_applied_is_still_a_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"id": "t1", "name": "Support", "roleRefs": []})
        return httpx.Response(503, json={"code": "unavailable", "message": "later"})

    with client(handler) as accounts, pytest.raises(errors.ServerError):
        accounts.set_team_roles("t1", WANTED)
