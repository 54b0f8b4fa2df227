"""Which matrix cells a planned (not yet applied) change would add or remove: plain dictionary work (Qt only for
the translated words).

The matrix itself shows what the server holds (and the exports export only that); planned changes are drawn over
it. Users x roles marks a user's planned direct grants and revocations (``user-roles`` changes), groups x roles
the roles a group's team is planned to give or stop giving (``group-roles``, docs/bird.md H2). The cells are
worked out once per queue change (``PendingChanges.changed``) or per new matrix, never while painting: a lookup in
a dictionary of the few marked cells is all ``data()`` adds (tests/benchmarks/bench_matrix.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication

from birdadmin.domain.changes import OPEN, Change, Status
from birdadmin.scim.role_values import role_key

PLANNED_ADD = 4  # above the DIRECT (1) and INHERITED (2) flags, so one int carries both for painting
PLANNED_REMOVE = 8
PLANNED = PLANNED_ADD | PLANNED_REMOVE

_KIND = {"users": "user-roles", "groups": "group-roles"}
_WHAT = {PLANNED_ADD: "add", PLANNED_REMOVE: "remove"}
_STATE = {"pending": "not sent", "in-flight": "being sent", "conflict": "not applied: conflict",
          "failed": "not applied: failed"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("MatrixPlans", text)


@dataclass(frozen=True)
class PlannedCells:
    """Marked cells by (matrix row, matrix column), and each marked row's change status (for the words)."""

    cells: Mapping[tuple[int, int], int] = field(default_factory=dict)
    status: Mapping[int, Status] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.cells)

    def text(self, row: int, col: int) -> str:
        """"planned: add (not sent)", "planned: remove (being sent)", or "" for an unmarked cell."""
        bits = self.cells.get((row, col), 0)
        if not bits:
            return ""
        state = _STATE.get(self.status.get(row, "pending"), "not sent")
        return _tr("planned: {what} ({state})").format(what=_tr(_WHAT[bits]), state=_tr(state))


NONE = PlannedCells()


def planned_cells(kind: str, role_ids: Iterable[str], row_at: Mapping[str, int],
                  changes: Iterable[Change]) -> PlannedCells:
    """The cells of a ``kind`` matrix ("users" or "groups") with columns ``role_ids`` and rows ``row_at`` (target
    id -> row) that the open ``changes`` would add or remove. A role no column shows (an unknown UUID planned by
    hand) marks nothing; a target not in the matrix neither."""
    wanted = _KIND.get(kind)
    cols = {role_key(r): c for c, r in enumerate(role_ids)}
    cells: dict[tuple[int, int], int] = {}
    status: dict[int, Status] = {}
    for change in changes:
        if change.kind != wanted or change.status not in OPEN:
            continue
        row = row_at.get(change.target_id)
        if row is None:
            continue
        for bit, values in ((PLANNED_ADD, change.added), (PLANNED_REMOVE, change.removed)):
            for value in values:
                col = cols.get(role_key(value))
                if col is not None:
                    cells[(row, col)] = bit
                    status[row] = change.status
    return PlannedCells(cells, status) if cells else NONE
