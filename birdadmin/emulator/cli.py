"""``birdadmin-emulator``: run the Bird-compatible demo server until Ctrl+C or SIGTERM.

On start it prints exactly these four lines to stdout (then serves; nothing else goes to stdout):

    SCIM base URL: http://127.0.0.1:PORT/organizations/<org>/scim/v2
    Accounts API URL: http://127.0.0.1:PORT
    SCIM access key: demo-scim-key
    Accounts access key: demo-accounts-key

Paste the first and third into birdadmin's connection dialog (or run ``birdadmin --demo``). The demo keys
are documented and protect nothing; binding a non-loopback ``--host`` prints a warning for that reason.
With ``--state FILE`` every change is saved (atomically) and the organization survives restarts; a file
that cannot be read stops the emulator with one sentence and exit status 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from birdadmin import __version__  # the package face holds only the version; nothing else of birdadmin
from birdadmin.emulator.errors import EmulatorStateError
from birdadmin.emulator.options import (
    DEFAULT_PORT,
    DEMO_ACCOUNTS_KEY,
    DEMO_ORG_ID,
    DEMO_SCIM_KEY,
    EmulatorOptions,
)
from birdadmin.emulator.server import is_loopback, start_emulator


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="birdadmin-emulator",
        description="A local Bird-compatible server (SCIM 2.0 + Accounts API subset) for demos and tests.",
    )
    p.add_argument("--version", action="version", version=f"birdadmin-emulator {__version__}")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port, 0 = any free port (default {DEFAULT_PORT})")
    p.add_argument("--users", type=int, default=250, help="seeded users (default 250)")
    p.add_argument("--groups", type=int, default=12, help="seeded groups/teams (default 12)")
    p.add_argument("--seed", type=int, default=1, help="seed of the demo data and of the faults (default 1)")
    p.add_argument("--key", default=DEMO_SCIM_KEY, help=f"SCIM access key (default {DEMO_SCIM_KEY})")
    p.add_argument("--accounts-key", default=DEMO_ACCOUNTS_KEY, help=f"Accounts API key (default {DEMO_ACCOUNTS_KEY})")
    p.add_argument("--org-id", default=DEMO_ORG_ID, help="organization id in the URLs")
    p.add_argument("--latency-ms", type=float, default=0, help="delay added to every response")
    p.add_argument("--fault-rate", type=float, default=0.0, help="share of requests answered 500 or 503 (0..1)")
    p.add_argument("--rate-limit", type=float, default=None, help="requests per second before 429 (default: none)")
    p.add_argument("--max-page-size", type=int, default=100, help="largest SCIM page served (default 100)")
    p.add_argument("--state", default=None, metavar="FILE", help="JSON file that keeps changes across restarts")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    options = EmulatorOptions(
        host=args.host,
        port=args.port,
        users=args.users,
        groups=args.groups,
        seed=args.seed,
        key=args.key,
        accounts_key=args.accounts_key,
        org_id=args.org_id,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        rate_limit=args.rate_limit,
        max_page_size=args.max_page_size,
        state_file=args.state,
    )
    if not is_loopback(args.host):
        print(
            f"Warning: listening on {args.host} exposes the emulator and its access keys to the network.",
            file=sys.stderr,
        )
    try:
        emu = start_emulator(options)
    except EmulatorStateError as exc:
        print(f"birdadmin-emulator: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"birdadmin-emulator: {exc}.", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"birdadmin-emulator: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}).", file=sys.stderr)
        return 2

    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f"SCIM base URL: {emu.scim_url}")
        print(f"Accounts API URL: {emu.accounts_url}")
        print(f"SCIM access key: {emu.key}")
        print(f"Accounts access key: {emu.accounts_key}", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
