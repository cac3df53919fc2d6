"""aliat check: validate dialogues/ and knowledge/."""

from __future__ import annotations

import argparse
import sys

from bot.commands.content_check import check_content
from bot.config import load_settings

NAME = "check"
HELP = "validate dialogues/ and knowledge/ (names the file and the problem)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialogues", help="dialogues folder (default from config.yml)")
    parser.add_argument("--knowledge", help="knowledge folder (default from config.yml)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    settings = load_settings()
    problems = check_content(settings, dialogues=Path(args.dialogues) if args.dialogues else None,
                             knowledge=Path(args.knowledge) if args.knowledge else None)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"aliat check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("aliat check: dialogues and knowledge are fine")
    return 0
