"""Which server URLs birdadmin will talk to, decided before any request is sent."""

from __future__ import annotations

import ipaddress
import re

import httpx

from birdadmin.errors import InputError

_ORG_ID = re.compile(r"/organizations/([0-9a-fA-F-]{36})(?:/|$)")


def is_loopback_host(host: str) -> bool:
    """True for hosts that never leave this machine: 127.0.0.0/8, ::1 and localhost."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(url: str, *, what: str = "Base URL") -> httpx.URL:
    """Parse a server URL the user typed; refuse anything that would send the key in clear text.

    https is required except for loopback hosts (a local emulator or test server). Credentials or a query
    in the URL are refused too: a key in a URL ends up in proxy logs.
    """
    text = (url or "").strip()
    if not text:
        raise InputError(f"The {what} is empty; paste it exactly as Bird's SCIM settings page shows it.")
    try:
        parsed = httpx.URL(text)
    except Exception:  # noqa: BLE001 - httpx raises several types for malformed URLs
        raise InputError(f"The {what} {text!r} is not a valid URL.") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InputError(f"The {what} {text!r} is not an http(s) URL; it should start with https://.")
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        raise InputError(
            f"The {what} uses http:// to {parsed.host}, which would send the access key unencrypted; "
            "use https:// (plain http is only allowed for this machine)."
        )
    if parsed.userinfo:
        raise InputError(f"The {what} must not contain a user name or password.")
    if parsed.query or parsed.fragment:
        raise InputError(f"The {what} must not contain a query (?...) or fragment (#...).")
    return parsed.copy_with(path=parsed.path.rstrip("/") or "/")


def org_id_from_url(url: str) -> str | None:
    """The organization UUID in a Bird SCIM Base URL, if the URL has the documented shape."""
    match = _ORG_ID.search(url or "")
    return match.group(1).lower() if match else None


def join(base: httpx.URL, *parts: str) -> httpx.URL:
    """Append path segments to a base URL without dropping the base's own path."""
    path = base.path.rstrip("/")
    for part in parts:
        path += "/" + part.strip("/")
    return base.copy_with(path=path)
