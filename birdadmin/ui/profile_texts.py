"""The sentences the profile dialogs show about a profile, its keys and a connection test (never a key)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PySide6.QtWidgets import QWidget

from birdadmin.connection_check import ConnectionReport
from birdadmin.store.profiles import Profile
from birdadmin.store.secrets import KeyKind, Secrets


def _when(widget: QWidget, stored_at: datetime | None) -> str:
    return stored_at.astimezone().strftime("%Y-%m-%d %H:%M") if stored_at else widget.tr("unknown date")


def fingerprint_text(widget: QWidget, fingerprint: str | None, stored_at: datetime | None) -> str:
    """Under a key field of the editor: what is stored now."""
    if not fingerprint:
        return widget.tr("No key stored.")
    return widget.tr("Stored key ends {fingerprint} (saved {when}). Leave empty to keep it.").format(
        fingerprint=fingerprint, when=_when(widget, stored_at)
    )


def report_text(widget: QWidget, report: ConnectionReport) -> str:
    """The plain result of a connection test, one fact per line."""
    lines = report.lines()
    if not report.ok:
        verdict = widget.tr("Connection test failed.")
    elif report.reachable is None and report.accounts_reachable is None:
        # Nothing was sent (no key for either side): "works" would be a claim nobody checked.
        verdict = widget.tr("Nothing was tested: enter a key to test the connection.")
    else:
        verdict = widget.tr("Connection works.")
    return "\n".join([verdict, *lines])


def key_info(widget: QWidget, profile: Profile, kind: KeyKind, session: Secrets) -> str:
    """Where the profile's key of ``kind`` is: stored (fingerprint, date), in memory, or nowhere."""
    fingerprint = profile.scim_key_fingerprint if kind == "scim" else profile.accounts_key_fingerprint
    stored_at = profile.scim_key_stored_at if kind == "scim" else profile.accounts_key_stored_at
    if fingerprint:
        return widget.tr("ends {fingerprint}, stored {when}").format(fingerprint=fingerprint,
                                                                     when=_when(widget, stored_at))
    if session.get(profile.id, kind):
        return widget.tr("for this session only")
    return widget.tr("none stored")


def details_text(widget: QWidget, profile: Profile, session: Secrets) -> str:
    """The profile manager's summary of the selected profile."""
    lines = [
        profile.base_url,
        widget.tr("Organization: {org}").format(org=profile.org_id or widget.tr("unknown")),
        widget.tr("Read-only") if profile.read_only else widget.tr("Read and write"),
        guards_text(widget, profile),
        widget.tr("SCIM key: {info}").format(info=key_info(widget, profile, "scim", session)),
    ]
    if profile.accounts_url:
        lines.append(widget.tr("Accounts key: {info}").format(info=key_info(widget, profile, "accounts", session)))
    return "\n".join(lines)


def guards_text(widget: QWidget, profile: Profile) -> str:
    """The profile's guards (domain/guards.py) in one line: when a change needs confirming, how Owner is found."""
    owner = (widget.tr("Owner role {uuid}").format(uuid=profile.owner_role_id) if profile.owner_role_id
             else widget.tr("Owner role by name"))
    return widget.tr("Guards: confirm changes touching more than {count} users; {owner}; warn when more than "
                     "{above} users are active Owners").format(
        count=profile.batch_threshold, owner=owner, above=profile.owner_warn_above)


def copy_name(widget: QWidget, name: str, taken: Iterable[str]) -> str:
    """"Prod copy", or "Prod copy 2" and so on when that name is taken (case-insensitively)."""
    used = {n.casefold() for n in taken}
    new_name = widget.tr("{name} copy").format(name=name)
    number = 2
    while new_name.casefold() in used:
        new_name = widget.tr("{name} copy {n}").format(name=name, n=number)
        number += 1
    return new_name
