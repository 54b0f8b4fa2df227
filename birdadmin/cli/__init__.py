"""``birdadmin-cli``: the same core as the window, for scripts, scheduled audits and trying things by hand.

Exit codes: 0 success; 1 the server refused or the operation failed; 2 bad input or usage (found before any
request is sent); 3 authentication or permission (401/403); 4 the server could not be reached or timed out.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from birdadmin import __version__
from birdadmin.cli.context import CliContext
from birdadmin.cli.output import Output
from birdadmin.errors import BirdadminError, explain
from birdadmin.redact import RedactingFilter
from birdadmin.scim.resources import RolesShape, RoleStrategy

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one sentence and exit code 2, as for any other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="birdadmin-cli",
        description="Administer the roles of a Bird CRM organization over SCIM 2.0.",
        epilog="Exit codes: 0 ok, 1 refused or failed, 2 bad input, 3 access denied, 4 server unreachable.",
    )
    parser.add_argument("--version", action="version", version=f"birdadmin {__version__}")
    where = parser.add_argument_group("organization")
    where.add_argument("--base-url", metavar="URL", help="SCIM Base URL (key in $BIRDADMIN_ACCESS_KEY)")
    where.add_argument("--profile", metavar="NAME", help="a stored connection profile (key from the OS keyring)")
    where.add_argument("--demo", action="store_true", help="start the local demo organization and use it")
    where.add_argument("--accounts-url", metavar="URL", help="Bird Accounts API URL (key in $BIRDADMIN_ACCOUNTS_KEY)")
    where.add_argument("--org-id", metavar="UUID", help="organization ID, when the Base URL does not contain it")
    tuning = parser.add_argument_group("connection")
    tuning.add_argument("--roles-shape", choices=[s.value for s in RolesShape], help="wire form of roles to write")
    tuning.add_argument("--role-strategy", choices=[s.value for s in RoleStrategy], help="how role changes are sent")
    tuning.add_argument("--timeout", type=float, metavar="SECONDS", help="per-request timeout (default 30)")
    tuning.add_argument("--ca-bundle", metavar="FILE", help="CA bundle (PEM) to trust instead of the system's")
    tuning.add_argument("--page-size", type=int, default=100, metavar="N", help="users per page requested")
    tuning.add_argument("--concurrency", type=int, default=4, metavar="N", help="pages in flight (default 4)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output format")
    parser.add_argument("-v", "--verbose", action="store_true", help="log requests (keys redacted) to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for name in ("users", "groups", "roles", "profiles"):
        try:
            module = import_module(f"birdadmin.cli.{name}")
        except ModuleNotFoundError as exc:  # a command module still being written must not break the others
            if exc.name != f"birdadmin.cli.{name}":
                raise
            continue
        module.register(commands)
    return parser


def _configure_logging(verbose: bool) -> Callable[[], None]:
    """Log to stderr through the redacting filter; returns how to put logging back (main() is re-entrant)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("birdadmin")
    saved = (root.handlers[:], root.level, root.propagate)
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.propagate = False

    def restore() -> None:
        root.handlers[:], root.level, root.propagate = saved[0], saved[1], saved[2]

    return restore


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.page_size < 1 or args.concurrency < 1:
        sys.stderr.write("birdadmin-cli: --page-size and --concurrency must be at least 1.\n")
        return EXIT_USAGE
    if args.timeout is not None and not (0 < args.timeout < math.inf):
        sys.stderr.write("birdadmin-cli: --timeout must be a number of seconds above 0.\n")
        return EXIT_USAGE
    restore_logging = _configure_logging(args.verbose)
    out = Output(args.format)
    ctx = CliContext(args, out)
    try:
        return int(args.handler(args, ctx) or 0)
    except BrokenPipeError:  # `birdadmin-cli ... | head`: the reader left; that is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        out.error("Interrupted; changes already confirmed by the server stay, nothing else was sent.")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into a sentence
        explanation = explain(exc)
        out.error(f"birdadmin-cli: {explanation.message}")
        if args.verbose and explanation.details and isinstance(exc, BirdadminError):
            out.error(explanation.details)
        return explanation.exit_code
    finally:
        try:
            ctx.close()
        except Exception:  # noqa: BLE001 - closing must never mask the command's result
            logging.getLogger(__name__).debug("closing the connection failed", exc_info=True)
        restore_logging()


if __name__ == "__main__":
    raise SystemExit(main())
