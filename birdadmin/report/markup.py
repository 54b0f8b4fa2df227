"""The report's text as a flow of blocks (Qt-free): prose as the HTML subset QTextDocument reads, tables as
plain cells that ``report/pdf.py`` draws itself (fast at 10,000 rows, with the header row repeated on every page
a table spans), and page breaks.

Everything that came from the server (names, user names, group names, messages naming them) is text, never markup:
in prose each piece goes through :func:`esc` (control and direction characters shown as escapes, as on a
terminal, then ``html.escape``); table cells are drawn as plain text (``QPainter.drawText``), never parsed, after
the same terminal escaping. A display name such as ``<b>x</b>`` prints exactly as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from birdadmin.domain.finding import Finding
from birdadmin.report.content import ReportContent, WhoHas
from birdadmin.safe_text import terminal_line

STYLE = """
h1 { font-size: 20pt; } h2 { font-size: 15pt; } h3 { font-size: 12pt; }
.small { font-size: 8pt; color: #555555; }
.partial { color: #b00020; font-weight: bold; }
"""
SEVERITY_WORDS = {"high": "HIGH", "medium": "Medium", "low": "Low", "info": "Info"}


def esc(text: object) -> str:
    """Untrusted text as HTML text."""
    return escape(terminal_line(str(text)), quote=True)


@dataclass(frozen=True, slots=True)
class Prose:
    html: str  # every untrusted piece already escaped


@dataclass(frozen=True, slots=True)
class Mark:
    """A cell drawn in bold: what the reader must not miss (INACTIVE, several sources, a lost role)."""

    text: str


Cell = str | Mark


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    widths: tuple[int, ...]  # percent of the page's width, one per column
    rows: Sequence[tuple[Cell, ...]]  # plain text, drawn as text (never parsed)


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Block = Prose | Table | PageBreak


def cell_text(cell: Cell) -> str:
    return terminal_line(cell.text if isinstance(cell, Mark) else cell)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _prose(html: str) -> Prose:
    return Prose(f"<html><head><style>{STYLE}</style></head><body>{html}</body></html>")


def title_page(c: ReportContent) -> list[Block]:
    complete = (
        "Complete: every user and group was listed."
        if c.complete
        else '<span class="partial">PARTIAL: the listing stopped short; every count is a lower bound.</span>'
    )
    groups_known = ("known (the Accounts API answered)" if c.group_roles_known
                    else "unknown (no Accounts API): only direct roles are counted")
    lines = [
        ("Organization", esc(c.organization or "(unnamed)")),
        ("Profile", esc(c.profile or "(none)")),
        ("Data read at", esc(c.taken_at)),
        ("Generated at", esc(c.generated_at)),
        ("Completeness", complete),
        ("Roles through groups", groups_known),
        ("Users", f"{c.users:,}"),
        ("Groups", f"{c.groups:,}"),
    ]
    if c.since_taken_at is not None:
        lines.append(("Compared with", f"the snapshot taken at {esc(c.since_taken_at)}"))
    by_severity = [f"{SEVERITY_WORDS[s]}: {n:,}" for s, n in _severities(c.findings)]
    lines.append(("Findings", ", ".join(by_severity) or "none"))
    lines.append(("Roles in who-has", esc(", ".join(w.role_name for w in c.who_has)) or "none"))
    rows = "".join(f'<tr><td width="28%"><b>{k}</b></td><td>{v}</td></tr>' for k, v in lines)
    return [_prose(f'<h1>Role audit report</h1><table cellpadding="4" width="100%">{rows}</table>')]


def _severities(found: Sequence[Finding]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for f in found:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return [(s, counts[s]) for s in ("high", "medium", "low", "info") if s in counts]


def who_has_section(sections: Sequence[WhoHas], *, group_roles_known: bool = True) -> list[Block]:
    blocks: list[Block] = [PageBreak(), _prose("<h2>Who has which role</h2>")]
    if not group_roles_known:
        blocks.append(_prose("<p>Roles through groups are unknown without the Accounts API: holders here hold "
                             "the role directly.</p>"))
    if not sections:
        blocks.append(_prose("<p>No role is held by anyone.</p>"))
    for s in sections:
        extra = [f"{s.inactive:,} inactive"] if s.inactive else []
        extra += [f"{s.several:,} through several sources"] if s.several else []
        keys = sum(h.kind == "key" for h in s.holders)
        extra += [_plural(keys, "access key")] if keys else []
        summary = _plural(len(s.holders), "holder") + (f" ({', '.join(extra)})" if extra else "")
        blocks.append(_prose(f'<h3>{esc(s.role_name)}</h3><p><span class="small">{esc(s.role_id)}</span><br/>'
                             f"{summary}</p>"))
        if s.holders:
            rows = [
                (h.user_name, "key" if h.kind == "key" else "user", h.display_name,
                 "yes" if h.active else Mark("INACTIVE"),
                 Mark(", ".join(h.sources) + " (several)") if h.several else ", ".join(h.sources))
                for h in s.holders
            ]
            blocks.append(Table(("Name", "Kind", "Display name", "Active", "Sources"), (33, 8, 22, 9, 28), rows))
    return blocks


def matrix_section(c: ReportContent) -> list[Block]:
    def through(n: int) -> str:
        return f"{n:,}" if c.group_roles_known else "unknown"

    rows = [(r.role_name, r.role_id, f"{r.direct:,}", through(r.through_groups), f"{r.total:,}")
            for r in c.role_counts]
    note = "" if c.complete else '<p class="partial">Partial organization: these counts are lower bounds.</p>'
    return [
        PageBreak(),
        _prose(f"<h2>Holders per role</h2>{note}<p>Users holding each role directly, through a group, and by any "
               "source (a user may hold a role both ways).</p>"),
        Table(("Role", "Role ID", "Direct", "Through groups", "Total"), (28, 42, 10, 10, 10), rows),
    ]


def findings_section(found: Sequence[Finding]) -> list[Block]:
    head: list[Block] = [PageBreak()]
    if not found:
        return [*head, _prose("<h2>Findings</h2><p>No findings.</p>")]
    rows = [(Mark(SEVERITY_WORDS["high"]) if f.severity == "high" else SEVERITY_WORDS.get(f.severity, f.severity),
             f"{f.subject_kind}: {f.subject_name}", f.message) for f in found]
    return [*head, _prose(f"<h2>Findings</h2><p>{_plural(len(found), 'finding')}.</p>"),
            Table(("Severity", "Subject", "Finding"), (10, 30, 60), rows)]


def diff_section(c: ReportContent, role_name: Callable[[str], str]) -> list[Block]:
    d = c.diff
    if d is None:
        return []
    blocks: list[Block] = [PageBreak(),
                           _prose(f"<h2>Changes since the snapshot of {esc(c.since_taken_at or '')}</h2>")]
    if d.is_empty:
        return [*blocks, _prose("<p>Nothing changed.</p>")]
    for title, pairs in (("Users added", d.users_added), ("Users removed", d.users_removed),
                         ("Groups added", d.groups_added), ("Groups removed", d.groups_removed),
                         ("Access keys added", d.keys_added), ("Access keys removed", d.keys_removed)):
        if pairs:
            blocks.append(_prose(f"<h3>{title} ({len(pairs):,})</h3>"))
            blocks.append(Table(("Name", "ID"), (50, 50), [(name, i) for i, name in pairs]))
    if d.roles:
        blocks.append(_prose(f"<h3>Roles gained and lost ({len(d.roles):,})</h3>"))
        rows = [(f"{r.subject_kind}: {r.subject_name}", role_name(r.role_id),
                 r.change if r.change == "gained" else Mark(r.change), r.via) for r in d.roles]
        blocks.append(Table(("Subject", "Role", "Change", "Through"), (35, 30, 10, 25), rows))
    if d.members:
        blocks.append(_prose(f"<h3>Group members who joined or left ({len(d.members):,})</h3>"))
        blocks.append(Table(("Group", "User", "Change"), (40, 45, 15),
                            [(group, name or uid, change) for group, uid, name, change in d.members]))
    return blocks


def blocks(c: ReportContent, role_name: Callable[[str], str]) -> list[Block]:
    """The whole report but its chart (drawn on its own pages after these), in reading order."""
    return [*title_page(c), *who_has_section(c.who_has, group_roles_known=c.group_roles_known),
            *matrix_section(c), *findings_section(c.findings), *diff_section(c, role_name)]
