"""Spreadsheets that open right: xlsx (openpyxl) and CSV, every row, cells that cannot run as formulas.

A text a user typed ("=HYPERLINK(...)", "+34 600...", "-", "@home") would be read as a formula by Excel or
LibreOffice. In CSV such a cell gets a leading apostrophe (what spreadsheets themselves write to mean
"this is text"); in xlsx it is written as a string cell, which no spreadsheet evaluates, so the text
reads exactly as it was typed. Dates are given in the programme's time zone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.text.export_safe import FORMULA_STARTS as FORMULA_STARTS
from bot.text.export_safe import spreadsheet_safe as spreadsheet_safe  # the one rule, with the terminal's

DATE_FORMAT = "yyyy-mm-dd hh:mm"


def local_time(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored moment (UTC; SQLite gives it back naive) in the programme's time zone, without tzinfo
    (spreadsheets have no time zones: the sheet says which one in its title row)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).replace(tzinfo=None)


@dataclass
class Table:
    """A sheet: a title, column titles (already in the reader's language) and rows of plain values."""

    title: str
    headers: list[str]
    rows: list[Sequence[Any]] = field(default_factory=list)


def _csv_value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return spreadsheet_safe(value)


def write_csv(table: Table, stream: IO[str], *, excel: bool = False) -> None:
    """CSV of a table; `excel`: semicolons and a BOM, which Excel set to Catalan or Spanish opens right."""
    if excel:
        stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])


def csv_bytes(table: Table, *, excel: bool = False) -> bytes:
    buffer = io.StringIO()
    write_csv(table, buffer, excel=excel)
    return buffer.getvalue().encode("utf-8")


def write_xlsx(tables: Iterable[Table], target: str | IO[bytes]) -> None:
    """One sheet per table: bold titles, dates as dates, numbers as numbers, every text as text."""
    from openpyxl import Workbook  # imported when an export is asked for, not at start-up
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title))
        sheet.append([str(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                elif isinstance(cell.value, datetime):
                    cell.number_format = DATE_FORMAT
        for index, title in enumerate(table.headers, start=1):
            width = max([len(str(title))] + [len(_csv_value(r[index - 1])) for r in table.rows[:200]])
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(max(width, 8), 60) + 2
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions  # filter buttons on the titles' row
    book.save(target)


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(tables, buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float | datetime):
        return value
    # Control characters other than tab and newline are not allowed in xlsx.
    return "".join(ch for ch in str(value) if ch in "\t\n" or ch >= " " or ch == "\r")[:32767]


def _sheet_title(title: str) -> str:
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
