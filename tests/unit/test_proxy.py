"""Keys never travel through a proxy in clear: plain http (this machine only) always goes direct."""

from __future__ import annotations

import pytest

from birdadmin import errors
from birdadmin.net.session import HttpSession, HttpSettings
from tests.hostile import KEY, Answer, HostileServer, RecordingProxy

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    with RecordingProxy() as running:
        yield running


def session() -> HttpSession:
    return HttpSession(scheme="Bearer", key=KEY, service="SCIM",
                       settings=HttpSettings(timeout=5, max_retries=0, connect_retries=0))


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_plain_http_request_never_goes_through_a_proxy(proxy, monkeypatch: pytest.MonkeyPatch,
                                                         variable: str) -> None:
    monkeypatch.setenv(variable, proxy.url)
    with HostileServer({"/Users": Answer.json({"ok": True})}) as server, session() as http:
        assert http.request("GET", f"{server.base_url}/Users").json() == {"ok": True}
    assert proxy.seen == []
    (seen,) = server.seen
    assert seen.headers["Authorization"] == f"Bearer {KEY}"


def test_https_honours_the_proxy_which_only_sees_a_connect(proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    # Decided: a corporate proxy for TLS is normal; it relays the encrypted stream and never sees the key.
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    with session() as http, pytest.raises(errors.ConnectionFailedError):
        http.request("GET", "https://scim.example.invalid/scim/v2/Users")
    (seen,) = proxy.seen
    assert seen.method == "CONNECT" and seen.path == "scim.example.invalid:443"
    assert "Authorization" not in seen.headers


def test_https_no_proxy_is_honoured(proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "scim.example.invalid")
    with session() as http, pytest.raises(errors.ConnectionFailedError):
        http.request("GET", "https://scim.example.invalid/scim/v2/Users")
    assert proxy.seen == []


def test_an_unusable_proxy_setting_is_one_sentence(proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "gopher://proxy.example:70")
    with pytest.raises(errors.InputError, match="proxy settings"):
        session()
