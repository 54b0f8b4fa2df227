"""scim2-tester's protocol checks against the emulator: every check passes."""

from __future__ import annotations

from birdadmin.emulator.compliance import run_against_emulator


def test_scim2_tester_finds_no_failures() -> None:
    report = run_against_emulator()
    print("\n" + report.summary())
    assert report.failures == []
    assert report.failed == 0 and report.passed > 100
    assert report.total == report.passed + report.failed + report.skipped
