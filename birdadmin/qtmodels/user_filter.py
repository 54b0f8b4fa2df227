"""The Users table's quick filter as plain functions over precomputed rows (no Qt), so it stays fast at 50,000.

Each term must be found in a row's lower-case haystack (user name, display name, email) or name one of the
row's roles or groups. Role and group names are matched through the few ids whose names contain the term, so
a catalogue arriving or a local rename never forces a rebuild of the haystacks (see ``qtmodels/users.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from birdadmin.qtmodels.roles import RoleContext
from birdadmin.scim.resources import User


def filter_rows(positions: list[int], terms: Sequence[str], hay: Sequence[str], users: Sequence[User],
                seen_roles: Iterable[str], context: RoleContext) -> list[int]:
    """The positions (in their order) whose row matches every term."""
    if not terms:
        return list(positions)
    out = positions
    for term in terms:
        test = _term_test(term, hay, users, seen_roles, context)
        if test is None:
            out = [i for i in out if term in hay[i]]
        else:
            out = [i for i in out if test(i)]
    return list(out)


def _term_test(term: str, hay: Sequence[str], users: Sequence[User], seen_roles: Iterable[str],
               ctx: RoleContext) -> Callable[[int], bool] | None:
    """A row test for a term that names roles or groups; None when it names none (haystack only)."""
    roles = {r for r in seen_roles if term in ctx.role_name(r).casefold()}
    groups = {gid for gid, name in ctx.group_names.items() if term in name.casefold()}
    if not roles and not groups:
        return None
    memberships = ctx.memberships

    def test(i: int) -> bool:
        if term in hay[i]:
            return True
        user = users[i]
        if roles and not roles.isdisjoint(user.roles):
            return True
        if groups:
            found = memberships.get(user.id)
            ids = [gid for gid, _ in found] if found is not None else [g.id for g in user.groups]
            return not groups.isdisjoint(ids)
        return False

    return test
