"""Answers as plain text, the way the bot shows them (for the CLI and the local console)."""

from __future__ import annotations

from collections.abc import Callable

from ..kinds import BODY
from ..problems import inert
from .answer import Answer, QuotedPassage

NOT_COVERED = "The articles don't cover that question, so there is nothing to quote."
NO_QUESTION = "That is no question to look up: type one with words, for example: Who told Musk to f*** off?"
# Above passages quoted under the verdict `related`: worth reading, but none is known to answer.
RELATED_HEADING = "The articles don't say this directly. Closest passages:"


def terminal_safe(text: str) -> str:
    """`text` made inert for a terminal (a question, an article): control characters but newline and
    tab shown as `\\xNN`, all other Unicode kept."""
    return inert(text, keep="\n\t")


def passage_text(passage: QuotedPassage, bold: bool = True) -> str:
    """The passage as a block quote with the answering span in **bold** (unless `bold` is False:
    a related passage has no answering span)."""
    marked, position = [], 0
    for start, end in passage.highlights if bold else ():
        marked += [passage.text[position:start], bold_by_line(passage.text[start:end])]
        position = end
    marked.append(passage.text[position:])
    return "\n".join(f"> {line}" for line in "".join(marked).splitlines())


def _as_is(text: str) -> str:
    return text


def bold_by_line(text: str, marker: str = "**", inner: Callable[[str], str] = _as_is) -> str:
    """`text` (each line passed through `inner`) in bold line by line: a paragraph may keep the line
    breaks it was written with, each becomes a line of the block quote, and a marker that opens on
    one line must close there."""
    return "\n".join(f"{marker}{inner(line.strip())}{marker}" if line.strip() else "" for line in text.split("\n"))


def attribution_line(passage: QuotedPassage, title: Callable[[str], str] = _as_is,
                     speaker: Callable[[str], str] = _as_is,
                     link: Callable[[str], str | None] = _as_is) -> str:
    """"— title, paragraph 6 (caption) · quoting Speaker · url": where a passage comes from.
    `title`, `speaker` and `link` render those parts (the bot's markdown escapes them and checks
    the URL); a link rendered as None is left out."""
    parts = [f"— {title(passage.title or passage.article)}, paragraph {passage.paragraph}"]
    if passage.paragraph_kind != BODY:
        parts.append(f"({passage.paragraph_kind})")
    if passage.speaker:
        parts.append(f"· quoting {speaker(passage.speaker)}")
    shown = link(passage.url) if passage.url else None
    if shown:
        parts.append(f"· {shown}")
    return " ".join(parts)


def answer_text(answer: Answer) -> str:
    lines = [f"Q: {answer.question}"]
    if not answer.question:  # cleaned to nothing: no letter or digit was typed
        return NO_QUESTION
    if not answer.answered:
        lines.append(NOT_COVERED)
        return terminal_safe("\n".join(lines))
    if answer.related_only:
        lines.append(RELATED_HEADING)
    for passage in answer.passages:
        lines += [passage_text(passage, bold=not answer.related_only), attribution_line(passage), ""]
    return terminal_safe("\n".join(lines).rstrip())
