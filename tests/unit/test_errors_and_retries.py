"""Faults a real server cannot produce on demand, through httpx.MockTransport: error mapping, retries, redaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import httpx
import pytest

from birdadmin import errors
from birdadmin.errors import explain
from birdadmin.scim.client import ScimClient, ScimSettings

KEY = "sk_live_0123456789abcdefSECRET"
BASE = "https://api.bird.example/organizations/5f0c1111-2222-3333-4444-555566667777/scim/v2"
USER = {"id": "u1", "userName": "ann@example.com", "roles": ["r1"], "meta": {"version": 'W/"1"'}}


def client_for(handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None, **settings):
    record = sleeps if sleeps is not None else []
    return ScimClient(
        BASE, KEY, transport=httpx.MockTransport(handler), sleep=record.append, settings=ScimSettings(**settings)
    )


def scim_error(status: int, detail: str, scim_type: str | None = None, as_int: bool = False) -> httpx.Response:
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": status if as_int else str(status),
            "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("status", "kind", "exit_code"),
    [
        (400, errors.BadRequestError, 1),
        (401, errors.AuthError, 3),
        (403, errors.AuthError, 3),
        (404, errors.NotFoundError, 1),
        (409, errors.ConflictError, 1),
        (412, errors.PreconditionFailedError, 1),
        (422, errors.BadRequestError, 1),
    ],
)
@pytest.mark.parametrize("as_int", [False, True])
def test_scim_error_bodies_become_typed_errors(status: int, kind: type, exit_code: int, as_int: bool) -> None:
    client = client_for(lambda r: scim_error(status, "the server's reason", "invalidValue", as_int))
    with pytest.raises(kind) as caught:
        client.get_user("u1")
    exc = caught.value
    assert (exc.method, exc.status, exc.scim_type, exc.detail) == ("GET", status, "invalidValue", "the server's reason")
    assert exc.url.endswith("/Users/u1")
    assert explain(exc).exit_code == exit_code
    assert "\n" not in exc.message and "Traceback" not in exc.message


def test_429_honours_retry_after_then_succeeds() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=USER)])
    sleeps: list[float] = []
    user = client_for(lambda r: next(answers), sleeps).get_user("u1")
    assert user.id == "u1"
    assert len(sleeps) == 1 and 2.0 <= sleeps[0] < 2.1


def test_429_retries_are_bounded_and_reported() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(429, headers={"Retry-After": "1"})

    with pytest.raises(errors.RateLimitedError, match="429"):
        client_for(handler).get_user("u1")
    assert len(calls) == 5  # the first try and four retries


def test_5xx_on_get_is_retried_with_backoff() -> None:
    answers = iter([scim_error(503, "busy"), scim_error(500, "oops"), httpx.Response(200, json=USER)])
    sleeps: list[float] = []
    assert client_for(lambda r: next(answers), sleeps).get_user("u1").user_name == "ann@example.com"
    assert len(sleeps) == 2 and sleeps[1] > 0


def test_patch_is_never_resent_blindly_after_a_5xx() -> None:
    """A PATCH whose response was lost (applied, then 500) is verified by a re-read, not sent twice."""
    state = {"roles": ["r1"], "version": 1}
    patches = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            patches.append(json.loads(request.content))
            state["roles"] = patches[-1]["Operations"][0]["value"]
            state["version"] += 1
            return scim_error(500, "lost the response")
        version = f'W/"{state["version"]}"'
        return httpx.Response(200, json={**USER, "roles": state["roles"], "meta": {"version": version}})

    result = client_for(handler).change_roles("u1", set_to=["r2", "r3"])
    assert len(patches) == 1
    assert result.changed and result.after.roles == ("r2", "r3") and result.before.roles == ("r1",)


def test_patch_resent_after_a_5xx_that_changed_nothing() -> None:
    state = {"roles": ["r1"], "fail": True}
    patches = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            patches.append(request.headers.get("If-Match"))
            if state["fail"]:
                state["fail"] = False
                return scim_error(503, "try later")
            state["roles"] = json.loads(request.content)["Operations"][0]["value"]
            return httpx.Response(200, json={**USER, "roles": state["roles"]})
        return httpx.Response(200, json={**USER, "roles": state["roles"]})

    result = client_for(handler).change_roles("u1", add=["r9"])
    assert patches == ['W/"1"', 'W/"1"'] and result.after.roles == ("r1", "r9")


def test_malformed_json_is_a_protocol_error() -> None:
    headers = {"Content-Type": "application/json"}
    client = client_for(lambda r: httpx.Response(200, content=b"{not json", headers=headers))
    with pytest.raises(errors.ProtocolError, match="not JSON"):
        client.get_user("u1")


def test_an_html_page_instead_of_a_list_is_a_protocol_error() -> None:
    client = client_for(lambda r: httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(errors.ProtocolError):
        client.list_users()


def test_a_list_answer_that_is_not_a_list_response_is_a_protocol_error() -> None:
    client = client_for(lambda r: httpx.Response(200, json={"totalResults": "many", "Resources": {}}))
    with pytest.raises(errors.ProtocolError, match="malformed"):
        client.list_users()


def test_redirects_are_not_followed() -> None:
    client = client_for(lambda r: httpx.Response(302, headers={"Location": "https://evil.example/steal"}))
    with pytest.raises(errors.ProtocolError, match="redirect"):
        client.get_user("u1")


def test_timeouts_map_to_unreachable_and_are_bounded() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(errors.TimeoutError_) as caught:
        client_for(handler).get_user("u1")
    assert explain(caught.value).exit_code == 4
    assert len(calls) == 3  # the first try and two retries


def test_the_key_never_appears_in_errors_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        return scim_error(400, f"bad token Bearer {KEY} in request")

    client = client_for(handler)
    with pytest.raises(errors.BadRequestError) as caught:
        client.get_user("u1")
    exc = caught.value
    for text in (str(exc), repr(exc), exc.details, explain(exc).details, repr(client), repr(client._session),
                 caplog.text):
        assert KEY not in text
    assert "<redacted>" in exc.detail


def listing(*resources: dict) -> httpx.Response:
    return httpx.Response(200, json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                                     "totalResults": len(resources), "Resources": list(resources)})


def test_a_server_that_ignores_the_filter_never_yields_someone_else() -> None:
    """Looking up a userName or displayName must not fall back to whatever the server listed first."""
    other = {**USER, "userName": "first.in.list@example.com"}
    group = {"id": "g1", "displayName": "Owners"}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Users") or request.url.path.endswith("/Groups"):
            return listing(other) if "/Users" in request.url.path else listing(group)
        return scim_error(404, "no such resource")

    client = client_for(handler)
    assert client.find_user("nobody@example.com") is None
    assert client.find_group("Sales") is None
    with pytest.raises(errors.NotFoundError, match=r"nobody@example\.com"):
        client.resolve_user("nobody@example.com")
    with pytest.raises(errors.NotFoundError, match="Sales"):
        client.resolve_group("Sales")
    assert client.find_user("FIRST.in.list@example.com").id == "u1"  # userName compares case-insensitively


def test_a_name_is_looked_up_when_the_server_answers_400_to_a_non_uuid_id() -> None:
    group = {"id": "5f0c1111-2222-3333-4444-555566667777", "displayName": "Sales", "members": [{"value": "u1"}]}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/Groups"):
            return listing({k: v for k, v in group.items() if k != "members"})
        if path.endswith(f"/Groups/{group['id']}"):
            return httpx.Response(200, json=group)
        return scim_error(400, "id is not a UUID", "invalidValue")

    client = client_for(handler)
    found = client.resolve_group("Sales")
    assert (found.id, found.member_ids) == (group["id"], ("u1",))
    with pytest.raises(errors.BadRequestError):  # a UUID the server refuses is not silently looked up as a name
        client.resolve_group("00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize("bad_id", ["../Groups/g1", "a?filter=x", "a#b", "a/b", "..", "."])
def test_an_id_is_one_path_segment(bad_id: str) -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return scim_error(404, "no such resource")

    with pytest.raises(errors.NotFoundError):
        client_for(handler).get_user(bad_id)
    base_path = httpx.URL(BASE).path
    assert all(p.startswith(base_path + "/Users/") and "/" not in p[len(base_path) + 7:] for p in paths), paths
    assert not any("?" in p or "#" in p for p in paths)


def test_undecodable_body_is_a_protocol_error() -> None:
    client = client_for(lambda r: httpx.Response(200, content=b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    with pytest.raises(errors.ProtocolError, match="decoded"):
        client.get_user("u1")


def test_a_proxy_failure_is_unreachable_not_an_unexpected_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ProxyError("503 from proxy", request=request)

    with pytest.raises(errors.ConnectionFailedError, match="could not be sent") as caught:
        client_for(handler).get_user("u1")
    assert explain(caught.value).exit_code == 4


@pytest.mark.parametrize("key", ["abc\ndef-secret", "abc def-secret", "abc\tdef-secret", "abc\u200bdef-secret"])
def test_a_mis_copied_key_is_bad_input_and_is_not_echoed(key: str) -> None:
    with pytest.raises(errors.InputError) as caught:
        ScimClient(BASE, key, transport=httpx.MockTransport(lambda r: httpx.Response(200, json=USER)))
    assert explain(caught.value).exit_code == 2
    assert "def-secret" not in str(caught.value) and "def-secret" not in caught.value.details


def test_a_ca_bundle_is_loaded_without_deprecated_paths(tmp_path) -> None:
    """A chosen bundle is used (no httpx DeprecationWarning: warnings are errors here), '~' is expanded, and a
    missing or non-PEM file is one sentence with exit 2."""
    import shutil

    import certifi

    from birdadmin.net.session import HttpSettings

    def make(bundle: str) -> ScimClient:
        return ScimClient(BASE, KEY, http=HttpSettings(ca_bundle=bundle),
                          transport=httpx.MockTransport(lambda r: httpx.Response(200, json=USER)))

    make(certifi.where()).close()
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(certifi.where(), home / "ca.pem")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        make("~/ca.pem").close()
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    for bundle, fragment in ((str(tmp_path / "missing.pem"), "does not exist"), (str(tmp_path / "junk.pem"), "PEM")):
        with pytest.raises(errors.InputError, match=fragment) as caught:
            make(bundle)
        assert explain(caught.value).exit_code == 2 and "\n" not in caught.value.message
