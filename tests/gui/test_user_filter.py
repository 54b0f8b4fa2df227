"""The Users table's quick filter (qtmodels/user_filter.py) against a plain reading of its rule, property-based."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from birdadmin.qtmodels.roles import RoleContext
from birdadmin.qtmodels.user_filter import filter_rows
from birdadmin.scim.resources import User

GROUPS = {"g1": "Sales", "g2": "Support EMEA"}
ROLES = ["r-owner", "r-agent"]
words = st.sampled_from(["ada", "sales", "emea", "agent", "unknown", "x", "a"])


def _rule(term: str, user: User, hay: str, ctx: RoleContext) -> bool:
    """Plainly: in the haystack, or naming one of the user's roles, or one of the user's groups."""
    return (term in hay or any(term in ctx.role_name(r).casefold() for r in user.roles)
            or any(term in GROUPS[g].casefold() for g, _ in ctx.memberships.get(user.id, ())))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["ada lovelace", "grace", "alan"]),
                               st.lists(st.sampled_from(ROLES), unique=True),
                               st.lists(st.sampled_from(sorted(GROUPS)), unique=True)), max_size=12),
       terms=st.lists(words, max_size=3))
def test_filter_rows_keeps_exactly_the_rows_matching_every_term(
    rows: list[tuple[str, list[str], list[str]]], terms: list[str]
) -> None:
    users = [User(id=f"u{i}", user_name=name, roles=tuple(roles)) for i, (name, roles, _) in enumerate(rows)]
    hay = [name for name, _, _ in rows]
    ctx = RoleContext(memberships={f"u{i}": [(g, GROUPS[g]) for g in groups] for i, (_, _, groups) in
                                   enumerate(rows)}, group_names=GROUPS)
    positions = list(range(len(users)))[::-1]  # any order: the filter keeps it
    got = filter_rows(positions, terms, hay, users, ROLES, ctx)
    assert got == [i for i in positions if all(_rule(t, users[i], hay[i], ctx) for t in terms)]
