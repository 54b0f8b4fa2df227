"""Bird Accounts REST API client (role catalogue, teams and their roleRefs). No Qt.

The package's names are imported on first use (PEP 562), so that ``domain/`` can use the plain data of
``bird/models.py`` without loading the HTTP client: importing a submodule runs this file first.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from birdadmin.bird.accounts import AccountsClient
    from birdadmin.bird.errors import ValidationError
    from birdadmin.bird.models import Role, RoleRef, Team

__all__ = ["AccountsClient", "Role", "RoleRef", "Team", "ValidationError"]

_HOMES = {"AccountsClient": "accounts", "ValidationError": "errors", "Role": "models", "RoleRef": "models",
          "Team": "models"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
