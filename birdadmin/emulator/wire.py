"""Plain request/response values passed between the HTTP server and the two API handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from birdadmin.emulator.errors import AccountsError, ScimError

SCIM_JSON = "application/scim+json; charset=utf-8"
PLAIN_JSON = "application/json; charset=utf-8"
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class Request:
    method: str
    path: str  # without the query
    segments: list[str]  # percent-decoded path segments
    query: dict[str, list[str]]
    headers: Message
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """A query parameter by case-insensitive name (the last one wins)."""
        lowered = name.lower()
        found = None
        for key, values in self.query.items():
            if key.lower() == lowered and values:
                found = values[-1]
        return found

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def json(self, as_scim: bool = True) -> Any:
        """The JSON body; a body that is not JSON is a 400 (SCIM) or 422 (Accounts)."""
        if not self.body.strip():
            if as_scim:
                raise ScimError(400, "the request has no body", "invalidSyntax")
            raise AccountsError(422, "validation_error", "the request has no body")
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            if as_scim:
                raise ScimError(400, "the body is not valid JSON", "invalidSyntax") from None
            raise AccountsError(422, "validation_error", "the body is not valid JSON") from None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(status: int, data: Any, content_type: str = SCIM_JSON, **headers: str) -> Response:
    extra = [(k.replace("_", "-"), v) for k, v in headers.items()]
    return Response(status, _DUMPS(data).encode("utf-8"), content_type, extra)


def scim_error_response(exc: ScimError, headers: list[tuple[str, str]] | None = None) -> Response:
    resp = json_response(exc.status, exc.body())
    resp.headers.extend(headers or [])
    return resp


def accounts_error_response(exc: AccountsError, headers: list[tuple[str, str]] | None = None) -> Response:
    resp = json_response(exc.status, exc.body(), PLAIN_JSON)
    resp.headers.extend(headers or [])
    return resp
