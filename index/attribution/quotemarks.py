"""Finding quoted spans in running text: curly and straight marks, apostrophes, nesting,
quotations that run over several paragraphs, and marks that never close."""

from __future__ import annotations

from dataclasses import dataclass

from ..text import Paragraph

# Which pair of marks a quotation uses: “double” or ‘single’ (straight marks likewise).
DOUBLE, SINGLE = "double", "single"
_OPENERS = {"“": DOUBLE, "‘": SINGLE, "«": DOUBLE}
_CLOSERS = {"”": DOUBLE, "’": SINGLE, "»": DOUBLE}
_STRAIGHT = {'"': DOUBLE, "'": SINGLE}
_BEFORE_OPEN = " \t\n([{—–-/:"


@dataclass(frozen=True)
class QuoteSpan:
    paragraph: int
    start: int  # article offsets of the quoted words, marks excluded
    end: int
    open_mark: int  # offset of the opening mark
    closed: bool  # False when the paragraph ended (or a new quotation opened) first
    continues: bool  # opens a paragraph that continues the previous paragraph's quotation


def _role(text: str, i: int) -> str | None:
    """'open', 'close' or None (an apostrophe or a stray mark) for the mark at text[i]."""
    ch = text[i]
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if ch in _OPENERS:
        return "open"
    if ch in _CLOSERS:
        if ch == "’" and before.isalnum() and after.isalnum():
            return None  # don’t, Musk’s
        return "close"
    if ch in _STRAIGHT:
        if before.isalnum() and after.isalnum():
            return None
        if (before.isspace() or before in _BEFORE_OPEN) and not after.isspace():
            return "open"
        if not before.isspace():
            return "close"
    return None


def _pair(ch: str) -> str:
    """DOUBLE or SINGLE: the pair of marks `ch` belongs to."""
    return _OPENERS.get(ch) or _CLOSERS.get(ch) or _STRAIGHT[ch]


def find_quotes(body: str, paragraphs: list[Paragraph]) -> list[QuoteSpan]:
    """Top-level quotations of an article; marks nested inside a quotation belong to it."""
    spans: list[QuoteSpan] = []
    carry: str | None = None  # the pair of a quotation left open at the previous paragraph's end
    for paragraph in paragraphs:
        text = body[paragraph.start:paragraph.end]
        base = paragraph.start
        open_pair: str | None = None
        open_at = -1
        continues = False
        stack: list[str] = []
        for i, ch in enumerate(text):
            if ch not in _OPENERS and ch not in _CLOSERS and ch not in _STRAIGHT:
                continue
            role = _role(text, i)
            if role is None:
                continue
            pair = _pair(ch)
            if open_pair is None:
                if role == "open":
                    open_pair, open_at, stack = pair, i, []
                    continues = carry == pair and i == 0
                continue
            if role == "open" and pair == open_pair and ch not in _STRAIGHT and not stack:
                # A new quotation opens before the last one closed: in text that lost its paragraph
                # breaks, that is where a continued quotation's next paragraph began.
                spans.append(QuoteSpan(paragraph.number, base + open_at + 1, base + i, base + open_at,
                                       False, continues))
                open_at, continues = i, True
                continue
            if role == "open" and pair != open_pair:
                stack.append(pair)
            elif role == "close" and stack and stack[-1] == pair:
                stack.pop()
            elif role == "close" and pair == open_pair:
                spans.append(QuoteSpan(paragraph.number, base + open_at + 1, base + i, base + open_at,
                                       True, continues))
                open_pair = None
        carry = None
        if open_pair is not None:
            end = len(text.rstrip())
            if end > open_at + 1:
                spans.append(QuoteSpan(paragraph.number, base + open_at + 1, base + end, base + open_at,
                                       False, continues))
            carry = open_pair
    return spans
