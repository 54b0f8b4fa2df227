"""How the CLI prints: an aligned table for people, JSON or CSV for scripts; errors always to stderr."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return " ".join(_cell(v) for v in value)
    return str(value)


class Output:
    def __init__(self, fmt: str = "table", stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.format = fmt
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    def emit(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
        """A list of records: JSON keeps every key and native types; table and CSV show ``columns``."""
        if self.format == "json":
            json.dump(list(rows), self.stdout, indent=2, ensure_ascii=False, default=str)
            self.stdout.write("\n")
        elif self.format == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(row.get(c)) for c in columns])
        else:
            self._table(rows, columns)

    def emit_one(self, record: Mapping[str, Any], fields: Sequence[str] | None = None) -> None:
        """One record: JSON object, or ``field: value`` lines (CSV: one header row and one data row)."""
        if self.format == "json":
            json.dump(record, self.stdout, indent=2, ensure_ascii=False, default=str)
            self.stdout.write("\n")
            return
        keys = list(fields or record.keys())
        if self.format == "csv":
            self.emit([record], keys)
            return
        width = max((len(k) for k in keys), default=0)
        for key in keys:
            self.stdout.write(f"{key.ljust(width)}  {_cell(record.get(key))}\n")

    def _table(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
        cells = [[_cell(row.get(c)) for c in columns] for row in rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        line = "  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()
        self.stdout.write(line + "\n")
        for r in cells:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")

    def message(self, text: str) -> None:
        """A line for people; in JSON or CSV mode it goes to stderr so stdout stays parseable."""
        target = self.stdout if self.format == "table" else self.stderr
        target.write(text + "\n")

    def error(self, text: str) -> None:
        self.stderr.write(text + "\n")
