"""The two error shapes the emulator answers with: SCIM errors (RFC 7644 3.12) and Bird Accounts API errors.

Raised deep inside state changes and turned into a response by the HTTP layer, so validation code never has
to know which wire format it will end up in.
"""

from __future__ import annotations

from typing import Any

SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class EmulatorStateError(Exception):
    """A state file that cannot be loaded; ``str()`` is one plain sentence."""


class ScimError(Exception):
    """An answer in SCIM's error format; ``status`` is sent as a string, as RFC 7644 says."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schemas": [SCIM_ERROR_SCHEMA], "status": str(self.status)}
        if self.scim_type:
            out["scimType"] = self.scim_type
        out["detail"] = self.detail
        return out


class AccountsError(Exception):
    """An answer in the Accounts API's ``{"code", "message"}`` format."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def not_found(kind: str, resource_id: str) -> ScimError:
    return ScimError(404, f"{kind} {resource_id} not found")
