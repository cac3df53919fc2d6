"""Exports that open right: xlsx and CSV, every row, local dates, titles in the reader's language, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import insert

from bot.reporting.exports import Table, csv_bytes, local_time, spreadsheet_safe, write_xlsx
from bot.store import funnel
from bot.store.models import Alliance, Entity, FunnelJourney, Lead
from tests.auxil.cli import aliat

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+34 600 11 22 33", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_spreadsheet_safe_neutralises_formula_starts() -> None:
    for value in HOSTILE:
        assert spreadsheet_safe(value) == "'" + value
    for value in ("Fundació", "3", "a=b", " =x", "", None):
        assert spreadsheet_safe(value) == ("" if value is None else value)


def test_csv_for_excel_has_bom_semicolons_and_no_formulas() -> None:
    table = Table("t", ["Entitat", "Data"], [[v, datetime(2026, 3, 1, 9, 5)] for v in HOSTILE + ["Fundació; Ca l'Isidre"]])
    data = csv_bytes(table, excel=True)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Entitat", "Data"]
    assert [r[0] for r in rows[1:-1]] == ["'" + v for v in HOSTILE]
    assert rows[-1] == ["Fundació; Ca l'Isidre", "2026-03-01 09:05"]
    plain = csv_bytes(table).decode()
    assert not plain.startswith("\ufeff") and plain.splitlines()[0] == "Entitat,Data"


def test_xlsx_keeps_text_as_text_and_dates_as_dates(tmp_path) -> None:
    zone = ZoneInfo("Europe/Madrid")
    when = local_time(datetime(2026, 7, 1, 22, 30, tzinfo=UTC), zone)
    path = tmp_path / "x.xlsx"
    write_xlsx([Table("Contactes", ["Entitat", "Arribada", "Núm."], [[v, when, 7] for v in HOSTILE])], path)
    sheet = load_workbook(path)["Contactes"]
    assert [c.value for c in sheet[1]] == ["Entitat", "Arribada", "Núm."]
    for row, value in zip(sheet.iter_rows(min_row=2), HOSTILE, strict=True):
        # a string cell, never a formula (XML turns a carriage return into a line feed)
        assert row[0].value == value.replace("\r", "\n") and row[0].data_type == "s"
        assert row[1].value == datetime(2026, 7, 2, 0, 30) and row[1].is_date  # Madrid, summer time
        assert row[2].value == 7


async def test_report_commands_export_every_row_in_the_readers_language(sqlite_url, tmp_path) -> None:
    from bot.store.db import create_engine
    from bot.store.migrate import upgrade

    db = create_engine(sqlite_url)
    await upgrade(db)
    created = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    async with db.begin() as conn:
        await conn.execute(insert(Entity.__table__), [
            {"id": i, "name": "=cmd|' /C calc'!A0" if i == 1 else f"Entitat {i}", "territory": "girona",
             "contact_telegram": False} for i in range(1, 1203)])
        await conn.execute(insert(Lead.__table__), [
            {"entity_id": i, "status": "notified", "priority": "normal", "priority_reasons": [], "language": "ca",
             "dossier": {"motivation": "proactive", "answers": {"objective": "innovation"}},
             "created_at": created + timedelta(minutes=i), "updated_at": created} for i in range(1, 1203)])
    async with db.begin() as conn:
        # 1,202 conversations first seen in February (Madrid) got as far as a lead, 3 of them to an alliance
        await conn.execute(insert(FunnelJourney.__table__), [
            {"cohort": funnel.period_of(created), "stage": funnel.STEPS.index("alliance_formed" if i < 3 else "lead"),
             "territory": "girona", "language": "ca", "motivation": "", "aim": "innovation"} for i in range(1202)])
        await conn.execute(insert(Alliance.__table__), [
            {"pair": f"L{i}", "aim": "innovation", "lead_id": i, "entity_id": i, "formed_at": created}
            for i in range(1, 4)])
    await db.dispose()

    path = tmp_path / "leads.xlsx"
    done = aliat("report", "leads", "--lang", "es", "--xlsx", str(path), database_url=sqlite_url)
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(path)["Contactos"]
    assert [c.value for c in sheet[1]][:5] == ["Núm.", "Llegada", "Estado", "Prioridad", "Entidad"]
    assert sheet.max_row == 1203  # every lead and the titles: no 1,000 cap
    last = sheet[2]  # the queue's order (issue 24): none urgent, the longest waiting first, so lead 1
    assert last[0].value == 1 and last[4].value == "=cmd|' /C calc'!A0" and last[4].data_type == "s"
    assert last[1].value == datetime(2026, 2, 1, 0, 31)  # 23:31 UTC is the next day in Madrid
    assert last[5].value == "Girona" and last[8].value == "Innovar"

    done = aliat("report", "funnel", "--from", "2026-02", "--to", "2026-02", database_url=sqlite_url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("L'embut del programa (2026-02 – 2026-02)")
    counts = {line[:24].strip(): line[24:].split() for line in lines[1:]}
    assert counts["Primer contacte"] == ["1202"] and counts["Derivada a l'equip"] == ["1202", "100", "%"]
    assert counts["Assignada"] == ["3", "0", "%"] and counts["Aliança formada"] == ["3", "100", "%"]
    path = tmp_path / "funnel.xlsx"
    done = aliat("report", "funnel", "--xlsx", str(path), "--lang", "en", database_url=sqlite_url)
    assert done.returncode == 0, done.stderr
    book = load_workbook(path)
    funnel_sheet = book["Funnel"]
    assert [c.value for c in funnel_sheet[1]][:2] == ["Month", "First contact"]
    rows = [[c.value for c in r] for r in funnel_sheet.iter_rows(min_row=2)]
    assert rows == [["2026-02", *[1202] * 5, 3, 3, 3], ["Total", *[1202] * 5, 3, 3, 3]]

    csv_path = tmp_path / "alliances.csv"
    done = aliat("report", "alliances", "--csv", str(csv_path), "--excel-csv", database_url=sqlite_url)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Objectiu", "Objectiu del programa", "Formades"]
    assert rows[1] == ["Innovació", "2", "3"] and rows[-1] == ["Total", "8", "3"]
