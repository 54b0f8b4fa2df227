"""The organization model's scope and counts (Qt-free)."""

from __future__ import annotations

from datetime import datetime

from birdadmin.domain.organization import LoadState, OrgUsers, Scope, direct_counts, groups_carrying
from birdadmin.scim.resources import User

A, B = "7498db5e-e0bb-54b8-a970-494292e242c3", "0d63183e-9b7f-5c8b-94c8-4c94f8c6f5b4"


def test_direct_counts_count_each_user_once_per_role_case_insensitively() -> None:
    users = [User("u1", "a", "", True, (A, A.upper())), User("u2", "b", "", True, (A, B)),
             User("u3", "c", "", True, ())]
    assert direct_counts(users) == {A: 2, B: 1}
    assert groups_carrying({"g1": (A, B), "g2": (A.upper(),)}) == {A: 2, B: 1}


def test_org_users_replace_in_place_and_refuse_strangers() -> None:
    org = OrgUsers([User("u1", "a", "", True, ()), User("u2", "b", "", True, ())])
    fresh = User("u1", "a", "", True, (A,), version='W/"2"')
    assert org.replace(fresh) and org.get("u1") is fresh and [u.id for u in org] == ["u1", "u2"]
    assert not org.replace(User("u9", "z", "", True, ()))
    assert len(org) == 2


def test_scope_is_complete_only_when_everything_arrived_and_is_current() -> None:
    done = Scope(LoadState.COMPLETE, 10, 10, completed_at=datetime(2026, 1, 1))
    assert done.complete and not done.partial
    assert not Scope(LoadState.COMPLETE, 10, 10, groups_loading=True).complete
    assert Scope(LoadState.COMPLETE, 10, 10, groups_loading=True).partial
    stale = Scope(LoadState.COMPLETE, 10, 10, stale_reason="the server is not reachable")
    assert not stale.complete and not stale.partial  # a complete load, but not a current one
    for state in (LoadState.LOADING, LoadState.CANCELLED, LoadState.FAILED):
        assert Scope(state, 3, 10).partial and not Scope(state, 3, 10).complete
