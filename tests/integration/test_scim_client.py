"""The SCIM client against real servers on 127.0.0.1: scim2-server (independent) and the project's emulator."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx
import pytest

from birdadmin import errors
from birdadmin.scim.client import ScimClient, ScimSettings
from birdadmin.scim.resources import RoleStrategy
from tests.conftest import ScimServer

R1, R2, R3, R4 = (str(uuid.UUID(int=i)) for i in (0xA1, 0xB2, 0xC3, 0xD4))


class RecordingTransport(httpx.HTTPTransport):
    """The real transport, keeping what went over the wire so tests can check bodies and headers."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return super().handle_request(request)


def client(server: ScimServer, **settings: object) -> ScimClient:
    return ScimClient(server.base_url, server.key, settings=ScimSettings(**settings))  # type: ignore[arg-type]


def new_user(server: ScimServer, name: str, roles: list[str]) -> str:
    response = server.raw(
        "POST",
        "Users",
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "roles": roles},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def new_group(server: ScimServer, name: str) -> str:
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name, "members": []}
    response = server.raw("POST", "Groups", body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def server_roles(server: ScimServer, user_id: str) -> list[str]:
    """What the server really holds, read without the client under test."""
    return list(server.raw("GET", f"Users/{user_id}").json().get("roles") or [])


def test_1500_users_across_capped_pages(scim_server: ScimServer) -> None:
    prefix = f"bulk{uuid.uuid4().hex[:6]}"
    created = scim_server.seed_users(1_500, prefix=prefix)
    transport = RecordingTransport()
    with ScimClient(
        scim_server.base_url, scim_server.key, settings=ScimSettings(page_size=500, concurrency=4), transport=transport
    ) as scim:
        users = scim.list_users(f'userName sw "{prefix}"')
    assert sorted(u.id for u in users) == sorted(created)
    assert len(users) == len({u.id for u in users}) == 1_500
    pages = [r for r in transport.requests if r.url.path.endswith("/Users")]
    assert len(pages) == -(-1_500 // scim_server.max_page)  # the server's cap, not the 500 asked for
    assert {r.url.params["count"] for r in pages[1:]} == {str(scim_server.max_page)}


def test_find_by_user_name_with_quote_plus_and_non_ascii(scim_server: ScimServer) -> None:
    tag = uuid.uuid4().hex[:6]
    names = [f'o"brien+{tag}@example.com', f"zoë+{tag}@exämple.com", f"back\\slash{tag}@example.com"]
    ids = {name: new_user(scim_server, name, []) for name in names}
    new_user(scim_server, f"obrien {tag}@example.com", [])  # what a '+' read as a space would match
    with client(scim_server) as scim:
        for name in names:
            found = scim.find_user(name)
            assert found is not None and found.id == ids[name] and found.user_name == name
        assert scim.find_user(f"nobody+{tag}@example.com") is None
        assert scim.resolve_user(names[0]).id == ids[names[0]]


@pytest.mark.parametrize("strategy", [RoleStrategy.REPLACE, RoleStrategy.ADD_REMOVE, RoleStrategy.PUT])
def test_roles_set_added_and_removed(scim_server: ScimServer, strategy: RoleStrategy) -> None:
    user_id = new_user(scim_server, f"roles-{uuid.uuid4().hex[:8]}@example.com", [R1])
    with client(scim_server, role_strategy=strategy) as scim:
        changed = scim.change_roles(user_id, set_to=[R2, R3])
        assert changed.changed and changed.before.roles == (R1,) and set(changed.after.roles) == {R2, R3}
        assert sorted(server_roles(scim_server, user_id)) == sorted([R2, R3])
        scim.change_roles(user_id, add=[R4, R2])
        assert sorted(server_roles(scim_server, user_id)) == sorted([R2, R3, R4])
        removed = scim.change_roles(user_id, remove=[R2])
        assert set(removed.removed) == {R2}
        assert sorted(server_roles(scim_server, user_id)) == sorted([R3, R4])
        again = scim.change_roles(user_id, remove=[R2])
        assert not again.changed


@pytest.mark.parametrize("strategy", [RoleStrategy.REPLACE, RoleStrategy.ADD_REMOVE, RoleStrategy.PUT])
def test_taking_a_users_last_roles_is_refused_unless_allowed(scim_server: ScimServer, strategy: RoleStrategy) -> None:
    """An empty roles array means no roles at all in Bird (docs/bird.md, H1): never sent by accident."""
    user_id = new_user(scim_server, f"last-{uuid.uuid4().hex[:8]}@example.com", [R1, R2])
    with client(scim_server, role_strategy=strategy) as scim:
        for change in ({"remove": [R1, R2]}, {"set_to": []}):
            with pytest.raises(errors.InputError, match="would remove every role"):
                scim.change_roles(user_id, **change)
            assert sorted(server_roles(scim_server, user_id)) == sorted([R1, R2])
        emptied = scim.change_roles(user_id, remove=[R1, R2], allow_empty=True)
        assert emptied.changed and emptied.after.roles == ()
        assert server_roles(scim_server, user_id) == []


def test_role_change_sends_one_replace_patch_with_if_match(scim_server: ScimServer) -> None:
    user_id = new_user(scim_server, f"wire-{uuid.uuid4().hex[:8]}@example.com", [R1])
    transport = RecordingTransport()
    with ScimClient(scim_server.base_url, scim_server.key, transport=transport) as scim:
        scim.change_roles(user_id, add=[R2])
    writes = [r for r in transport.requests if r.method != "GET"]
    assert len(writes) == 1 and writes[0].method == "PATCH"
    assert writes[0].headers["If-Match"].startswith('W/"')
    body = json.loads(writes[0].content)
    assert body["Operations"] == [{"op": "replace", "path": "roles", "value": [R1, R2]}]


def test_stale_if_match_is_reported_as_a_conflict(scim_server: ScimServer) -> None:
    user_id = new_user(scim_server, f"stale-{uuid.uuid4().hex[:8]}@example.com", [R1])
    with client(scim_server) as scim:
        seen = scim.get_user(user_id)
        scim.change_roles(user_id, add=[R2])  # someone else's change moves the version on
        with pytest.raises(errors.PreconditionFailedError, match="changed"):
            scim.change_roles(user_id, set_to=[R3], if_match=seen.version)
    assert sorted(server_roles(scim_server, user_id)) == sorted([R1, R2])  # nothing overwritten


def test_members_added_and_removed(scim_server: ScimServer) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = scim_server.seed_users(3, prefix=f"member{tag}")
    with client(scim_server) as scim:
        group = scim.get_group(new_group(scim_server, f"Team {tag}"))
        assert group.member_ids == ()
        assert set(scim.add_members(group.id, ids[:2]).member_ids) == set(ids[:2])
        scim.add_members(group.id, [ids[2], ids[0]])
        assert set(scim.get_group(group.id).member_ids) == set(ids)
        scim.remove_members(group.id, [ids[1]])
        assert set(scim.get_group(group.id).member_ids) == {ids[0], ids[2]}
        listed = {g.id: g for g in scim.list_groups()}
        assert listed[group.id].members is None  # listed without members
        assert scim.resolve_group(f"Team {tag}").id == group.id


def test_capabilities_are_discovered(scim_server: ScimServer) -> None:
    with client(scim_server) as scim:
        caps = scim.capabilities()
    assert caps.discovered and caps.patch and caps.etag and caps.filter
    assert caps.max_results == scim_server.max_page
    assert caps.roles_attribute_type == "string"


def test_wrong_key_is_an_auth_error(scim_server: ScimServer) -> None:
    with ScimClient(scim_server.base_url, "wrong-key") as scim, pytest.raises(errors.AuthError) as caught:
        scim.count_users()
    assert caught.value.status == 401 and "wrong-key" not in str(caught.value)


def test_unreachable_server_is_a_connection_error() -> None:
    from tests.conftest import free_port

    with (
        ScimClient(f"http://127.0.0.1:{free_port()}/scim/v2", "k") as scim,
        pytest.raises(errors.ConnectionFailedError, match="connection refused"),
    ):
        scim.count_users()


def test_an_id_cannot_reach_another_resource(scim_server: ScimServer) -> None:
    with client(scim_server) as scim:
        group = scim.get_group(new_group(scim_server, f"Path {uuid.uuid4().hex[:6]}"))
        for token in (f"../Groups/{group.id}", f"..%2FGroups%2F{group.id}", "x?filter=y", "."):
            with pytest.raises(errors.NotFoundError):
                scim.resolve_user(token)
        assert scim.get_group(group.id).id == group.id



class RaceTransport(RecordingTransport):
    """The real transport, keeping every exchange; just before the client's first write reaches the server,
    someone else changes the user (``interfere``), so the server itself answers a write that carries If-Match
    with a 412. For each write it also keeps the version of the user the client had read last before it."""

    def __init__(self, interfere: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._interfere = interfere
        self.responses: list[httpx.Response] = []
        self.writes: list[tuple[httpx.Request, str | None, int]] = []  # request, version read before it, status
        self._last_read: str | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET" and self._interfere is not None:
            interfere, self._interfere = self._interfere, None
            interfere()
        response = super().handle_request(request)
        response.read()
        self.responses.append(response)
        if request.method == "GET" and "/Users/" in request.url.path and response.status_code == 200:
            self._last_read = response.headers.get("ETag") or response.json()["meta"]["version"]
        elif request.method != "GET":
            self.writes.append((request, self._last_read, response.status_code))
        return response


def add_role_behind_the_clients_back(server: ScimServer, user_id: str, role: str) -> None:
    roles = server_roles(server, user_id)
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "roles", "value": [*roles, role]}]}
    assert server.raw("PATCH", f"Users/{user_id}", body).status_code in (200, 204)


STRATEGIES = [RoleStrategy.REPLACE, RoleStrategy.ADD_REMOVE, RoleStrategy.PUT]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_concurrent_change_is_re_read_and_kept_by_every_strategy(
    scim_server: ScimServer, strategy: RoleStrategy
) -> None:
    """Someone adds R3 between the client's read and its write. The write carries the version the client read, the
    server answers 412, and the client (given no If-Match by its caller) re-reads and recomputes: R3 survives.
    Without If-Match on the write (any strategy) R3 would be overwritten, or the add-remove PATCH would leave
    roles that differ from the plan; giving up on the 412 would raise."""
    user_id = new_user(scim_server, f"race-{strategy}-{uuid.uuid4().hex[:8]}@example.com", [R1])
    transport = RaceTransport(lambda: add_role_behind_the_clients_back(scim_server, user_id, R3))
    settings = ScimSettings(role_strategy=strategy)
    with ScimClient(scim_server.base_url, scim_server.key, settings=settings, transport=transport) as scim:
        result = scim.change_roles(user_id, add=[R2], remove=[R1])
    assert sorted(server_roles(scim_server, user_id)) == sorted([R2, R3])
    assert result.changed and result.before.roles == (R1,) and sorted(result.after.roles) == sorted([R2, R3])
    assert [status for _, _, status in transport.writes][:1] == [412]
    assert len(transport.writes) == 2 and transport.writes[1][2] in (200, 204)
    for request, version_read, _ in transport.writes:
        assert version_read and request.headers.get("If-Match") == version_read


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_role_write_carries_the_version_the_client_read(scim_server: ScimServer, strategy: RoleStrategy) -> None:
    user_id = new_user(scim_server, f"ifmatch-{strategy}-{uuid.uuid4().hex[:8]}@example.com", [R1])
    transport = RaceTransport()
    settings = ScimSettings(role_strategy=strategy)
    with ScimClient(scim_server.base_url, scim_server.key, settings=settings, transport=transport) as scim:
        scim.change_roles(user_id, add=[R2], remove=[R1])
    assert len(transport.writes) == 1
    request, version_read, status = transport.writes[0]
    assert status in (200, 204) and version_read
    assert request.headers.get("If-Match") == version_read
    assert server_roles(scim_server, user_id) == [R2]
