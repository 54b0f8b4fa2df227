"""The exact requests a planned change will send, as text a person can check before applying.

``requests_for`` (``services/apply.py``) plans them without I/O: method, path, body and If-Match. The access
key is never part of a planned request, so it cannot appear here.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QCoreApplication

from birdadmin.domain.changes import Change
from birdadmin.errors import explain
from birdadmin.org_load import Session


def _tr(text: str) -> str:
    return QCoreApplication.translate("ChangeRequests", text)


def request_lines(request: Any) -> list[str]:
    lines = [f"{request.method} {request.path}"]
    if request.if_match:
        lines.append(f"If-Match: {request.if_match}")
    if request.note:
        lines.append(f"# {request.note}")
    if request.body is not None:
        lines.append(json.dumps(request.body, indent=2, ensure_ascii=False, sort_keys=False, default=str))
    return lines


def requests_text(change: Change, session: Session | None) -> str:
    """Every request of ``change``, blank-line separated; a sentence when they cannot be planned."""
    if session is None:
        return _tr("Not connected: the requests cannot be planned.")
    try:
        from birdadmin.services.apply import requests_for

        requests = requests_for(change, session)
    except Exception as exc:  # noqa: BLE001 - any planning problem is shown as its one sentence
        return _tr("The requests cannot be planned: {reason}").format(reason=explain(exc).message)
    if not requests:
        return _tr("Nothing would be sent: the server already holds this.")
    return "\n\n".join("\n".join(request_lines(r)) for r in requests)
