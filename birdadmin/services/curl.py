"""Commands a person can paste into a terminal to see what birdadmin saw, without ever carrying the key."""

from __future__ import annotations

import shlex

from birdadmin.net.urls import check_server_url, join

KEY_PLACEHOLDER = "<ACCESS_KEY>"


def curl_for_user(base_url: str, user_id: str) -> str:
    """``curl`` reading one user; the Authorization header holds a placeholder, never the real key."""
    url = join(check_server_url(base_url), "Users", user_id)
    header = f"Authorization: Bearer {KEY_PLACEHOLDER}"
    return f"curl -H {shlex.quote(header)} -H 'Accept: application/scim+json' {shlex.quote(str(url))}"

