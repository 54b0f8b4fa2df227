"""Role writes trust nothing the server sends: a read must be the resource that was asked for, a write goes only
to the id that was asked, an absent ``roles`` is never read as no roles, and complex roles keep what they carry.
Through httpx.MockTransport: a real server would not answer with another user's id or hide ``roles`` on demand."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from birdadmin import errors
from birdadmin.scim.client import ScimClient, ScimSettings
from birdadmin.scim.resources import RolesShape, RoleStrategy

KEY = "unit-test-key-0123456789"
BASE = "https://api.bird.example/organizations/5f0c1111-2222-3333-4444-555566667777/scim/v2"
R1, R2, R3 = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
              "33333333-3333-4333-8333-333333333333")
STRATEGIES = [RoleStrategy.REPLACE, RoleStrategy.ADD_REMOVE, RoleStrategy.PUT]


class Server:
    """Users by id; ``answer_as`` makes GET /Users/{id} answer with another id; ``hide_roles`` leaves roles out
    of plain GETs (``hide_always`` also when asked with attributes=roles)."""

    def __init__(self, users: dict[str, dict[str, Any]]) -> None:
        self.users = users
        self.answer_as: dict[str, str] = {}
        self.hide_roles = False
        self.hide_always = False
        self.writes: list[httpx.Request] = []
        self.reads: list[httpx.Request] = []

    def view(self, uid: str, request: httpx.Request) -> dict[str, Any]:
        body = json.loads(json.dumps(self.users[uid]))
        asked = request.url.params.get("attributes", "")
        if self.hide_always or (self.hide_roles and "roles" not in asked):
            body.pop("roles", None)
        return body

    def handler(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")
        if parts[-2] != "Users":
            return httpx.Response(404, json={"status": "404", "detail": "not here"})
        uid = parts[-1]
        if request.method == "GET":
            self.reads.append(request)
            shown = self.answer_as.get(uid, uid)
            if shown not in self.users:
                return httpx.Response(404, json={"status": "404", "detail": "no such user"})
            return httpx.Response(200, json=self.view(shown, request))
        self.writes.append(request)
        if uid not in self.users:
            return httpx.Response(404, json={"status": "404", "detail": "no such user"})
        user = self.users[uid]
        body = json.loads(request.content)
        if request.method == "PUT":
            user["roles"] = body["roles"]
        for op in body.get("Operations", []):
            roles = user.setdefault("roles", [])
            if op["op"] == "replace":
                user["roles"] = op["value"]
            elif op["op"] == "add":
                user["roles"] = roles + op["value"]
            else:
                value = op["path"].split('"')[1]
                user["roles"] = [r for r in roles if (r.get("value") if isinstance(r, dict) else r) != value]
        return httpx.Response(200, json=self.view(uid, request))


def user(uid: str, roles: list[Any]) -> dict[str, Any]:
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": uid, "userName": f"{uid}@example.com",
            "roles": roles}


def client(server: Server, **settings: Any) -> ScimClient:
    return ScimClient(BASE, KEY, transport=httpx.MockTransport(server.handler), settings=ScimSettings(**settings))


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_read_answering_with_another_id_stops_the_write(strategy: RoleStrategy) -> None:
    server = Server({"alice-id": user("alice-id", [R1]), "victim": user("victim", [R2])})
    server.answer_as["alice-id"] = "victim"
    with client(server, role_strategy=strategy) as scim, pytest.raises(errors.ProtocolError) as caught:
        scim.change_roles("alice-id", add=[R3])
    assert "victim" in caught.value.message and "alice-id" in caught.value.message
    assert server.writes == []
    assert server.users["victim"]["roles"] == [R2]


def test_resolve_user_by_id_refuses_an_answer_for_another_id() -> None:
    server = Server({"alice-id": user("alice-id", [R1]), "victim": user("victim", [R2])})
    server.answer_as["alice-id"] = "victim"
    with client(server) as scim, pytest.raises(errors.ProtocolError):
        scim.resolve_user("alice-id")


def test_a_write_answer_for_another_id_is_not_reported_as_success() -> None:
    server = Server({"alice-id": user("alice-id", [R1]), "victim": user("victim", [R1, R2])})

    def handler(request: httpx.Request) -> httpx.Response:
        response = server.handler(request)
        if request.method == "PATCH":
            return httpx.Response(200, json=server.users["victim"])
        return response

    with ScimClient(BASE, KEY, transport=httpx.MockTransport(handler)) as scim, pytest.raises(errors.ProtocolError):
        scim.change_roles("alice-id", add=[R2])
    assert all(w.url.path.endswith("/Users/alice-id") for w in server.writes)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_absent_roles_are_asked_for_explicitly_and_never_wiped(strategy: RoleStrategy) -> None:
    server = Server({"u1": user("u1", [R1, R2])})
    server.hide_roles = True
    with client(server, role_strategy=strategy) as scim:
        change = scim.change_roles("u1", add=[R3])
    assert server.users["u1"]["roles"] == [R1, R2, R3] or set(server.users["u1"]["roles"]) == {R1, R2, R3}
    assert change.changed and set(change.before.roles) == {R1, R2}
    assert any("roles" in r.url.params.get("attributes", "") for r in server.reads)


@pytest.mark.parametrize("strategy", [RoleStrategy.REPLACE, RoleStrategy.PUT])
def test_roles_the_server_never_shows_are_not_replaced(strategy: RoleStrategy) -> None:
    server = Server({"u1": user("u1", [R1, R2])})
    server.hide_always = True
    with client(server, role_strategy=strategy) as scim, pytest.raises(errors.ProtocolError) as caught:
        scim.change_roles("u1", add=[R3])
    assert "roles" in caught.value.message
    assert server.writes == [] and server.users["u1"]["roles"] == [R1, R2]


def test_roles_the_server_never_shows_are_added_with_a_patch_add_under_add_remove() -> None:
    server = Server({"u1": user("u1", [R1])})
    server.hide_always = True
    with client(server, role_strategy=RoleStrategy.ADD_REMOVE) as scim:
        scim.change_roles("u1", add=[R3])
    assert server.users["u1"]["roles"] == [R1, R3]
    body = json.loads(server.writes[0].content)
    assert [op["op"] for op in body["Operations"]] == ["add"]


def test_set_is_refused_when_the_server_never_shows_roles() -> None:
    server = Server({"u1": user("u1", [R1])})
    server.hide_always = True
    with client(server, role_strategy=RoleStrategy.ADD_REMOVE) as scim, pytest.raises(errors.ProtocolError):
        scim.change_roles("u1", set_to=[R3])
    assert server.writes == []


complex_role = st.fixed_dictionaries(
    {"value": st.sampled_from([R1, R2])},
    optional={
        "type": st.sampled_from(["work", "admin", ""]),
        "display": st.text(max_size=8),
        "primary": st.booleans(),
        "x-extra": st.integers(),
    },
)


@settings(max_examples=40, deadline=None)
@example(kept=[{"value": R1, "type": "work", "x-extra": -(2**63) - 1}], strategy=RoleStrategy.REPLACE,
         shape=RolesShape.STRINGS)  # an integer beyond 64 bits came back as a float once (found by hypothesis)
@given(kept=st.lists(complex_role, max_size=2, unique_by=lambda r: r["value"]),
       strategy=st.sampled_from(STRATEGIES), shape=st.sampled_from(list(RolesShape)))
def test_complex_roles_the_change_keeps_are_written_back_exactly_as_read(
    kept: list[dict[str, Any]], strategy: RoleStrategy, shape: RolesShape
) -> None:
    server = Server({"u1": user("u1", json.loads(json.dumps(kept)))})
    with client(server, role_strategy=strategy, roles_shape=shape) as scim:
        scim.change_roles("u1", add=[R3])
    stored = server.users["u1"]["roles"]
    for item in kept:
        assert item in stored
    assert len(stored) == len(kept) + 1


def test_a_group_read_answering_with_another_id_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Groups/g-asked"):
            return httpx.Response(200, json={"id": "g-other", "displayName": "Other", "members": []})
        return httpx.Response(404, json={"status": "404", "detail": "not here"})

    with ScimClient(BASE, KEY, transport=httpx.MockTransport(handler)) as scim:
        with pytest.raises(errors.ProtocolError) as caught:
            scim.get_group("g-asked")
        assert "g-other" in caught.value.message
        with pytest.raises(errors.ProtocolError):
            scim.resolve_group("g-asked")


def test_a_team_read_answering_with_another_id_is_refused() -> None:
    from birdadmin.bird import AccountsClient

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "t-other", "name": "Other", "roleRefs": []})

    org = "6f1c2b7e-4d3a-4e8b-9c5f-0a7d2e1b3c49"
    with AccountsClient("https://api.bird.example", org, "k-123456", transport=httpx.MockTransport(handler)) as acc:
        with pytest.raises(errors.ProtocolError):
            acc.get_team("t-asked")
        with pytest.raises(errors.ProtocolError):
            acc.change_team_roles("t-asked", lambda refs: refs, settle=0)


def test_cli_says_an_add_to_roles_the_server_never_shows_was_sent_but_not_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from birdadmin.cli import context, main

    server = Server({"u1": user("u1", [R1])})
    server.hide_always = True
    real = context.ScimClient

    def with_transport(*args: Any, **kwargs: Any) -> ScimClient:
        return real(*args, **kwargs, transport=httpx.MockTransport(server.handler))

    monkeypatch.setattr(context, "ScimClient", with_transport)
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", KEY)
    code = main(["--base-url", BASE, "--role-strategy", "add-remove", "--format", "json",
                 "users", "roles", "add", "u1", R3])
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out)["status"] == "sent"
    assert "could not be checked" in captured.err
    assert server.users["u1"]["roles"] == [R1, R3]


def test_bulk_says_a_change_to_hidden_roles_was_not_checked() -> None:
    from birdadmin.scim.bulk import Status, change_roles_bulk

    server = Server({"u1": user("u1", [R1]), "u2": user("u2", [R2])})
    server.hide_always = True
    with client(server, role_strategy=RoleStrategy.ADD_REMOVE) as scim:
        outcomes = change_roles_bulk(scim, ["u1", "u2"], add=[R3])
    assert all(o.status is Status.CHANGED and "could not be checked" in o.error for o in outcomes)
    assert all(o.before == () and o.after == () for o in outcomes)


def test_a_dry_run_plans_from_roles_asked_for_and_never_from_none(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from birdadmin.cli import context, main

    server = Server({"u1": user("u1", [R1])})
    server.hide_roles = True
    real = context.ScimClient
    monkeypatch.setattr(context, "ScimClient",
                        lambda *a, **k: real(*a, **k, transport=httpx.MockTransport(server.handler)))
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", KEY)
    argv = ["--base-url", BASE, "--format", "json", "users", "roles", "set", "u1", R2, "--dry-run"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == [R1]
    server.hide_always = True
    assert main(argv) == 1
    assert "cannot show the change" in capsys.readouterr().err
    assert server.writes == []
