"""Files the window reads and writes: the visible table as CSV or JSON, and local role names imported or exported.

Every failure becomes one plain sentence in the banner; a success is a passing note in the status bar. Every CSV
line is written by ``safe_text.csv_row``, so no cell is one a spreadsheet would evaluate (the rule and why:
``birdadmin/safe_text.py``). A page may export something other than its table: a widget above the table with a
``csv_export()`` method (the Roles page: the holders of the selected role) is asked first, and likewise a
``json_export()`` method for JSON. JSON needs no cell rewriting: it is data, not formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QWidget

from birdadmin import errors
from birdadmin.errors import Explanation, explain
from birdadmin.qtmodels.roles import IdRole
from birdadmin.qtmodels.users import UsersModel
from birdadmin.safe_text import csv_cell_original, csv_row
from birdadmin.ui.context import WindowContext

TABLE_FILE_NAME = "birdadmin.csv"
TABLE_JSON_NAME = "birdadmin.json"


class ExportsOwnRows(Protocol):
    def csv_export(self) -> tuple[str, Sequence[Sequence[str]]] | None:
        """(suggested file name, rows with the header first), or None to export the visible table."""
        ...


def table_csv(view: QAbstractItemView, users_model: UsersModel) -> str:
    """``view``'s rows and columns as shown (after quick filter, sort, moved and hidden columns), as CSV, each row
    followed by its SCIM id (or role UUID) in a last column ``id``: a name can change or repeat, an id cannot."""
    model = view.model()
    header = view.horizontalHeader()  # type: ignore[attr-defined]
    logical = (header.logicalIndex(v) for v in range(header.count()))
    columns = [c for c in logical if not header.isSectionHidden(c)]
    lines = [csv_row([*(model.headerData(c, Qt.Orientation.Horizontal) for c in columns), "id"])]
    if model is users_model:  # tens of thousands of rows: no round trip through Qt per cell
        rows = zip(users_model.visible_texts(columns), users_model.visible_users(), strict=True)
        lines.extend(csv_row([*texts, user.id]) for texts, user in rows)
    else:
        for row in range(model.rowCount()):
            cells = [model.index(row, c).data() or "" for c in columns]
            lines.append(csv_row([*cells, model.index(row, 0).data(IdRole) or ""]))
    return "".join(lines)


def table_rows(view: QAbstractItemView, users_model: UsersModel) -> list[dict[str, str]]:
    """``view``'s rows and columns as shown (the same as ``table_csv``), one object per row keyed by the column
    headers, plus ``id``: what the JSON export writes."""
    model = view.model()
    header = view.horizontalHeader()  # type: ignore[attr-defined]
    logical = (header.logicalIndex(v) for v in range(header.count()))
    columns = [c for c in logical if not header.isSectionHidden(c)]
    names = [str(model.headerData(c, Qt.Orientation.Horizontal) or f"column {c + 1}") for c in columns]
    if "id" in names:  # the id key is ours; a column that happens to be called so keeps its own key
        names = [f"{n} (column)" if n == "id" else n for n in names]
    if model is users_model:
        rows = zip(users_model.visible_texts(columns), users_model.visible_users(), strict=True)
        return [{**dict(zip(names, texts, strict=True)), "id": user.id} for texts, user in rows]
    out = []
    for row in range(model.rowCount()):
        cells = [str(model.index(row, c).data() or "") for c in columns]
        out.append({**dict(zip(names, cells, strict=True)), "id": str(model.index(row, 0).data(IdRole) or "")})
    return out


def to_json(payload: Any) -> str:
    """JSON as the exports write it: UTF-8 text, indented, one trailing newline."""
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def table_json(view: QAbstractItemView, users_model: UsersModel) -> str:
    """The JSON counterpart of ``table_csv``: a list of row objects, the visible columns by header, and ``id``."""
    return to_json(table_rows(view, users_model))


def rows_csv(rows: Iterable[Sequence[str]]) -> str:
    return "".join(csv_row(row) for row in rows)


def _safe_csv(text: str) -> str:
    """CSV written by another module (the catalogue's role names), rewritten with safe cells."""
    return rows_csv(csv.reader(io.StringIO(text, newline="")))


def _read_safe_csv(text: str) -> str:
    """CSV as read from a file, without the quotes ``safe_text.csv_cell`` adds, for a reader that knows nothing of
    them: an exported name comes back as it was, however often it goes round."""
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" line ends, so a cell holding "\r" is quoted
    writer.writerows([csv_cell_original(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline="")))
    return out.getvalue()


def _own_export(view: QAbstractItemView) -> tuple[str, Sequence[Sequence[str]]] | None:
    """What the page around ``view`` exports instead of the table, if it says so (see the module docstring)."""
    widget = view.parentWidget()
    while widget is not None:
        if callable(getattr(widget, "csv_export", None)):
            page: ExportsOwnRows = widget  # type: ignore[assignment]
            return page.csv_export()
        widget = widget.parentWidget()
    return None


def _own_json(view: QAbstractItemView) -> tuple[str, Any] | None:
    """What the page around ``view`` exports as JSON instead of the table (a ``json_export()`` method), if any."""
    widget = view.parentWidget()
    while widget is not None:
        export = getattr(widget, "json_export", None)
        if callable(export):
            result: tuple[str, Any] | None = export()
            return result
        widget = widget.parentWidget()
    return None


def _tr(text: str) -> str:
    return QCoreApplication.translate("FileActions", text)


def save_text(parent: QWidget, context: WindowContext, text: str, path: str | None, *, name: str, title: str,
              filters: str, saved: str | None = None, timeout_ms: int = 6000) -> bool:
    """Write an export (asking for the file when ``path`` is empty): the one way every page saves one. A file that
    cannot be written is an "Export failed" sentence; ``saved`` is the note after success ("Saved PATH" if None)."""
    if not path:
        path, _ = QFileDialog.getSaveFileName(parent, title, name, filters)
    if not path:
        return False
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        context.show_error(Explanation(_tr("Export failed"), _tr("{path} could not be written: {reason}.").format(
            path=path, reason=exc.strerror or exc), "", 1))
        return False
    context.show_message((saved or _tr("Saved {path}")).format(path=path), timeout_ms)
    return True


class FileActions(QObject):
    """Export CSV, import and export role names; ``names_changed`` runs after role names were taken in."""

    def __init__(self, parent: QWidget, context: WindowContext, names_changed: Callable[[], None]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._context = context
        self._names_changed = names_changed

    def export_table(self, view: QAbstractItemView, users_model: UsersModel, path: str | None = None) -> None:
        """Ctrl+E: the visible table, or what its page exports instead (the Roles page: the selected role's holders).
        The rows are taken when asked, before the file dialog opens."""
        own = _own_export(view)
        exported = (TABLE_FILE_NAME, table_csv(view, users_model)) if own is None else (own[0], rows_csv(own[1]))
        self._export(*exported, path, self.tr("Export as CSV"), self.tr("CSV files (*.csv)"))

    def export_table_json(self, view: QAbstractItemView, users_model: UsersModel, path: str | None = None) -> None:
        """The JSON counterpart of ``export_table`` (the window's "Export as JSON…"): the same rows and columns,
        or what the page exports instead (the Roles page: the selected role's holders, with every source)."""
        own = _own_json(view)
        exported = (TABLE_JSON_NAME, table_json(view, users_model)) if own is None else (own[0], to_json(own[1]))
        self._export(*exported, path, self.tr("Export as JSON"), self.tr("JSON files (*.json)"))

    def _export(self, name: str, text: str, path: str | None, title: str, kinds: str) -> None:
        """Write an export; a partial organization is said in the suggested file name and the note after saving (the
        file cannot carry the on-screen mark)."""
        if self._context.session is None:
            return
        organization = self._context.organization
        scope = organization.scope() if organization is not None else None
        incomplete = scope is not None and not scope.complete
        if incomplete and "(incomplete)" not in name:
            name = f"{Path(name).stem} (incomplete){Path(name).suffix}"
        saved = self.tr("Saved {path}, but the organization was not completely loaded (or is not current): the file "
                        "may be missing rows.") if incomplete else None
        save_text(self._parent, self._context, text, path, name=name, title=title, filters=kinds, saved=saved,
                  timeout_ms=15_000 if incomplete else 6000)

    def import_role_names(self, path: str | None = None) -> None:
        org = self._context.org
        if org is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self._parent, self.tr("Import role names"), "",
                                                  self.tr("CSV files (*.csv);;All files (*)"))
        if not path:
            return
        text = self._read_text(path)
        if text is None:
            return
        try:
            count = org.catalogue.import_csv(_read_safe_csv(text))
        except errors.BirdadminError as exc:
            self._context.show_error(explain(exc))
            return
        except OSError as exc:  # the names were taken in, but keeping them for the next session failed
            self._names_changed()
            self._fail(self.tr("Import failed"), self.tr(
                "The role names were imported for this session but could not be saved: {reason}.").format(
                reason=exc.strerror or exc))
            return
        self._names_changed()
        self._context.show_message(self.tr("Imported {count} role names.").format(count=count), 6000)

    def export_role_names(self, path: str | None = None) -> None:
        org = self._context.org
        if org is None:
            return
        save_text(self._parent, self._context, _safe_csv(org.catalogue.to_csv()), path, name="role-names.csv",
                  title=self.tr("Export role names"), filters=self.tr("CSV files (*.csv)"))

    def _read_text(self, path: str) -> str | None:
        failed = self.tr("Import failed")
        try:
            return Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            self._fail(failed, self.tr("{path} could not be read: {reason}.").format(
                path=path, reason=exc.strerror or exc))
        except UnicodeDecodeError:
            self._fail(failed, self.tr("{path} is not a UTF-8 text file.").format(path=path))
        return None

    def _fail(self, title: str, sentence: str) -> None:
        self._context.show_error(Explanation(title, sentence, "", 1))
