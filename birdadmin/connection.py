"""What one connection is: where, with which keys and settings. Shared by the window and the CLI, and Qt-free.

The keys live in this object and in the clients built from it; ``repr`` leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from birdadmin import errors
from birdadmin.domain.thresholds import DEFAULT_BATCH_THRESHOLD
from birdadmin.net.session import HttpSettings
from birdadmin.net.urls import org_id_from_url
from birdadmin.scim.client import ScimSettings

if TYPE_CHECKING:
    from birdadmin.store.profiles import Profile


@dataclass
class ConnectionSpec:
    """Where to connect and with which keys; the keys stay in this object and the clients."""

    label: str
    base_url: str
    key: str = field(repr=False)
    accounts_url: str | None = None
    accounts_key: str | None = field(default=None, repr=False)
    org_id: str | None = None
    scim: ScimSettings = field(default_factory=ScimSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    read_only: bool = False
    names_key: str = "default"  # which local role-names file belongs to this organization
    profile_name: str | None = None
    # The guards before a write (domain/guards.py), from the profile: a change touching more users than this needs
    # a confirmation; the Owner role's UUID where role names are unknown (docs/bird.md, H2).
    batch_threshold: int = DEFAULT_BATCH_THRESHOLD
    owner_role_id: str | None = None
    owner_warn_above: int = 3  # audit: more active Owners than this is a finding
    key_unused_days: int = 90  # access keys (domain/key_findings.py)
    key_rotation_days: int = 365
    sensitive_role_ids: tuple[str, ...] = ()

    @property
    def has_accounts(self) -> bool:
        return bool(self.accounts_url and self.accounts_key and (self.org_id or org_id_from_url(self.base_url)))

    def require_writable(self, what: str = "this command") -> None:
        """Refuse a change on a read-only connection before anything is sent: one sentence naming ``what``.

        The one read-only rule: the CLI calls it before every write, and the window before every edit.
        """
        if self.read_only:
            which = f"profile {self.profile_name!r}" if self.profile_name else f"connection {self.label!r}"
            raise errors.InputError(f"The {which} is read-only; {what} would change data, so nothing was sent.")


def spec_for_profile(profile: Profile, scim_key: str, accounts_key: str | None) -> ConnectionSpec:
    return ConnectionSpec(
        label=profile.name,
        base_url=profile.base_url,
        key=scim_key,
        accounts_url=profile.accounts_url,
        accounts_key=accounts_key,
        org_id=profile.org_id,
        scim=ScimSettings(roles_shape=profile.roles_shape, role_strategy=profile.role_strategy),
        http=HttpSettings(timeout=profile.timeout, ca_bundle=profile.ca_bundle),
        read_only=profile.read_only,
        names_key=f"profile-{profile.id}",
        profile_name=profile.name,
        batch_threshold=profile.batch_threshold,
        owner_role_id=profile.owner_role_id,
        owner_warn_above=profile.owner_warn_above,
        key_unused_days=profile.key_unused_days,
        key_rotation_days=profile.key_rotation_days,
        sensitive_role_ids=profile.sensitive_role_ids,
    )


def spec_for_emulator(emulator: Any, label: str = "Demo organization") -> ConnectionSpec:
    """The demo organization served by an in-process (or subprocess) emulator."""
    return ConnectionSpec(
        label=label,
        base_url=emulator.scim_url,
        key=emulator.key,
        accounts_url=getattr(emulator, "accounts_url", None),
        accounts_key=getattr(emulator, "accounts_key", None),
        org_id=getattr(emulator, "org_id", None),
        http=HttpSettings(timeout=30.0, max_retries=2),
        names_key="demo",
    )
