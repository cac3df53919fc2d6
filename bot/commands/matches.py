"""aliat matches list|for NAME: partner suggestions among the entities that opted in (bot/matching)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.app.runtime import open_database
from bot.config import load_settings
from bot.content.domain import load_domain
from bot.matching.rules import fold, load_rules
from bot.matching.suggest import as_json, suggest
from bot.reporting.figures import Labels
from bot.text.export_safe import terminal_safe

NAME = "matches"
HELP = "partner suggestions among the entities that opted in to matching"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="matches_command", required=True)
    ls = sub.add_parser("list", help="every suggested pair, best first")
    ls.add_argument("--json", action="store_true", help="a JSON list instead of a table")
    ls.add_argument("--lang", choices=["ca", "es", "en"], help="language of the reasons (default: config's)")
    one = sub.add_parser("for", help="the best candidates for one entity")
    one.add_argument("name", help="the entity's name (or part of it; accents and case do not matter)")
    one.add_argument("--json", action="store_true", help="a JSON list instead of a table")
    one.add_argument("--lang", choices=["ca", "es", "en"], help="language of the reasons (default: config's)")


def _find(profiles, name: str):
    """The one consenting entity called `name`: the exact name first, else the only one containing it."""
    wanted = fold(name)
    exact = [p for p in profiles if fold(p.name) == wanted]
    if exact:
        return exact[:1], []
    partial = [p for p in profiles if wanted and wanted in fold(p.name)]
    return (partial, []) if len(partial) == 1 else ([], partial)


def _print_table(rows: list[dict], settings, rules, lang: str) -> None:
    """For a person at a terminal: the aim and the indicators by their names, never their codes."""
    labels = Labels(load_domain(settings.dialogues_dir, settings.knowledge_dir), settings.default_language)
    titles = rules.reasons["titles"]
    for r in rows:
        aim = labels.aim(r["aim"], lang) if r["aim"] else "-"
        print(terminal_safe(f"{r['score']:.2f}\t{r['a']['name']} ↔ {r['b']['name']}\t{aim}"))
        for key, line in r["reasons"].items():
            print(terminal_safe(f"\t{titles[key].get(lang) or key}: {line}"))


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    rules = load_rules(str(settings.knowledge_dir))
    lang = args.lang or settings.default_language
    db, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session:
            found = await suggest(session=session, rules=rules, per_entity=settings.matching.suggestions_per_entity,
                                  min_score=settings.matching.min_score)
    finally:
        await db.dispose()
    if args.matches_command == "list":
        rows = [as_json(p, rules, lang) for p in found.pairs(rules)]
    else:
        match, ambiguous = _find(found.matrices.profiles, args.name)
        if not match:
            if ambiguous:
                names = ", ".join(sorted(p.name for p in ambiguous))
                print(terminal_safe(f"several entities match {args.name!r}: {names}"), file=sys.stderr)
            else:
                print(terminal_safe(f"no entity that opted in to matching is called {args.name!r}"), file=sys.stderr)
            return 1
        rows = [as_json(p, rules, lang) for p in found.for_entity(match[0].id, rules)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=True, indent=2))
    else:
        _print_table(rows, settings, rules, lang)
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
