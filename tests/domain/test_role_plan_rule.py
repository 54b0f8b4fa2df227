"""The role-change planner (domain.role_plan): what the CLI's dry run shows is what the client sends."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdadmin.domain.changes import Change, ChangeQueue, plan_user_roles
from birdadmin.domain.role_plan import RolePlan, RoleRequest
from birdadmin.errors import InputError
from birdadmin.scim.resources import User
from birdadmin.scim.role_values import plan_roles, role_key

UUIDS = [str(uuid.UUID(int=n * 0x1111_1111)) for n in range(1, 6)]


def spellings(role: str) -> st.SearchStrategy[str]:
    return st.sampled_from([role, role.upper()])


role = st.sampled_from(UUIDS).flatmap(spellings) | st.sampled_from(["Admin", "admin"])
roles = st.lists(role, max_size=6)


def keys(values) -> list[str]:
    return [role_key(v) for v in values]


@settings(database=None)  # nothing written into the working tree
@given(roles, roles)
def test_add_keeps_every_current_role_in_the_servers_spelling_and_appends_the_new_ones(current, add) -> None:
    planned = plan_roles(current, add=add)
    held = list(dict.fromkeys(keys(current)))
    assert keys(planned)[: len(held)] == held  # the current roles first, in their order
    assert all(r in current for r in planned[: len(held)])  # spelled as the server holds them
    assert set(keys(planned)) == set(keys(current)) | set(keys(add))
    assert len(planned) == len(set(keys(planned)))  # never a duplicate


@settings(database=None)  # nothing written into the working tree
@given(roles, roles)
def test_remove_drops_exactly_the_named_roles_whatever_their_case(current, remove) -> None:
    planned = plan_roles(current, remove=remove)
    assert set(keys(planned)) == set(keys(current)) - set(keys(remove))
    held = set(current)
    assert all(r in held for r in planned)  # what stays keeps the server's spelling


@settings(database=None)  # nothing written into the working tree
@given(roles, roles)
def test_set_gives_exactly_the_requested_roles_and_keeps_the_servers_spelling(current, wanted) -> None:
    planned = plan_roles(current, set_to=wanted)
    assert keys(planned) == list(dict.fromkeys(keys(wanted)))
    spelled = {role_key(r): r for r in current}
    assert all(r == spelled.get(role_key(r), r) for r in planned)


@settings(database=None)  # nothing written into the working tree
@given(roles, st.sampled_from(["add", "remove", "set"]), st.lists(st.sampled_from(UUIDS), min_size=1, max_size=3))
def test_a_request_plans_with_the_same_function_the_client_applies(current, action, wanted) -> None:
    request = RoleRequest(action, tuple(wanted))
    target = plan_roles(current, **request.change())
    if current and not target:  # taking every role needs --allow-empty (docs/bird.md, H1)
        with pytest.raises(InputError, match="would remove every role"):
            request.plan(current)
        request = RoleRequest(action, tuple(wanted), allow_empty=True)
    plan = request.plan(current)
    assert list(plan.after) == target
    assert set(keys(plan.added)).isdisjoint(keys(current))
    assert set(keys(plan.removed)).isdisjoint(keys(plan.after))
    assert plan.changed == (set(keys(plan.after)) != set(keys(current)))


def test_a_role_already_held_in_another_case_is_unchanged() -> None:
    held = UUIDS[0].upper()
    plan = RoleRequest("add", (UUIDS[0],)).plan([held])
    assert plan == RolePlan((held,), (held,)) and not plan.changed


@pytest.mark.parametrize(
    ("action", "given_roles", "allow_empty", "fragment"),
    [("add", (), False, "at least one role"), ("remove", (), False, "at least one role"),
     ("set", (), False, "--allow-empty"), ("frob", ("x",), False, "Unknown role action")],
)
def test_requests_that_would_do_nothing_or_empty_everything_are_refused(action, given_roles, allow_empty, fragment):
    with pytest.raises(InputError, match=fragment):
        RoleRequest(action, given_roles, allow_empty, "users roles", "of the user")


def test_set_to_nothing_is_allowed_when_asked_for() -> None:
    assert RoleRequest("set", (), allow_empty=True).plan(UUIDS[:2]) == RolePlan(tuple(UUIDS[:2]), ())


@settings(database=None)  # nothing written into the working tree
@given(roles, st.sampled_from(["add", "remove", "set"]), st.lists(st.sampled_from(UUIDS), min_size=1, max_size=3),
       roles)
def test_the_window_plans_what_the_cli_plans(current, action, wanted, queued) -> None:
    """The window's planner (domain.changes.plan_user_roles: the editor, bulk edits, the matrix) and the CLI's
    (RoleRequest.plan) give the same roles for the same request, also on top of a change already queued."""
    request = RoleRequest(action, tuple(wanted), allow_empty=True)
    user = User("u1", "ann@example.com", roles=tuple(current), version='W/"1"')
    window = plan_user_roles(None, [user], **request.change())[0]
    assert (window.before, window.after) == (request.plan(current).before, request.plan(current).after)
    queue = ChangeQueue([Change("user-roles", "u1", "ann@example.com", tuple(current), tuple(queued))])
    base = queued if queue.get(("user-roles", "u1")) is not None else current  # a queued no-op is dropped
    on_top = plan_user_roles(queue, [user], **request.change())[0]
    assert on_top.before == tuple(current) and on_top.after == request.plan(base).after
