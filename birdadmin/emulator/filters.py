"""SCIM filters evaluated: a parsed filter (``filter_syntax``) compiled against a schema into a predicate.

Kept apart from the parser because this is where the schema's rules apply: attribute names resolve through the
resource schema (extensions, sub-attributes, the implicit ``value`` of a complex attribute), strings fold case
unless ``caseExact``, and values only compare with values of their own kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from birdadmin.emulator.filter_syntax import And, FilterError, Node, Not, Or, Present, ValuePath
from birdadmin.emulator.schema import AttrDef, ResourceSchema

Predicate = Callable[[Any], bool]
Getter = Callable[[Any], list[Any]]


class Scope:
    """Resolves attribute names to getters: a resource schema at the top, a complex attribute inside ``[]``."""

    def __init__(self, schema: ResourceSchema | None = None, parent: AttrDef | None = None):
        self.schema = schema
        self.parent = parent

    def getter(self, path: str) -> tuple[Getter, AttrDef] | None:
        if self.parent is not None:
            return _sub_getter(self.parent, path)
        assert self.schema is not None
        ref = self.schema.resolve(path)
        if ref is None or ref.attr is None:
            return None
        attr, sub, ext = ref.attr, ref.sub, ref.ext
        name, sub_name = attr.name, sub.name if sub else None

        def get(resource: Any) -> list[Any]:
            container = resource.get(ext) if ext else resource
            if not isinstance(container, dict):
                return []
            return _values(container.get(name), sub_name)

        return get, (sub or _implicit_value(attr))

    def sub_scope(self, path: str) -> tuple[Getter, Scope] | None:
        """For ``attr[...]``: a getter of the attribute's items and the scope to read them with."""
        assert self.schema is not None
        ref = self.schema.resolve(path)
        if ref is None or ref.attr is None or ref.sub is not None:
            return None
        attr, ext = ref.attr, ref.ext

        def items(resource: Any) -> list[Any]:
            container = resource.get(ext) if ext else resource
            if not isinstance(container, dict):
                return []
            value = container.get(attr.name)
            if value is None:
                return []
            return value if isinstance(value, list) else [value]

        return items, Scope(parent=attr)


def _implicit_value(attr: AttrDef) -> AttrDef:
    """``emails eq "x"`` on a complex attribute compares its ``value`` sub-attribute."""
    if attr.type == "complex":
        return attr.sub.get("value", attr)
    return attr


def _values(value: Any, sub: str | None) -> list[Any]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if sub is None:
        # a complex value compares through its "value" sub-attribute; without one it is only "present"
        return [item.get("value", item) if isinstance(item, dict) else item for item in items]
    out = []
    for item in items:
        if isinstance(item, dict):
            if sub in item:
                out.append(item[sub])
        elif sub == "value":  # a string array's items are their own value (Bird's roles)
            out.append(item)
    return out


def _sub_getter(parent: AttrDef, path: str) -> tuple[Getter, AttrDef] | None:
    lowered = path.lower()
    if "." in lowered or lowered.startswith("urn:"):
        return None
    if parent.type != "complex":
        if lowered != "value":
            return None
        return (lambda item: [] if item is None or isinstance(item, dict) else [item]), parent
    sub = parent.sub.get(lowered)
    if sub is None:
        return None
    name = sub.name
    return (lambda item: [item[name]] if isinstance(item, dict) and name in item else []), sub


def _compare_fn(op: str, expected: Any, attr: AttrDef) -> Callable[[Any], bool]:
    """A test for one value; strings fold case unless the attribute is caseExact."""
    fold = attr.type in ("string", "reference") and not attr.case_exact
    if attr.type == "boolean" and isinstance(expected, str):
        lowered = expected.strip().lower()
        if lowered in ("true", "false"):
            expected = lowered == "true"
    if isinstance(expected, bool) and op not in ("eq", "ne"):
        raise FilterError(f"operator '{op}' cannot compare a boolean")
    if expected is None and op not in ("eq", "ne"):
        raise FilterError(f"operator '{op}' cannot compare null")
    if op in ("co", "sw", "ew") and not isinstance(expected, str):
        raise FilterError(f"operator '{op}' needs a string value")
    if isinstance(expected, str) and fold:
        expected = expected.casefold()

    def norm(actual: Any) -> Any:
        return actual.casefold() if fold and isinstance(actual, str) else actual

    def same_kind(actual: Any) -> bool:
        if isinstance(expected, bool) or isinstance(actual, bool):
            return isinstance(expected, bool) and isinstance(actual, bool)
        if isinstance(expected, (int, float)):
            return isinstance(actual, (int, float))
        return isinstance(actual, str) and isinstance(expected, str)

    if op == "eq":
        return lambda a: same_kind(a) and norm(a) == expected
    if op == "ne":
        return lambda a: not (same_kind(a) and norm(a) == expected)
    if op == "co":
        return lambda a: isinstance(a, str) and expected in norm(a)
    if op == "sw":
        return lambda a: isinstance(a, str) and norm(a).startswith(expected)
    if op == "ew":
        return lambda a: isinstance(a, str) and norm(a).endswith(expected)
    order: Callable[[Any], bool] = {
        "gt": lambda a: a > expected,
        "ge": lambda a: a >= expected,
        "lt": lambda a: a < expected,
        "le": lambda a: a <= expected,
    }[op]
    return lambda a: same_kind(a) and order(norm(a))


def _compile(node: Node, scope: Scope, strict: bool) -> Predicate:
    if isinstance(node, And):
        left, right = _compile(node.left, scope, strict), _compile(node.right, scope, strict)
        return lambda r: left(r) and right(r)
    if isinstance(node, Or):
        left, right = _compile(node.left, scope, strict), _compile(node.right, scope, strict)
        return lambda r: left(r) or right(r)
    if isinstance(node, Not):
        inner = _compile(node.inner, scope, strict)
        return lambda r: not inner(r)
    if isinstance(node, ValuePath):
        if scope.parent is not None:
            raise FilterError(f"'{node.path}[...]' cannot be nested inside another value filter")
        found = scope.sub_scope(node.path)
        if found is None:
            return _unknown(node.path, strict)
        items, sub_scope = found
        inner = _compile(node.inner, sub_scope, strict)
        return lambda r: any(inner(item) for item in items(r))
    resolved = scope.getter(node.path)
    if resolved is None:
        return _unknown(node.path, strict)
    get, attr = resolved
    if isinstance(node, Present):
        return lambda r: any(v is not None and v != "" and v != [] and v != {} for v in get(r))
    if node.value is None:  # "attr eq null" means "not present"; "ne null" means present
        present = any
        if node.op == "eq":
            return lambda r: not present(v is not None for v in get(r))
        return lambda r: present(v is not None for v in get(r))
    test = _compare_fn(node.op, node.value, attr)
    if node.op == "ne":
        return lambda r: all(test(v) for v in get(r))
    return lambda r: any(test(v) for v in get(r))


def _unknown(path: str, strict: bool) -> Predicate:
    if strict:
        raise FilterError(f"unknown attribute '{path}'")
    return lambda r: False


def compile_filter(node: Node, schema: ResourceSchema, strict: bool = True) -> Predicate:
    """A predicate over stored resource dicts; with ``strict`` an unknown attribute is a FilterError."""
    return _compile(node, Scope(schema), strict)


def compile_item_filter(node: Node, attr: AttrDef) -> Predicate:
    """A predicate over the items of one multi-valued attribute (``members[value eq "..."]``)."""
    return _compile(node, Scope(parent=attr), True)
