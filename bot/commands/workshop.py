"""aliat workshop: past workshops (list), their results (report ID --png FILE), retention (purge)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.app.runtime import database
from bot.config import SUPPORTED_LANGUAGES, load_settings
from bot.content.domain import load_domain
from bot.store import workshops as store
from bot.workshop.results import load_results, report
from bot.workshop.texts import WorkshopTexts

NAME = "workshop"
HELP = "workshops run by trainers: list, report ID --png FILE, purge (past retention.workshop_days)"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="workshop_command", required=True)
    listing = sub.add_parser("list", help="the latest workshops with their participants and votes")
    listing.add_argument("--limit", type=int, default=50)
    rep = sub.add_parser("report", help="the results of one workshop: text summary, and the chart as PNG")
    rep.add_argument("workshop_id", type=int, metavar="ID")
    rep.add_argument("--png", type=Path, metavar="FILE", help="write the results chart here")
    rep.add_argument("--language", choices=SUPPORTED_LANGUAGES, help="default: the workshop's language")
    purge = sub.add_parser("purge", help="delete workshops older than retention.workshop_days, with their votes")
    purge.add_argument("--days", type=int, help="override retention.workshop_days")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings) as sessionmaker, sessionmaker() as session:
        if args.workshop_command == "list":
            rows = await store.list_workshops(session=session, limit=args.limit)
            print("id\tstarted\tstatus\tprogramme\tlanguage\tparticipants\tvotes" if rows else "no workshops yet")
            for row in rows:
                w = row.workshop
                started = w.created_at.strftime("%Y-%m-%d %H:%M") if w.created_at else "?"
                print(f"{w.id}\t{started}\t{w.status}\t{w.programme}\t{w.language}\t{row.participants}\t{row.votes}")
            return 0
        if args.workshop_command == "purge":
            days = args.days or settings.retention.workshop_days
            if days < 1:
                print("aliat workshop purge: --days must be at least 1", file=sys.stderr)
                return 2
            purged = await store.purge_workshops(session=session, older_than_days=days)
            await session.commit()
            print(f"purged {purged} workshop(s) older than {days} days")
            return 0
        workshop = await store.get_workshop(session=session, workshop_id=args.workshop_id)
        if workshop is None:
            print(f"no workshop {args.workshop_id}", file=sys.stderr)
            return 1
        domain = load_domain(settings.dialogues_dir, settings.knowledge_dir)
        texts = WorkshopTexts(domain, settings.languages, settings.default_language)
        results = await load_results(session=session, workshop=workshop, texts=texts, language=args.language)
    png, summary = report(results, texts)
    print(summary)
    if args.png:
        args.png.parent.mkdir(parents=True, exist_ok=True)
        args.png.write_bytes(png)
        print(f"\nchart written to {args.png}")
    return 0
