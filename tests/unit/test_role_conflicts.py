"""412s on role writes, through httpx.MockTransport (a real server cannot answer 412 to a write sent without
If-Match, nor keep answering 412 on demand): re-read and recompute when the caller gave no version, stop when it
did, and a conflict that outlasts the bounded retries is a failure (exit code 1), never a change."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from birdadmin import errors
from birdadmin.errors import explain
from birdadmin.scim.bulk import Status, change_roles_bulk
from birdadmin.scim.client import ScimClient, ScimSettings
from birdadmin.scim.planned_roles import apply_planned_roles
from birdadmin.scim.resources import RoleStrategy

KEY = "unit-test-key-0123456789"
BASE = "https://api.bird.example/organizations/5f0c1111-2222-3333-4444-555566667777/scim/v2"
STRATEGIES = [RoleStrategy.REPLACE, RoleStrategy.ADD_REMOVE, RoleStrategy.PUT]


class FakeUser:
    """One user on a fake server: GET answers the current roles and version; writes go through ``on_write``."""

    def __init__(self, roles: list[str], on_write: Callable[[FakeUser, httpx.Request], httpx.Response]) -> None:
        self.roles = list(roles)
        self.version = 1
        self.on_write = on_write
        self.writes: list[httpx.Request] = []

    def body(self) -> dict[str, Any]:
        return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "ann@example.com",
                "roles": list(self.roles), "meta": {"version": f'W/"{self.version}"'}}

    def apply(self, request: httpx.Request) -> httpx.Response:
        """Apply a role write as a SCIM server would (replace, add, remove by value, or PUT)."""
        body = json.loads(request.content)
        if request.method == "PUT":
            self.roles = list(body["roles"])
        for op in body.get("Operations", []):
            if op["op"] == "replace":
                self.roles = list(op["value"])
            elif op["op"] == "add":
                self.roles += [r for r in op["value"] if r not in self.roles]
            else:
                value = op["path"].split('"')[1]
                self.roles = [r for r in self.roles if r != value]
        self.version += 1
        return httpx.Response(200, json=self.body())

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/Users/u1"):
            return httpx.Response(404, json={"status": "404", "detail": "no discovery here"})
        if request.method == "GET":
            return httpx.Response(200, json=self.body())
        self.writes.append(request)
        return self.on_write(self, request)


def precondition_failed() -> httpx.Response:
    return httpx.Response(412, json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "412",
                                     "detail": "version mismatch"})


def scim_client(user: FakeUser, **settings: Any) -> ScimClient:
    return ScimClient(BASE, KEY, transport=httpx.MockTransport(user.handler), settings=ScimSettings(**settings))


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("use_etag", [True, False])
def test_a_412_without_the_callers_version_is_re_read_and_recomputed(strategy: RoleStrategy, use_etag: bool) -> None:
    """The first write meets someone else's change (r3 added) and a 412, also when it carried no If-Match at all;
    the client re-reads, plans again from what the server now holds, and keeps r3."""

    def first_write_conflicts(user: FakeUser, request: httpx.Request) -> httpx.Response:
        if len(user.writes) == 1:
            user.roles.append("r3")
            user.version += 1
            return precondition_failed()
        return user.apply(request)

    user = FakeUser(["r1"], first_write_conflicts)
    result = scim_client(user, role_strategy=strategy, use_etag=use_etag).change_roles("u1", add=["r2"], remove=["r1"])
    assert user.roles == ["r3", "r2"]
    assert result.changed and result.before.roles == ("r1",) and result.after.roles == ("r3", "r2")
    assert len(user.writes) == 2
    expected = ['W/"1"', 'W/"2"'] if use_etag else [None, None]
    assert [w.headers.get("If-Match") for w in user.writes] == expected


def test_a_412_on_the_callers_version_is_final() -> None:
    """With the version the person saw, a 412 means someone else changed the user: stop, overwrite nothing."""
    user = FakeUser(["r1"], lambda user, request: precondition_failed())
    with pytest.raises(errors.PreconditionFailedError):
        scim_client(user).change_roles("u1", add=["r2"], if_match='W/"1"')
    assert len(user.writes) == 1 and user.writes[0].headers["If-Match"] == 'W/"1"'
    assert user.roles == ["r1"]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("use_etag", [True, False])
def test_412s_that_outlast_the_retries_are_a_failure(strategy: RoleStrategy, use_etag: bool) -> None:
    """Every write is answered 412 (the user keeps changing): a bounded number of sends, then a conflict error
    whose exit code is 1; nothing is reported as changed, in one change or in bulk."""

    def always_conflicts(user: FakeUser, request: httpx.Request) -> httpx.Response:
        user.version += 1
        return precondition_failed()

    user = FakeUser(["r1"], always_conflicts)
    client = scim_client(user, role_strategy=strategy, use_etag=use_etag, write_attempts=3)
    with pytest.raises(errors.PreconditionFailedError) as caught:
        client.change_roles("u1", add=["r2"])
    assert len(user.writes) == 3
    assert isinstance(caught.value, errors.ConflictError) and caught.value.status == 412
    assert "3 attempts" in caught.value.message and "nothing was overwritten" in caught.value.message
    assert explain(caught.value).exit_code == 1
    assert user.roles == ["r1"]

    user.writes.clear()
    [outcome] = change_roles_bulk(client, ["u1"], add=["r2"])
    assert outcome.status is Status.FAILED and "3 attempts" in outcome.error
    assert len(user.writes) == 3


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("version", ['W/"1"', None])
def test_412s_that_outlast_the_retries_of_a_planned_change_are_a_failure(strategy: RoleStrategy,
                                                                         version: str | None) -> None:
    """The apply engine's path (scim/planned_roles.py): every write answered 412 while the server still holds the
    planned ``before``: a bounded number of sends, then the 412 itself; never "done", and nothing changed."""

    def always_conflicts(user: FakeUser, request: httpx.Request) -> httpx.Response:
        return precondition_failed()

    user = FakeUser(["r1"], always_conflicts)
    client = scim_client(user, role_strategy=strategy, write_attempts=3)
    with pytest.raises(errors.PreconditionFailedError) as caught:
        apply_planned_roles(client, "u1", ["r1"], ["r1", "r2"], version)
    assert len(user.writes) == 3 and user.roles == ["r1"]
    assert explain(caught.value).exit_code == 1


def test_the_cli_reports_a_persisting_conflict_as_a_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`users roles add` against a user who keeps changing exits 1 with one sentence, and never prints 'changed'."""
    from birdadmin.cli import context, main

    def always_conflicts(user: FakeUser, request: httpx.Request) -> httpx.Response:
        user.version += 1
        return precondition_failed()

    user = FakeUser(["5f0c0000-0000-4000-8000-000000000001"], always_conflicts)

    def client_on_the_fake_server(*args: Any, **kwargs: Any) -> ScimClient:
        return ScimClient(*args, **kwargs, transport=httpx.MockTransport(user.handler))

    monkeypatch.setattr(context, "ScimClient", client_on_the_fake_server)
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", KEY)
    code = main(["--base-url", BASE, "--format", "json", "users", "roles", "add", "u1",
                 "5f0c0000-0000-4000-8000-000000000002"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "changed" not in out and out.strip() == ""
    assert err.count("\n") == 1 and "nothing was overwritten" in err and "Traceback" not in err
    assert len(user.writes) == ScimSettings().write_attempts


@pytest.mark.parametrize(("strategy", "method"), [(RoleStrategy.REPLACE, "PATCH"), (RoleStrategy.PUT, "PUT")])
def test_a_write_the_server_accepts_but_does_not_apply_is_a_protocol_error(strategy: RoleStrategy, method: str) -> None:
    """The server answers 200 with roles other than those sent: never reported as changed; the details name the
    request that was really sent."""
    user = FakeUser(["r1"], lambda user, request: httpx.Response(200, json=user.body()))
    with pytest.raises(errors.ProtocolError, match="differ from what was sent") as caught:
        scim_client(user, role_strategy=strategy).change_roles("u1", add=["r2"])
    assert caught.value.method == method and len(user.writes) == 1
