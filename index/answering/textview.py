"""Answers as plain text, the way the bot shows them (for the CLI and the local console)."""

from __future__ import annotations

from .answer import Answer, QuotedPassage

NOT_COVERED = "The articles don't cover that question, so there is nothing to quote."

# C0 and C1 control characters (and DEL) but newline and tab: a question or an article holding
# ESC [ 2 J would otherwise clear the reader's screen, and a carriage return could overwrite a line.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in "\n\t"}


def terminal_safe(text: str) -> str:
    """`text` made inert for a terminal: control characters shown as `\\xNN`, all other Unicode kept."""
    return text.translate(_CONTROLS)


def passage_text(passage: QuotedPassage) -> str:
    """The passage as a block quote with the answering span in **bold**."""
    marked, position = [], 0
    for start, end in passage.highlights:
        marked += [passage.text[position:start], "**", passage.text[start:end], "**"]
        position = end
    marked.append(passage.text[position:])
    return "\n".join(f"> {line}" for line in "".join(marked).splitlines())


def attribution_line(passage: QuotedPassage) -> str:
    parts = [f"— {passage.title or passage.article}, paragraph {passage.paragraph}"]
    if passage.kind != "body":
        parts.append(f"({passage.kind})")
    if passage.speaker:
        parts.append(f"· quoting {passage.speaker}")
    if passage.url:
        parts.append(f"· {passage.url}")
    return " ".join(parts)


def answer_text(answer: Answer) -> str:
    lines = [f"Q: {answer.question}"]
    if not answer.answered:
        lines.append(NOT_COVERED)
        return terminal_safe("\n".join(lines))
    for passage in answer.passages:
        lines += [passage_text(passage), attribution_line(passage), ""]
    return terminal_safe("\n".join(lines).rstrip())
