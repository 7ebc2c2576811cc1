"""The `articlebot` command: the index commands plus run, console and sync."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from index import Settings, build_parser, ensure_fresh_index, is_plain_number, run_command

# discord.py's own messages (connecting, resuming) at INFO; its DEBUG is every gateway payload.
LIBRARY_LOG_LEVELS = {"discord": logging.INFO}


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Build the index if needed, then serve: the bot with a token, else the local console."""
    print(ensure_fresh_index(settings), file=sys.stderr)
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


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from index import Engine, group_by_meaning, terminal_safe

    from .database import NoStore, StoreUnavailable, open_store
    from .stats import build_report, empty_report

    today = datetime.now(UTC).date()
    try:
        with open_store(settings.database, create=False) as store:
            report = build_report(store, args.days, today, lambda texts: group_by_meaning(Engine.open(settings), texts),
                                  guild_id=args.guild)
    except NoStore as error:
        print(f"note: {error}", file=sys.stderr)
        report = empty_report(args.days, today)
    except StoreUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report.logging = settings.log_questions
    # Questions are users' text: an escape sequence in one must not reach the operator's terminal.
    print(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else terminal_safe(report.text()))
    if args.chart is not None:
        from .chart import render_chart

        try:
            args.chart.write_bytes(render_chart(report))
        except OSError as error:
            print(f"error: cannot write the chart to {args.chart}: {error.strerror or error}", file=sys.stderr)
            return 2
        print(f"chart written to {args.chart}", file=sys.stderr)
    return 0


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    from .database import NoStore, StoreUnavailable, open_store

    try:
        with open_store(settings.database, create=False) as store:
            forgotten = store.forget_user(args.user)
    except NoStore as error:
        print(f"nothing to forget: {error}")
        return 0
    except StoreUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    questions = f"{forgotten.questions} question{'s' if forgotten.questions != 1 else ''}"
    votes = f"{forgotten.votes} vote{'s' if forgotten.votes != 1 else ''}"
    changes = f"{forgotten.article_changes} article change{'s' if forgotten.article_changes != 1 else ''}"
    print(f"deleted {questions}, {votes} and {changes} of user {args.user}")
    return 0


def _number(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not is_plain_number(text.strip()) or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: give {what}")
        return int(text)

    return parse


def parser() -> argparse.ArgumentParser:
    root, subparsers = build_parser(prog="articlebot")
    serve = subparsers.add_parser("run", help="build the index if needed, then run the bot or console")
    serve.add_argument("--console", action="store_true", help="open the local console even with a token")
    serve.set_defaults(handler=cmd_run)
    console = subparsers.add_parser("console", help="try the slash commands locally, without Discord")
    console.set_defaults(handler=cmd_console)
    sync = subparsers.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=_number(1, 2**63 - 1, "a Discord server id (a number)"),
                      help="a server id: sync there only, instantly (development)")
    sync.set_defaults(handler=cmd_sync)
    stats = subparsers.add_parser("stats", help="questions per day, votes, what could not be answered")
    stats.add_argument("--days", type=_number(1, 365, "a number of days from 1 to 365"), default=7,
                       help="how many days to look back over, today included (default 7)")
    stats.add_argument("--guild", type=_number(0, 2**63 - 1, "a Discord server id (a number)"),
                       help="only this server's questions")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.add_argument("--chart", type=Path, metavar="PNG", help="also write the chart of questions per day here")
    stats.set_defaults(handler=cmd_stats)
    forget = subparsers.add_parser("forget", help="delete a person's logged questions and votes")
    forget.add_argument("--user", required=True, type=_number(0, 2**63 - 1, "a Discord user id (a number)"),
                        help="their Discord user id")
    forget.set_defaults(handler=cmd_forget)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """`articlebot`: its exit status. Logging is set up here, once for the process."""
    return run_command(parser(), argv, LIBRARY_LOG_LEVELS)


if __name__ == "__main__":
    import sys

    sys.exit(main())
