"""aliat classify: reactive or proactive? (the arguments are parsed by bot.classify_cli)."""

from __future__ import annotations

import argparse

NAME = "classify"
RAW_ARGUMENTS = True  # bot.cli hands it the arguments as typed; its own parser (bot.classify_cli) reads them
HELP = "classify a text's motivation: reactive, proactive, mixed or unclear ([--lang L] [--json] [TEXT])"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER)


def run(args: argparse.Namespace) -> int:
    from bot.classify_cli import main

    return main(args.rest)
