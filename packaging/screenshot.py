"""Take the README screenshot: the demo organization loaded, a user selected, the window grabbed to PNG.

Run under a real X server, for example:
    xvfb-run -a -s "-screen 0 1400x900x24" python packaging/screenshot.py resources/screenshots/main-window.png
    xvfb-run -a -s "-screen 0 1024x640x24" python packaging/screenshot.py --size 1024x640 small.png
    xvfb-run -a -s "-screen 0 1400x900x24" python packaging/screenshot.py --scene editing resources/screenshots/

``--scene editing`` writes the README's walkthrough into a directory: planned edits in the change queue
(``change-queue.png``), their preview (``apply-preview.png``), a conflict after applying (``conflict.png``) and
the journal page (``journal.png``); ``packaging/screenshot_editing.py`` drives it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1360x820") from None
    return width, height


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="screenshot.py", description="Write a PNG of the main window on the demo.")
    parser.add_argument("output", type=Path, help="the PNG file to write")
    parser.add_argument("--size", type=_size, default=(1360, 820), metavar="WxH",
                        help="the window's size (default 1360x820, the README's screenshot)")
    parser.add_argument("--scene", choices=("main", "editing", "matrix", "keys"), default="main",
                        help="main: the window with a user selected (a PNG); editing: the walkthrough (a directory); "
                             "matrix, keys: the role matrix or the access keys page (a PNG)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    out: Path = args.output
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    # Private settings and data dirs: the screenshot must not depend on (or change) the user's window state, journal,
    # planned changes or snapshots.
    os.environ["BIRDADMIN_CONFIG_DIR"] = tempfile.mkdtemp(prefix="birdadmin-shot-")
    os.environ["BIRDADMIN_DATA_DIR"] = tempfile.mkdtemp(prefix="birdadmin-shot-data-")

    from PySide6.QtCore import QCoreApplication, QEventLoop

    from birdadmin.app import create_main_window

    window = create_main_window(["--demo", "--demo-users", "250", "--demo-groups", "12"])
    window.resize(*args.size)
    window.show()
    loaded = {"users": False, "org": False}
    window.users_loaded.connect(lambda _n: loaded.__setitem__("users", True))
    window.org_loaded.connect(lambda: loaded.__setitem__("org", True))
    deadline = time.monotonic() + 60
    while not all(loaded.values()) and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if not all(loaded.values()):
        print("the demo organization did not load in time", file=sys.stderr)
        return 1
    if args.scene == "editing":
        from screenshot_editing import shoot_editing  # beside this script

        return shoot_editing(window, out)
    if args.scene in ("matrix", "keys"):
        from screenshot_editing import shoot_keys, shoot_matrix

        return (shoot_matrix if args.scene == "matrix" else shoot_keys)(window, out)
    view = window.users_view
    # Pick someone with direct roles, roles from a group and a UUID missing from the catalogue, so the pane
    # shows every kind of grant (and the warning flag).
    catalogue = window.session.org.catalogue
    model = window.users_model
    candidates = [model.user_at(r) for r in range(model.rowCount())]
    candidates = [u for u in candidates if u is not None and u.roles and model.groups_of(u)]
    flagged = [u for u in candidates if any(not catalogue.is_known(r) for r in u.roles)]
    target = (flagged or candidates or [None])[0]
    view.select_user((target or window.users_model.user_at(0)).id)
    view.detail.tabs.setCurrentIndex(1)
    deadline = time.monotonic() + 10
    while view.detail.json_user_id is None and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    for _ in range(10):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out), "PNG"):
        print(f"could not write {out}", file=sys.stderr)
        return 1
    window.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
