"""The planned changes kept from an earlier run, checked before they are offered again. Qt-free.

The window writes its queue to ``store/change_store.py`` as it changes, and each change's status while it is
applied, so a quit or a crash loses nothing. A change found "in-flight" may or may not have reached the server,
so it is never simply sent again: :func:`recover` re-reads its target (``services/verify.py``): the server holds
``after`` -> done (and journaled, if the crash came before its entry); ``before`` -> pending again; anything else
-> a conflict, shown with theirs. A target that cannot be read now stays queued as failed, saying so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from birdadmin import errors
from birdadmin.domain.changes import Change
from birdadmin.journal_entries import change_entry, envelope
from birdadmin.services.verify import verify

if TYPE_CHECKING:
    from birdadmin.org_load import Session
    from birdadmin.store.journal import Journal

log = logging.getLogger(__name__)

UNCHECKED = ("It was being sent when birdadmin stopped, and its target could not be read now ({}); it was not sent "
             "again.")


@dataclass(frozen=True, slots=True)
class Recovered:
    """The restored queue and what the check found, for the sentence the window shows."""

    changes: tuple[Change, ...]  # to put back in the queue (done ones left out)
    pending: int  # queued, not in flight: restored as they were
    in_flight: int
    done: tuple[Change, ...]  # in flight and found applied
    resend: int  # in flight and found not applied: pending again
    conflicts: int
    unchecked: int

    def summary(self) -> str:
        """One or two plain sentences; empty when there was nothing to restore."""
        if not self.pending and not self.in_flight:
            return ""
        parts = [f"{self.pending} planned change{'s' if self.pending != 1 else ''} from the last session "
                 f"{'are' if self.pending != 1 else 'is'} still queued."] if self.pending else []
        if self.in_flight:
            found = [f"{len(self.done)} had been applied", f"{self.resend} had not (queued again)"]
            if self.conflicts:
                found.append(f"{self.conflicts} now conflict with another change")
            if self.unchecked:
                found.append(f"{self.unchecked} could not be checked")
            parts.append(f"{self.in_flight} change{'s were' if self.in_flight != 1 else ' was'} being applied when "
                         f"birdadmin stopped; re-checked against the server: {', '.join(found)}.")
        return " ".join(parts)


def recover(
    session: Session,
    changes: Sequence[Change],
    *,
    journal: Journal | None = None,
    profile_record: Mapping[str, Any] | None = None,
) -> Recovered:
    """Check the in-flight ones among ``changes`` against the server (blocking: run it on a worker)."""
    kept: list[Change] = []
    done: list[Change] = []
    counts = {"pending": 0, "conflict": 0, "unchecked": 0, "resend": 0}
    in_flight = 0
    for change in changes:
        if change.status != "in-flight":
            counts["pending"] += 1
            kept.append(change)
            continue
        in_flight += 1
        try:
            checked = verify(session, change)
        except errors.BirdadminError as exc:
            counts["unchecked"] += 1
            kept.append(replace(change, status="failed", reason=UNCHECKED.format(exc.message.rstrip("."))))
            continue
        if checked.status == "done":
            done.append(checked)
            _journal_if_missing(journal, checked, profile_record or {})
        else:
            counts["conflict" if checked.status == "conflict" else "resend"] += 1
            kept.append(checked)
    return Recovered(tuple(kept), counts["pending"], in_flight, tuple(done), counts["resend"], counts["conflict"],
                     counts["unchecked"])


def _journal_if_missing(journal: Journal | None, change: Change, profile: Mapping[str, Any]) -> None:
    """A change that reached the server before the crash but not the journal gets its entry now (marked so)."""
    if journal is None:
        return
    from birdadmin.store.journal import now_utc, os_user

    try:
        if any(entry.content.get("change") == change.id for entry in journal.entries()):
            return
        content = {**change_entry(change), "recovered": True}
        journal.append(envelope(content, time=now_utc(), os_user=os_user(), profile=profile, requests=[]))
    except errors.BirdadminError as exc:
        log.warning("change %s was applied before a restart but could not be journaled: %s", change.id, exc.message)
