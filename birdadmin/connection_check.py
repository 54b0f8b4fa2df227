"""The "Test connection" check: is the server reachable, is the key accepted, what does the server offer.

A plain function returning plain data, so the CLI (``profiles test``, ``profiles set-key``) and the dialog (in a
worker thread) show the same result. It never raises for a server's answer: every outcome is a line in the
report. The clients are imported lazily to keep ``domain`` importable without them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from birdadmin import errors
from birdadmin.net.session import HttpSettings

if TYPE_CHECKING:
    from birdadmin.store.profiles import Profile

log = logging.getLogger(__name__)

# A connection test should answer in seconds, not retry for a minute: one retry, short backoff.
_TEST_RETRIES = 1


@dataclass(slots=True)
class ConnectionReport:
    """The outcome of one test; ``None`` means "not tested" (no key given for that part)."""

    reachable: bool | None = None
    key_accepted: bool | None = None
    user_count: int | None = None
    capabilities: Any = None  # birdadmin.scim.capabilities.Capabilities when the server answered
    accounts_reachable: bool | None = None
    accounts_key_accepted: bool | None = None
    roles_available: bool = False
    role_count: int | None = None
    messages: list[str] = field(default_factory=list)
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def capability_lines(self) -> list[str]:
        if self.capabilities is None:
            return []
        return list(self.capabilities.describe())

    def lines(self) -> list[str]:
        """The whole result as short sentences, in the order a person checks them."""
        return [*self.messages, *self.capability_lines()]

    def _fail(self, code: int, message: str) -> None:
        self.messages.append(message)
        # The most specific failure wins: auth (3) and unreachable (4) over a generic failure (1).
        if self.exit_code in (0, 1):
            self.exit_code = code


def _http(profile: Profile) -> HttpSettings:
    return HttpSettings(timeout=profile.timeout, ca_bundle=profile.ca_bundle, max_retries=_TEST_RETRIES)


def check_connection(profile: Profile, scim_key: str | None, accounts_key: str | None) -> ConnectionReport:
    """Test the SCIM side with ``scim_key`` and the Accounts side with ``accounts_key``; skip a side without one."""
    report = ConnectionReport()
    if scim_key:
        _check_scim(profile, scim_key, report)
    else:
        report.messages.append("SCIM: not tested (no SCIM access key).")
    _check_accounts(profile, accounts_key, report)
    return report


def _check_scim(profile: Profile, key: str, report: ConnectionReport) -> None:
    from birdadmin.scim.client import ScimClient, ScimSettings

    try:
        client = ScimClient(
            profile.base_url,
            key,
            settings=ScimSettings(roles_shape=profile.roles_shape, role_strategy=profile.role_strategy),
            http=_http(profile),
        )
    except errors.BirdadminError as exc:
        report._fail(exc.exit_code, f"SCIM: {exc.message}")
        return
    try:
        try:
            report.capabilities = client.capabilities()
        except errors.AuthError:
            pass  # some servers protect discovery too; the count below says whether the key works
        except errors.ConnectionFailedError as exc:
            report.reachable = False
            report._fail(exc.exit_code, f"SCIM: not reachable. {exc.message}")
            return
        except errors.RequestError as exc:
            log.info("Capability discovery failed: %s", exc.message)
        try:
            report.user_count = client.count_users()
        except errors.AuthError as exc:
            report.reachable, report.key_accepted = True, False
            report._fail(exc.exit_code, f"SCIM: reachable, but the key was refused. {exc.message}")
            return
        except errors.ConnectionFailedError as exc:
            report.reachable = False
            report._fail(exc.exit_code, f"SCIM: not reachable. {exc.message}")
            return
        except errors.RequestError as exc:
            report.reachable = True
            report._fail(exc.exit_code, f"SCIM: reachable, but listing users failed. {exc.message}")
            return
        report.reachable, report.key_accepted = True, True
        report.messages.append(f"SCIM: reachable, key accepted, {report.user_count} users.")
    finally:
        client.close()


def _check_accounts(profile: Profile, key: str | None, report: ConnectionReport) -> None:
    if not profile.accounts_url:
        report.messages.append("Role catalogue: not available (no Accounts API URL); roles show as UUIDs.")
        return
    if not key:
        report.messages.append("Role catalogue: not tested (no Accounts API key); roles show as UUIDs.")
        return
    if not profile.org_id:
        report._fail(2, "Role catalogue: the organization ID is missing; enter it in the profile.")
        return
    from birdadmin.bird.accounts import AccountsClient

    try:
        client = AccountsClient(profile.accounts_url, profile.org_id, key, http=_http(profile))
    except errors.BirdadminError as exc:
        report._fail(exc.exit_code, f"Role catalogue: {exc.message}")
        return
    try:
        roles = client.list_roles()
    except errors.AuthError as exc:
        report.accounts_reachable, report.accounts_key_accepted = True, False
        report._fail(exc.exit_code, f"Role catalogue: the Accounts API refused the key. {exc.message}")
    except errors.ConnectionFailedError as exc:
        report.accounts_reachable = False
        report._fail(exc.exit_code, f"Role catalogue: the Accounts API is not reachable. {exc.message}")
    except errors.RequestError as exc:
        report.accounts_reachable = True
        report._fail(exc.exit_code, f"Role catalogue: not available. {exc.message}")
    else:
        report.accounts_reachable, report.accounts_key_accepted = True, True
        report.roles_available, report.role_count = True, len(roles)
        report.messages.append(f"Role catalogue: available, {len(roles)} roles.")
    finally:
        client.close()
