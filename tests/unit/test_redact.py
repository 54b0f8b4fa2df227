"""Redaction keeps the text around a key: only the key itself is replaced."""

from __future__ import annotations

import pytest

from birdadmin.redact import PLACEHOLDER, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(Authorization: Bearer abc)", f"(Authorization: Bearer {PLACEHOLDER})"),
        ("[AccessKey abc.def]", f"[AccessKey {PLACEHOLDER}]"),
        ("{Token abc}", f"{{Token {PLACEHOLDER}}}"),
        ("(see access_key=zzz)", f"(see access_key={PLACEHOLDER})"),
        ("((Bearer abc))", f"((Bearer {PLACEHOLDER}))"),
        ("failed (Bearer abc), retrying", f"failed (Bearer {PLACEHOLDER}), retrying"),
    ],
)
def test_a_closing_bracket_after_a_key_is_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_a_bracket_inside_a_key_does_not_leave_the_rest_of_it() -> None:
    text = redact("Authorization: Bearer ab)cd")
    assert "cd" not in text and "ab" not in text.replace("Authorization", "")


@pytest.mark.parametrize("text", ["Bearer abc)", "x (api_key: 'k1') y", "Bearer <redacted>", "Basic dXNlcjpwYXNz)"])
def test_redaction_is_idempotent(text: str) -> None:
    assert redact(redact(text)) == redact(text)
