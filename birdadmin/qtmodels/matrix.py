"""The role matrix: its data built on a worker, its filters, and the Qt table model the page shows.

``build`` turns one OrgState into what the page shows for one kind (users x roles or groups x roles): the
contract's compact :class:`~birdadmin.domain.audit.Matrix` plus a flag plane per column (one byte per row, read
once through ``Matrix.flags``), the rows' active state and the groups' members. ``visible`` filters with byte
operations and one pass over the row numbers, fast enough for the GUI thread at 100,000 rows.

The model's ``data()`` answers through two lists of row and column numbers, so 100,000 rows cost two integer
lists, not an object per cell. A cell is told apart without colour: "●" held directly, "○" through a group,
"●○" both (docs/bird.md, H2: two sources), with a tinted background as a second cue, the sources in the tooltip
and in words for screen readers. Planned changes (``qtmodels/matrix_plans.py``) are laid over the cells they would
add or remove: ``PaintRole`` carries the flags and the planned bits in one int for the delegate, and the tooltip
says "planned: add (not sent)"; what is shown (``DisplayRole``) and exported stays what the server holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from typing import Any, Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from birdadmin.domain.audit import DIRECT, INHERITED, Matrix, group_matrix, user_matrix
from birdadmin.domain.org_state import OrgState
from birdadmin.qtmodels.matrix_plans import NONE, PlannedCells
from birdadmin.qtmodels.roles import IdRole
from birdadmin.scim.resources import User

Kind = Literal["users", "groups"]
Active = Literal["all", "active", "inactive"]
Source = Literal["any", "direct", "inherited"]

_INVERT = bytes(0 if value else 1 for value in range(256))
_BIT_TABLES = {
    bit: bytes(1 if value & bit else 0 for value in range(256)) for bit in (DIRECT, INHERITED)
}


@dataclass(frozen=True)
class MatrixData:
    """One kind's matrix with what its filters need; ``planes[c][r]`` is ``matrix.flags(r, c)``."""

    matrix: Matrix
    role_names: tuple[str, ...]
    planes: tuple[bytes, ...]
    active: bytes  # one byte per row: 1 active, 0 inactive (groups are all active)
    users: dict[str, User]  # row id -> user, for planning (users kind only)
    groups: tuple[tuple[str, str], ...]  # (group id, name) by name, for the group filter
    members: dict[str, frozenset[str]]  # group id -> member user ids
    complete: bool
    group_roles_known: bool
    row_at: dict[str, int] = field(repr=False)

    @property
    def kind(self) -> Kind:
        return self.matrix.kind

    def row_count(self) -> int:
        return len(self.matrix.row_ids)


@dataclass(frozen=True, slots=True)
class MatrixFilter:
    """What the page shows: role columns (None: all), members of one group, active state, source."""

    roles: frozenset[str] | None = None
    group_id: str | None = None
    active: Active = "all"
    source: Source = "any"


def _planes(matrix: Matrix) -> tuple[bytes, ...]:
    """Each column's flags as bytes, read through the contract's ``flags`` (``map`` keeps the loop in C)."""
    rows = len(matrix.row_ids)
    flags = matrix.flags
    return tuple(bytes(map(flags, range(rows), repeat(col, rows))) for col in range(len(matrix.role_ids)))


def build(state: OrgState, kind: Kind) -> MatrixData:
    """One kind's matrix and filter data (seconds at 100,000 users: run it on a worker)."""
    matrix = user_matrix(state) if kind == "users" else group_matrix(state)
    names = tuple(state.catalogue.name_for(role_id) for role_id in matrix.role_ids)
    by_id = {u.id: u for u in state.users} if kind == "users" else {}
    if kind == "users":
        # An access key row (Matrix.row_kinds, issue 13) counts as active: a key works until revoked.
        active = bytes(1 if (u := by_id.get(uid)) is None or u.active else 0 for uid in matrix.row_ids)
    else:
        active = b"\x01" * len(matrix.row_ids)
    groups = tuple(sorted(((g.id, g.name) for g in state.groups), key=lambda g: (g[1].casefold(), g[0])))
    members = {g.id: frozenset(g.member_ids) for g in state.groups}
    return MatrixData(matrix, names, _planes(matrix), active, by_id, groups, members, state.complete,
                      state.group_roles_known, {rid: i for i, rid in enumerate(matrix.row_ids)})


def build_both(state: OrgState) -> tuple[MatrixData, MatrixData]:
    return build(state, "users"), build(state, "groups")


def visible_columns(data: MatrixData, roles: frozenset[str] | None) -> list[int]:
    return [c for c, rid in enumerate(data.matrix.role_ids) if roles is None or rid in roles]


def _source_mask(data: MatrixData, columns: Sequence[int], source: Source) -> int | None:
    """Bit r (from the top) set when row r holds a shown role by ``source``; None when any source will do."""
    if source == "any":
        return None
    table = _BIT_TABLES[DIRECT if source == "direct" else INHERITED]
    mask = 0
    for col in columns:
        mask |= int.from_bytes(data.planes[col].translate(table), "big")
    return mask


def _active_mask(data: MatrixData, active: Active) -> int | None:
    if active == "all":
        return None
    wanted = data.active if active == "active" else data.active.translate(_INVERT)
    return int.from_bytes(wanted, "big")


def _group_rows(data: MatrixData, group_id: str) -> list[int]:
    if data.kind == "groups":
        row = data.row_at.get(group_id)
        return [] if row is None else [row]
    at = data.row_at
    return sorted(at[m] for m in data.members.get(group_id, ()) if m in at)


def visible(data: MatrixData, flt: MatrixFilter) -> tuple[list[int], list[int]]:
    """(matrix rows, matrix columns) that ``flt`` shows, in matrix order. The row conditions are one byte per row
    each, combined as big integers and read back through ``itertools.compress``: no Python loop per row."""
    columns = visible_columns(data, flt.roles)
    count = data.row_count()
    masks = [m for m in (_source_mask(data, columns, flt.source), _active_mask(data, flt.active)) if m is not None]
    if flt.group_id is not None:
        rows = _group_rows(data, flt.group_id)
        if not masks or not rows:
            return rows, columns
    if not masks:
        return list(range(count)), columns
    combined = masks[0]
    for mask in masks[1:]:
        combined &= mask
    keep = combined.to_bytes(count, "big") if count else b""
    if flt.group_id is not None:
        return [r for r in rows if keep[r]], columns
    return list(compress(range(count), keep)), columns


def via_groups(flags: int, sources: Sequence[str]) -> list[str]:
    """The group names among a cell's sources ("direct" comes first when the flag says so; a group may be named
    "direct" too, so the flag decides)."""
    return list(sources[1:] if flags & DIRECT and sources else sources)


def source_text(flags: int, sources: Sequence[str]) -> str:
    """"direct", "through group A", "direct and through groups A, B": what a cell says in words (H2)."""
    direct = bool(flags & DIRECT)
    groups = via_groups(flags, sources)
    via = ""
    if groups:
        via = ("through group " if len(groups) == 1 else "through groups ") + ", ".join(groups)
    if direct and via:
        return f"direct and {via}"
    return "direct" if direct else via or "not held"


Index = QModelIndex | QPersistentModelIndex
FlagsRole = Qt.ItemDataRole.UserRole + 40  # the cell's DIRECT/INHERITED bits (0 for the name column)
RoleIdRole = Qt.ItemDataRole.UserRole + 41  # the column's role id (headerData, and data of a role cell)
PaintRole = Qt.ItemDataRole.UserRole + 42  # FlagsRole's bits | PLANNED_ADD or PLANNED_REMOVE: one call per painted cell
PlanRole = Qt.ItemDataRole.UserRole + 43  # the planned bits alone (0: nothing planned for the cell)
MARKS = {0: "", DIRECT: "●", INHERITED: "○", DIRECT | INHERITED: "●○"}
TINTS = {
    DIRECT: QBrush(QColor(205, 225, 250)),
    INHERITED: QBrush(QColor(250, 232, 200)),
    DIRECT | INHERITED: QBrush(QColor(215, 238, 210)),
}
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_DISPLAY, _BACKGROUND, _ALIGN, _TOOLTIP, _ACCESSIBLE = (int(r) for r in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole))
FLAGS_ROLE, ROLE_ID_ROLE, PAINT_ROLE, PLAN_ROLE = int(FlagsRole), int(RoleIdRole), int(PaintRole), int(PlanRole)
_HEADER_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ACCESSIBLE, ROLE_ID_ROLE})
_CELL_ROLES = frozenset({_DISPLAY, _BACKGROUND, _ALIGN, _TOOLTIP, _ACCESSIBLE, FLAGS_ROLE, ROLE_ID_ROLE, PAINT_ROLE,
                         PLAN_ROLE})


class MatrixModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._data: MatrixData | None = None
        self._rows: list[int] = []
        self._cols: list[int] = []
        self._plans: PlannedCells = NONE
        self._italic = QFont()
        self._italic.setItalic(True)

    # -- what is shown --------------------------------------------------------------------------------------

    def show(self, data: MatrixData | None, rows: Sequence[int], cols: Sequence[int],
             plans: PlannedCells = NONE) -> None:
        self.beginResetModel()
        self._data = data
        self._rows = list(rows) if data is not None else []
        self._cols = list(cols) if data is not None else []
        self._plans = plans if data is not None else NONE
        self.endResetModel()

    def set_plans(self, plans: PlannedCells) -> None:
        """Lay the planned cells (of this model's data) over the matrix; the views repaint what they show."""
        if plans is self._plans:
            return
        self._plans = plans
        if self._rows and self._cols:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self._rows) - 1, len(self._cols)),
                                  [PAINT_ROLE, PLAN_ROLE, _TOOLTIP, _ACCESSIBLE])

    @property
    def plans(self) -> PlannedCells:
        return self._plans

    @property
    def matrix_data(self) -> MatrixData | None:
        return self._data

    def shown_rows(self) -> list[int]:
        return self._rows

    def shown_columns(self) -> list[int]:
        return self._cols

    def cell(self, index: Index) -> tuple[int, int] | None:
        """(matrix row, matrix column) of a role cell; None for the name column or an invalid index."""
        if not index.isValid() or index.column() == 0 or self._data is None:
            return None
        return self._rows[index.row()], self._cols[index.column() - 1]

    # -- QAbstractTableModel --------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self._data is None else len(self._cols) + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _CELL_FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Painting asks about seven roles per visible cell: the ones not answered leave first, and every
        comparison is between plain ints (comparing with Qt's enums costs more than the answer)."""
        data = self._data
        if data is None or not index.isValid():
            return None
        column = index.column()
        row = self._rows[index.row()]
        if column == 0:
            return self._name_data(data, row, role)
        if role not in _CELL_ROLES:
            return None
        col = self._cols[column - 1]
        flags = data.planes[col][row]
        if role == PAINT_ROLE:
            return flags | self._plans.cells.get((row, col), 0) if self._plans else flags
        if role == _DISPLAY:
            return MARKS[flags]
        if role == _BACKGROUND:
            return TINTS.get(flags)
        if role == _ALIGN:
            return _CENTER
        if role == FLAGS_ROLE:
            return flags
        if role == ROLE_ID_ROLE:
            return data.matrix.role_ids[col]
        if role == PLAN_ROLE:
            return self._plans.cells.get((row, col), 0)
        words = source_text(flags, data.matrix.sources(row, col) if flags else ())
        planned = self._plans.text(row, col) if self._plans else ""
        if planned:
            words = f"{words}; {planned}"
        if role == _ACCESSIBLE:
            return f"{data.role_names[col]}: {words}"
        return f"{data.role_names[col]} for {data.matrix.row_names[row]}: {words}"

    def _name_data(self, data: MatrixData, row: int, role: int) -> Any:
        inactive = not data.active[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.row_label(data, row)
        if role == IdRole:
            return data.matrix.row_ids[row]
        if role == FlagsRole:
            return 0
        if role == Qt.ItemDataRole.FontRole and inactive:
            return self._italic
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            name = self.row_label(data, row)
            return f"{name} (inactive)" if inactive else name
        return None

    def row_label(self, data: MatrixData, row: int) -> str:
        """The name column's text: an access key's row says so ("key: NAME"), a user's or group's is its name."""
        name = data.matrix.row_names[row]
        return self.tr("key: {name}").format(name=name) if data.matrix.row_kind(row) == "key" else name

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        data = self._data
        if role not in _HEADER_ROLES or data is None:
            return None
        if orientation == Qt.Orientation.Vertical or not 0 <= section < len(self._cols) + 1:
            return section + 1 if orientation == Qt.Orientation.Vertical and role == _DISPLAY else None
        if section == 0:
            if role in (_DISPLAY, _TOOLTIP):
                return self.tr("User") if data.kind == "users" else self.tr("Group")
            return None
        col = self._cols[section - 1]
        role_id = data.matrix.role_ids[col]
        count = data.matrix.counts.get(role_id, 0)
        if role == _DISPLAY:
            return f"{data.role_names[col]}\n{count}"
        if role == ROLE_ID_ROLE:
            return role_id
        if role in (_TOOLTIP, _ACCESSIBLE):
            rows = self.tr("users") if data.kind == "users" else self.tr("groups")
            bound = "" if data.complete else self.tr("at least ")
            return self.tr("{name} ({id}): held by {bound}{count} {rows}").format(
                name=data.role_names[col], id=role_id, bound=bound, count=count, rows=rows)
        return None
