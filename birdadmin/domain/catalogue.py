"""The role catalogue: which role UUIDs exist and what people call them.

Three sources, most trusted name first: local names the admin typed or imported (they override and complete
Bird's), the Accounts API's ``iam-roles`` (when a key for it is configured), and UUIDs merely seen on users and
teams ("learned", nameless). SCIM alone only ever shows UUIDs, so without the other two every role is shown as
"Unknown role 1a2b3c4d" and can only be given by UUID.

Pure Python: persistence is the caller's business through ``to_csv()`` / ``import_csv()`` and ``on_change``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

from birdadmin.errors import InputError
from birdadmin.scim.resources import is_uuid

Source = Literal["accounts", "local", "learned"]

_UUID_ISH = re.compile(r"^[0-9a-fA-F-]{8,}$")
_LISTED = 12  # names shown in an "unknown role" message before "and N more"


_TYPO = 4  # edits within which an unknown role UUID is taken for a mistyped known one


def _edit_distance(a: str, b: str, *, limit: int) -> int:
    """Levenshtein distance of two short strings, stopping early once it is certainly above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def short_id(role_id: str) -> str:
    return role_id.replace("-", "")[:8] or role_id


class CatalogueRole(Protocol):
    """What the catalogue needs from an Accounts API role (birdadmin.bird.models.Role fits); read-only."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def type(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RoleInfo:
    id: str
    name: str
    description: str = ""
    type: str = "organization"
    source: Source = "learned"


@dataclass(frozen=True, slots=True)
class _Local:
    name: str
    description: str = ""


class RoleCatalogue:
    """Role names by UUID, and role tokens (UUID or name) resolved to UUIDs for commands."""

    def __init__(
        self,
        accounts_roles: Iterable[CatalogueRole] | None = None,
        *,
        local_csv: str | None = None,
        on_change: Callable[[RoleCatalogue], None] | None = None,
    ) -> None:
        self._accounts: dict[str, RoleInfo] = {}
        self._local: dict[str, _Local] = {}
        self._learned: set[str] = set()
        self.names_from_accounts = accounts_roles is not None
        for role in accounts_roles or ():
            rid = role.id.strip().lower()
            self._accounts[rid] = RoleInfo(
                rid, role.name or "", role.description or "", role.type or "organization", "accounts"
            )
        if local_csv:
            self._read_csv(local_csv)
        self._on_change = on_change

    # -- names ------------------------------------------------------------------------------------------------

    def name_for(self, role_id: str) -> str:
        rid = role_id.lower()
        local = self._local.get(rid)
        if local is not None:
            return local.name
        known = self._accounts.get(rid)
        if known is not None and known.name:
            return known.name
        return f"Unknown role {short_id(rid)}"

    def is_known(self, role_id: str) -> bool:
        """True when the role has a name from Bird or from the admin; learned UUIDs are not known."""
        rid = role_id.lower()
        return rid in self._accounts or rid in self._local

    def has_names(self) -> bool:
        """False when every role is a bare UUID; then "not in the catalogue" says nothing about a role."""
        return bool(self._accounts or self._local)

    def info(self, role_id: str) -> RoleInfo:
        rid = role_id.lower()
        known = self._accounts.get(rid)
        local = self._local.get(rid)
        if local is not None:
            return RoleInfo(
                rid,
                local.name,
                local.description or (known.description if known else ""),
                known.type if known else "organization",
                "local",
            )
        if known is not None:
            if known.name:
                return known
            return RoleInfo(rid, self.name_for(rid), known.description, known.type, "accounts")  # as name_for shows it
        return RoleInfo(rid, self.name_for(rid), source="learned")

    def roles(self) -> list[RoleInfo]:
        """Every role, named ones first by name, then learned ones by UUID."""
        ids = set(self._accounts) | set(self._local) | self._learned
        infos = [self.info(rid) for rid in ids]
        infos.sort(key=lambda r: (r.source == "learned", r.name.casefold(), r.id))
        return infos

    def learn(self, role_ids: Iterable[str]) -> int:
        """Remember UUIDs seen on users or teams; returns how many were new to the catalogue."""
        before = len(self._learned)
        for role_id in role_ids:
            rid = role_id.lower()
            if rid not in self._accounts and rid not in self._local:
                self._learned.add(rid)
        return len(self._learned) - before

    # -- local names ------------------------------------------------------------------------------------------

    def set_local_name(self, role_id: str, name: str, description: str = "") -> None:
        rid = self._check_uuid(role_id)
        name = name.strip()
        if not name:
            raise InputError("A role name cannot be empty; remove the local name instead.")
        with self._saving():
            self._local[rid] = _Local(name, description.strip())
            self._learned.discard(rid)

    def remove_local_name(self, role_id: str) -> None:
        rid = role_id.lower()
        if rid not in self._local:
            return
        with self._saving():
            del self._local[rid]
            if rid not in self._accounts:
                self._learned.add(rid)

    def to_csv(self) -> str:
        """Local names as CSV with the header ``id,name,description``.

        Rows end in CRLF, the csv module's default: with a bare "\n" ending it leaves a cell holding "\r" unquoted,
        and such a name would split its row (and rename another role) when the file is read back.
        """
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "name", "description"])
        for rid in sorted(self._local, key=lambda r: (self._local[r].name.casefold(), r)):
            writer.writerow([rid, self._local[rid].name, self._local[rid].description])
        return out.getvalue()

    def import_csv(self, text: str) -> int:
        """Merge local names from CSV (columns id,name[,description]); all rows or none. Returns rows read."""
        with self._saving():
            return self._read_csv(text)

    @classmethod
    def from_accounts(cls, roles: Iterable[CatalogueRole], *, local_csv: str | None = None) -> RoleCatalogue:
        """The catalogue of an organization whose Accounts API is configured."""
        return cls(roles, local_csv=local_csv)

    def _read_csv(self, text: str) -> int:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        if not rows:
            return 0
        header = [cell.strip().lower() for cell in rows[0]]
        if "id" not in header or "name" not in header:
            raise InputError(
                "The role names file needs a header row with the columns id and name (description optional)."
            )
        at_id, at_name = header.index("id"), header.index("name")
        at_desc = header.index("description") if "description" in header else None
        parsed: dict[str, _Local] = {}
        def cell(row: list[str], at: int | None) -> str:
            return row[at].strip() if at is not None and at < len(row) else ""

        for line, row in enumerate(rows[1:], start=2):
            rid, name = cell(row, at_id), cell(row, at_name)
            if not is_uuid(rid):
                raise InputError(f"Line {line} of the role names file: {rid!r} is not a role UUID.")
            if not name:
                raise InputError(f"Line {line} of the role names file: the role {rid} has no name.")
            parsed[rid.lower()] = _Local(name, cell(row, at_desc))
        self._local.update(parsed)
        self._learned.difference_update(parsed)
        return len(parsed)

    @contextmanager
    def _saving(self) -> Iterator[None]:
        """Apply an edit of the local names and save it; if saving fails, the edit is undone (never half-applied)."""
        local, learned = dict(self._local), set(self._learned)
        try:
            yield
            self._changed()
        except BaseException:
            self._local, self._learned = local, learned
            raise

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self)

    # -- resolution -------------------------------------------------------------------------------------------

    @staticmethod
    def _check_uuid(role_id: str) -> str:
        text = role_id.strip()
        if not is_uuid(text):
            raise InputError(f"{text!r} is not a role UUID.")
        return text.lower()

    def _matches(self, name: str) -> list[str]:
        wanted = name.casefold()
        found: list[str] = []
        for rid in sorted(set(self._local) | set(self._accounts)):
            names = {self.name_for(rid).casefold()}
            if rid in self._accounts and self._accounts[rid].name:
                names.add(self._accounts[rid].name.casefold())  # Bird's own name still works when renamed locally
            if wanted in names:
                found.append(rid)
        return found

    def resolve(self, token: str) -> str:
        """A role UUID (normalized to lower case) for a UUID or a role name; InputError otherwise.

        Well-formed UUIDs are accepted even when the catalogue does not know them: the catalogue may be
        learned-only, and the server is the judge of what exists.
        """
        text = (token or "").strip()
        if not text:
            raise InputError("A role was given as an empty string; give a role name or UUID.")
        if is_uuid(text):
            return text.lower()
        found = self._matches(text)
        if len(found) == 1:
            return found[0]
        if found:
            raise InputError(
                f"The role name {text!r} is ambiguous: it matches {len(found)} roles ({', '.join(found)}); "
                "give the UUID instead."
            )
        if _UUID_ISH.match(text) and "-" in text:
            raise InputError(f"{text!r} is not a well-formed role UUID, and no role has that name.")
        names = sorted({self.name_for(rid) for rid in set(self._local) | set(self._accounts)}, key=str.casefold)
        if not names:
            raise InputError(
                f"No role named {text!r}: role names are unknown here (no Accounts API and no local names); "
                "give the role UUID."
            )
        shown = ", ".join(names[:_LISTED]) + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")
        raise InputError(f"No role named {text!r}; known roles: {shown}.")

    def nearest(self, role_id: str) -> RoleInfo | None:
        """The named role whose UUID is closest to ``role_id`` (edit distance), if it is close enough to be a typo
        (at most ``_TYPO`` characters changed, added or dropped); None otherwise."""
        rid = role_id.strip().lower()
        best: tuple[int, str] | None = None
        for known in sorted(set(self._accounts) | set(self._local)):
            distance = _edit_distance(rid, known, limit=_TYPO)
            if distance <= _TYPO and (best is None or distance < best[0]):
                best = (distance, known)
        return self.info(best[1]) if best else None

    def refuse_unknown(self, role_ids: Sequence[str]) -> None:
        """Refuse role UUIDs this catalogue does not name, naming the nearest known role; a catalogue without any
        names (no Accounts API, no local names) knows nothing, so then every UUID passes."""
        if not self.has_names():
            return
        unknown = [r for r in role_ids if not self.is_known(r)]
        if not unknown:
            return
        sentences = []
        for rid in unknown:
            close = self.nearest(rid)
            hint = f"; did you mean {close.name} ({close.id})?" if close else "."
            sentences.append(f"Role {rid} is not in the organization's role catalogue{hint}")
        raise InputError(
            " ".join(sentences) + " Nothing was changed; pass --allow-unknown-role to use "
            + ("it" if len(unknown) == 1 else "them")
            + " anyway."
        )

    def resolve_many(self, tokens: Sequence[str]) -> list[str]:
        """All tokens resolved, duplicates dropped in order, or one InputError naming every bad token."""
        out: list[str] = []
        problems: list[str] = []
        for token in tokens:
            try:
                rid = self.resolve(token)
            except InputError as exc:
                problems.append(exc.message)
                continue
            if rid not in out:
                out.append(rid)
        if problems:
            raise InputError(problems[0] if len(problems) == 1 else " ".join(problems))
        return out
