"""aliat leads list|show|export|stats: the leads, for staff at a terminal.

`export --csv` writes the staff's sheet: the dashboard's leads export (titles and values in words, in the
staff's language, from dialogues/ and knowledge/). `export --csv --codes` keeps the stable machine form
(snake_case columns, the stored codes, as `list --json` gives them) for scripts."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.app.runtime import open_database
from bot.config import load_settings
from bot.content.domain import load_domain
from bot.engine.render import Renderer
from bot.leads.cards import details_text, waited_text
from bot.reporting import figures as reports
from bot.reporting.exports import write_csv
from bot.store import leads as store
from bot.text.export_safe import spreadsheet_safe, terminal_safe
from bot.text.formats import decimal
from bot.text.languages import SUPPORTED_LANGUAGES

NAME = "leads"
HELP = "list, show, export (CSV) and count the leads handed to facilitators"
# `export --codes`: the machine form's columns, a stable contract for scripts (the values as `list --json`)
CSV_FIELDS = ("id", "status", "outcome", "entity_name", "territory", "priority", "urgency", "urgency_reason",
              "readiness", "waiting_hours", "overdue", "motivation", "objective", "language", "assignee_id",
              "assignee_name", "created_at", "updated_at", "claimed_at", "contacted_at", "closed_at")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="leads_command", required=True)
    ls = sub.add_parser("list", help="list leads: urgent first, then the longest waiting")
    ls.add_argument("--status", choices=["new", "notified", "claimed", "contacted", "closed"])
    ls.add_argument("--json", action="store_true", help="a JSON list instead of a table (the stored codes)")
    ls.add_argument("--lang", choices=SUPPORTED_LANGUAGES, help="the table's language (default: config's default)")
    show = sub.add_parser("show", help="a lead's dossier, contact and history, as the facilitator sees it")
    show.add_argument("lead_id", type=int)
    show.add_argument("--lang", choices=["ca", "es", "en"], help="the dossier's language (default: the default one)")
    export = sub.add_parser("export", help="export leads: the dashboard's sheet, in words")
    export.add_argument("--csv", required=True, metavar="FILE", help="CSV file to write ('-' for stdout)")
    export.add_argument("--lang", choices=SUPPORTED_LANGUAGES, help="language of the titles and values "
                        "(default: config's default language)")
    export.add_argument("--excel-csv", action="store_true", help="CSV with ';' and a BOM, as Excel in ca/es expects")
    export.add_argument("--codes", action="store_true", help="the machine form instead: snake_case columns and "
                        "the stored codes (status, motivation, objective...), as `list --json` gives them")
    sub.add_parser("stats", help="leads by status, motivation, objective; alliances formed")


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    db, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session:
            late = {"claim_hours": settings.handoff.reminder_unclaimed_hours,
                    "contact_days": settings.handoff.reminder_no_contact_days}
            if args.leads_command == "list":
                rows = await store.list_leads(session=session, status=args.status, **late)
                if args.json:
                    print(json.dumps(rows, ensure_ascii=True, indent=2, default=str))  # escapes, not bytes
                else:
                    _print_table(rows, settings, args.lang or settings.default_language)
            elif args.leads_command == "show":
                view = await store.show_lead(session=session, lead_id=args.lead_id)
                if view is None:
                    print(f"no lead {args.lead_id}", file=sys.stderr)
                    return 1
                domain = load_domain(settings.dialogues_dir, settings.knowledge_dir)
                renderer = Renderer(domain, settings.default_language, settings.programme.time_zone)
                print(terminal_safe(details_text(renderer, view, args.lang or settings.default_language)))
            elif args.leads_command == "export":
                out = sys.stdout if args.csv == "-" else open(args.csv, "w", newline="", encoding="utf-8")
                try:
                    if args.codes:
                        count = await _export_codes(session, out, late)
                    else:
                        count = await _export_words(session, out, settings, late, args.lang, args.excel_csv)
                finally:
                    if out is not sys.stdout:
                        out.close()
                if args.csv != "-":
                    print(f"{count} leads written to {args.csv}")
            else:
                print(json.dumps(await store.lead_stats(session=session), ensure_ascii=False, indent=2))
    finally:
        await db.dispose()
    return 0


def _print_table(rows: list[dict[str, Any]], settings, lang: str) -> None:
    """One lead a line, in words, as the dashboard's list says it: ⏰ when overdue, urgency, readiness, how
    long it has waited, its status (with who has it), the entity, and why it is overdue."""
    domain = load_domain(settings.dialogues_dir, settings.knowledge_dir)
    labels = reports.Labels(domain, settings.default_language)
    renderer = Renderer(domain, settings.default_language, settings.programme.time_zone)
    for r in rows:
        readiness = "-" if r["readiness"] is None else f"{decimal(float(r['readiness']), lang)}/4"
        late = labels.t(f"overdue_{r['overdue']}", lang) if r["overdue"] else ""
        print(terminal_safe("\t".join((
            f"{'⏰' if late else ' '} #{r['id']}", labels.priority("high" if r["urgency"] == "urgent" else "normal", lang),
            readiness, waited_text(renderer, r["waiting_hours"], lang) or "-",
            labels.status(r["status"], r["outcome"], r["assignee_name"], lang), r["entity_name"] or "?", late))))


async def _export_words(session, out: TextIO, settings, late: dict[str, Any], lang: str | None, excel: bool) -> int:
    """The dashboard's leads sheet (bot.reporting.figures.leads_table): every value as the staff read it."""
    lang = lang or settings.default_language
    labels = reports.Labels(load_domain(settings.dialogues_dir, settings.knowledge_dir), settings.default_language)
    rows = await reports.lead_rows(session, visible_to=store.Seer.operator(), **late)  # the server's operator
    extras = await reports.lead_extras(session, [r.id for r in rows])
    write_csv(reports.leads_table(rows, labels, lang, ZoneInfo(settings.programme.time_zone), extras), out,
              excel=excel)
    return len(rows)


async def _export_codes(session, out: TextIO, late: dict[str, Any]) -> int:
    rows = await store.list_leads(session=session, **late)
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items() if k in CSV_FIELDS} for row in rows)
    return len(rows)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
