"""The read-only rule, run through both entry points on the same profile and compared: the window's reason for
refusing edits and the CLI's refusal are the same sentence of ``ConnectionSpec.require_writable``, naming the
profile, with only what was refused differing."""

from __future__ import annotations

from typing import Any

import pytest

from birdadmin.cli import main as cli_main
from birdadmin.connection import spec_for_profile
from birdadmin.errors import InputError
from birdadmin.store.profiles import Profile, ProfileStore
from tests.gui.conftest import LOAD_TIMEOUT_MS, wait_loaded

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _refusal(spec: Any, what: str) -> str:
    with pytest.raises(InputError) as refused:
        spec.require_writable(what)
    return refused.value.message


def test_the_window_and_the_cli_refuse_a_read_only_profile_with_one_sentence(
    make_window: Any, demo_emulator: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = demo_emulator
    profile = ProfileStore().add(Profile(name="Auditors", base_url=emu.scim_url, accounts_url=emu.accounts_url,
                                         org_id=emu.org_id, read_only=True))
    spec = spec_for_profile(profile, emu.key, emu.accounts_key)
    window = make_window()
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connect_to(spec)
    wait_loaded(qtbot, window)
    pending = window.context.pending
    assert not pending.writable
    in_window = pending.read_only_reason

    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)
    user = emu.state.users()[0]["userName"]
    code = cli_main(["--profile", "Auditors", "users", "roles", "add", user, "Analyst"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    in_cli = err.removeprefix("birdadmin-cli: ").rstrip("\n")

    assert in_window == _refusal(spec, "applying changes")
    assert in_cli == _refusal(spec, "'users roles add'")
    assert in_window.replace("applying changes", "'users roles add'") == in_cli
    assert "profile 'Auditors' is read-only" in in_cli
