"""check_connection against the project's emulator (SCIM + Accounts API) on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from birdadmin.connection_check import check_connection
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.store.profiles import Profile


@pytest.fixture(scope="module")
def emu() -> Iterator[object]:
    with start_emulator(EmulatorOptions(port=0, users=50, groups=3, seed=3)) as server:
        yield server


def profile_for(emu, **kw) -> Profile:
    return Profile(name="emu", base_url=emu.scim_url, accounts_url=kw.pop("accounts_url", emu.accounts_url),
                   timeout=kw.pop("timeout", 10), **kw)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_everything_works(emu):
    report = check_connection(profile_for(emu), emu.key, emu.accounts_key)
    assert report.ok and report.exit_code == 0
    assert (report.reachable, report.key_accepted, report.user_count) == (True, True, 50)
    assert report.capabilities.discovered and report.capabilities.etag is True
    assert report.roles_available and report.role_count == len(emu.state.roles())
    lines = report.lines()
    assert "SCIM: reachable, key accepted, 50 users." in lines
    assert f"Role catalogue: available, {report.role_count} roles." in lines
    assert "ETags: yes" in lines


def test_wrong_scim_key_is_exit_3(emu):
    report = check_connection(profile_for(emu), "not-the-key-1234", emu.accounts_key)
    assert (report.reachable, report.key_accepted, report.exit_code) == (True, False, 3)
    assert any(line.startswith("SCIM: reachable, but the key was refused.") for line in report.lines())
    assert report.roles_available  # the Accounts side is tested on its own


def test_wrong_accounts_key_is_exit_3_and_says_which(emu):
    report = check_connection(profile_for(emu), emu.key, "wrong-accounts-key")
    assert report.key_accepted and report.exit_code == 3
    assert report.accounts_key_accepted is False and not report.roles_available
    assert any("the Accounts API refused the key" in line for line in report.lines())


def test_unreachable_is_exit_4():
    profile = Profile(name="gone", base_url=f"http://127.0.0.1:{closed_port()}/scim/v2", timeout=5)
    report = check_connection(profile, "some-key-00000000", None)
    assert (report.reachable, report.key_accepted, report.exit_code) == (False, None, 4)
    assert report.lines()[0].startswith("SCIM: not reachable.")


def test_without_accounts_url_or_key_roles_are_not_available_but_ok(emu):
    report = check_connection(profile_for(emu, accounts_url=None), emu.key, None)
    assert report.ok and not report.roles_available
    assert "Role catalogue: not available (no Accounts API URL); roles show as UUIDs." in report.lines()
    report = check_connection(profile_for(emu), emu.key, None)
    assert report.ok and "Role catalogue: not tested (no Accounts API key); roles show as UUIDs." in report.lines()


def test_only_accounts_key_is_tested_when_no_scim_key(emu):
    report = check_connection(profile_for(emu), None, emu.accounts_key)
    assert report.key_accepted is None and report.accounts_key_accepted is True
    assert "SCIM: not tested (no SCIM access key)." in report.lines()


def test_accounts_without_org_id_is_bad_input(emu):
    profile = Profile(name="ws", base_url=f"http://127.0.0.1:{emu.port}/scim/v2", accounts_url=emu.accounts_url)
    assert profile.org_id is None
    report = check_connection(profile, None, emu.accounts_key)
    assert report.exit_code == 2 and "organization ID is missing" in report.lines()[-1]


def test_server_errors_are_reported_not_raised(emu):
    emu.configure(fault_rate=1.0)
    try:
        report = check_connection(profile_for(emu), emu.key, None)
    finally:
        emu.configure(fault_rate=0.0)
    assert report.exit_code == 1 and report.reachable is True and report.key_accepted is None
    assert any("listing users failed" in line for line in report.lines())


def test_a_key_never_appears_in_the_report(emu):
    for scim_key, accounts_key in ((emu.key, emu.accounts_key), ("wrong-scim-key-77", "wrong-acc-key-77")):
        text = "\n".join(check_connection(profile_for(emu), scim_key, accounts_key).lines())
        assert scim_key not in text and accounts_key not in text
