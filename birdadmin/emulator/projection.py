"""SCIM projection (RFC 7644 3.4.2.5): ``attributes`` keeps only the named attributes, ``excludedAttributes``
drops them, down to sub-attributes and extension schemas.

Shared by every handler that returns resources (one, created, listed, searched), so it is one function they call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from birdadmin.emulator.errors import ScimError
from birdadmin.emulator.schema import ENTERPRISE_URN, ResourceSchema

Projection = Callable[[dict[str, Any]], dict[str, Any]]


def _names(raw: Any) -> list[str]:
    """Attribute names from a comma-separated query value or a search body's list; anything else is a 400."""
    if raw is None:
        return []
    if isinstance(raw, str):
        parts = raw.split(",")
    elif isinstance(raw, list):
        parts = [p for p in raw if isinstance(p, str)]
    else:
        raise ScimError(400, "attributes and excludedAttributes must be attribute names", "invalidValue")
    return [p.strip() for p in parts if p.strip()]


def projection(schema: ResourceSchema, attributes: Any, excluded: Any) -> Projection | None:
    """``attributes`` keeps only the named attributes (plus schemas and id); ``excludedAttributes`` drops them."""
    wanted = [r for r in (schema.resolve(n) for n in _names(attributes)) if r is not None]
    dropped = [r for r in (schema.resolve(n) for n in _names(excluded)) if r is not None]
    if wanted:
        return lambda doc: _keep(doc, wanted)
    if dropped:
        return lambda doc: _drop(doc, dropped)
    return None


def _keep(doc: dict[str, Any], refs: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"schemas": doc["schemas"], "id": doc["id"]}
    for ref in refs:
        source = doc.get(ref.ext) if ref.ext else doc
        if not isinstance(source, dict):
            continue
        target = out.setdefault(ref.ext, {}) if ref.ext else out
        if ref.attr is None:
            out[ref.ext] = source
            continue
        name = ref.attr.name
        if name not in source:
            continue
        value = source[name]
        if ref.sub is None:
            target[name] = value
            continue
        sub = ref.sub.name
        if isinstance(value, list):
            stored = target.get(name)
            merged = stored if isinstance(stored, list) else [{} for _ in value]
            for item, slot in zip(value, merged, strict=False):  # a shorter stored list: the rest is left alone
                if isinstance(item, dict) and sub in item and isinstance(slot, dict):
                    slot[sub] = item[sub]
            target[name] = merged
        elif isinstance(value, dict) and sub in value:
            existing = target.get(name)
            box = existing if isinstance(existing, dict) else {}
            box[sub] = value[sub]
            target[name] = box
    if ENTERPRISE_URN in out and not out[ENTERPRISE_URN]:
        del out[ENTERPRISE_URN]
    return out


def _drop(doc: dict[str, Any], refs: list[Any]) -> dict[str, Any]:
    out = dict(doc)
    for ref in refs:
        if ref.attr is None:
            out.pop(ref.ext, None)
            continue
        if ref.attr.name in ("id",):
            continue
        box = out.get(ref.ext) if ref.ext else out
        if not isinstance(box, dict):
            continue
        if ref.ext:
            box = out[ref.ext] = dict(box)
        if ref.sub is None:
            box.pop(ref.attr.name, None)
            continue
        value = box.get(ref.attr.name)
        sub = ref.sub.name
        if isinstance(value, list):
            box[ref.attr.name] = [{k: v for k, v in i.items() if k != sub} if isinstance(i, dict) else i for i in value]
        elif isinstance(value, dict):
            box[ref.attr.name] = {k: v for k, v in value.items() if k != sub}
    return out
