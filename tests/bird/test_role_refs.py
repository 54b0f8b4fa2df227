"""Planning a team's roleRefs: workspace scoping of the roles not being changed is kept."""

from __future__ import annotations

from birdadmin.bird.models import RoleRef
from birdadmin.bird.role_refs import (
    describe_change,
    with_roles_added,
    with_roles_removed,
    with_roles_set,
)

A = "0b1c2d3e-0000-4000-8000-00000000000a"
B = "0b1c2d3e-0000-4000-8000-00000000000b"
C = "0b1c2d3e-0000-4000-8000-00000000000c"
CURRENT = (RoleRef(A, workspaces=("w1", "w2")), RoleRef(B, "organization", ("w3",)))


def test_adding_keeps_existing_refs_untouched_and_skips_present_roles() -> None:
    planned = with_roles_added(CURRENT, [C.upper(), A, C])
    assert planned == (*CURRENT, RoleRef(C))


def test_removing_one_role_keeps_the_other_roles_workspaces() -> None:
    assert with_roles_removed(CURRENT, [A.upper()]) == (RoleRef(B, "organization", ("w3",)),)
    assert with_roles_removed(CURRENT, [C]) == CURRENT


def test_setting_keeps_surviving_refs_and_appends_new_ones() -> None:
    assert with_roles_set(CURRENT, [C, B]) == (RoleRef(B, "organization", ("w3",)), RoleRef(C))
    assert with_roles_set(CURRENT, []) == ()


def test_describe_change() -> None:
    change = describe_change(CURRENT, with_roles_set(CURRENT, [C, B]))
    assert (change.added, change.removed, change.kept) == ((C,), (A,), (B,))
    assert describe_change(CURRENT, with_roles_added(CURRENT, [A])).is_empty
