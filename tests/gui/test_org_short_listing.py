"""A server that lists fewer users than it says it has: the window keeps what came, and marks it partial.

The emulator runs in-process; its listing is made to report five users more than it has, so the load ends short.
"""

from __future__ import annotations

from typing import Any

import pytest

from birdadmin.connection import spec_for_emulator
from birdadmin.emulator import scim_api
from tests.gui.conftest import spin, wait_loaded

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


@pytest.fixture
def lying_total(monkeypatch: pytest.MonkeyPatch) -> None:
    """Users listings report a total five above what the emulator has (groups are left honest)."""
    honest = scim_api._list_response

    def lying(total: int, start: int, items: list[bytes]) -> Any:
        users = start > 1 or any(b'"userName"' in item for item in items[:1])
        return honest(total + 5 if users else total, start, items)

    monkeypatch.setattr(scim_api, "_list_response", lying)


@pytest.mark.usefixtures("lying_total")
def test_a_listing_short_of_its_total_is_marked_partial_not_complete(
    make_window: Any, demo_emulator: Any, qtbot: Any
) -> None:
    window = make_window()
    assert window.connect_to(spec_for_emulator(demo_emulator))
    wait_loaded(qtbot, window)
    spin(qtbot, 100)
    assert window.users_model.loaded_count() == 60  # what the server did list is kept
    assert window.status.refreshed_label.text() == "Not complete: failed at 60 of 65 users"
    for view in (window.users_view, window.groups_view, window.roles_view):
        assert not view.partial_mark.isHidden(), view.objectName()
        assert "Incomplete listing" in view.partial_mark.text()
    assert window.status.counts_label.text().startswith("at least 60 users")
    assert "listed only 60" in window.banner.message_label.text()
