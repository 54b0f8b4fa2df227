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
    """What the server publishes; an answer that is not an object (a list, null) publishes nothing, and a field of
    the wrong type (a list for "filter", "yes" for "supported") is unknown, as if it were missing."""
    if not isinstance(config, dict):
        return Capabilities()
    filter_section = config.get("filter")
    max_results = None
    if isinstance(filter_section, dict):
        value = filter_section.get("maxResults")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            max_results = value
    schemes = tuple(
        scheme
        for s in _dicts(config.get("authenticationSchemes"))
        if isinstance(scheme := s.get("type") or s.get("name"), str) and scheme
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
            r["endpoint"] for r in _schema_list(resource_types) if isinstance(r.get("endpoint"), str) and r["endpoint"]
        ),
    )


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects in a JSON list; anything that is not a list (a number, null, an object) holds none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _schema_list(schemas: Any) -> list[dict[str, Any]]:
    if isinstance(schemas, dict):
        schemas = schemas.get("Resources")
    return _dicts(schemas)


def _schema_ids(schemas: Any) -> tuple[str, ...]:
    return tuple(s["id"] for s in _schema_list(schemas) if isinstance(s.get("id"), str))


def _roles_type(schemas: Any) -> str | None:
    for schema in _schema_list(schemas):
        if schema.get("id") != "urn:ietf:params:scim:schemas:core:2.0:User":
            continue
        for attribute in _dicts(schema.get("attributes")):
            name, kind = attribute.get("name"), attribute.get("type")
            if isinstance(name, str) and name.lower() == "roles":
                return kind if isinstance(kind, str) else None
    return None
