"""``report pdf FILE [--roles ROLE...] [--since SNAPSHOT_ID]``: the dated PDF audit report of the organization.

The report is drawn with Qt's PDF support (``birdadmin/report``), imported inside the handler only: every other
command starts without Qt, and this one makes an offscreen QGuiApplication (no display needed under cron).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from birdadmin.cli.time_limits import add_command_max_time

if TYPE_CHECKING:
    from birdadmin.cli.context import CliContext
    from birdadmin.domain.org_state import OrgState


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="the PDF audit report (who has which role, findings, changes)")
    sub = report.add_subparsers(dest="report_command", metavar="KIND", required=True)
    pdf = sub.add_parser("pdf", help="write the audit report to FILE as PDF")
    pdf.add_argument("file", metavar="FILE", help="the PDF file to write")
    pdf.add_argument("--roles", nargs="+", action="extend", metavar="ROLE", default=[],
                     help="roles (names or UUIDs) for the who-has section (default: every role held, or the Owner "
                     "and the most-held ones when there are many); FILE goes before --roles, or after --")
    pdf.add_argument("--since", type=int, metavar="SNAPSHOT_ID",
                     help="list what changed since this saved snapshot ('birdadmin-cli snapshot list')")
    pdf.set_defaults(handler=write_report)
    add_command_max_time(pdf)


def _since(snapshot_id: int | None) -> OrgState | None:
    if snapshot_id is None:
        return None
    from birdadmin.store.snapshots import SnapshotStore

    store = SnapshotStore()
    try:
        return store.load(snapshot_id)
    finally:
        store.close()


def write_report(args: argparse.Namespace, ctx: CliContext) -> int:
    path = Path(args.file)
    roles = ctx.resolve_roles(args.roles) if args.roles else []  # a mistyped name fails before anything is loaded
    since = _since(args.since)
    state = ctx.org_state()
    conn = ctx.connection()
    from birdadmin.report.app import gui_application
    from birdadmin.report.pdf import audit_settings, write_pdf

    with gui_application():
        pages = write_pdf(path, state, roles=roles, since=since, **audit_settings(conn))
    if ctx.out.format == "json":
        ctx.out.emit_one({"file": str(path), "pages": pages})
    else:
        ctx.out.message(f"{path}: {pages} pages")
    return 0
