"""A connection profile's fields and the rules they must meet: the pydantic model and the one validator.

Apart from the profile file, because the dialog and the CLI validate what a person typed before any file is
involved, and read the same sentences the file's own checks give.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from birdadmin.domain.thresholds import DEFAULT_BATCH_THRESHOLD, MAX_BATCH_THRESHOLD, MIN_BATCH_THRESHOLD
from birdadmin.errors import InputError
from birdadmin.net.urls import check_server_url, org_id_from_url
from birdadmin.scim.resources import RolesShape, RoleStrategy, is_uuid
from birdadmin.store.timeouts import MAX_TIMEOUT, MIN_TIMEOUT, timeout_problem

MAX_NAME_LENGTH = 80
DEFAULT_OWNER_WARN_ABOVE = 3
OWNER_ROLE_PROBLEM = "The Owner role must be a role UUID like 123e4567-e89b-12d3-a456-426614174000."


class Profile(BaseModel):
    """One connection. Frozen, and holding no secret: only each key's fingerprint and when it was stored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    name: str
    base_url: str
    accounts_url: str | None = None
    org_id: str | None = None
    roles_shape: RolesShape = RolesShape.STRINGS
    role_strategy: RoleStrategy = RoleStrategy.REPLACE
    ca_bundle: str | None = None
    # Bounded here too, so a hand-edited file with an impossible timeout is reported when read, not mid-request.
    timeout: float = Field(default=30.0, ge=MIN_TIMEOUT, le=MAX_TIMEOUT)
    read_only: bool = False
    # Guards (domain/guards.py): a change touching more users than this needs a typed confirmation; the Owner
    # role's UUID where role names are unknown (otherwise the catalogue's role named "Owner" is used).
    batch_threshold: int = Field(default=DEFAULT_BATCH_THRESHOLD, ge=MIN_BATCH_THRESHOLD, le=MAX_BATCH_THRESHOLD)
    owner_role_id: str | None = None
    # Audit: more active Owners than this is a finding (one alone is always warned about).
    owner_warn_above: int = Field(default=DEFAULT_OWNER_WARN_ABOVE, ge=1, le=10_000)
    # Access keys (domain/key_findings.py): unused for more than this many days, older than the rotation period,
    # and the roles beside Owner whose holders are findings.
    key_unused_days: int = Field(default=90, ge=1, le=36_500)
    key_rotation_days: int = Field(default=365, ge=1, le=36_500)
    sensitive_role_ids: tuple[str, ...] = ()
    scim_key_fingerprint: str | None = None
    scim_key_stored_at: datetime | None = None
    accounts_key_fingerprint: str | None = None
    accounts_key_stored_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_org_id(cls, data: Any) -> Any:
        # The org ID is read from the Base URL when the user did not type one; Bird's per-workspace URLs may not
        # carry it, and then it stays empty until the user enters it.
        if isinstance(data, dict) and not data.get("org_id"):
            data = {**data, "org_id": org_id_from_url(str(data.get("base_url") or "")) or None}
        return data

    @field_validator("name", "base_url")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("sensitive_role_ids")
    @classmethod
    def _sensitive_uuids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        clean = tuple(v.strip() for v in value if v.strip())
        if any(not is_uuid(v) for v in clean):
            raise ValueError("sensitive roles must be role UUIDs")
        return clean

    @field_validator("owner_role_id")
    @classmethod
    def _owner_uuid(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not is_uuid(value):
            raise ValueError(OWNER_ROLE_PROBLEM)
        return value

    @field_validator("accounts_url", "org_id", "ca_bundle")
    @classmethod
    def _strip_optional(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return value.strip() or None

    def has_key(self, kind: str) -> bool:
        return bool(self.scim_key_fingerprint if kind == "scim" else self.accounts_key_fingerprint)


def validate_profile_fields(
    name: str | None,
    base_url: str | None,
    accounts_url: str | None,
    ca_bundle: str | None,
    timeout: float | None,
    existing_names: Iterable[str],
    *,
    org_id: str | None = None,
    owner_role_id: str | None = None,
    batch_threshold: int | None = None,
) -> dict[str, str]:
    """Field -> message for every field that must change; empty when all is well.

    The dialog and the CLI both call this, so a person reads the same sentence in either. ``existing_names``
    are the other profiles' names (leave the edited profile's own name out).
    """
    problems: dict[str, str] = {}
    clean_name = (name or "").strip()
    if not clean_name:
        problems["name"] = "Enter a name for this profile."
    elif len(clean_name) > MAX_NAME_LENGTH:
        problems["name"] = f"Shorten the name to at most {MAX_NAME_LENGTH} characters."
    elif any(not ch.isprintable() for ch in clean_name):
        problems["name"] = "Remove the control characters from the name."
    elif clean_name.casefold() in {other.strip().casefold() for other in existing_names}:
        problems["name"] = f"A profile named '{clean_name}' already exists; choose another name."
    try:
        check_server_url(base_url or "", what="Base URL")
    except InputError as exc:
        problems["base_url"] = exc.message
    if accounts_url and accounts_url.strip():
        try:
            check_server_url(accounts_url, what="Accounts API URL")
        except InputError as exc:
            problems["accounts_url"] = exc.message
    clean_org = (org_id or "").strip()
    if clean_org and not is_uuid(clean_org):
        problems["org_id"] = "The organization ID must be a UUID like 123e4567-e89b-12d3-a456-426614174000."
    elif accounts_url and accounts_url.strip() and not clean_org and not org_id_from_url(base_url or ""):
        problems["org_id"] = (
            "Enter the organization ID: the Accounts API needs it and it cannot be read from this Base URL."
        )
    if ca_bundle and ca_bundle.strip():
        bundle = Path(ca_bundle.strip()).expanduser()
        if not bundle.is_file():
            problems["ca_bundle"] = f"The CA bundle file {bundle} does not exist; choose a PEM file or leave it empty."
    if (problem := timeout_problem(timeout)) is not None:
        problems["timeout"] = problem
    clean_owner = (owner_role_id or "").strip()
    if clean_owner and not is_uuid(clean_owner):
        problems["owner_role_id"] = OWNER_ROLE_PROBLEM
    if batch_threshold is not None and not MIN_BATCH_THRESHOLD <= batch_threshold <= MAX_BATCH_THRESHOLD:
        problems["batch_threshold"] = (
            f"The batch threshold must be a whole number from {MIN_BATCH_THRESHOLD} to {MAX_BATCH_THRESHOLD}."
        )
    return problems
