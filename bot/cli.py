"""The `articlebot` command: the index commands plus run, console and sync."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from index.cli import build_parser, run
from index.settings import Settings


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Build the index if needed, then serve: the bot with a token, else the local console."""
    from index.cli import ConsoleProgress
    from index.ensure import ensure_index

    print(ensure_index(settings, progress=ConsoleProgress()), file=sys.stderr)
    if settings.discord_token is not None and not args.console:
        from .runner import run_bot

        return run_bot(settings)
    from .console import run_console

    return run_console(settings)


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from .console import run_console

    return run_console(settings)


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from .runner import sync_commands

    return sync_commands(settings, guild_id=args.guild)


def parser() -> argparse.ArgumentParser:
    root, subparsers = build_parser(prog="articlebot")
    serve = subparsers.add_parser("run", help="build the index if needed, then run the bot or console")
    serve.add_argument("--console", action="store_true", help="open the local console even with a token")
    serve.set_defaults(handler=cmd_run)
    console = subparsers.add_parser("console", help="try the slash commands locally, without Discord")
    console.set_defaults(handler=cmd_console)
    sync = subparsers.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=int, help="a server id: sync there only, instantly (development)")
    sync.set_defaults(handler=cmd_sync)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    return run(parser(), argv)
if __name__ == "__main__":
    import sys

    sys.exit(main())
