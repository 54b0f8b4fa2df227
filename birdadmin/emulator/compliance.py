"""Run scim2-tester's protocol checks against the emulator and summarise them in one line.

    python -m birdadmin.emulator.compliance     # -> "scim2-tester: N checks, N passed, N failed, N skipped"

scim2-tester and scim2-client are test dependencies, imported only here. scim2-client ships its network
engine for another HTTP library, so a four-line adapter over the project's ``httpx.Client`` is used instead.
The organization is kept small: the tester looks for the resources it creates on the first page of a listing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import httpx

from birdadmin.emulator.options import EmulatorOptions
from birdadmin.emulator.server import start_emulator

PASSED = ("SUCCESS", "COMPLIANT", "ACCEPTABLE")
SKIPPED = ("SKIPPED",)


@dataclass
class ComplianceReport:
    total: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"scim2-tester: {self.total} checks, {self.passed} passed, "
            f"{self.failed} failed, {self.skipped} skipped"
        )


def _client(http: httpx.Client) -> Any:
    from scim2_client import BaseSyncSCIMClient
    from scim2_client.errors import RequestNetworkException

    class HttpxSCIMClient(BaseSyncSCIMClient):
        def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
            try:
                return http.request(method, url, **kwargs)
            except httpx.RequestError as exc:
                raise RequestNetworkException() from exc

    return HttpxSCIMClient()


def run_checks(scim_url: str, key: str) -> ComplianceReport:
    """Every scim2-tester check against one SCIM base URL."""
    from scim2_tester import check_server

    report = ComplianceReport()
    with httpx.Client(base_url=scim_url, headers={"Authorization": f"Bearer {key}"}, timeout=10.0) as http:
        results = check_server(_client(http))
    for result in results:
        report.total += 1
        status = result.status.name
        if status in PASSED:
            report.passed += 1
        elif status in SKIPPED:
            report.skipped += 1
        else:
            report.failed += 1
            where = f"{result.resource_type}: " if result.resource_type else ""
            report.failures.append(f"{status} {result.title} {where}{result.reason}")
    return report


def run_against_emulator(options: EmulatorOptions | None = None) -> ComplianceReport:
    with start_emulator(options or EmulatorOptions(users=20, groups=3)) as emu:
        return run_checks(emu.scim_url, emu.key)


def main() -> int:
    report = run_against_emulator()
    print(report.summary())
    for line in report.failures:
        print("  " + line.replace("\n", " "))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
