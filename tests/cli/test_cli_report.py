"""``birdadmin-cli report pdf`` against the emulator (a fresh demo organization per test), the PDF read back by
poppler and checked against a listing done by raw HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from birdadmin.cli import main
from birdadmin.store import snapshots
from tests.report.pdf_text import page_count, page_texts


@pytest.fixture
def cli(demo_emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    emu = demo_emulator
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--base-url", emu.scim_url, "--accounts-url", emu.accounts_url, *argv])
        out, err = capsys.readouterr()
        assert emu.key not in out + err and emu.accounts_key not in out + err
        assert "Traceback" not in err
        return code, out, err

    return run


def _raw_users(emu: Any) -> list[dict[str, Any]]:
    """Every user, listed straight over HTTP (not through birdadmin's client)."""
    headers = {"Authorization": f"Bearer {emu.key}"}
    found: list[dict[str, Any]] = []
    start = 1
    while True:
        page = httpx.get(f"{emu.scim_url}/Users", params={"startIndex": start, "count": 100}, headers=headers,
                         timeout=30).json()
        found += page["Resources"]
        if not page["Resources"] or len(found) >= page["totalResults"]:
            return found
        start += len(page["Resources"])


def _roles(emu: Any) -> dict[str, str]:
    return {str(r["id"]).lower(): r["name"] for r in emu.state.roles()}


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_report_pdf_writes_the_organization_roles_and_holders(cli, demo_emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "audit.pdf"
    code, out, err = cli("report", "pdf", str(path))
    assert code == 0, err
    pages = page_count(path)
    assert out.strip() == f"{path}: {pages} pages"
    texts = page_texts(path)
    assert demo_emulator.scim_url.split("//")[1][:20] in texts[0]  # the connection's label: its Base URL
    whole = squeeze(" ".join(texts))
    names = _roles(demo_emulator)
    held = {str(r).lower() for u in _raw_users(demo_emulator) for r in u.get("roles", []) if isinstance(r, str)}
    assert held
    for role in held:  # every role held directly appears in the holders-per-role summary
        assert squeeze(names.get(role, role)) in whole or role in whole
    owner = next(rid for rid, name in names.items() if name == "Owner")
    who = squeeze(" ".join(t for t in texts if "Who has which role" in t or "User name" in t))
    direct_owners = [u["userName"] for u in _raw_users(demo_emulator) if owner in
                     [str(r).lower() for r in u.get("roles", []) if isinstance(r, str)]]
    assert direct_owners  # the demo organization has Owners: the default who-has lists the Owner's holders
    assert all(squeeze(name) in who for name in direct_owners)
    assert "Findings" in " ".join(texts)


def test_report_pdf_for_chosen_roles_by_name_and_uuid(cli, demo_emulator: Any, tmp_path: Path) -> None:
    names = _roles(demo_emulator)
    agent = next(rid for rid, name in names.items() if name == "Agent")
    path = tmp_path / "agents.pdf"
    code, out, err = cli("--format", "json", "report", "pdf", str(path), "--roles", "Owner", agent.upper())
    assert code == 0, err
    assert json.loads(out) == {"file": str(path), "pages": page_count(path)}
    title = page_texts(path)[0]
    assert "Roles in who-has Owner, Agent" in title


def test_an_unknown_role_is_refused_before_anything_is_written(cli, tmp_path: Path) -> None:
    path = tmp_path / "none.pdf"
    code, _, err = cli("report", "pdf", str(path), "--roles", "No such role")
    assert code == 2 and "No such role" in err
    assert not path.exists()


def test_an_unwritable_file_is_one_sentence(cli, tmp_path: Path) -> None:
    code, _, err = cli("report", "pdf", str(tmp_path / "missing" / "audit.pdf"))
    assert code == 1
    assert "could not be used" in err and err.count("\n") == 1


def test_report_pdf_since_a_saved_snapshot(cli, demo_emulator: Any, tmp_path: Path) -> None:
    saved = _save_snapshot(snapshots, demo_emulator)  # the store itself: a missing module fails, never skips
    names = _roles(demo_emulator)
    auditor = next(rid for rid, name in names.items() if name == "Compliance auditor")
    user = next(u for u in _raw_users(demo_emulator) if auditor not in [str(r).lower() for r in u.get("roles", [])])
    code, _, err = cli("users", "roles", "add", user["userName"], auditor)
    assert code == 0, err
    path = tmp_path / "since.pdf"
    code, _, err = cli("report", "pdf", str(path), "--since", str(saved))
    assert code == 0, err
    changes = squeeze(" ".join(t for t in page_texts(path) if "Changes since the snapshot" in t))
    assert squeeze(user["userName"]) in changes and "gained" in changes and "Complianceauditor" in changes


def _save_snapshot(snapshots: Any, emu: Any) -> int:
    """Save the live organization as a snapshot the way 'snapshot save' does (ctx.org_state into the store)."""
    from birdadmin.cli import build_parser
    from birdadmin.cli.context import CliContext
    from birdadmin.cli.output import Output

    args = build_parser().parse_args(["--base-url", emu.scim_url, "--accounts-url", emu.accounts_url, "report", "pdf",
                                      "x.pdf"])
    ctx = CliContext(args, Output("table"))
    try:
        store = snapshots.SnapshotStore()
        try:
            return int(store.save(ctx.org_state()).id)
        finally:
            store.close()
    finally:
        ctx.close()
