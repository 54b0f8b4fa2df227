"""What /ServiceProviderConfig says drives behaviour: page size, If-Match, and whether the server filters."""

from __future__ import annotations

import json

import httpx
import pytest

from birdadmin import errors
from birdadmin.scim.client import ScimClient, ScimSettings

BASE = "https://scim.example.com/scim/v2"
USERS = [{"id": f"u{i}", "userName": f"user{i}@example.com", "roles": ["r1"], "meta": {"version": 'W/"1"'}}
         for i in range(7)]


class Server:
    """A tiny in-memory SCIM server with a configurable ServiceProviderConfig; records every request."""

    def __init__(self, config: dict | None) -> None:
        self.config = config
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/scim/v2")
        if path in ("/ServiceProviderConfig", "/Schemas", "/ResourceTypes"):
            if self.config is None:
                return httpx.Response(404, json={"detail": "no discovery here"})
            body = self.config if path == "/ServiceProviderConfig" else {"Resources": []}
            return httpx.Response(200, json=body)
        if path == "/Users":
            start = int(request.url.params.get("startIndex", 1))
            count = int(request.url.params.get("count", 100))
            page = USERS[start - 1 : start - 1 + count]
            return httpx.Response(200, json={"totalResults": len(USERS), "Resources": page})
        if path == "/Users/u1" and request.method == "GET":
            return httpx.Response(200, json=USERS[1])
        if path == "/Users/u1" and request.method == "PATCH":
            roles = json.loads(request.content)["Operations"][0]["value"]
            return httpx.Response(200, json={**USERS[1], "roles": roles})
        return httpx.Response(404, json={"detail": "not found"})

    def user_pages(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/Users")]


def client(server: Server, **settings: object) -> ScimClient:
    return ScimClient(BASE, "key", transport=httpx.MockTransport(server), settings=ScimSettings(**settings))


def test_published_max_results_caps_the_page_size() -> None:
    server = Server({"filter": {"supported": True, "maxResults": 3}, "etag": {"supported": True}})
    users = client(server, page_size=100).list_users()
    assert len(users) == 7
    assert [r.url.params["count"] for r in server.user_pages()] == ["3", "3", "3"]


def test_no_if_match_when_the_server_says_etags_are_unsupported() -> None:
    server = Server({"etag": {"supported": False}, "patch": {"supported": True}})
    client(server).change_roles("u1", add=["r2"])
    patch = next(r for r in server.requests if r.method == "PATCH")
    assert "If-Match" not in patch.headers


def test_if_match_when_etags_are_supported_or_unknown() -> None:
    for config in ({"etag": {"supported": True}}, None):
        server = Server(config)
        client(server).change_roles("u1", add=["r2"])
        patch = next(r for r in server.requests if r.method == "PATCH")
        assert patch.headers["If-Match"] == 'W/"1"'


def test_a_server_without_filtering_refuses_a_filter_before_listing() -> None:
    server = Server({"filter": {"supported": False}})
    with pytest.raises(errors.InputError, match="does not support filtering"):
        client(server).list_users('userName sw "a"')
    assert server.user_pages() == []


def test_find_user_scans_when_the_server_cannot_filter() -> None:
    server = Server({"filter": {"supported": False}})
    found = client(server).find_user("USER5@example.com")
    assert found is not None and found.id == "u5"
    assert all("filter" not in r.url.params for r in server.user_pages())


def test_discovery_is_read_once_per_client() -> None:
    server = Server({"filter": {"supported": True, "maxResults": 50}})
    scim = client(server)
    scim.list_users()
    scim.list_users()
    discovery = [r for r in server.requests if r.url.path.endswith("/ServiceProviderConfig")]
    assert len(discovery) == 1
    assert scim.capabilities().max_results == 50
