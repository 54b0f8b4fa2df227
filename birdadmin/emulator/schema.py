"""Attribute definitions read from the Bird-style schema document, and the rules that follow from them.

The emulator stores resources as plain JSON dicts with canonical attribute names. Everything that depends on
an attribute's definition (case-insensitive names, caseExact comparison, mutability, multi-valued or not,
boolean strings from Entra ID, Bird's ``roles`` string array also accepted in RFC complex form) is decided
here, once, so filters, PATCH and validation agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from birdadmin.emulator.errors import invalid_value

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE_URN = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SPC_URN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass(frozen=True)
class AttrDef:
    """One attribute or sub-attribute as the schema defines it."""

    name: str
    type: str
    multi_valued: bool = False
    mutability: str = "readWrite"
    case_exact: bool = False
    sub: dict[str, AttrDef] = field(default_factory=dict)  # lower-cased name -> definition

    @property
    def writable(self) -> bool:
        return self.mutability != "readOnly"


def _attr_from_json(raw: dict[str, Any]) -> AttrDef:
    subs = {s["name"].lower(): _attr_from_json(s) for s in raw.get("subAttributes", [])}
    return AttrDef(
        name=raw["name"],
        type=raw.get("type", "string"),
        multi_valued=bool(raw.get("multiValued", False)),
        mutability=raw.get("mutability", "readWrite"),
        case_exact=bool(raw.get("caseExact", False)),
        sub=subs,
    )


_META = AttrDef(
    "meta",
    "complex",
    mutability="readOnly",
    sub={
        n.lower(): AttrDef(n, t, mutability="readOnly", case_exact=ce)
        for n, t, ce in (
            ("resourceType", "string", True),
            ("created", "dateTime", False),
            ("lastModified", "dateTime", False),
            ("location", "reference", True),
            ("version", "string", True),
        )
    },
)
COMMON_ATTRS: dict[str, AttrDef] = {
    "id": AttrDef("id", "string", mutability="readOnly", case_exact=True),
    "externalid": AttrDef("externalId", "string", case_exact=True),
    "meta": _META,
}


@dataclass(frozen=True)
class AttrRef:
    """A resolved attribute path: ``ext`` is an extension URN (None for core), ``attr`` None for a bare URN."""

    ext: str | None
    attr: AttrDef | None
    sub: AttrDef | None = None


class ResourceSchema:
    """The attributes of one resource type (core schema, common attributes and extensions)."""

    def __init__(self, name: str, endpoint: str, core: dict[str, Any], extensions: list[dict[str, Any]]):
        self.name = name
        self.endpoint = endpoint
        self.urn: str = core["id"]
        self.description: str = core.get("description", name)
        self.attrs: dict[str, AttrDef] = dict(COMMON_ATTRS)
        for raw in core["attributes"]:
            self.attrs[raw["name"].lower()] = _attr_from_json(raw)
        self.extensions: dict[str, dict[str, AttrDef]] = {}
        self.ext_names: dict[str, str] = {}  # lower urn -> urn
        for ext in extensions:
            self.extensions[ext["id"]] = {a["name"].lower(): _attr_from_json(a) for a in ext["attributes"]}
            self.ext_names[ext["id"].lower()] = ext["id"]

    def resolve(self, path: str) -> AttrRef | None:
        """``userName``, ``name.givenName``, ``urn:...:User:userName``, ``urn:...:enterprise:2.0:User``."""
        lowered = path.lower()
        ext: str | None = None
        table = self.attrs
        if lowered.startswith("urn:"):
            if lowered in self.ext_names:
                return AttrRef(self.ext_names[lowered], None)
            for lower_urn, urn in self.ext_names.items():
                if lowered.startswith(lower_urn + ":"):
                    ext, table, lowered = urn, self.extensions[urn], lowered[len(lower_urn) + 1 :]
                    break
            else:
                core = self.urn.lower() + ":"
                if not lowered.startswith(core):
                    return None
                lowered = lowered[len(core) :]
        head, _, tail = lowered.partition(".")
        attr = table.get(head)
        if attr is None:
            return None
        if not tail:
            return AttrRef(ext, attr)
        if tail == "value" and attr.type != "complex" and attr.multi_valued:
            return AttrRef(ext, attr)  # a string array's items are their own value (roles.value)
        sub = attr.sub.get(tail)
        if sub is None:
            return None
        return AttrRef(ext, attr, sub)

    # -- canonical input -------------------------------------------------------------------------------

    def canonical_resource(self, data: dict[str, Any]) -> dict[str, Any]:
        """Input JSON with canonical names; read-only and unknown attributes are dropped, as servers do."""
        out: dict[str, Any] = {}
        for key, value in data.items():
            lowered = key.lower()
            if lowered in ("schemas", "id", "meta"):
                continue
            if lowered in self.ext_names:
                urn = self.ext_names[lowered]
                if value is None:
                    continue
                if not isinstance(value, dict):
                    raise invalid_value(f"{urn} must be an object")
                ext_value = canonical_object(self.extensions[urn], value)
                if ext_value:
                    out[urn] = ext_value
                continue
            ref = self.resolve(key)
            if ref is None or ref.attr is None or ref.sub is not None:
                continue
            if not ref.attr.writable:
                continue
            canon = canonical_value(ref.attr, value)
            if canon is None:
                continue
            if ref.ext:
                out.setdefault(ref.ext, {})[ref.attr.name] = canon
            else:
                out[ref.attr.name] = canon
        return out


def canonical_object(table: dict[str, AttrDef], value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        attr = table.get(key.lower())
        if attr is None or not attr.writable:
            continue
        canon = canonical_value(attr, item)
        if canon is not None:
            out[attr.name] = canon
    return out


def canonical_value(attr: AttrDef, value: Any) -> Any:
    """One attribute's value in stored form; raises invalidValue when it cannot be read as its type."""
    if value is None:
        return None
    if attr.multi_valued:
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            canon = canonical_single(attr, item)
            if canon is not None and canon not in out:
                out.append(canon)
        return out
    return canonical_single(attr, value)


def canonical_single(attr: AttrDef, value: Any) -> Any:
    if value is None:
        return None
    kind = attr.type
    if kind == "complex":
        if not isinstance(value, dict):
            raise invalid_value(f"{attr.name} must be an object")
        return canonical_object(attr.sub, value)
    if kind == "boolean":
        return coerce_bool(attr.name, value)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid_value(f"{attr.name} must be an integer")
        return value
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid_value(f"{attr.name} must be a number")
        return value
    if isinstance(value, dict) and attr.multi_valued and "value" in {k.lower() for k in value}:
        # RFC 7643 complex form of a string array (e.g. roles: [{"value": "..."}]); stored as plain strings.
        value = next(v for k, v in value.items() if k.lower() == "value")
    if not isinstance(value, str):
        raise invalid_value(f"{attr.name} must be a string")
    return value


def coerce_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise invalid_value(f"{name} must be true or false")


@lru_cache(maxsize=1)
def schema_documents() -> tuple[dict[str, Any], ...]:
    """The raw schema documents shipped beside this module (Bird's roles as a core string array)."""
    text = resources.files("birdadmin.emulator").joinpath("schemas.json").read_text(encoding="utf-8")
    return tuple(json.loads(text))


@lru_cache(maxsize=1)
def resource_schemas() -> tuple[ResourceSchema, ResourceSchema]:
    docs = {d["id"]: d for d in schema_documents()}
    user = ResourceSchema("User", "/Users", docs[USER_URN], [docs[ENTERPRISE_URN]])
    group = ResourceSchema("Group", "/Groups", docs[GROUP_URN], [])
    return user, group


def user_schema() -> ResourceSchema:
    return resource_schemas()[0]


def group_schema() -> ResourceSchema:
    return resource_schemas()[1]


