"""Custom item-data roles shared by every model, and the context that turns role UUIDs into names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt

from birdadmin.domain.catalogue import RoleCatalogue, short_id

SortRole = Qt.ItemDataRole.UserRole + 1  # the value a column sorts by
ObjectRole = Qt.ItemDataRole.UserRole + 2  # the backing domain object
IdRole = Qt.ItemDataRole.UserRole + 3  # the SCIM id (or role UUID) of the row
FlagRole = Qt.ItemDataRole.UserRole + 4  # a warning the view shows as an icon (str, empty when none)


@dataclass
class RoleContext:
    """How rows show role UUIDs and groups: the catalogue, memberships and the roles each group carries."""

    catalogue: RoleCatalogue | None = None
    memberships: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    group_roles: Mapping[str, Sequence[str]] = field(default_factory=dict)
    group_names: Mapping[str, str] = field(default_factory=dict)  # group id -> display name
    group_roles_known: bool = True  # False without the Accounts API: what groups give is unknown, not nothing

    def role_name(self, role_id: str) -> str:
        if self.catalogue is None:
            return f"Unknown role {short_id(role_id.lower())}"
        return self.catalogue.name_for(role_id)

    def is_known(self, role_id: str) -> bool:
        return self.catalogue is not None and self.catalogue.is_known(role_id)
