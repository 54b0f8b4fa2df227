"""The PDF audit report really renders: read back by poppler, its pages hold the organization, the roles, every
holder with their sources, the findings and the changes; server text stays literal text; a partial organization
is marked on every page; long tables repeat their header row; every page has its number and the generation time."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest

from birdadmin.domain.audit import who_has
from birdadmin.domain.audit_findings import findings
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.org_state import OrgState
from birdadmin.report import write_pdf
from birdadmin.report.content import MOST_HELD, build
from birdadmin.report.pdf import PARTIAL_MARK
from birdadmin.scim.resources import User
from tests.keys_support import access_key
from tests.report import states
from tests.report.pdf_text import page_count, page_texts

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

HEADER = ("Name", "Kind", "Display name", "Active", "Sources")  # poppler may read the cells in another order


def squeeze(text: str) -> str:
    """Text without whitespace: a cell wrapped inside a word still matches."""
    return "".join(text.split())


def written(tmp_path: Path, state: OrgState, name: str = "report.pdf", **kwargs: Any) -> tuple[int, list[str]]:
    path = tmp_path / name
    pages = write_pdf(path, state, **kwargs)
    assert page_count(path) == pages
    texts = page_texts(path)
    assert len(texts) == pages
    return pages, texts


def test_the_report_holds_the_organization_roles_holders_and_findings(tmp_path: Path) -> None:
    state = states.small()
    pages, texts = written(tmp_path, state, owner_role_id=states.OWNER)
    first, whole = texts[0], squeeze(" ".join(texts))
    assert "Role audit report" in first and "Acme Support BV" in first and "acme-prod" in first
    assert "2026-11-30T22:00:00Z" in first and "Complete: every user and group was listed." in first
    assert PARTIAL_MARK not in " ".join(texts)
    for role in (states.OWNER, states.AGENT, states.AUDITOR, states.STALE):  # every role someone holds
        assert squeeze(state.catalogue.name_for(role)) in whole and role in whole
        for row in who_has(state, role):  # every holder, with every source
            assert squeeze(f"{row.user.user_name}") in whole
            assert squeeze(", ".join(row.sources)) in whole
    assert squeeze("direct, Admins (several)") in whole  # Alice: Owner directly and through Admins
    assert "INACTIVE" in whole  # Carol, an inactive Owner
    found = findings(state, owner_role_id=states.OWNER)
    assert found
    for finding in found:
        assert squeeze(finding.message) in whole
    assert "Holders per role, as a chart" in texts[-1]
    assert pages >= 5  # title, who-has, summary, findings, chart


def test_holders_per_role_counts_direct_and_through_groups() -> None:
    content = build(states.small())
    counts = {c.role_id: (c.direct, c.through_groups, c.total) for c in content.role_counts}
    assert counts[states.OWNER] == (2, 1, 2)  # Alice both ways, Carol directly
    assert counts[states.AGENT] == (0, 2, 2)  # Alice and Bob through Support
    rows = {name: (d, g) for name, d, g in content.chart_rows()}
    assert rows["Owner"] == (2, 0) and rows["Support agent"] == (0, 2)


def test_server_text_is_printed_literally_never_as_markup(tmp_path: Path) -> None:
    hostile_role = dataclasses.replace(states.Role(states.AUDITOR, "<i>Auditors</i> & <u>co</u>"))
    catalogue = RoleCatalogue([states.Role(states.OWNER, "Owner"), states.Role(states.AGENT, "Support agent"),
                               hostile_role])
    state = dataclasses.replace(states.small(label='<h1>Evil</h1> &amp; "org"'), catalogue=catalogue)
    _, texts = written(tmp_path, state)
    whole = squeeze(" ".join(texts))
    assert squeeze(states.HOSTILE) in whole  # Eve's display name, tags and entity as typed
    assert squeeze('<h1>Evil</h1> &amp; "org"') in squeeze(texts[0])  # the organization, title page and header
    assert all(squeeze("Role audit report: <h1>Evil</h1>") in squeeze(t) for t in texts)
    assert squeeze("<i>Auditors</i> & <u>co</u>") in whole  # a role name in a heading (QTextDocument HTML)
    assert squeeze("Support <team>") in whole  # a group's name among the sources


def test_control_characters_are_shown_not_obeyed(tmp_path: Path) -> None:
    state = states.small()
    users = (*state.users, User("u-x", "x@example.com", "Right\u202eto left\x00end", True, (states.OWNER,)))
    _, texts = written(tmp_path, dataclasses.replace(state, users=users), roles=[states.OWNER])
    assert squeeze("Right\\u202eto left\\x00end") in squeeze(" ".join(texts))


def test_a_partial_organization_is_marked_on_every_page(tmp_path: Path) -> None:
    pages, texts = written(tmp_path, states.small(complete=False))
    assert pages >= 5
    assert all(PARTIAL_MARK in page for page in texts)
    assert "PARTIAL: the listing stopped short; every count is a lower bound." in texts[0]


def test_every_page_has_its_number_and_the_generation_time(tmp_path: Path) -> None:
    pages, texts = written(tmp_path, states.small())
    generated = build(states.small()).generated_at[:13]  # the hour the report was made (same run)
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {pages}" in text
        assert f"Generated at {generated}" in text


def test_a_long_table_breaks_across_pages_with_its_header_repeated(tmp_path: Path) -> None:
    state = states.large(users=600, roles=6, groups=4)
    _, texts = written(tmp_path, state, roles=[states.OWNER])
    holders = who_has(state, states.OWNER)
    assert len(holders) > 100
    table_pages = [t for t in texts if "@example.com" in t and "Severity" not in t]
    assert len(table_pages) >= 3
    assert all(all(cell in t for cell in HEADER) for t in table_pages)
    whole = " ".join(table_pages)
    assert all(row.user.user_name in whole for row in holders)


def test_the_default_roles_are_the_owner_and_the_most_held_when_there_are_many() -> None:
    state = states.large(users=400, roles=20, groups=0)
    content = build(state, owner_role_id=states.OWNER)
    chosen = [w.role_id for w in content.who_has]
    assert chosen[0] == states.OWNER and len(chosen) == 1 + MOST_HELD
    most = sorted((c for c in content.role_counts if c.role_id != states.OWNER), key=lambda c: -c.total)
    assert {c.total for c in most[:MOST_HELD]} == {c.total for c in content.role_counts if c.role_id in chosen[1:]}
    assert [w.role_id for w in build(states.small()).who_has] == [  # few roles: every role held
        states.AUDITOR, states.OWNER, states.AGENT, states.STALE]


def test_chosen_roles_only(tmp_path: Path) -> None:
    _, texts = written(tmp_path, states.small(), roles=[states.AGENT.upper()])
    who = " ".join(t for t in texts if "Who has which role" in t)
    assert "Support agent" in who and "bob@example.com" in who and "carol@example.com" not in who


def test_the_changes_since_a_snapshot(tmp_path: Path) -> None:
    new = states.small()
    users = tuple(u for u in new.users if u.id != "u-dave")
    users = tuple(dataclasses.replace(u, roles=()) if u.id == "u-alice" else u for u in users)
    old = dataclasses.replace(new, users=users, taken_at="2026-11-01T08:00:00Z")
    _, texts = written(tmp_path, new, since=old)
    changes = " ".join(t for t in texts if "Changes since the snapshot of 2026-11-01T08:00:00Z" in t)
    assert "dave@example.com" in changes  # added since
    assert "alice@example.com" in changes and "gained" in changes and "Owner" in changes
    assert "the snapshot taken at 2026-11-01T08:00:00Z" in texts[0]


def test_nothing_changed_since_an_identical_snapshot(tmp_path: Path) -> None:
    _, texts = written(tmp_path, states.small(), since=states.small())
    assert "Nothing changed." in " ".join(texts)


def test_a_report_is_written_on_a_worker_thread(tmp_path: Path) -> None:
    """QPainter on a QPdfWriter (and the QTextDocuments) away from the GUI thread, as the window does."""
    result: list[int] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            result.append(write_pdf(tmp_path / "worker.pdf", states.small()))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failed.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive() and not failed
    assert result and page_count(tmp_path / "worker.pdf") == result[0]
    assert "Acme Support BV" in page_texts(tmp_path / "worker.pdf")[0]


def test_an_unwritable_path_is_a_plain_file_error(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="missing") as raised:
        write_pdf(tmp_path / "missing" / "report.pdf", states.small())
    assert raised.value.filename == str(tmp_path / "missing" / "report.pdf")


def test_roles_through_groups_unknown_are_said_unknown(tmp_path: Path) -> None:
    state = dataclasses.replace(states.small(), group_roles_known=False)
    _, texts = written(tmp_path, state)
    assert "unknown (no Accounts API): only direct roles are counted" in texts[0]
    summary = next(t for t in texts if "Holders per role Users holding" in t)
    assert "unknown" in summary
    assert "roles through groups are unknown without the Accounts API" in texts[-1]


def test_the_chart_is_the_windows_chart_with_every_role_and_count(tmp_path: Path) -> None:
    state = states.small()
    _, texts = written(tmp_path, state)
    chart = texts[-1]
    assert "Holders per role, as a chart" in chart and "directly" in chart and "only through groups" in chart
    for name, direct, groups in build(state).chart_rows():
        assert f"{name} {direct + groups}" in chart


def test_a_chart_of_many_roles_goes_on_over_pages(tmp_path: Path) -> None:
    state = states.large(users=300, roles=130, groups=130)
    _, texts = written(tmp_path, state)
    charts = [t for t in texts if "Holders per role, as a chart" in t]
    assert len(charts) >= 2 and "(continued, to its own scale)" in charts[1]
    names = [name for name, _, _ in build(state).chart_rows()]
    assert len(names) > 100
    assert all(f" {name} " in " ".join(charts) for name in names)
    assert "more roles" not in " ".join(charts)  # no bar left out


Key = access_key  # the real AccessKey (tests/keys_support.py)


def test_an_access_key_holding_a_role_is_in_who_has_with_its_kind(tmp_path: Path) -> None:

    state = dataclasses.replace(states.small(), keys=(Key("k-deploy", "deploy-bot", role_ids=(states.OWNER,)),))
    content = build(state, roles=[states.OWNER], generated_at="2026-12-01T00:00:00Z")
    _, texts = written(tmp_path, state, roles=[states.OWNER])
    (section,) = content.who_has
    assert [(h.user_name, h.kind) for h in section.holders][-1] == ("deploy-bot", "key")
    assert {c.role_id: c.total for c in content.role_counts}[states.OWNER] == 2  # the users' counts leave keys out
    whole = squeeze(" ".join(texts))
    assert all(squeeze(cell) in whole for cell in HEADER)
    assert squeeze("deploy-bot key") in whole and squeeze("1 access key") in whole


def test_the_changes_since_a_snapshot_name_keys_added_and_their_roles(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:

    before = states.small()
    after = dataclasses.replace(before, keys=(Key("k-new", "nightly-export", role_ids=(states.AUDITOR,)),))
    _, texts = written(tmp_path, after, since=before)
    whole = squeeze(" ".join(texts))
    assert squeeze("Access keys added (1)") in whole and "k-new" in whole
    assert squeeze("key: nightly-export") in whole
