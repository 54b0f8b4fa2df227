"""Access-key findings (domain/key_findings.py) against seeded cases, the emulator's seeded keys, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from birdadmin.bird.access_keys import AccessKey
from birdadmin.bird.models import Role
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.key_findings import KINDS, key_findings, parse_time

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OWNER = "11111111-1111-4111-8111-111111111111"
BILLING = "22222222-2222-4222-8222-222222222222"
AGENT = "33333333-3333-4333-8333-333333333333"


def _iso(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")


def key(name: str, *, roles: tuple[str, ...] | None = (AGENT,), created: float | None = 10,
        used: float | None = 1) -> AccessKey:  # fmt: skip
    return AccessKey(f"id-{name}", name, "", name[-4:], roles, None if created is None else _iso(created),
                     None if used is None else _iso(used))  # fmt: skip


def kinds(found: list) -> set[tuple[str, str]]:
    return {(f.kind, f.subject_name) for f in found}


def test_seeded_cases() -> None:
    keys = [key("fresh"), key("never", used=None), key("idle", used=120), key("owner", roles=(OWNER,)),
            key("billing", roles=(BILLING,)), key("ancient", created=400), key("unlisted", roles=None)]  # fmt: skip
    found = key_findings(keys, now=NOW, owner_role_ids=frozenset({OWNER}), sensitive_role_ids=frozenset({BILLING}))
    assert kinds(found) == {("key-never-used", "never"), ("key-unused", "idle"), ("key-sensitive-role", "owner"),
                            ("key-sensitive-role", "billing"), ("key-old", "ancient")}  # fmt: skip
    assert found[0].subject_name == "owner" and found[0].severity == "high"  # most severe first
    assert all(f.subject_kind == "key" and f.message.endswith(".") for f in found)
    billing = next(f for f in found if f.subject_name == "billing")
    assert billing.severity == "medium" and billing.role_ids == (BILLING,)


def test_thresholds_come_from_the_caller() -> None:
    keys = [key("idle", used=40, created=50)]
    assert key_findings(keys, now=NOW) == []
    found = key_findings(keys, now=NOW, unused_days=30, rotation_days=45)
    assert kinds(found) == {("key-unused", "idle"), ("key-old", "idle")}
    assert "40 days" in found[0].message or "40 days" in found[1].message


def test_owner_is_found_by_name_in_the_catalogue() -> None:
    catalogue = RoleCatalogue.from_accounts([Role(OWNER, "Owner"), Role(AGENT, "Agent")])
    found = key_findings([key("k", roles=(OWNER.upper(),))], now=NOW, catalogue=catalogue)
    assert [(f.kind, f.severity) for f in found] == [("key-sensitive-role", "high")]
    assert "Owner" in found[0].message


def test_unreadable_dates_give_no_finding() -> None:
    odd = AccessKey("x", "odd", "", "abcd", (AGENT,), "last Tuesday", "yesterday")
    assert key_findings([odd], now=NOW) == []
    assert parse_time("2026-01-01T00:00:00") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_time("2026-01-01T00:00:00+02:00") == datetime(2025, 12, 31, 22, tzinfo=UTC)


def test_the_emulators_seeded_keys_raise_each_kind() -> None:
    from birdadmin.bird.access_keys import parse_access_key
    from birdadmin.emulator import EmulatorOptions, start_emulator

    with start_emulator(EmulatorOptions(port=0, users=5, groups=1, seed=2)) as emu:
        keys = [k for k in (parse_access_key(d) for d in emu.access_keys()) if k is not None]
        owner = next(str(r["id"]) for r in emu.state.roles() if r["name"] == "Owner")
    found = key_findings(keys, now=datetime.now(UTC), owner_role_ids=frozenset({owner}))
    assert {f.kind for f in found} == set(KINDS)


@settings(max_examples=200, deadline=None)
@given(used=st.one_of(st.none(), st.integers(0, 3000)), created=st.integers(0, 3000), unused_days=st.integers(1, 1000),
       rotation_days=st.integers(1, 1000), owner=st.booleans())  # fmt: skip
def test_each_rule_fires_exactly_when_its_threshold_is_passed(used: int | None, created: int, unused_days: int,
                                                              rotation_days: int, owner: bool) -> None:
    k = key("k", roles=(OWNER,) if owner else (AGENT,), created=created, used=used)
    found = {f.kind for f in key_findings([k], now=NOW, unused_days=unused_days, rotation_days=rotation_days,
                                          owner_role_ids=frozenset({OWNER}))}  # fmt: skip
    assert ("key-never-used" in found) == (used is None)
    assert ("key-unused" in found) == (used is not None and used > unused_days)
    assert ("key-old" in found) == (created > rotation_days)
    assert ("key-sensitive-role" in found) == owner


def test_importing_the_rules_brings_no_http_client() -> None:
    import subprocess
    import sys

    code = ("import sys, birdadmin.domain.key_findings; "
            "print('httpx' in sys.modules or 'birdadmin.bird.accounts' in sys.modules)")
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert answer.stdout.strip() == "False"


def test_the_profile_carries_the_thresholds_to_the_connection() -> None:
    import pydantic
    import pytest

    from birdadmin.connection import spec_for_profile
    from birdadmin.store.profile_model import Profile

    base = "https://api.bird.com/organizations/123e4567-e89b-12d3-a456-426614174000/scim/v2"
    profile = Profile(name="p", base_url=base, key_unused_days=30, key_rotation_days=180,
                      sensitive_role_ids=(BILLING, " "))  # fmt: skip
    spec = spec_for_profile(profile, "k" * 20, None)
    assert (spec.key_unused_days, spec.key_rotation_days, spec.sensitive_role_ids) == (30, 180, (BILLING,))
    assert Profile(name="p", base_url=base).key_unused_days == 90
    with pytest.raises(pydantic.ValidationError):
        Profile(name="p", base_url=base, sensitive_role_ids=("Owner",))
    with pytest.raises(pydantic.ValidationError):
        Profile(name="p", base_url=base, key_rotation_days=0)
