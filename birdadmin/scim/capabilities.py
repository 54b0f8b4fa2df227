"""What a server says it supports (/ServiceProviderConfig, /Schemas, /ResourceTypes), used for behaviour
(page size, ETags, filtering), never for roles' shape.

Every field is ``None`` when the server did not say: the client then behaves safely (sends If-Match only when it
holds an ETag, asks for its own page size and believes what comes back, filters on the server).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Capabilities:
    discovered: bool = False
    patch: bool | None = None
    etag: bool | None = None
    filter: bool | None = None
    max_results: int | None = None
    sort: bool | None = None
    bulk: bool | None = None
    auth_schemes: tuple[str, ...] = ()
    roles_attribute_type: str | None = None  # what /Schemas says of User.roles; informational only
    schemas: tuple[str, ...] = field(default_factory=tuple)
    resource_types: tuple[str, ...] = ()  # endpoints /ResourceTypes names, e.g. ("/Users", "/Groups")

    def describe(self) -> list[str]:
        """Short human lines, e.g. for a connection test."""

        def yes_no(value: bool | None) -> str:
            return "unknown" if value is None else ("yes" if value else "no")

        if not self.discovered:
            return ["The server does not publish /ServiceProviderConfig; using safe defaults."]
        lines = [
            f"PATCH: {yes_no(self.patch)}",
            f"ETags: {yes_no(self.etag)}",
            f"Filtering: {yes_no(self.filter)}"
            + (f" (up to {self.max_results} results)" if self.max_results else ""),
            f"Sorting: {yes_no(self.sort)}",
        ]
        if self.roles_attribute_type:
            lines.append(f"User.roles type in /Schemas: {self.roles_attribute_type}")
        if self.resource_types:
            lines.append(f"Resource types: {', '.join(self.resource_types)}")
        return lines


def _supported(config: dict[str, Any], key: str) -> bool | None:
    section = config.get(key)
    supported = section.get("supported") if isinstance(section, dict) else None
    return supported if isinstance(supported, bool) else None


def from_service_provider_config(config: Any, schemas: Any = None, resource_types: Any = None) -> Capabilities:
    if not isinstance(config, dict):
        return Capabilities()
    filter_section = config.get("filter")
    max_results = None
    if isinstance(filter_section, dict):
        value = filter_section.get("maxResults")
        if isinstance(value, int) and value > 0:
            max_results = value
    schemes = tuple(
        str(s.get("type") or s.get("name"))
        for s in config.get("authenticationSchemes") or []
        if isinstance(s, dict) and (s.get("type") or s.get("name"))
    )
    return Capabilities(
        discovered=True,
        patch=_supported(config, "patch"),
        etag=_supported(config, "etag"),
        filter=_supported(config, "filter"),
        max_results=max_results,
        sort=_supported(config, "sort"),
        bulk=_supported(config, "bulk"),
        auth_schemes=schemes,
        roles_attribute_type=_roles_type(schemas),
        schemas=_schema_ids(schemas),
        resource_types=tuple(
            str(r.get("endpoint")) for r in _schema_list(resource_types) if r.get("endpoint")
        ),
    )


def _schema_list(schemas: Any) -> list[dict[str, Any]]:
    if isinstance(schemas, dict):
        schemas = schemas.get("Resources")
    return [s for s in schemas or [] if isinstance(s, dict)]


def _schema_ids(schemas: Any) -> tuple[str, ...]:
    return tuple(str(s["id"]) for s in _schema_list(schemas) if "id" in s)


def _roles_type(schemas: Any) -> str | None:
    for schema in _schema_list(schemas):
        if schema.get("id") != "urn:ietf:params:scim:schemas:core:2.0:User":
            continue
        for attribute in schema.get("attributes") or []:
            if isinstance(attribute, dict) and str(attribute.get("name", "")).lower() == "roles":
                return str(attribute.get("type"))
    return None
