"""The ``--state`` file: the whole organization as JSON, replaced atomically so a crash never leaves half a file."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from birdadmin.emulator.errors import EmulatorStateError

_save_lock = threading.Lock()


def load_state_file(path: Path) -> dict[str, Any] | None:
    """The saved document, None when there is no file yet; EmulatorStateError when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise EmulatorStateError(f"The state file {path} cannot be read ({exc.__class__.__name__}).") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise EmulatorStateError(
            f"The state file {path} is not valid JSON; delete it or pass another --state."
        ) from None
    if not isinstance(data, dict):
        raise EmulatorStateError(f"The state file {path} does not hold an emulator state; delete it or pass another.")
    return data


def save_state_file(path: Path, document: dict[str, Any]) -> None:
    """Write to a temporary file beside the target, flush it to disk, then rename over the target."""
    text = json.dumps(document, ensure_ascii=False, indent=1)
    with _save_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
