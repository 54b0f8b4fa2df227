"""What the matrix page exports: exactly the rows and columns shown, as CSV rows (written safely by
``ui/file_actions.rows_csv``) or as a JSON document with every cell's sources (docs/bird.md, H2)."""

from __future__ import annotations

import json
from typing import Any

from birdadmin.domain.audit import DIRECT, INHERITED
from birdadmin.qtmodels.matrix import MARKS, MatrixModel, via_groups

_SOURCE = {DIRECT: "direct", INHERITED: "inherited", DIRECT | INHERITED: "direct+inherited"}


def csv_rows(model: MatrixModel) -> list[list[str]]:
    """The header (name, roles, id) and one line per shown row: the same marks as on screen."""
    data = model.matrix_data
    if data is None:
        return []
    cols = model.shown_columns()
    first = "user" if data.kind == "users" else "group"
    lines = [[first, *(data.role_names[c] for c in cols), "id", "kind"]]
    names, ids = data.matrix.row_names, data.matrix.row_ids
    planes = [data.planes[c] for c in cols]
    for row in model.shown_rows():
        lines.append([names[row], *(MARKS[p[row]] for p in planes), ids[row], data.matrix.row_kind(row)])
    return lines


def json_document(model: MatrixModel, filters: dict[str, Any]) -> str:
    """The shown matrix as JSON: the columns with their counts, then each row with the cells it holds."""
    data = model.matrix_data
    if data is None:
        return "{}"
    cols = model.shown_columns()
    matrix = data.matrix
    rows = []
    for row in model.shown_rows():
        cells = []
        for col in cols:
            flags = data.planes[col][row]
            if flags:
                groups = via_groups(flags, matrix.sources(row, col))
                cells.append({"role": matrix.role_ids[col], "source": _SOURCE[flags], "groups": groups})
        entry: dict[str, Any] = {"kind": matrix.row_kind(row), "id": matrix.row_ids[row], "name": matrix.row_names[row],
                                 "roles": cells}
        if data.kind == "users":
            entry["active"] = bool(data.active[row])
        rows.append(entry)
    doc = {
        "kind": data.kind,
        "complete": data.complete,
        "filters": filters,
        "columns": [{"id": matrix.role_ids[c], "name": data.role_names[c],
                     "count": matrix.counts.get(matrix.role_ids[c], 0)} for c in cols],
        "rows": rows,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)
