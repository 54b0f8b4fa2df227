"""The shared trust store: verifying, loaded once, and the same whether prewarmed or not."""

from __future__ import annotations

import ssl

import pytest

from birdadmin.net import tls
from birdadmin.net.session import HttpSession
from birdadmin.net.tls import tls_context


@pytest.fixture(autouse=True)
def fresh_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tls, "_context", None)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def test_default_context_verifies_certificates_and_hostnames() -> None:
    context = tls.default_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # a real trust store was loaded
    assert tls_context(None) is context and tls_context("  ") is context


def test_prewarm_loads_the_one_context_every_session_shares() -> None:
    tls.prewarm()
    context = tls.default_context()  # waits for the prewarm thread if it is still loading
    assert tls.default_context() is context
    with HttpSession(scheme="Bearer", key="k-123", service="SCIM") as one, HttpSession(
        scheme="Bearer", key="k-456", service="SCIM"
    ) as two:
        assert one._client._transport._pool._ssl_context is context  # type: ignore[attr-defined]
        assert two._client._transport._pool._ssl_context is context  # type: ignore[attr-defined]


def test_ssl_cert_file_is_honoured_as_httpx_does(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(FileNotFoundError):
        tls.default_context()
