"""JSON exports of the visible tables: the same rows and columns as the CSV export (and as shown), ids included,
server text kept as data; a page's own JSON (the Roles page's holders) wins over its table."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from birdadmin.safe_text import csv_cell_original
from birdadmin.ui.file_actions import table_csv, table_json
from tests.gui.test_exports import FORMULA, add_user, reload
from tests.gui.test_main_window import scim_get

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def csv_rows(text: str) -> list[list[str]]:
    return [[csv_cell_original(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))]


def same_as_csv(view: Any, users_model: Any) -> list[dict[str, str]]:
    """The JSON rows, checked cell by cell against the CSV export of the same view."""
    data = json.loads(table_json(view, users_model))
    header, *rows = csv_rows(table_csv(view, users_model))
    assert [list(d.keys()) for d in data] == [header] * len(rows)
    assert [list(d.values()) for d in data] == rows
    return data


def test_users_table_as_json_follows_filter_sort_and_hidden_columns(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    hostile = add_user(emu, "@sum.formula@example.com", FORMULA, [])
    reload(demo_window, qtbot)
    view = demo_window.users_view.table
    qtbot.keyClicks(demo_window.users_view.quick_filter, "example")
    view.horizontalHeader().setSectionHidden(1, True)
    data = same_as_csv(view, demo_window.users_model)
    assert [d["id"] for d in data] == [u.id for u in demo_window.users_model.visible_users()]
    assert "Display name" not in data[0]
    assert next(d for d in data if d["id"] == hostile)["User name"] == "@sum.formula@example.com"  # data, no quote


def test_groups_table_as_json_has_ids(demo_window: Any) -> None:
    demo_window.window_actions.groups.trigger()
    data = same_as_csv(demo_window.groups_view.table, demo_window.users_model)
    listed = {g["id"]: g["displayName"] for g in scim_get(demo_window.emulator, "Groups", count=1000)["Resources"]}
    assert {d["id"]: d["Group"] for d in data} == listed


def test_export_table_json_writes_the_file_and_marks_an_incomplete_one(
    demo_window: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suggested: list[str] = []

    def save_as(_parent: Any, _title: str, name: str, _filter: str) -> tuple[str, str]:
        suggested.append(name)
        return str(tmp_path / "out.json"), ""

    monkeypatch.setattr("birdadmin.ui.file_actions.QFileDialog.getSaveFileName", save_as)
    view = demo_window.users_view.table
    demo_window.files.export_table_json(view, demo_window.users_model)
    assert suggested == ["birdadmin.json"]
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == json.loads(
        table_json(view, demo_window.users_model))
    demo_window.emulator.configure(latency_ms=100, max_page_size=4)
    demo_window.loader.batch_ms = 0
    with qtbot.waitSignal(demo_window.loader.page_loaded, timeout=30_000):
        demo_window.window_actions.refresh.trigger()
    demo_window.cancel_loading()
    demo_window.files.export_table_json(view, demo_window.users_model)
    assert suggested[-1] == "birdadmin (incomplete).json"
    assert "may be missing rows" in demo_window.statusBar().currentMessage()
