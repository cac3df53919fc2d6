"""The `aliat` command. Each subcommand lives in bot/commands/<name>.py with NAME, HELP, configure, run."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import bot.commands
from bot.config import ConfigError


def _commands(only: str | None = None) -> dict[str, object]:
    """Command modules by name (bot/commands/<name>.py). With `only`, just that one is imported:
    `aliat chat` should not pay for importing the Telegram and workshop code."""
    names = sorted(info.name for info in pkgutil.iter_modules(bot.commands.__path__))
    if only in names:
        names = [only]
    found = {}
    for name in names:
        module = importlib.import_module(f"bot.commands.{name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found[module.NAME] = module
    return found


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aliat", description="Alia't assistant")
    parser.add_argument("--version", action="store_true", help="print the version and commit, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _commands(only).items():
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(cmd)
        cmd.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    module = _commands(argv[0]).get(argv[0]) if argv and not argv[0].startswith("-") else None
    if module is not None:
        if getattr(module, "RAW_ARGUMENTS", False):
            # A command with its own parser reads the rest as given (`aliat classify`: texts may start with
            # dashes or be many words, which argparse's REMAINDER refuses after an option).
            return int(module.run(argparse.Namespace(rest=argv[1:])) or 0)
    if argv and argv[0] == "--version":
        from bot.app.version import describe

        print(describe())
        return 0
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 2
    try:
        return int(args._module.run(args) or 0)
    except ConfigError as exc:
        print(f"aliat: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
