"""Injected misbehaviour: 5xx by rate, 429 with Retry-After, one-shot injections before and after a write."""

from __future__ import annotations

import ssl

import httpx

from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator

USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def test_fault_rate_one_makes_every_request_fail_except_discovery(emu: Emulator, scim: httpx.Client,
                                                                   accounts: httpx.Client) -> None:  # fmt: skip
    emu.configure(fault_rate=1.0)
    statuses = set()
    for _ in range(20):
        resp = scim.get("/Users", params={"count": 1})
        statuses.add(resp.status_code)
        body = resp.json()
        assert body["status"] == str(resp.status_code) and body["schemas"][0].endswith(":Error")
    assert statuses == {500, 503}
    resp = accounts.get("/iam-roles")
    assert resp.status_code in (500, 503) and set(resp.json()) == {"code", "message"}
    assert scim.get("/ServiceProviderConfig").status_code == 200
    assert scim.get("/Schemas").status_code == 200
    emu.configure(fault_rate=0.0)
    assert scim.get("/Users").status_code == 200


def test_rate_limit_answers_429_with_retry_after(emu: Emulator, scim: httpx.Client) -> None:
    emu.configure(rate_limit=5.0)
    answers = [scim.get("/Users", params={"count": 1}) for _ in range(30)]
    limited = [r for r in answers if r.status_code == 429]
    assert limited and len(limited) <= 25  # the burst of 5 (plus refills) got through
    assert all(r.headers["Retry-After"] == "1" and r.json()["scimType"] == "tooMany" for r in limited)
    emu.configure(rate_limit=None)
    assert all(scim.get("/Users", params={"count": 1}).status_code == 200 for _ in range(10))


def test_injected_500_after_apply_loses_the_response_but_keeps_the_change(emu: Emulator, scim: httpx.Client) -> None:
    emu.inject(500, path_contains="/Users", method="POST", after_apply=True)
    resp = scim.post("/Users", json={"schemas": [USER], "userName": "lost.response@example.com"})
    assert resp.status_code == 500
    assert emu.state.user_id_by_name("lost.response@example.com") is not None
    retry = scim.post("/Users", json={"schemas": [USER], "userName": "lost.response@example.com"})
    assert retry.status_code == 409  # what a client's retry meets


def test_injected_503_before_apply_changes_nothing(emu: Emulator, scim: httpx.Client) -> None:
    uid = emu.state.users()[0]["id"]
    emu.inject(503, count=2, path_contains=uid)
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "roles", "value": []}]}  # fmt: skip
    assert scim.patch(f"/Users/{uid}", json=body).status_code == 503
    assert scim.get(f"/Users/{uid}").status_code == 503
    assert emu.state.user(uid)["roles"] != []
    assert scim.get(f"/Users/{uid}").status_code == 200  # the injection is used up


def test_injected_429_carries_retry_after(emu: Emulator, accounts: httpx.Client) -> None:
    emu.inject(429, path_contains="/teams", retry_after=3)
    resp = accounts.get("/teams")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "3"
    assert resp.json()["code"] == "rate_limited"


def test_request_count_counts_every_request(emu: Emulator, scim: httpx.Client) -> None:
    before = emu.request_count
    emu.inject(500, count=1)
    for _ in range(4):
        scim.get("/Users", params={"count": 1})
    assert emu.request_count == before + 4


def test_seeded_faults_are_deterministic(tls: ssl.SSLContext) -> None:
    runs = []
    for _ in range(2):
        with (
            start_emulator(EmulatorOptions(users=5, groups=1, seed=7, fault_rate=0.5)) as emu,
            httpx.Client(base_url=emu.scim_url, headers={"Authorization": f"Bearer {emu.key}"}, verify=tls) as c,
        ):
            runs.append([c.get("/Users", params={"count": 1}).status_code for _ in range(30)])
    assert runs[0] == runs[1]
    assert {200, 500, 503} <= set(runs[0]) or {200} < set(runs[0])
