"""SCIM PATCH (RFC 7644 3.5.2) applied to a stored resource dict, in the dialects IdPs really send.

Pure: takes a resource and a PatchOp body, returns the patched copy or raises ScimError. Resource-level
rules (unique userName, members that must exist) are checked by the state afterwards on the result.
Dialects covered: Entra ID's capitalised ops, ``"False"`` strings and ``remove members`` with a value list;
Okta's member ``add`` without ``type``; value-filter paths such as ``members[value eq "id"]``,
``roles[value eq "uuid"]`` (a string array's items are their own ``value``) and ``emails[type eq "work"].value``.
"""

from __future__ import annotations

import copy
from typing import Any

from birdadmin.emulator.errors import ScimError, invalid_value
from birdadmin.emulator.filter_syntax import Compare, FilterError, Node, parse_path
from birdadmin.emulator.filters import compile_item_filter
from birdadmin.emulator.schema import (
    PATCH_URN,
    AttrDef,
    AttrRef,
    ResourceSchema,
    canonical_object,
    canonical_single,
    canonical_value,
)

MAX_OPERATIONS = 1000


def _get_ci(obj: dict[str, Any], key: str) -> Any:
    for k, v in obj.items():
        if k.lower() == key:
            return v
    return None


def patch_operations(body: Any) -> list[dict[str, Any]]:
    """The ``Operations`` list of a PatchOp body, checked for shape."""
    if not isinstance(body, dict):
        raise ScimError(400, "a PATCH body must be a JSON object", "invalidSyntax")
    schemas = _get_ci(body, "schemas")
    if schemas is not None and (not isinstance(schemas, list) or PATCH_URN not in schemas):
        raise ScimError(400, f"a PATCH body must declare the schema {PATCH_URN}", "invalidSyntax")
    ops = _get_ci(body, "operations")
    if not isinstance(ops, list) or not ops:
        raise ScimError(400, "a PATCH body needs a non-empty Operations list", "invalidSyntax")
    if len(ops) > MAX_OPERATIONS:
        raise ScimError(400, f"at most {MAX_OPERATIONS} operations per PATCH", "invalidValue")
    for op in ops:
        if not isinstance(op, dict):
            raise ScimError(400, "each PATCH operation must be a JSON object", "invalidSyntax")
    return ops


def apply_patch(
    resource: dict[str, Any], body: Any, schema: ResourceSchema, resource_id: str | None = None
) -> dict[str, Any]:
    """The resource after every operation, applied in order (all or nothing).

    ``resource_id`` lets a path-less ``replace`` repeat the resource's own ``id`` (Okta renames groups so).
    """
    ops = patch_operations(body)
    doc = copy.deepcopy(resource)
    for raw in ops:
        _Operation(doc, raw, schema, resource_id).apply()
    return doc


class _Operation:
    def __init__(
        self, doc: dict[str, Any], raw: dict[str, Any], schema: ResourceSchema, resource_id: str | None = None
    ) -> None:
        self.doc = doc
        self.schema = schema
        self.resource_id = resource_id
        op = _get_ci(raw, "op")
        if not isinstance(op, str) or op.lower() not in ("add", "replace", "remove"):
            raise ScimError(400, f"unknown PATCH op {op!r}; expected add, replace or remove", "invalidValue")
        self.op = op.lower()
        path = _get_ci(raw, "path")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, "a PATCH path must be a string", "invalidPath")
        self.path = path.strip() if isinstance(path, str) and path.strip() else None
        self.value = _get_ci(raw, "value")
        self.has_value = any(k.lower() == "value" for k in raw)

    def apply(self) -> None:
        if self.path is None:
            if self.op == "remove":
                raise ScimError(400, "a remove operation needs a path", "noTarget")
            if not isinstance(self.value, dict):
                raise invalid_value(f"a PATCH {self.op} without a path needs an object value")
            for key, item in self.value.items():
                if key.lower() == "id" and self.resource_id is not None and item == self.resource_id:
                    continue  # the id repeated unchanged changes nothing; another id is still a mutability error
                self.apply_to(self.resolve(key), None, None, item)
            return
        try:
            parsed = parse_path(self.path)
        except FilterError as exc:
            raise ScimError(400, f"invalid path '{self.path}': {exc}", "invalidPath") from None
        ref = self.resolve(parsed.attr)
        sub: AttrDef | None = None
        if parsed.sub is not None:
            if ref.attr is None or ref.sub is not None or ref.attr.type != "complex":
                raise ScimError(400, f"'{self.path}' does not name a sub-attribute", "invalidPath")
            sub = ref.attr.sub.get(parsed.sub.lower())
            if sub is None:
                raise ScimError(400, f"unknown attribute path '{self.path}'", "invalidPath")
            self.check_writable(sub)
        if self.op != "remove" and not self.has_value:
            raise invalid_value(f"a PATCH {self.op} needs a value")
        self.apply_to(ref, parsed.value_filter, sub, self.value)

    def resolve(self, path: str) -> AttrRef:
        ref = self.schema.resolve(path)
        if ref is None:
            raise ScimError(400, f"unknown attribute path '{path}'", "invalidPath")
        if ref.attr is not None:
            self.check_writable(ref.attr)
        if ref.sub is not None:
            self.check_writable(ref.sub)
        return ref

    def check_writable(self, attr: AttrDef) -> None:
        if not attr.writable:
            raise ScimError(400, f"{attr.name} is read-only", "mutability")

    def container(self, ext: str | None, create: bool) -> dict[str, Any] | None:
        if ext is None:
            return self.doc
        found = self.doc.get(ext)
        if found is None and create:
            found = self.doc[ext] = {}
        return found

    def apply_to(self, ref: AttrRef, value_filter: Node | None, sub: AttrDef | None, value: Any) -> None:
        if ref.attr is None:  # a bare extension URN: the value is the extension object
            self.apply_extension(ref, value)
            return
        if value_filter is not None:
            self.apply_filtered(ref, value_filter, sub, value)
        elif ref.sub is not None:
            self.apply_sub(ref, value)
        elif self.op == "remove":
            self.remove(ref, value)
        elif value is None:  # replace/add with null: the attribute becomes unassigned
            self.remove(ref, None)
        elif ref.attr.multi_valued:
            self.set_multi(ref, value)
        else:
            self.set_single(ref, value)
        self.tidy(ref.ext)

    def apply_extension(self, ref: AttrRef, value: Any) -> None:
        assert ref.ext is not None
        if self.op == "remove":
            self.doc.pop(ref.ext, None)
            return
        if not isinstance(value, dict):
            raise invalid_value(f"{ref.ext} needs an object value")
        for key, item in value.items():
            if key.lower() == "schemas":  # an extension object sometimes repeats its schema URN
                continue
            inner = self.schema.resolve(f"{ref.ext}:{key}")
            if inner is None or inner.attr is None:
                raise ScimError(400, f"unknown attribute path '{ref.ext}:{key}'", "invalidPath")
            self.check_writable(inner.attr)
            self.apply_to(inner, None, None, item)

    def remove(self, ref: AttrRef, value: Any) -> None:
        attr = ref.attr
        assert attr is not None
        box = self.container(ref.ext, create=False)
        if box is None or attr.name not in box:
            return
        if value is not None and attr.multi_valued:  # Entra: remove members with [{"value": id}]
            doomed = [canonical_single(attr, v) for v in (value if isinstance(value, list) else [value])]
            keys = {_identity(d) for d in doomed if d is not None}
            box[attr.name] = [item for item in box[attr.name] if _identity(item) not in keys]
            return
        del box[attr.name]

    def set_multi(self, ref: AttrRef, value: Any) -> None:
        attr = ref.attr
        assert attr is not None
        items = canonical_value(attr, value)
        box = self.container(ref.ext, create=True)
        assert box is not None
        if self.op == "replace":
            merged: list[Any] = []
        else:
            merged = list(box.get(attr.name) or [])
        known = {_identity(item) for item in merged}
        for item in items:
            key = _identity(item)
            if key in known:  # adding what is already there is a no-op (members, roles)
                continue
            known.add(key)
            merged.append(item)
        box[attr.name] = _one_primary(merged, items)

    def set_single(self, ref: AttrRef, value: Any) -> None:
        attr = ref.attr
        assert attr is not None
        box = self.container(ref.ext, create=True)
        assert box is not None
        canon = canonical_single(attr, value)
        if attr.type == "complex" and isinstance(box.get(attr.name), dict):
            box[attr.name] = {**box[attr.name], **canon}  # sub-attributes not given are left unchanged
        else:
            box[attr.name] = canon

    def apply_sub(self, ref: AttrRef, value: Any) -> None:
        """``name.givenName`` or ``emails.value`` (every item of a multi-valued attribute)."""
        attr, sub = ref.attr, ref.sub
        assert attr is not None and sub is not None
        box = self.container(ref.ext, create=self.op != "remove")
        if box is None:
            return
        if attr.multi_valued:
            for item in box.get(attr.name) or []:
                self.set_item_sub(item, sub, value)
            return
        current = box.get(attr.name)
        if self.op == "remove" or value is None:
            if isinstance(current, dict):
                current.pop(sub.name, None)
            return
        if not isinstance(current, dict):
            current = box[attr.name] = {}
        current[sub.name] = canonical_single(sub, value)

    def set_item_sub(self, item: Any, sub: AttrDef, value: Any) -> None:
        if not isinstance(item, dict):
            return
        if self.op == "remove" or value is None:
            item.pop(sub.name, None)
        else:
            item[sub.name] = canonical_single(sub, value)

    def apply_filtered(self, ref: AttrRef, node: Node, sub: AttrDef | None, value: Any) -> None:
        attr = ref.attr
        assert attr is not None
        if not attr.multi_valued or ref.sub is not None:
            raise ScimError(400, f"'{self.path}': only multi-valued attributes take a value filter", "invalidPath")
        try:
            matches = compile_item_filter(node, attr)
        except FilterError as exc:
            raise ScimError(400, f"invalid path '{self.path}': {exc}", "invalidPath") from None
        box = self.container(ref.ext, create=self.op != "remove")
        items: list[Any] = list(box.get(attr.name) or []) if box is not None else []
        hits = [i for i, item in enumerate(items) if matches(item)]
        if self.op == "remove":
            if box is None or not hits:
                return  # removing what is not there leaves nothing to do
            if sub is None:
                box[attr.name] = [item for i, item in enumerate(items) if i not in hits]
            else:
                for i in hits:
                    self.set_item_sub(items[i], sub, None)
            return
        assert box is not None
        if not hits:
            created = self.create_for_filter(attr, node, sub, value)
            if created is None:
                raise ScimError(400, f"no value matches '{self.path}'", "noTarget")
            items.append(created)
        elif sub is not None:
            for i in hits:
                self.set_item_sub(items[i], sub, value)
        else:
            replacement = canonical_single(attr, value[0] if isinstance(value, list) and value else value)
            for i in hits:
                if self.op == "add" and isinstance(items[i], dict) and isinstance(replacement, dict):
                    items[i] = {**items[i], **replacement}
                else:
                    items[i] = replacement
        box[attr.name] = _dedupe(items)

    def create_for_filter(self, attr: AttrDef, node: Node, sub: AttrDef | None, value: Any) -> Any:
        """Entra's ``add emails[type eq "work"].value``: a new item carrying the filter's own equality."""
        if sub is None or attr.type != "complex" or not isinstance(node, Compare) or node.op != "eq":
            return None
        key = attr.sub.get(node.path.lower())
        if key is None or not isinstance(node.value, (str, bool)):
            return None
        return canonical_object(attr.sub, {key.name: node.value, sub.name: value})

    def tidy(self, ext: str | None) -> None:
        if ext is not None and not self.doc.get(ext):
            self.doc.pop(ext, None)


def _identity(item: Any) -> Any:
    """What makes two values of a multi-valued attribute the same: ``value`` when there is one."""
    if isinstance(item, dict):
        if "value" in item:
            return ("value", item["value"])
        return ("object", tuple(sorted((k, repr(v)) for k, v in item.items())))
    return ("scalar", item)


def _dedupe(items: list[Any]) -> list[Any]:
    out, seen = [], set()
    for item in items:
        key = _identity(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _one_primary(merged: list[Any], added: list[Any]) -> list[Any]:
    """RFC 7643 2.4: at most one ``primary: true``; a newly added primary wins."""
    new_primary = next((i for i in added if isinstance(i, dict) and i.get("primary") is True), None)
    if new_primary is None or not any(item is new_primary for item in merged):
        return merged
    for item in merged:
        if isinstance(item, dict) and item is not new_primary and item.get("primary") is True:
            item["primary"] = False
    return merged
