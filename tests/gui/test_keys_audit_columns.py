"""Access keys beside users on the audit pages (issue 13): the Roles page's holders say each row's kind, the matrix
names a key's row "key: NAME" and exports the kind, the findings page names a key subject as an access key."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from birdadmin.bird.access_keys import AccessKey
from birdadmin.domain.audit import who_has
from birdadmin.org_load import org_state
from birdadmin.qtmodels.findings import FindingColumn
from birdadmin.qtmodels.roles import IdRole
from birdadmin.ui.findings_page import FindingsPage
from birdadmin.ui.matrix_page import MatrixPage
from birdadmin.ui.roles_view import KIND_COLUMN
from tests.keys_support import access_key

pytestmark = pytest.mark.usefixtures("no_qt_warnings")
WAIT_MS = 30_000


Key = access_key  # the real AccessKey (tests/keys_support.py)


def with_key(window: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[AccessKey, str]:
    """A key holding the catalogue's first role, added to the loaded organization data."""
    org = window.context.org
    role_id = next(info.id for info in org.catalogue.roles() if org.catalogue.is_known(info.id)).lower()
    key = Key("k-deploy", "deploy-bot", role_ids=(role_id,))
    monkeypatch.setattr(org, "keys", [key])
    return key, role_id


def test_the_roles_page_holders_have_a_kind_column(demo_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    key, role_id = with_key(demo_window, monkeypatch)
    ctx = demo_window.context
    state = org_state(ctx.organization.users.as_list(), ctx.org)
    view = demo_window.roles_view
    demo_window.window_actions.roles.trigger()
    assert view.select_role(role_id)
    role = view.current_role()
    view.show_holders(role, who_has(state, role_id), len(state.users))
    model = view.holders_model
    assert model.headerData(KIND_COLUMN, Qt.Orientation.Horizontal) == "Kind"
    kinds = {r.id: r.cells[KIND_COLUMN] for r in model.records()}
    assert kinds[key.id] == "Access key" and set(kinds.values()) == {"User", "Access key"}
    assert [r.id for r in model.records()][-1] == key.id  # keys after the users
    assert "and 1 access key" in view.holders_title.text()
    _, rows = view.csv_export()
    assert rows[0][-1] == "kind" and [r[-1] for r in rows[1:] if r[0] == key.id] == ["key"]
    assert all(r[-1] == "user" for r in rows[1:] if r[0] != key.id)
    _, doc = view.json_export()
    assert [h["kind"] for h in doc["holders"] if h["id"] == key.id] == ["key"]


def test_the_matrix_names_key_rows_and_exports_their_kind(demo_window: Any, qtbot: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    key, role_id = with_key(demo_window, monkeypatch)
    page = MatrixPage(demo_window.context)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with qtbot.waitSignal(page.computed, timeout=WAIT_MS):
        page.show()
    model = page.model
    rows = {model.index(r, 0).data(IdRole): r for r in range(model.rowCount())}
    assert key.id in rows and model.rowCount() == len(demo_window.context.organization.users.as_list()) + 1
    assert model.index(rows[key.id], 0).data() == "key: deploy-bot"
    with qtbot.assertNotEmitted(page.open_user):
        page._open_row(model.index(rows[key.id], 0))
    page.export_csv(str(tmp_path / "m.csv"))
    lines = list(csv.reader(io.StringIO((tmp_path / "m.csv").read_text(encoding="utf-8"))))
    assert lines[0][-1] == "kind"
    assert [line[-1] for line in lines[1:] if line[-2] == key.id] == ["key"]
    page.export_json(str(tmp_path / "m.json"))
    doc = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    (entry,) = [r for r in doc["rows"] if r["id"] == key.id]
    assert entry["kind"] == "key" and [c["role"] for c in entry["roles"]] == [role_id]


def test_the_findings_page_names_a_key_subject(demo_window: Any, qtbot: Any, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    key, _ = with_key(demo_window, monkeypatch)
    page = FindingsPage(demo_window.context)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    with qtbot.waitSignal(page.computed, timeout=WAIT_MS):
        page.show()
    shown = page.shown_findings()
    mine = [i for i, f in enumerate(shown) if f.subject_kind == "key"]
    assert mine and all(shown[i].subject_id == key.id for i in mine)
    row = mine[0]
    assert page.model.index(row, FindingColumn.SUBJECT).data() == "deploy-bot (access key)"
    assert page.model.index(row, FindingColumn.KIND).data().startswith("Key ")
    with qtbot.assertNotEmitted(page.open_user), qtbot.assertNotEmitted(page.open_group):
        page._activated(page.model.index(row, 0))
    _, rows = page.csv_export()
    assert any(r[2] == "key" and r[3] == key.id for r in rows[1:])
