"""``--max-time``: the one bound on a whole command, so a scheduled run ends instead of waiting on a stalled server.

A listing (``users list``, ``groups list``) stopped by it ends as incomplete (exit 5, what arrived is printed); a
command that reads the whole organization (audit, snapshot, report) stops every request at it (exit 4).
"""

from __future__ import annotations

import argparse

# 10,000 users take about a second at 50 ms a request; a million, about two minutes. Ten minutes leaves room for a
# slow or rate-limited server and still ends a scheduled audit that would hang.
DEFAULT_MAX_TIME = 600.0
_SECONDS = "must be a number of seconds, 0 for no limit"


def seconds(text: str) -> float:
    """argparse's type for ``--max-time``: a finite, non-negative number (``nan``, ``inf`` and ``1e999`` refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_SECONDS) from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(_SECONDS)
    return value


def add_listing_max_time(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-time", type=seconds, default=DEFAULT_MAX_TIME, metavar="SECONDS",
        help=f"stop the whole listing after this long, as incomplete (exit 5); 0 = no limit "
        f"(default {DEFAULT_MAX_TIME:g})",
    )


def add_command_max_time(parser: argparse.ArgumentParser) -> None:
    """``--max-time`` for a command that reads the whole organization: every request stops at that limit."""
    parser.add_argument(
        "--max-time", dest="command_max_time", type=seconds, default=DEFAULT_MAX_TIME, metavar="SECONDS",
        help=f"stop the whole command after this long (exit 4); 0 = no limit (default {DEFAULT_MAX_TIME:g})",
    )


def listing_max_time(args: argparse.Namespace) -> float | None:
    """The listing's limit in seconds, None for no limit."""
    return float(args.max_time) or None
