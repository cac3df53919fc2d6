"""aliat report funnel|leads|alliances: the programme's figures, as the dashboard shows and exports them."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from zoneinfo import ZoneInfo

from bot.app.runtime import open_database
from bot.config import load_settings
from bot.content.domain import load_domain
from bot.reporting import figures as reports
from bot.reporting.exports import write_csv, write_xlsx
from bot.store import funnel
from bot.store.leads import Seer
from bot.text.languages import SUPPORTED_LANGUAGES

NAME = "report"
HELP = "the funnel by month (anonymous counts that survive erasure), leads and alliances; xlsx or CSV"


def _month(value: str) -> str:
    try:
        return reports.parse_month(value) or ""
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a month (YYYY-MM)") from None


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="report_command", required=True)
    fun = sub.add_parser("funnel", help="first contact → ... → alliance formed, with conversions")
    fun.add_argument("--from", dest="first", type=_month, metavar="YYYY-MM", help="first month (included)")
    fun.add_argument("--to", dest="last", type=_month, metavar="YYYY-MM", help="last month (included)")
    for name in ("leads", "alliances"):
        sub.add_parser(name, help=f"every {name[:-1]} row, as a spreadsheet")
    for p in sub.choices.values():
        p.add_argument("--lang", choices=SUPPORTED_LANGUAGES, help="language of the titles (default: config)")
        p.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook")
        p.add_argument("--csv", metavar="FILE", help="write CSV ('-' for stdout)")
        p.add_argument("--excel-csv", action="store_true", help="CSV with ';' and a BOM, as Excel in ca/es expects")
    for name in ("funnel", "alliances"):
        sub.choices[name].add_argument("--json", action="store_true",
                                       help="print the figures as JSON (steps with counts and conversions; "
                                            "target and formed per aim, with the alliances)")


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    lang = args.lang or settings.default_language
    zone = ZoneInfo(settings.programme.time_zone)
    labels = reports.Labels(load_domain(settings.dialogues_dir, settings.knowledge_dir), settings.default_language)
    db, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session:
            if args.report_command == "funnel":
                result = await funnel.read(session=session, first=args.first, last=args.last)
                tables = reports.funnel_tables(result, labels, lang)
                if args.json:
                    print(json.dumps(reports.funnel_json(result), ensure_ascii=False, indent=2))
                elif not args.xlsx and not args.csv:
                    _print_funnel(result, labels, lang)
            elif args.report_command == "leads":
                rows = await reports.lead_rows(session, visible_to=Seer.operator())  # the server's operator
                tables = [reports.leads_table(rows, labels, lang, zone,
                                              await reports.lead_extras(session, [r.id for r in rows]))]
            else:
                progress = await reports.alliance_progress(session, settings)
                tables = reports.alliances_tables(progress, labels, lang, zone)
                if args.json:
                    print(json.dumps(reports.alliances_json(progress), ensure_ascii=False, indent=2))
    finally:
        await db.dispose()
    if args.xlsx:
        write_xlsx(tables, args.xlsx)
        print(f"{args.xlsx}: {', '.join(f'{t.title} ({len(t.rows)})' for t in tables)}", file=sys.stderr)
    if args.csv:
        # CSV holds one table: the first (the funnel by month, the leads, the alliances against the target)
        if args.csv == "-":
            write_csv(tables[0], sys.stdout, excel=args.excel_csv)
        else:
            with open(args.csv, "w", newline="", encoding="utf-8") as out:
                write_csv(tables[0], out, excel=args.excel_csv)
    if args.report_command != "funnel" and not args.xlsx and not args.csv and not getattr(args, "json", False):
        write_csv(tables[0], sys.stdout)
    return 0


def _print_funnel(result: funnel.Funnel, labels: reports.Labels, lang: str) -> None:
    span = f"{result.first or '…'} – {result.last or '…'}"
    print(f"{labels.t('funnel', lang)} ({span})")
    rows = reports.funnel_rows(result, labels, lang)
    width = max(len(label) for _, label, _, _ in rows)
    for _step, label, n, share in rows:
        print(f"  {label.ljust(width)}  {n:>7}  {share}")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
