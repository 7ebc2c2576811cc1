"""Splitting an article body into numbered paragraphs and sentences with exact offsets.

Text is never rewritten: every passage is a slice of the body, so quotes stay verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pysbd

from ..kinds import BODY, CAPTION, ParagraphKind

_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_CLOSERS = "’”'\")]»›"
_TERMINAL = ".!?…:;"
# A caption is one short line; a longer unpunctuated block is more likely a run-on paragraph.
_CAPTION_MAX_CHARS = 300
_CAPTION_MIN_WORDS = 4
# A paragraph this long without breaks is an article that arrived on one line: regroup it.
_REGROUP_MIN_SENTENCES = 6
_REGROUP_TARGET_CHARS = 450
# A paragraph ends here even inside a quotation: marks that never close (the Lee stories drop some)
# must not make the rest of a story one paragraph, which attribution reads sentence by sentence.
_REGROUP_MAX_CHARS = 2_000


@dataclass(frozen=True)
class Sentence:
    article_id: str
    paragraph: int
    number: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.article_id}#p{self.paragraph}s{self.number}"


@dataclass(frozen=True)
class Paragraph:
    article_id: str
    number: int
    start: int
    end: int
    text: str
    paragraph_kind: ParagraphKind
    sentences: tuple[Sentence, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.article_id}#p{self.number}"


# pysbd's time grows with the square of a text's length where it finds no sentence end (100 KB of
# "Mr. " took 40 s, 1 MB would take an hour, holding the rebuild that every server's adds wait
# for): it is given a longer block this many characters at a time.
_SEGMENT_MAX_CHARS = 5_000
# Of each window, only the sentences that end this far before its end are kept: pysbd reads a
# quotation whose closing mark is past the window as open, and splits it.
_SEGMENT_RIGHT_CONTEXT = 1_000


# A straight double quote mark, then a space, opening a piece: the previous quotation's closing mark.
_STRAY_CLOSING_MARK = re.compile(r'"\s+')


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _segment(text: str) -> list[tuple[int, int]]:
    """pysbd's sentences of `text`, read at most _SEGMENT_MAX_CHARS at a time. The next window
    starts at the first sentence not kept, so pysbd chooses every cut, with the text that follows
    in view. Where it ends no sentence early enough in a whole window, the window is cut at a space."""
    found: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > _SEGMENT_MAX_CHARS:
        window = text[start:start + _SEGMENT_MAX_CHARS]
        pieces = _segmenter().segment(window)
        kept = [piece for piece in pieces[:-1] if piece.end <= len(window) - _SEGMENT_RIGHT_CONTEXT]
        if kept:
            found += [(start + piece.start, start + piece.end) for piece in kept]
            start += pieces[len(kept)].start
        else:
            cut = window.rfind(" ") + 1 or len(window)
            found.append((start, start + cut))
            start += cut
    return found + [(start + piece.start, start + piece.end) for piece in _segmenter().segment(text[start:])]


def _closing_mark_first(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """pysbd's pieces, where one that opens with a lone quote mark ('" Israeli warplanes …') gives
    the mark to the piece before and is split again: the mark closes the quotation before it, and
    read as opening one it kept pysbd from ending any sentence up to the next mark (sentences of
    a thousand characters in the Lee stories)."""
    mended: list[tuple[int, int]] = []
    for start, end in pieces:
        mark = _STRAY_CLOSING_MARK.match(text, start, end)
        # Only right after the text before it ('us." Israeli'): '. " We will' opens a quotation.
        if mended and mark and start > 0 and not text[start - 1].isspace():
            mended[-1] = (mended[-1][0], start + 1)
            rest = mark.end()
            mended += [(rest + a, rest + b) for a, b in _segment(text[rest:end])]
        else:
            mended.append((start, end))
    return mended


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, trimmed, never splitting off bare punctuation."""
    spans: list[tuple[int, int]] = []
    for piece_start, piece_end in _closing_mark_first(text, _segment(text)):
        start, end = _trim(text, piece_start, piece_end)
        if start >= end:
            continue
        if spans and not any(ch.isalnum() for ch in text[start:end]):
            # pysbd sometimes leaves a closing quote mark on its own: it belongs to the sentence.
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans or [_trim(text, 0, len(text))]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blocks(body: str) -> list[tuple[int, int]]:
    """Paragraph spans as the writer broke them: blank lines if any, else line breaks."""
    separator = _BLANK_LINE if _BLANK_LINE.search(body) else re.compile(r"\n")
    spans, position = [], 0
    for match in separator.finditer(body):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(body)))
    return [span for span in (_trim(body, *s) for s in spans) if span[0] < span[1]]


def is_caption(text: str, sentence_count: int) -> bool:
    """A photo caption: one short line that does not end like a sentence."""
    if sentence_count != 1 or len(text) > _CAPTION_MAX_CHARS or "\n" in text:
        return False
    if len(text.split()) < _CAPTION_MIN_WORDS:
        return False
    return text.rstrip(_CLOSERS + " ")[-1:] not in _TERMINAL


def _regroup(spans: list[tuple[int, int]], body: str) -> list[list[tuple[int, int]]]:
    """Group the sentences of an unbroken story into reader-sized paragraphs.

    A group never ends inside an open double quotation, so a quotation stays in one paragraph. Only
    double marks count (single curly ones double as apostrophes): curly ones by depth, straight ones
    by the last one's side (_still_open). Counting an odd sentence of straight marks as one more open
    quotation, never closed, made the rest of a story one paragraph."""
    groups: list[list[tuple[int, int]]] = [[]]
    curly_depth, straight_open, size = 0, False, 0
    for start, end in spans:
        closed = curly_depth <= 0 and not straight_open
        if groups[-1] and (size >= _REGROUP_MAX_CHARS or (closed and size >= _REGROUP_TARGET_CHARS)):
            groups.append([])
            curly_depth, size = 0, 0
        groups[-1].append((start, end))
        size += end - start
        text = body[start:end]
        curly_depth += text.count("“") - text.count("”")
        straight_open = _still_open(text, straight_open)
    return groups


def _still_open(text: str, was_open: bool) -> bool:
    """Whether a straight-quoted quotation is open after `text`: its last mark opens one if it
    follows a space or opens the text ('"Let …', 'said: "…'), else closes one ('… might."'). The Lee
    stories open a paragraph's quotation again without closing the one before ('harmony. "However'),
    so counting marks goes wrong where the last mark's side does not."""
    last = text.rfind('"')
    if last < 0:
        return was_open
    return last == 0 or text[last - 1].isspace() or text[last - 1] in "([—–-"


def split_article(article_id: str, body: str) -> list[Paragraph]:
    """The article's paragraphs, numbered from 1, each with its sentences; all slices of `body`."""
    paragraphs: list[Paragraph] = []
    for block_start, block_end in _blocks(body):
        block = body[block_start:block_end]
        spans = [(block_start + s, block_start + e) for s, e in sentence_spans(block)]
        long_block = len(spans) >= _REGROUP_MIN_SENTENCES and len(block) > 2 * _REGROUP_TARGET_CHARS
        groups = _regroup(spans, body) if long_block else [spans]
        for group in groups:
            number = len(paragraphs) + 1
            start, end = group[0][0], group[-1][1]
            sentences = tuple(
                Sentence(article_id, number, i, s, e, body[s:e]) for i, (s, e) in enumerate(group, 1)
            )
            text = body[start:end]
            paragraph_kind: ParagraphKind = CAPTION if not long_block and is_caption(text, len(sentences)) else BODY
            paragraphs.append(Paragraph(article_id, number, start, end, text, paragraph_kind, sentences))
    return paragraphs
