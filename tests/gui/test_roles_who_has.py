"""Who has a role, in the Roles page: every holder once with every source, inactive and several-source holders
marked by text and icon, the counts in the title, checked against a listing done by raw HTTP; JSON export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from birdadmin.qtmodels.roles import FlagRole
from birdadmin.ui.main_window import PAGE_ROLES
from tests.gui.test_main_window import all_users_raw, roles_raw, scim_get, teams_raw

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def raw_holders(emu: Any, role_id: str) -> dict[str, list[str]]:
    """user id -> sources ("direct" first, then group names) for ``role_id``, from the servers directly."""
    out: dict[str, list[str]] = {}
    for user in all_users_raw(emu):
        if role_id in (r.lower() for r in user.get("roles", [])):
            out[user["id"]] = ["direct"]
    for team in teams_raw(emu):
        if any(ref["id"] == role_id for ref in team.get("roleRefs", [])):
            group = scim_get(emu, f"Groups/{team['id']}")
            for member in group.get("members", []):
                out.setdefault(member["value"], []).append(group["displayName"])
    return out


def analyst(emu: Any) -> str:
    return next(rid for rid, name in roles_raw(emu).items() if name == "Analyst")


def test_every_holder_once_with_every_source_and_marks(demo_window: Any) -> None:
    emu = demo_window.emulator
    role_id = analyst(emu)
    want = raw_holders(emu, role_id)
    users = {u["id"]: u for u in all_users_raw(emu)}
    inactive = {uid for uid in want if not users[uid].get("active", True)}
    several = {uid for uid, sources in want.items() if len(sources) > 1}
    assert inactive & several, "the demo has an inactive user holding Analyst directly and through Analytics"
    demo_window.window_actions.roles.trigger()
    assert demo_window.current_page() == PAGE_ROLES
    view = demo_window.roles_view
    assert view.select_role(role_id)
    records = view.holders_model.records()
    assert sorted(r.id for r in records) == sorted(want)  # each holder once
    for record in records:
        holder = record.obj
        assert list(holder.sources) == want[record.id]
        assert record.cells[3] == ("yes" if users[record.id].get("active", True) else "no")
        marked = record.id in inactive or record.id in several
        assert bool(record.flag) == marked
        assert ("inactive" in record.cells[4]) == (record.id in inactive)
        assert ("sources" in record.cells[4]) == (record.id in several)
    row = next(i for i, r in enumerate(records) if r.id in inactive & several)
    assert view.holders_model.index(row, 0).data(FlagRole)
    title = view.holders_title.text()
    assert f"{len(want)} of {len(users)} users hold Analyst" in title
    assert f"{len(inactive)} inactive, {len(several)} through several sources" in title


def test_json_export_of_the_holders(demo_window: Any, tmp_path: Path) -> None:
    emu = demo_window.emulator
    role_id = analyst(emu)
    want = raw_holders(emu, role_id)
    demo_window.window_actions.roles.trigger()
    assert demo_window.roles_view.select_role(role_id)
    path = tmp_path / "holders.json"
    demo_window.files.export_table_json(demo_window.roles_view.holders_table, demo_window.users_model, str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["role"] == {"id": role_id, "name": "Analyst"}
    assert {h["id"]: h["sources"] for h in data["holders"]} == want
    assert all(h["several"] == (len(h["sources"]) > 1) for h in data["holders"])


def test_unknown_group_roles_keep_the_scope_wording(make_window: Any, demo_emulator: Any, qtbot: Any) -> None:
    from birdadmin.connection import spec_for_emulator
    from tests.gui.conftest import LOAD_TIMEOUT_MS, wait_loaded

    spec = spec_for_emulator(demo_emulator)
    spec.accounts_url = None
    window = make_window()
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        window.connect_to(spec)
    wait_loaded(qtbot, window)
    role_id = analyst(demo_emulator)
    direct = {u["id"] for u in all_users_raw(demo_emulator) if role_id in u.get("roles", [])}
    window.window_actions.roles.trigger()
    assert window.roles_view.select_role(role_id)
    title = window.roles_view.holders_title.text()
    assert f"{len(direct)} users hold" in title and "unknown without the Accounts API" in title
    assert {r.id for r in window.roles_view.holders_model.records()} == direct


def test_one_pass_and_the_audit_index_give_the_same_holders(demo_window: Any, qtbot: Any) -> None:
    """Until the worker's OrgState is there, the page counts in one pass; both answers must be the same."""
    from birdadmin.domain.audit import who_has
    from birdadmin.ui.roles_page import holder_rows

    page = demo_window.roles_page
    demo_window.show()
    demo_window.window_actions.roles.trigger()
    qtbot.waitUntil(lambda: page.state() is not None, timeout=10_000)
    state, org = page.state(), demo_window.context.org
    users = demo_window.context.organization.users.as_list()
    for role_id in roles_raw(demo_window.emulator):
        assert holder_rows(role_id, users, org) == who_has(state, role_id), role_id
