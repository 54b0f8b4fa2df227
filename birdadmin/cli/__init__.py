"""``birdadmin-cli``: the same core as the window, for scripts, scheduled audits and trying things by hand.

Exit codes: 0 success; 1 the server refused or the operation failed; 2 bad input or usage (found before anything
is written); 3 authentication or permission (401/403); 4 the server could not be reached or timed out;
5 an incomplete listing (the server listed fewer different items than its own total, or a bound stopped a listing
that kept growing: ``scim/paging.py`` ``ListingIncomplete``); 6 a change applied on the server that the local
journal could not record; 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from birdadmin import __version__
from birdadmin.cli.context import CliContext
from birdadmin.cli.output import IncompleteListing, Output
from birdadmin.errors import BirdadminError, explain
from birdadmin.redact import RedactingFilter
from birdadmin.safe_text import terminal_text
from birdadmin.scim.resources import RolesShape, RoleStrategy
from birdadmin.store.timeouts import timeout_problem

EXIT_USAGE = 2
# Pages in flight. Measured with tests/benchmarks/bench_cli.py (whole processes, 10,000 users, 50 ms a request, best
# of 3): 1, 2, 4, 6, 8 and 12 in flight took 5.8, 3.1, 1.8, 1.3, 1.1 and 0.95 s. Past 8 the gain is small and the
# load on Bird grows, whose rate limits are not documented; a 429 is retried after its Retry-After (net/session.py).
DEFAULT_CONCURRENCY = 8


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one sentence and exit code 2, as for any other bad input; and a command's
    options may come anywhere on its line (``users roles set USER --dry-run ROLE``)."""

    _intermixing = False

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: {terminal_text(message)}\n")  # it may repeat an argument as typed
        raise SystemExit(EXIT_USAGE)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # A leaf command (no subcommands of its own) takes its positionals around its options; argparse's
        # intermixed parsing calls back into parse_known_args, hence the flag.
        if self._subparsers is not None or self._intermixing:
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False


def _global_options(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    """The options every command takes, before the command or (with ``default=SUPPRESS``) after it."""
    suppress = default is argparse.SUPPRESS

    def opt(group: argparse._ActionsContainer, *names: str, **kwargs: object) -> None:
        if suppress:
            kwargs["default"] = argparse.SUPPRESS
        group.add_argument(*names, **kwargs)  # type: ignore[arg-type]

    where = parser.add_argument_group("organization")
    opt(where, "--base-url", metavar="URL", help="SCIM Base URL (key in $BIRDADMIN_ACCESS_KEY)")
    opt(where, "--profile", metavar="NAME", help="a stored connection profile (key from the OS keyring)")
    opt(where, "--demo", action="store_true", help="start the local demo organization and use it")
    opt(where, "--accounts-url", metavar="URL", help="Bird Accounts API URL (key in $BIRDADMIN_ACCOUNTS_KEY)")
    opt(where, "--org-id", metavar="UUID", help="organization ID, when the Base URL does not contain it")
    tuning = parser.add_argument_group("connection")
    opt(tuning, "--roles-shape", choices=[s.value for s in RolesShape], help="wire form of roles to write")
    opt(tuning, "--role-strategy", choices=[s.value for s in RoleStrategy], help="how role changes are sent")
    opt(tuning, "--timeout", type=float, metavar="SECONDS",
        help="the longest one request may take, from connecting to the last byte of the answer (default 30)")
    opt(tuning, "--ca-bundle", metavar="FILE", help="CA bundle (PEM) to trust instead of the system's")
    opt(tuning, "--page-size", type=int, default=100, metavar="N", help="users per page requested")
    opt(tuning, "--concurrency", type=int, default=DEFAULT_CONCURRENCY, metavar="N",
        help=f"pages in flight (default {DEFAULT_CONCURRENCY})")
    opt(parser, "--format", choices=("table", "json", "csv"), default="table", help="output format")
    opt(parser, "-v", "--verbose", action="store_true", help="log requests (keys redacted) to stderr")


def _leaves(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    subparsers = parser._subparsers
    if subparsers is None:
        return [parser]
    found: list[argparse.ArgumentParser] = []
    for action in subparsers._group_actions:
        for child in dict.fromkeys(action.choices.values()):  # type: ignore[union-attr]
            found += _leaves(child)
    return found


def _accept_global_options(leaves: list[argparse.ArgumentParser]) -> None:
    """Let every command take the global options after it too (one set of option objects, shared); a command's own
    option of the same name wins there (``profiles add NAME --base-url URL`` is the profile's URL)."""
    spare = _Parser(add_help=False)
    _global_options(spare, default=argparse.SUPPRESS)
    for leaf in leaves:
        taken = set(leaf._option_string_actions)
        for action in spare._actions:
            if not taken.intersection(action.option_strings):
                leaf._add_action(action)


# Each command's module registers its parsers; only the modules of commands named on the line are imported and
# registered in full (the others get a one-line entry for --help), which keeps a command's start quick.
_COMMANDS = {
    "users": "list, show and change users' roles",
    "groups": "list and show groups, change their members and roles",
    "roles": "the role catalogue (names need the Accounts API)",
    "profiles": "stored connection profiles (keys in the OS keyring)",
    "journal": "the local journal of changes sent (hash-chained)",
    "audit": "who has which role and why, the role matrix, audit findings",
    "snapshot": "saved states of the organization, and what changed since",
    "report": "the PDF audit report (who has which role, findings, changes since a snapshot)",
    "keys": "the organization's access keys: list, create, revoke, rotate a profile's key",
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``argv``, only the commands that ``argv`` names are built in full."""
    parser = _Parser(
        prog="birdadmin-cli",
        allow_abbrev=False,  # the top level sees every option on the line: `keys create --role` is no abbreviation
        description="Administer the roles of a Bird CRM organization over SCIM 2.0.",
        epilog="Exit codes: 0 ok, 1 refused or failed, 2 bad input, 3 access denied, 4 server unreachable, "
        "5 incomplete listing, 6 applied but not journaled, 130 interrupted. "
        "Options may also follow the command.",
    )
    parser.add_argument("--version", action="version", version=f"birdadmin {__version__}")
    _global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, required=True)
    named = None if argv is None else set(argv)
    for name, text in _COMMANDS.items():
        if named is None or name in named:
            import_module(f"birdadmin.cli.{name}").register(commands)
        else:  # cannot be the command: its name is not on the line
            commands.add_parser(name, help=text)
    _accept_global_options(_leaves(parser))
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


def _undecodable_argument(argv: Sequence[str]) -> str | None:
    """The sentence refusing an argument that is not valid text (bytes the locale could not decode reach Python
    as lone surrogates, which no URL, header, file or terminal can take); None when every argument is text."""
    for position, argument in enumerate(argv, 1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            try:  # the bytes as typed, when they came from the command line
                shown = os.fsencode(argument).decode("ascii", "backslashreplace")
            except UnicodeEncodeError:  # a lone surrogate no decoding produces (main() called with it)
                shown = argument.encode("ascii", "backslashreplace").decode("ascii")
            return (
                f"birdadmin-cli: argument {position} ({shown[:80]}) is not valid UTF-8 text; "
                "retype it, or check the terminal's character encoding."
            )
    return None


def _settle_stdout() -> None:
    """After an OSError: flush what stdout still holds; when even that fails (a full disk, a closed device), point
    stdout at the null device, so the interpreter's own flush at exit does not fail a second time."""
    try:
        sys.stdout.flush()
    except ValueError:  # closed
        return
    except OSError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        finally:
            os.close(devnull)


def _report_incomplete(out: Output, stopped: IncompleteListing, *, verbose: bool) -> int:
    """Why a streamed listing stopped, and that what was written is only its beginning (the JSON left open)."""
    explanation = explain(stopped.cause)
    out.error(f"birdadmin-cli: {explanation.message}")
    out.error(
        f"birdadmin-cli: the listing is incomplete: only the first {stopped.written} records were written, "
        "and the JSON array on stdout is left unterminated."
    )
    if verbose and explanation.details and isinstance(stopped.cause, BirdadminError):
        out.error(explanation.details)
    return explanation.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    refusal = _undecodable_argument(argv)
    if refusal is not None:
        sys.stderr.write(refusal + "\n")
        return EXIT_USAGE
    if not {"-h", "--help", "--version"} & set(argv):
        from birdadmin.net.tls import prewarm

        prewarm()  # the trust store loads while the rest starts up
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.page_size < 1 or args.concurrency < 1:
        sys.stderr.write("birdadmin-cli: --page-size and --concurrency must be at least 1.\n")
        return EXIT_USAGE
    if args.timeout is not None and (problem := timeout_problem(args.timeout)) is not None:
        sys.stderr.write(f"birdadmin-cli: --timeout: {problem}\n")
        return EXIT_USAGE
    restore_logging = _configure_logging(args.verbose)
    out = Output(args.format)
    ctx = CliContext(args, out)
    try:
        code = int(args.handler(args, ctx) or 0)
        sys.stdout.flush()  # a stdout that cannot take the output fails here, where it is reported
        return code
    except BrokenPipeError:  # `birdadmin-cli ... | head`: the reader left; that is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        from birdadmin import in_flight

        out.error(f"birdadmin-cli: {in_flight.interrupted_message()}")  # never "nothing was sent" after a send
        return 130
    except IncompleteListing as stopped:
        return _report_incomplete(out, stopped, verbose=args.verbose)
    except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into a sentence
        explanation = explain(exc)
        if isinstance(exc, OSError):
            _settle_stdout()
        out.error(f"birdadmin-cli: {explanation.message}")
        if args.verbose and explanation.details and isinstance(exc, BirdadminError):
            out.error(explanation.details)
        return explanation.exit_code
    finally:
        try:
            ctx.close()
        except Exception:  # closing must never mask the command's result (logged, not raised)
            logging.getLogger(__name__).debug("closing the connection failed", exc_info=True)
        restore_logging()


if __name__ == "__main__":
    raise SystemExit(main())
