"""Closing a session while other threads still have requests on the wire, as a window does when it switches
connections: the requests finish, no socket outlives the session, and nothing new is sent."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from birdadmin import errors
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.net.session import HttpSession


def test_close_waits_for_requests_in_flight_then_refuses_new_ones() -> None:
    with start_emulator(EmulatorOptions(port=0, users=20, latency_ms=300)) as emu:
        session = HttpSession(scheme="Bearer", key=emu.key, service="SCIM")
        url = f"{emu.scim_url}/Users"
        answers: list[int] = []
        started = threading.Event()

        def fetch() -> None:
            started.set()
            answers.append(session.request("GET", url, params={"count": 5}).status_code)

        threads = [threading.Thread(target=fetch) for _ in range(3)]
        for thread in threads:
            thread.start()
        started.wait(5)
        time.sleep(0.05)  # the requests are on the wire (the server takes 300 ms)
        session.close()
        assert not session._client.is_closed  # not under the requests' feet
        for thread in threads:
            thread.join(10)
        assert answers == [200, 200, 200]
        assert session._client.is_closed  # the last request to end closed it
        with pytest.raises(errors.ConnectionFailedError, match="closed before this request was sent"):
            session.request("GET", url)


def test_close_with_nothing_in_flight_closes_at_once() -> None:
    session = HttpSession(scheme="Bearer", key="k-123", service="SCIM", transport=httpx.MockTransport(
        lambda request: httpx.Response(200, json={})))
    session.request("GET", "http://127.0.0.1/x")
    session.close()
    assert session._client.is_closed
