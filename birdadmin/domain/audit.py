"""Who has which role and why, the users x roles and groups x roles matrices: pure Python, no I/O.

Everything is read from one index built once per :class:`OrgState` (kept while the state lives): the rows sorted
by name, and per role column one ``bytearray`` of cell flags, so 100,000 users x 50 roles is 5 MB of bytes rather
than millions of Python objects, a cell is one index, and "who holds role R" is a C-speed scan of one column.
Roles through groups come from ``GroupState.role_ids``; a group whose roles are unknown (``None``, no Accounts
API: docs/bird.md, H2) gives none here, and the findings say so rather than claim a user has no roles. The findings
are read from this index by ``domain/audit_findings.py``, which imports this module (never the other way).

Access keys (``OrgState.keys``) are principals too: they hold roles directly (never through a group), come after the
users in "who has role R" (``HolderRow.kind`` "key") and as rows of the users matrix (``Matrix.row_kinds``), and
their findings come from ``domain/key_findings.py`` (through ``domain/audit_findings.py``). A key whose roles the
server did not say (``role_ids`` None) holds none here.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress
from typing import Literal

from birdadmin.domain.org_state import KeyPrincipal, OrgState
from birdadmin.scim.resources import User

DIRECT, INHERITED = 1, 2  # cell flags (a group row: DIRECT means the group gives the role)
PrincipalKind = Literal["user", "key"]


@dataclass(frozen=True, slots=True)
class HolderRow:
    """One holder of a role and every source of it (an auditor's "why").

    For an access key (``kind`` "key") ``key`` is the key and ``user`` stands in for it (its id and name, active),
    so code written for users keeps working; such a row is always "direct".
    """

    user: User
    direct: bool
    groups: tuple[tuple[str, str], ...]  # (group id, group name) giving the role
    kind: PrincipalKind = "user"
    key: KeyPrincipal | None = None

    def __getattr__(self, name: str) -> object:
        """``kind`` and ``key`` of a user row built by ``_Index.holders``, which leaves them unset (setting them
        doubled the time of who_has at 50,000 holders): an unset slot falls back here."""
        if name == "kind":
            return "user"
        if name == "key":
            return None
        raise AttributeError(name)

    @property
    def sources(self) -> tuple[str, ...]:
        """ "direct" first, then the names of the groups giving the role."""
        return (("direct",) if self.direct else ()) + tuple(name for _, name in self.groups)

    @property
    def several(self) -> bool:
        return int(self.direct) + len(self.groups) > 1


class _Index:
    """Rows, columns and flag columns of one OrgState (built once; see the module docstring)."""

    def __init__(self, state: OrgState) -> None:
        self.users = sorted(state.users, key=lambda u: u.user_name.casefold())  # stable: ties keep listing order
        self.row_of = {u.id: i for i, u in enumerate(self.users)}
        self.group_order = state.groups  # the order sources are named in (as OrgState.memberships gives them)
        self.groups = sorted(state.groups, key=lambda g: g.name.casefold())
        self.group_roles = {
            g.id: tuple(dict.fromkeys(r.lower() for r in g.role_ids)) for g in state.groups if g.role_ids is not None
        }
        self.unknown_groups = frozenset(g.id for g in state.groups if g.role_ids is None)
        # Without the Accounts API nobody knows any group's roles (docs/bird.md, H2): say so even for users in no group.
        self.groups_unknown_everywhere = not state.group_roles_known
        self.keys = sorted(state.keys, key=lambda k: (k.name.casefold(), k.id))
        self.key_roles = [frozenset(r.lower() for r in k.role_ids or ()) for k in self.keys]
        catalogue = state.catalogue
        named = [info.id for info in catalogue.roles() if catalogue.is_known(info.id)]
        learned = [info.id for info in catalogue.roles() if not catalogue.is_known(info.id)]
        self.col_of: dict[str, int] = {rid: c for c, rid in enumerate(named)}
        self.n_named = len(named)
        cells = self._user_cells(learned)
        # Columns: named roles by name, then unknown UUIDs by UUID (cells were built in order of discovery).
        order = list(range(self.n_named)) + sorted(range(self.n_named, len(cells)), key=self._role_at)
        self.role_ids = tuple(self._role_at(c) for c in order)
        self.user_cells = tuple(cells[c] for c in order)
        self.col_of = {rid: c for c, rid in enumerate(self.role_ids)}
        self.role_names = {rid: catalogue.name_for(rid) for rid in self.role_ids}
        self.group_cells = self._group_cells()
        self.key_cells = self._key_cells()
        self._giving: dict[str, dict[int, tuple[tuple[str, str], ...]]] | None = None
        self._holders: dict[str, list[HolderRow]] = {}

    def _role_at(self, col: int) -> str:
        return self._ids[col]

    def _column(self, role: str, cells: list[bytearray]) -> bytearray:
        """The cells of ``role`` (lower case), a new column when the role was not seen before."""
        col = self.col_of.get(role)
        if col is None:
            col = self.col_of[role] = len(cells)
            cells.append(bytearray(len(self.users)))
        return cells[col]

    def _user_cells(self, learned: list[str]) -> list[bytearray]:
        n = len(self.users)
        cells = [bytearray(n) for _ in range(self.n_named)]
        for role in learned:
            self._column(role, cells)
        col_of = self.col_of
        for i, user in enumerate(self.users):
            for role in user.roles:
                col = col_of.get(role)
                if col is None:
                    cells_of = self._column(role.lower(), cells)
                else:
                    cells_of = cells[col]
                cells_of[i] = DIRECT
        row_of = self.row_of
        for group in self.group_order:
            roles = self.group_roles.get(group.id)
            if not roles:
                continue
            columns = [self._column(r, cells) for r in roles]
            for member in group.member_ids:
                row = row_of.get(member)
                if row is None:  # a member not in the listing (another page, or not a user)
                    continue
                for column in columns:
                    column[row] |= INHERITED
        for roles_of_key in self.key_roles:  # a role only keys hold still gets a column
            for role in roles_of_key:
                self._column(role, cells)
        ids = [""] * len(cells)
        for rid, col in self.col_of.items():
            ids[col] = rid
        self._ids = ids
        return cells

    def _group_cells(self) -> tuple[bytearray, ...]:
        cells = tuple(bytearray(len(self.groups)) for _ in self.role_ids)
        for i, group in enumerate(self.groups):
            for role in self.group_roles.get(group.id, ()):
                cells[self.col_of[role]][i] = DIRECT
        return cells

    def _key_cells(self) -> tuple[bytearray, ...]:
        cells = tuple(bytearray(len(self.keys)) for _ in self.role_ids)
        for i, roles in enumerate(self.key_roles):
            for role in roles:
                cells[self.col_of[role]][i] = DIRECT
        return cells

    def key_holders(self, role_id: str) -> list[HolderRow]:
        """The access keys holding ``role_id`` (lower case), by name: always directly."""
        return [HolderRow(_key_user(key), True, (), "key", key)
                for key, roles in zip(self.keys, self.key_roles, strict=True) if role_id in roles]


    def giving(self, role_id: str) -> dict[int, tuple[tuple[str, str], ...]]:
        """row -> the (group id, group name) pairs giving ``role_id`` to that user, in group order.

        Built for every role in one pass over the groups, on first use.
        """
        if self._giving is None:
            lists: dict[str, dict[int, list[tuple[str, str]]]] = {rid: {} for rid in self.role_ids}
            row_of = self.row_of
            for group in self.group_order:
                roles = self.group_roles.get(group.id)
                if not roles:
                    continue
                pair = (group.id, group.name)
                targets = [lists[r] for r in roles]
                for member in group.member_ids:
                    row = row_of.get(member)
                    if row is not None:
                        for target in targets:
                            found = target.get(row)
                            if found is None:
                                target[row] = [pair]
                            else:
                                found.append(pair)
            self._giving = {rid: {row: tuple(p) for row, p in rows.items()} for rid, rows in lists.items()}
        return self._giving.get(role_id, {})

    def holders(self, role_id: str) -> list[HolderRow]:
        """Every holder of ``role_id`` (lower case) by row order, i.e. by userName (cached)."""
        found = self._holders.get(role_id)
        if found is not None:
            return found
        col = self.col_of.get(role_id)
        if col is None:
            return self.key_holders(role_id)
        cells, users, giving = self.user_cells[col], self.users, self.giving(role_id)
        new, set_user, set_direct, set_groups = object.__new__, _SET_USER, _SET_DIRECT, _SET_GROUPS
        is_direct = (False, True, False, True)
        out: list[HolderRow] = []
        for i in compress(range(len(cells)), cells):  # the rows holding it, found at C speed
            row = new(HolderRow)  # the slots set directly: 3x faster than the frozen __init__ at 300,000 rows
            set_user(row, users[i])
            set_direct(row, is_direct[cells[i]])
            set_groups(row, giving.get(i, ()))
            out.append(row)
        if self.keys:
            out.extend(self.key_holders(role_id))
        self._holders[role_id] = out
        return out


_SET_USER = HolderRow.__dict__["user"].__set__  # the slot descriptors
_SET_DIRECT = HolderRow.__dict__["direct"].__set__
_SET_GROUPS = HolderRow.__dict__["groups"].__set__


def _key_user(key: KeyPrincipal) -> User:
    """A stand-in user for a key in a ``HolderRow`` (id and name of the key; a key that exists works: active)."""
    return User(key.id, key.name, key.name, True, tuple(key.role_ids or ()))


def key_holder_rows(keys: Iterable[KeyPrincipal], role_id: str) -> list[HolderRow]:
    """The keys holding ``role_id`` (any case) as ``who_has`` lists them after the users, without an index."""
    wanted = role_id.strip().lower()
    return [HolderRow(_key_user(k), True, (), "key", k) for k in sorted(keys, key=lambda k: (k.name.casefold(), k.id))
            if wanted in {r.lower() for r in k.role_ids or ()}]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection while hundreds of thousands of acyclic tuples and rows are made: each collection would
    walk the whole organization again (measured: 2-3x the time at 100,000 users). Reference counting still frees."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_CACHE: dict[int, tuple[weakref.ref[OrgState], _Index]] = {}
_LOCK = threading.Lock()


def index_of(state: OrgState) -> _Index:
    """The state's index, built on first use and dropped when the state is (states are treated as immutable);
    the findings (domain/audit_findings.py) read the same one."""
    key = id(state)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0]() is state:
        return hit[1]
    with gc_paused():
        built = _Index(state)
    with _LOCK:
        _CACHE[key] = (weakref.ref(state), built)
    weakref.finalize(state, _CACHE.pop, key, None)
    return built


def who_has(state: OrgState, role_id: str) -> list[HolderRow]:
    """Every holder of ``role_id`` with every source: users sorted by userName (casefold), then access keys by
    name (``kind`` "key")."""
    index = index_of(state)
    with gc_paused():
        return list(index.holders(role_id.strip().lower()))


@dataclass(frozen=True)
class Matrix:
    """Rows x role columns of cell flags; ``flags`` and ``sources`` are O(1) and O(groups of the row)."""

    kind: Literal["users", "groups"]
    role_ids: tuple[str, ...]  # columns: catalogue roles by name, then unknown UUIDs
    row_ids: tuple[str, ...]  # user ids or group ids, sorted by name
    row_names: tuple[str, ...]
    counts: dict[str, int]  # role id -> rows holding it by any source
    _cells: tuple[bytearray, ...] = field(repr=False, compare=False, default=())
    _index: _Index | None = field(repr=False, compare=False, default=None)
    row_kinds: tuple[PrincipalKind, ...] = ()  # per row, "user" or "key" (empty: every row is a user or a group)

    def row_kind(self, row: int) -> str:
        """ "user", "key" or "group"."""
        if self.row_kinds:
            return self.row_kinds[row]
        return "group" if self.kind == "groups" else "user"

    def flags(self, row: int, col: int) -> int:
        """0, DIRECT, INHERITED or DIRECT|INHERITED."""
        return self._cells[col][row]

    def sources(self, row: int, col: int) -> tuple[str, ...]:
        """ "direct" and the names of the groups giving the role (for tooltips)."""
        flags = self._cells[col][row]
        direct = ("direct",) if flags & DIRECT else ()
        if not flags & INHERITED or self._index is None:
            return direct
        return direct + tuple(name for _, name in self._index.giving(self.role_ids[col]).get(row, ()))

    def column(self, role_id: str) -> int | None:
        """The column of ``role_id`` (any case), or None."""
        try:
            return self.role_ids.index(role_id.lower())
        except ValueError:
            return None


def _counts(role_ids: tuple[str, ...], cells: tuple[bytearray, ...]) -> dict[str, int]:
    return {rid: len(column) - column.count(0) for rid, column in zip(role_ids, cells, strict=True)}


def user_matrix(state: OrgState) -> Matrix:
    """Users, then access keys (``row_kinds``), x roles."""
    index = index_of(state)
    ids, names = [u.id for u in index.users], [u.user_name for u in index.users]
    user_kind: PrincipalKind = "user"
    key_kind: PrincipalKind = "key"
    kinds = (user_kind,) * len(ids)
    cells = index.user_cells
    if index.keys:
        ids += [k.id for k in index.keys]
        names += [k.name for k in index.keys]
        kinds += (key_kind,) * len(index.keys)
        cells = tuple(u + k for u, k in zip(index.user_cells, index.key_cells, strict=True))
    return Matrix(
        "users", index.role_ids, tuple(ids), tuple(names), _counts(index.role_ids, cells), cells, index,
        row_kinds=kinds,
    )


def group_matrix(state: OrgState) -> Matrix:
    index = index_of(state)
    return Matrix(
        "groups", index.role_ids, tuple(g.id for g in index.groups), tuple(g.name for g in index.groups),
        _counts(index.role_ids, index.group_cells), index.group_cells, None,
    )
