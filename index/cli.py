"""The `index` command line (`python -m index`), which the `articlebot` command extends: argument
parsing only; the work is done by the library."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .answering.scope import Scope, visible_articles
from .corpus import CorpusError
from .embedding import ModelUnavailable, remove_temporary_folders
from .logs import setup_logging
from .problems import os_problem
from .settings import MAX_ANSWER_K, Settings, SettingsError, is_plain_number, load_settings
from .store import IndexUnavailable

if TYPE_CHECKING:
    from .answering import LoadedIndex

GUILD_HELP = "only what this Discord server sees: its own articles and the shared ones"

# Building (index/building) brings the attribution rules with it: the commands that build import
# it when they run, so that a process that only answers never loads it.


class ConsoleProgress:
    """A rebuild's progress on stderr: a line per step, a tqdm bar for each long one."""

    def stage(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def bar(self, label: str, total: int) -> Callable[[int], None]:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="text" if label == "embedding" else "article", desc=label,
                   disable=total == 0, file=sys.stderr)

        def advance(count: int) -> None:
            bar.update(count)
            if bar.n >= total:
                bar.close()

        return advance


def ensure_fresh_index(settings: Settings) -> str:
    """Rebuild the index unless it is fresh, showing the progress on stderr; what was done, for the
    log (`articlebot run`)."""
    from .building import ensure_index

    return ensure_index(settings, progress=ConsoleProgress())


def cmd_index_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from .building import rebuild

    report = rebuild(settings, full=args.full, progress=ConsoleProgress())
    print(report.summary())
    return 0


def cmd_index_merge(args: argparse.Namespace, settings: Settings) -> int:
    from .building import merge

    print(merge(settings).summary())
    return 0


def cmd_index_status(args: argparse.Namespace, settings: Settings) -> int:
    from .building import corpus_status

    status = corpus_status(settings)
    if args.json:
        print(json.dumps(status.as_dict()))
    else:
        print(f"{status.state}: {status.reason}")
    return 0 if status.ok else 1


def scope_of(args: argparse.Namespace) -> Scope | None:
    """`--guild ID`: what that server sees (its own and the shared articles); every article without it."""
    return None if args.guild is None else Scope(args.guild)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from .answering import Engine, Trace, answer_text, terminal_safe, trace_text

    engine = Engine.open(settings)
    traces = [Trace() for _ in args.questions] if args.explain else None
    answers = engine.answer_many(args.questions, k=args.k, article=args.article, scope=scope_of(args),
                                 traces=traces)
    for number, answer in enumerate(answers):
        trace = traces[number] if traces is not None else None
        if args.json:
            row = answer.as_dict() | ({"trace": trace.as_dict()} if trace else {})
            # Cleaned to nothing ("  ??? "), the question is shown as typed: each line still says which it answers.
            row["question"] = row["question"] or args.questions[number]
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(answer_text(answer), end="\n\n")
            if trace is not None:
                print(terminal_safe(trace_text(trace)), end="\n\n")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from .answering import Engine, evaluate, read_cases

    cases = read_cases(args.file)
    report = evaluate(Engine.open(settings), cases)
    print(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else report.summary())
    return 0


def cmd_quotes(args: argparse.Namespace, settings: Settings) -> int:
    from .answering import SpeakerDirectory, load_index, terminal_safe
    from .kinds import DIRECT

    directory = SpeakerDirectory(_visible_quotes(load_index(settings.index_dir), scope_of(args)))
    quotes = directory.quotes_by(args.speaker)
    if args.direct_only:
        quotes = [q for q in quotes if q["kind"] == DIRECT]
    for quote in quotes:
        if args.json:
            fields = ("speaker", "aliases", "text", "article", "paragraph", "kind")
            print(json.dumps({name: quote[name] for name in fields}, ensure_ascii=False))
        else:
            print(terminal_safe(f"[{quote['article']} ¶{quote['paragraph']}] {quote['speaker'] or '(unattributed)'}"
                                f" ({quote['kind']}): {quote['text']}"))
    if not quotes and not args.json:
        print(terminal_safe(f"no quotations{' by ' + args.speaker if args.speaker else ''}"))
    return 0


def cmd_speakers(args: argparse.Namespace, settings: Settings) -> int:
    from .answering import SpeakerDirectory, load_index, terminal_safe

    for speaker in SpeakerDirectory(_visible_quotes(load_index(settings.index_dir), scope_of(args))).speakers():
        if args.json:
            print(json.dumps(speaker, ensure_ascii=False))
        else:
            aliases = f" (also: {', '.join(speaker['aliases'])})" if speaker["aliases"] else ""
            print(terminal_safe(f"{speaker['count']:4d}  {speaker['speaker']}{aliases}"))
    return 0


def _visible_quotes(index: LoadedIndex, scope: Scope | None) -> list[dict]:
    """The quotations of the articles `scope` sees."""
    visible = visible_articles(index.articles, scope)
    return [quote for quote in index.quotes if quote["article"] in visible]


def guild_id(text: str) -> int:
    """`--guild`: a Discord server id."""
    if not is_plain_number(text) or len(text) > 20:
        raise argparse.ArgumentTypeError(f"{text!r} is not a server id: give the number Discord shows "
                                         "(Copy Server ID)")
    return int(text)


def speaker_name(text: str) -> str:
    """`--speaker`: a name; blank, it would match no one and print "no quotations"."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give a speaker's name, or leave --speaker out for every quotation")
    return text


def answer_count(text: str) -> int:
    """`-k`: how many passages to quote."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_ANSWER_K:
        raise argparse.ArgumentTypeError(f"{text!r} passages: give a number from 1 to {MAX_ANSWER_K}")
    return count


def add_index_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the retrieval commands; the bot's command line adds its own beside them."""
    index = subparsers.add_parser("index", help="build and check the search index")
    index_commands = index.add_subparsers(dest="index_command", required=True)
    rebuild = index_commands.add_parser("rebuild", help="embed changed articles and publish the index")
    rebuild.add_argument("--full", action="store_true", help="re-embed every article")
    rebuild.set_defaults(handler=cmd_index_rebuild)
    merge = index_commands.add_parser("merge", help="rewrite the index's segments into one, without deleted articles")
    merge.set_defaults(handler=cmd_index_merge)
    status = index_commands.add_parser("status", help="fresh, stale, missing, corrupt or model mismatch")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=cmd_index_status)

    ask = subparsers.add_parser("ask", help="answer questions by quoting the articles")
    ask.add_argument("questions", nargs="+", metavar="QUESTION")
    ask.add_argument("--json", action="store_true", help="one JSON object per question, one per line")
    ask.add_argument("-k", type=answer_count, default=None,
                     help=f"passages to quote, 1 to {MAX_ANSWER_K} (default: ARTICLEBOT_ANSWER_K)")
    ask.add_argument("--article", help="only this article id")
    ask.add_argument("--guild", type=guild_id, help=GUILD_HELP)
    ask.add_argument("--explain", action="store_true",
                     help="also show why: each top passage's score by part, the ranking, the rules that decline")
    ask.set_defaults(handler=cmd_ask)

    evaluation = subparsers.add_parser("eval", help="score the engine on a JSONL question file")
    evaluation.add_argument("file", type=Path)
    evaluation.add_argument("--json", action="store_true")
    evaluation.set_defaults(handler=cmd_eval)

    quotes = subparsers.add_parser("quotes", help="list attributed quotations")
    quotes.add_argument("--speaker", type=speaker_name, help="only this speaker (any alias, case-insensitive)")
    quotes.add_argument("--direct-only", action="store_true", help="leave out indirect speech")
    quotes.add_argument("--json", action="store_true")
    quotes.add_argument("--guild", type=guild_id, help=GUILD_HELP)
    quotes.set_defaults(handler=cmd_quotes)

    speakers = subparsers.add_parser("speakers", help="list speakers with aliases and counts")
    speakers.add_argument("--json", action="store_true")
    speakers.add_argument("--guild", type=guild_id, help=GUILD_HELP)
    speakers.set_defaults(handler=cmd_speakers)


def build_parser(prog: str = "python -m index"
                 ) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]]:
    """The parser with the retrieval commands, and its subcommands for the bot's to join them."""
    parser = argparse.ArgumentParser(prog=prog, description="Quote news articles to answer questions.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_index_commands(subparsers)
    return parser, subparsers


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
                library_levels: Mapping[str, int] | None = None) -> int:
    """Parse `argv`, read the settings, set up the process's logging (here, once; `library_levels`
    as the entry point asks) and run the command. Every expected failure ends as `error: …` on
    stderr and exit status 2; an unexpected one as one such line and exit status 1 (with `-v`, its
    traceback)."""
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    setup_logging(logging.DEBUG if args.verbose else settings.log_level, library_levels)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    # A stop (docker stop, systemd, kill) removes the temporary model folder a rebuild made, then
    # ends the process by the signal, as before. Unwinding by an exception instead, as Ctrl-C does,
    # aborted the process (SIGABRT) when the exception met native code.
    def stop(signal_number: int, frame: object) -> None:
        try:
            remove_temporary_folders()
        except Exception:  # whatever cleaning up meets, the process must still end by the signal
            pass
        finally:
            signal.signal(signal_number, signal.SIG_DFL)
            os.kill(os.getpid(), signal_number)

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if in_main_thread else None
    try:
        status = handler(args, settings)
        sys.stdout.flush()  # here, where a reader that has gone is caught, not at the interpreter's exit
        return status
    except CorpusError as error:
        if [path for path, _ in error.problems] == [settings.corpus_dir]:
            print(f"error: ARTICLEBOT_CORPUS_DIR ({settings.corpus_dir}): {error.problems[0][1]}; set it to the "
                  "folder of the articles", file=sys.stderr)
        else:
            print(f"error: the corpus has bad files; nothing was changed:\n{error}", file=sys.stderr)
        return 2
    except IndexUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, with the status of a process that SIGPIPE
        # ended. Python would report the pipe again on exit, flushing stdout: it goes to /dev/null.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except OSError as error:
        print(f"error: {os_problem(error)}", file=sys.stderr)
        return 2
    except KeyError as error:  # str() of a KeyError quotes its message once more
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 2
    except (ModelUnavailable, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Exception as error:  # a bug, or files changed behind the program's back (an index edited by hand)
        if args.verbose:
            raise
        first_line = (str(error).strip().splitlines() or [""])[0][:300]
        print(f"error: an unexpected failure ({type(error).__name__}: {first_line}); `-v` shows where. "
              "If the index's files were changed by hand, `index status` checks them.", file=sys.stderr)
        return 1
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m index`: its exit status."""
    parser, _ = build_parser()
    return run_command(parser, argv)
