"""A role change across 300 users on a flaky, rate-limited emulator ends in exactly the intended state,
and the per-user report tells the truth about every user."""

from __future__ import annotations

from collections import Counter

import httpx

from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.net.session import HttpSettings
from birdadmin.scim.bulk import Status, change_roles_bulk
from birdadmin.scim.client import ScimClient, ScimSettings


class StatusCounter(httpx.HTTPTransport):
    """The real transport, counting the statuses the server answered with."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: Counter[int] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses[response.status_code] += 1
        return response


def test_300_users_with_faults_and_rate_limit_end_exactly_as_intended() -> None:
    with start_emulator(EmulatorOptions(port=0, users=300, groups=4, seed=11, max_page_size=100)) as emu:
        users = emu.state.users()
        catalogue = [r["id"] for r in emu.state.roles()]
        grant, revoke = catalogue[2], catalogue[3]
        before = {u["id"]: list(u.get("roles") or []) for u in users}
        targets = sorted(before)[:300]
        assert len(targets) == 300
        emu.configure(fault_rate=0.2, rate_limit=150.0)
        http = HttpSettings(timeout=10, backoff_base=0.01, backoff_cap=0.05, retry_after_cap=1.0, max_retries=8)
        counter = StatusCounter()
        with ScimClient(emu.scim_url, emu.key, settings=ScimSettings(concurrency=6, write_attempts=6),
                        http=http, transport=counter) as client:
            report = change_roles_bulk(client, targets, add=[grant], remove=[revoke], concurrency=6)
        emu.configure(fault_rate=0.0, rate_limit=None)

        assert [o.user_id for o in report] == sorted(before)[:300]
        failed = [o for o in report if o.status is Status.FAILED]
        for outcome in report:
            truth = emu.state.user(outcome.user_id)["roles"]
            intended = [r for r in before[outcome.user_id] if r != revoke]
            if grant not in intended:
                intended.append(grant)
            if outcome.status is Status.FAILED:
                # never half-applied: a failed user holds exactly what it held, or (unconfirmed) the intent
                assert outcome.error and sorted(truth) in (sorted(before[outcome.user_id]), sorted(intended))
                continue
            assert sorted(truth) == sorted(intended), outcome
            assert sorted(outcome.after) == sorted(intended)
            unchanged = sorted(before[outcome.user_id]) == sorted(intended)
            expected_status = Status.UNCHANGED if unchanged else Status.CHANGED
            assert outcome.status is expected_status, outcome
        faults = counter.statuses[500] + counter.statuses[503]
        assert faults > 100 and counter.statuses[429] > 0, counter.statuses  # the faults really happened
        assert not failed, [o.error for o in failed]  # retries are bounded but ample for a 20% fault rate
        assert emu.request_count < 300 * 12  # bounded traffic
