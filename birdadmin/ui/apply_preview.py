"""What "Review and apply" shows before anything is sent, prepared on a worker: each change with its requests and
the guards' verdict.

With 10,000 planned changes the request text and the guard check took 150-200 ms, too long for the GUI thread
(the window would freeze). ``PreviewInput`` is taken on the GUI thread from immutable parts (frozen ``Change``
objects, the organization's lists as loaded, the open session, which a worker only reads), and ``prepare`` turns it
into a ``Prepared`` on the task runner; the dialog (``ui/apply_dialog.py``) shows it when it arrives and drops it
when the queue changed meanwhile (the runner's channel rule). No widgets here: ``QCoreApplication.translate`` is
the only Qt call, and it is thread-safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from birdadmin.domain.changes import Change
from birdadmin.qtmodels.changes import ChangeNames
from birdadmin.ui.apply_guards import GuardInput, GuardVerdict, judge
from birdadmin.ui.change_requests import requests_text

if TYPE_CHECKING:
    from birdadmin.org_load import Session

PREVIEW_REQUESTS = 200  # changes shown with their full requests in the preview


def _tr(text: str) -> str:
    return QCoreApplication.translate("ApplyDialog", text)


@dataclass(frozen=True)
class PreviewInput:
    """One batch as the dialog will send it: the changes (conflicts left out), how many conflicts were left out,
    what the guards read, the names to show and the connection whose requests are previewed."""

    changes: tuple[Change, ...]
    left_out: int
    guards: GuardInput
    names: ChangeNames
    session: Session | None


@dataclass(frozen=True)
class Prepared:
    """The preview text and the guards' verdict for one ``PreviewInput``."""

    text: str
    verdict: GuardVerdict


def preview_text(changes: Sequence[Change], session: Session | None, names: ChangeNames) -> str:
    """Each change with its requests; past ``PREVIEW_REQUESTS`` changes, one line each (a 10,000-user batch stays
    quick to show and to read)."""
    blocks = []
    for at, change in enumerate(changes):
        head = f"{change.target_name or change.target_id} ({names.kind(change)}): {names.summary(change)}"
        if at < PREVIEW_REQUESTS:
            blocks.append(f"{head}\n{requests_text(change, session)}\n")
        else:
            if at == PREVIEW_REQUESTS:
                blocks.append(_tr("The other {count} changes send requests of the same form:").format(
                    count=len(changes) - PREVIEW_REQUESTS))
            blocks.append(head)
    return "\n".join(blocks) if blocks else _tr("Nothing to apply.")


def prepare(data: PreviewInput) -> Prepared:
    """The preview and the verdict; runs on a worker (``TaskRunner.submit``), reading ``data`` only."""
    return Prepared(preview_text(data.changes, data.session, data.names), judge(data.guards))
