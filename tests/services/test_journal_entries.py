"""The journal entries the window writes have the CLI's shape (birdadmin/journal_entries.py), and the write a
planned role change sends takes ``before`` to exactly ``after`` (property-based, every strategy)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from birdadmin.domain.changes import Change
from birdadmin.journal_entries import change_entry, envelope
from birdadmin.scim.endpoint import ScimSettings
from birdadmin.scim.planned_roles import role_write, sends_directly
from birdadmin.scim.resources import RolesShape, RoleStrategy, parse_roles
from birdadmin.scim.role_values import role_key


def test_window_entries_carry_the_cli_fields_and_the_change() -> None:
    change = Change("group-members", "g1", "Sales", ("u2", "u1"), ("u3", "u1"), status="done", id="c1")
    entry = envelope(change_entry(change), time="2026-01-01T00:00:00Z", os_user="ada",
                     profile={"name": "prod", "id": "p1"}, requests=[{"method": "PATCH", "path": "/x", "status": 200}])
    assert entry["target"] == {"kind": "group", "id": "g1", "name": "Sales"}
    assert (entry["before"], entry["after"], entry["status"]) == (["u1", "u2"], ["u1", "u3"], "changed")
    assert (entry["via"], entry["change"]) == ("window", "c1")
    assert entry["requested"] == {"add": ["u3"], "remove": ["u2"]}
    assert set(entry) >= {"time", "osUser", "profile", "action", "requests"}
    conflict = Change("user-roles", "u1", "ada", ("a",), ("a", "b"), status="conflict", theirs=("c",),
                      reason="Someone else changed it.")
    entry = change_entry(conflict)
    assert (entry["status"], entry["now"], entry["reason"]) == ("conflict", ["c"], "Someone else changed it.")
    assert entry["action"] == "users roles set"  # `journal undo` reads window entries like the CLI's


def _applied(before: list[str], operations: list[dict[str, object]]) -> list[str]:
    """What a SCIM server holds after these PATCH operations on ``roles`` (the subset role writes use)."""
    held = list(before)
    for op in operations:
        if op["op"] == "replace":
            held = list(parse_roles(op["value"]))
        elif op["op"] == "add":
            held += [r for r in parse_roles(op["value"]) if r not in held]
        else:
            match = re.fullmatch(r'roles\[value eq "(.*)"\]', str(op["path"]))
            assert match is not None
            held = [r for r in held if r != match.group(1)]
    return held


ROLE = st.sampled_from(["a1", "b2", "c3", "d4", "0f0f0f0f-0000-4000-8000-000000000001"])


@given(before=st.lists(ROLE, unique=True), after=st.lists(ROLE, unique=True),
       strategy=st.sampled_from(list(RoleStrategy)), shape=st.sampled_from(list(RolesShape)))
def test_the_write_takes_before_to_after(before: list[str], after: list[str], strategy: RoleStrategy,
                                         shape: RolesShape) -> None:
    settings = ScimSettings(role_strategy=strategy, roles_shape=shape)
    method, body = role_write(settings, before, after, None, {"id": "u1", "meta": {}, "userName": "x"})
    if strategy is RoleStrategy.PUT:
        assert method == "PUT" and "meta" not in body and body["id"] == "u1"
        held = list(parse_roles(body["roles"]))
    else:
        assert method == "PATCH"
        held = _applied(before, body["Operations"])  # type: ignore[arg-type]
    assert {role_key(r) for r in held} == {role_key(r) for r in after}
    direct = sends_directly(settings, 'W/"1"', etag=True)
    assert direct == (strategy is RoleStrategy.ADD_REMOVE or (strategy is RoleStrategy.REPLACE
                                                              and shape is RolesShape.STRINGS))
    assert not sends_directly(settings, None, etag=True) and not sends_directly(settings, 'W/"1"', etag=False)
