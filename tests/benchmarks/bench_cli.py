"""CLI benchmark: whole ``birdadmin-cli --format json users list`` processes against the practical limit.

    .venv/bin/python tests/benchmarks/bench_cli.py [--users 10000] [--latency-ms 50] [--repeat 5] [--no-sweep]

The emulator runs in its own process (``birdadmin-emulator --users N --latency-ms 50 --max-page-size 100``). Then,
taking turns (a, b, c, a, b, c, ...) so that the machine's drift hits all of them alike, best and median of
--repeat:

  (a) a whole ``birdadmin-cli --base-url URL --format json users list`` process (the venv's entry point script,
      the key in BIRDADMIN_ACCESS_KEY, stdout to a file as in ``> users.json``), from spawn to exit: interpreter
      start, imports, discovery, every page, the JSON written; the file is checked afterwards (N users);
  (b) a plain httpx + ``json.loads`` loop in this process with 6 requests in flight (threads) fetching the same
      pages, 100 users each: no process start, no discovery, no parsing into objects, no output;
  (c) the same plain loop, one request at a time.

Targets: (a) within 1.3x of (b); (a) at least 4x faster than (c).

Start-up: the time from spawning the CLI process to the first request the server sees, target under 150 ms. It is
measured through a small timestamping TCP proxy in this process placed in front of the emulator: the clock starts
just before ``subprocess.Popen`` and stops when the proxy receives the first bytes of the first request (both
``time.perf_counter`` in this process, so one clock). The proxy forwards everything, so the run completes normally;
these runs are separate from the timed ones above, so the proxy's overhead never enters (a). The ``-X importtime``
total of the CLI's imports for the same command is printed beside it.

The sweep (skipped with --no-sweep) times whole CLI processes at --concurrency 1, 2, 4, 6, 8 and 12 in turns: the
evidence for the default concurrency.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.common import emulator_process, verdict

PAGE = 100
PLAIN_CONCURRENCY = 6
CLI = str(Path(sys.executable).with_name("birdadmin-cli"))
REPO = Path(__file__).resolve().parents[2]


SCRATCH = tempfile.TemporaryDirectory(prefix="bench-cli-")


def cli_env(key: str) -> dict[str, str]:
    """The CLI's environment: the key; no profile or names file (a clean configuration directory); and bytecode
    cached between runs (in a scratch directory), as an installed package has it, even where the environment says
    PYTHONDONTWRITEBYTECODE, which would otherwise make every run compile birdadmin's sources again."""
    env = {**os.environ, "BIRDADMIN_ACCESS_KEY": key, "PYTHONPATH": str(REPO)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(SCRATCH.name, "pycache")
    env["BIRDADMIN_CONFIG_DIR"] = os.path.join(SCRATCH.name, "config")
    return env


def cli_run(url: str, key: str, users: int, *extra: str) -> int:
    with tempfile.TemporaryFile() as out:
        result = subprocess.run(
            [CLI, "--base-url", url, "--format", "json", "users", "list", *extra],
            stdout=out, stderr=subprocess.PIPE, env=cli_env(key), check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"birdadmin-cli exited {result.returncode}: {result.stderr.decode()[-500:]}")
        out.seek(0)
        listed = len(json.loads(out.read()))
    assert listed == users, (listed, users)
    return listed


def plain_loop(url: str, key: str, concurrency: int) -> int:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(headers=headers, limits=httpx.Limits(max_connections=concurrency + 1), timeout=60) as client:

        def page(start: int) -> list[dict]:
            return json.loads(client.get(f"{url}/Users", params={"startIndex": start, "count": PAGE}).content)[
                "Resources"
            ]

        first = json.loads(client.get(f"{url}/Users", params={"startIndex": 1, "count": PAGE}).content)
        total, step = first["totalResults"], len(first["Resources"])
        starts = range(1 + step, total + 1, step)
        if concurrency == 1:
            rest = [page(s) for s in starts]
        else:
            with ThreadPoolExecutor(concurrency) as pool:
                rest = list(pool.map(page, starts))
        return len(first["Resources"]) + sum(len(p) for p in rest)


def in_turns(repeat: int, runs: list[Callable[[], int]]) -> list[list[float]]:
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for i, run in enumerate(runs):
            started = time.perf_counter()
            run()
            times[i].append(time.perf_counter() - started)
    return times


class FirstRequestProxy:
    """A TCP proxy that forwards to ``target`` and records when the first bytes of a request arrive."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.first_bytes: float | None = None
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.first_bytes = None

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.target)
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in selector.select():
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is client:
                        with self._lock:
                            if self.first_bytes is None:
                                self.first_bytes = time.perf_counter()
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            client.close()
            upstream.close()

    def close(self) -> None:
        self.listener.close()


def start_to_first_request(url: str, key: str, repeat: int) -> list[float]:
    parsed = urlparse(url)
    proxy = FirstRequestProxy(parsed.hostname or "127.0.0.1", parsed.port or 80)
    proxied = url.replace(f"{parsed.hostname}:{parsed.port}", f"127.0.0.1:{proxy.port}")
    found: list[float] = []
    try:
        for _ in range(repeat):
            proxy.reset()
            env = cli_env(key)
            started = time.perf_counter()
            process = subprocess.Popen(
                [CLI, "--base-url", proxied, "--format", "json", "users", "list"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
            )
            _, err = process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"birdadmin-cli exited {process.returncode}: {err.decode()[-300:]}")
            assert proxy.first_bytes is not None
            found.append(proxy.first_bytes - started)
    finally:
        proxy.close()
    return found


def import_total() -> float:
    """Seconds the CLI module's own imports take (``-X importtime``, top-level entries summed)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import birdadmin.cli"],
        capture_output=True, text=True, env=cli_env(""), check=True,
    )
    total = 0
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].startswith(" ") and not parts[2].startswith("  "):
            try:
                total += int(parts[1])
            except ValueError:
                continue
    return total / 1e6


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-sweep", action="store_true")
    args = parser.parse_args()
    emulator_args = ["--users", str(args.users), "--groups", "20", "--max-page-size", str(PAGE),
                     "--latency-ms", str(args.latency_ms)]
    with emulator_process(*emulator_args) as emu:
        url, key, n = emu.scim_url, emu.key, args.users
        cli_run(url, key, n)  # warm the page cache for the interpreter and the server's first answers
        a, b, c = in_turns(
            args.repeat,
            [
                lambda: cli_run(url, key, n),
                lambda: plain_loop(url, key, PLAIN_CONCURRENCY),
                lambda: plain_loop(url, key, 1),
            ],
        )
        print(f"{n} users, {args.latency_ms} ms latency per request, {PAGE} a page; best / median of {args.repeat}",
              flush=True)
        print(f"  (a) birdadmin-cli --format json users list (whole process)  "
              f"{ms(min(a))} / {ms(statistics.median(a))}")
        print(f"  (b) plain httpx + json.loads, {PLAIN_CONCURRENCY} in flight              "
              f"{ms(min(b))} / {ms(statistics.median(b))}")
        print(f"  (c) plain httpx + json.loads, sequential               {ms(min(c))} / {ms(statistics.median(c))}")
        ratio_best, ratio_median = min(a) / min(b), statistics.median(a) / statistics.median(b)
        print(f"  (a)/(b) = {ratio_best:.2f}x best, {ratio_median:.2f}x median (target <= 1.30x) "
              f"{verdict(ratio_best <= 1.3)}")
        speedup_best, speedup_median = min(c) / min(a), statistics.median(c) / statistics.median(a)
        print(f"  (c)/(a) = {speedup_best:.1f}x best, {speedup_median:.1f}x median (target >= 4x) "
              f"{verdict(speedup_best >= 4)}")
        first = start_to_first_request(url, key, args.repeat)
        print(f"  process spawn to first request at the server: best {ms(min(first))}, median "
              f"{ms(statistics.median(first))} (target < 150 ms) {verdict(statistics.median(first) < 0.150)}")
        print(f"  imports of birdadmin.cli (-X importtime, top level): {ms(import_total())}", flush=True)
        if not args.no_sweep:
            levels = [1, 2, 4, 6, 8, 12]
            sweep = in_turns(
                max(1, args.repeat // 2 + 1),
                [lambda level=level: cli_run(url, key, n, "--concurrency", str(level)) for level in levels],
            )
            print("  whole CLI process by --concurrency (best / median):")
            for level, times in zip(levels, sweep, strict=True):
                print(f"    {level}: {ms(min(times))} / {ms(statistics.median(times))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
