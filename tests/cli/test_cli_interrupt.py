"""Ctrl+C during a write says what is known: a write on the wire may have been applied (the server goes on
without the client), never "nothing was sent". A real SIGINT, sent to the main thread while the emulator is
still sleeping over the PATCH (bounded: the emulator answers every request within its latency)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator

import pytest

from birdadmin import errors, in_flight
from birdadmin.cli import main
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator

LATENCY_MS = 400


@pytest.fixture()
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=5, groups=1, seed=3)) as running:
        yield running


def _interrupt_when_a_write_is_on_the_wire(done: threading.Event) -> threading.Thread:
    main_id = threading.main_thread().ident
    assert main_id is not None

    def watch() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not done.is_set():
            if in_flight.snapshot().on_the_wire:
                time.sleep(0.05)  # well inside the emulator's latency: the PATCH is still unanswered
                signal.pthread_kill(main_id, signal.SIGINT)
                return
            time.sleep(0.005)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_ctrl_c_while_a_role_write_is_on_the_wire_says_it_may_have_been_applied(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    target = next(u for u in emu.state.users() if u.get("roles"))
    role = next(r["id"] for r in emu.state.roles() if r["id"] not in target["roles"])
    emu.configure(latency_ms=LATENCY_MS)
    done = threading.Event()
    watcher = _interrupt_when_a_write_is_on_the_wire(done)
    try:
        code = main(["--base-url", emu.scim_url, "users", "roles", "add", target["userName"], role])
    finally:
        done.set()
        watcher.join(5)
    err = capsys.readouterr().err
    assert code == 130
    assert "may have been applied" in err and f"birdadmin-cli users show {target['userName']}" in err
    assert "nothing" not in err
    deadline = time.monotonic() + 10  # the server applies it after the client has gone
    while role not in (emu.state.user(target["id"]) or {}).get("roles", []) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert role in emu.state.user(target["id"])["roles"]


def test_the_interrupt_sentences() -> None:
    in_flight.start(in_flight.for_user("ann@example.com"))
    assert in_flight.interrupted_message() == "Interrupted before any change was sent; nothing was changed."
    with in_flight.sending():
        assert "may have been applied; check with `birdadmin-cli users show ann@example.com`" in (
            in_flight.interrupted_message()
        )
    assert in_flight.interrupted_message() == (
        "Interrupted: The change to ann@example.com was confirmed by the server; check with "
        "`birdadmin-cli users show ann@example.com`."
    )
    with pytest.raises(errors.ServerError), in_flight.sending():
        raise errors.ServerError("lost", status=502)
    assert "may have been applied" in in_flight.interrupted_message()
    in_flight.start()
    with pytest.raises(errors.BadRequestError), in_flight.sending():
        raise errors.BadRequestError("refused", status=400)
    assert in_flight.interrupted_message() == "Interrupted: the server refused what was sent, so nothing was changed."
    in_flight.start()
