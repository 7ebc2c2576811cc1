"""Answers, quotations and articles as Discord embeds that fit Discord's limits by construction.

Article text is markdown-escaped before the highlight's bold markers are added, and a long
passage is shortened on the raw text (at a sentence, else a word boundary), so a cut never
falls inside a word, an escape or a markdown token.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

import discord

from index import DIRECT, NOT_COVERED, RELATED_HEADING, Answer, QuotedPassage, attribution_line, bold_by_line

from .stats import StatsReport
from .views import page_count, page_of

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
FIELDS_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000
URL_LIMIT = 2048  # an embed's url in Discord's API
ELLIPSIS = "…"
EMBED_COLOUR = discord.Colour.blurple()
# An answer whose passages are only related (none known to answer) reads differently at a glance;
# the same amber as "related" in the /stats chart.
RELATED_COLOUR = discord.Colour(0xFAA61A)

_SENTENCE_END = re.compile(r"[.!?…][’”'\")\]]*\s")


# A URL as escape_markdown finds one (and leaves as it is: inside one, no masked link can start,
# and a backslash added would change the address), or else a "[" that no backslash escapes
# (escape_markdown doubles every backslash of the text itself).
_URL_OR_UNESCAPED_BRACKET = re.compile(r"(?P<url><?(?:(?:https?|steam)://(?!<)[^\s]+)>?)"
                                       r"|(?<!\\)(?P<backslashes>(?:\\\\)*)\[")


def escape(text: str) -> str:
    """User or article text made inert: no markdown, no mentions. Every "[" is escaped, not only
    the one escape_markdown's greedy link pattern finds: of "[a](x) [b](y)" it escaped the first
    only, and a text escaped in pieces (a passage around its bold sentence) never shows it a link
    whole. With no "[" left to open one, no masked link can form."""
    escaped = _URL_OR_UNESCAPED_BRACKET.sub(lambda found: found["url"] or found["backslashes"] + "\\[",
                                            discord.utils.escape_markdown(text))
    return discord.utils.escape_mentions(escaped)


# RFC 3986's characters but [ and ] (only for IPv6 hosts); anything else (spaces, <, >, quotes, non-ASCII,
# controls) makes an ill-formed URI, which Discord refuses in an embed and which could end a markdown link.
_URI_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~:/?#@!$&'()*+,;=%")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def link_url(url: object) -> str | None:
    """`url` if it is a well-formed http(s) URL with a host, as Discord requires of an embed's url (its
    API rejects the whole embed otherwise); else None, and the link is left out."""
    if not isinstance(url, str) or not 0 < len(url) <= URL_LIMIT:
        return None
    if not set(url) <= _URI_CHARACTERS or _BAD_PERCENT.search(url) or url.count("#") > 1:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.netloc.count("@") > 1:
        return None
    return url


def markdown_link_target(url: str) -> str:
    """A checked URL inside `<…>` in markdown: parentheses encoded, so no parser can end the link early."""
    return "<" + url.replace("(", "%28").replace(")", "%29") + ">"


def clip_plain(text: str, limit: int) -> str:
    """Shorten raw text to at most `limit` characters with an ellipsis: at a sentence end when that
    keeps at least half of the room, else at a word boundary that does, else (a long word, a language
    written without spaces) where the room ends."""
    if len(text) <= limit:
        return text
    budget = max(0, limit - len(ELLIPSIS) - 1)
    head = text[:budget + 1]
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if sentence_ends and sentence_ends[-1] > budget // 2:
        return head[:sentence_ends[-1]].rstrip() + " " + ELLIPSIS
    space = head.rfind(" ")
    if space > budget // 2:
        return head[:space].rstrip() + ELLIPSIS
    return head[:budget].rstrip() + ELLIPSIS


def clip_escaped(text: str, limit: int) -> str:
    """Escape `text` and fit it in `limit`, shortening the raw text so no escape is split: a clip
    near the longest that fits, found by halving (clip_plain's cuts at sentence ends and spaces make
    the rendered length uneven, so not always the very longest)."""
    rendered = escape(text)
    if len(rendered) <= limit:
        return rendered
    fitting, shortest, longest = "", 0, min(len(text), limit)
    while shortest <= longest:
        middle = (shortest + longest) // 2
        candidate = escape(clip_plain(text, middle))
        if len(candidate) <= limit:
            fitting, shortest = candidate, middle + 1
        else:
            longest = middle - 1
    return fitting


def _window(passage: QuotedPassage, raw_budget: int) -> tuple[str, list[tuple[int, int]], bool, bool]:
    """A slice of the passage that fits `raw_budget` raw characters, starting no later than the
    highlight (or, for a highlight longer than that, than its best sentence) and cut only at spaces."""
    text, spans = passage.text, list(passage.highlights)
    if len(text) <= raw_budget:
        return text, spans, False, False
    first = spans[0][0] if spans else 0
    if passage.focus is not None and passage.focus[1] - first > raw_budget:
        first = passage.focus[0]
    lo = max(0, min(first, len(text) - raw_budget))
    hi = min(len(text), lo + raw_budget)
    if lo > 0 and not text[lo - 1].isspace():
        next_space = text.find(" ", lo)
        lo = next_space + 1 if 0 <= next_space < hi else hi
    if hi < len(text) and not text[hi].isspace():
        last_space = text.rfind(" ", lo, hi)
        hi = last_space if last_space > lo else lo
    shifted = [(max(s, lo) - lo, min(e, hi) - lo) for s, e in spans if min(e, hi) > max(s, lo)]
    return text[lo:hi], shifted, lo > 0, hi < len(text)


def render_passage(passage: QuotedPassage, limit: int, bold: bool = True) -> str:
    """The passage as a block quote, highlight in bold (unless `bold` is False), at most `limit` characters."""
    marker = "**" if bold else ""
    raw_budget = len(passage.text)
    while raw_budget > 0:
        text, spans, cut_left, cut_right = _window(passage, raw_budget)
        pieces, position = [], 0
        for start, end in spans:
            pieces += [escape(text[position:start]), bold_by_line(text[start:end].strip(), marker, escape)]
            trailing = text[start:end][len(text[start:end].rstrip()):]
            pieces.append(trailing)
            position = end
        pieces.append(escape(text[position:]))
        body = "".join(pieces)
        body = (ELLIPSIS if cut_left else "") + body.strip() + (ELLIPSIS if cut_right else "")
        quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in body.splitlines())
        if len(quoted) <= limit:
            return quoted
        raw_budget -= max(1, (len(quoted) - limit) // 2 + 1)
    return ""


def _markdown_link(url: str) -> str | None:
    checked = link_url(url)
    return f"[link]({markdown_link_target(checked)})" if checked else None


# A credit line's title and speaker at most: the quote, not its source, is what the room is for.
CREDIT_TITLE_LIMIT, CREDIT_SPEAKER_LIMIT = 150, 80


def attribution(passage: QuotedPassage, with_link: bool = True) -> str:
    """Where a passage comes from, in markdown: the title in italics, the speaker in bold, a checked
    link (unless `with_link` is False)."""
    return attribution_line(passage, title=lambda title: f"*{clip_escaped(title, CREDIT_TITLE_LIMIT)}*",
                            speaker=lambda speaker: f"**{clip_escaped(speaker, CREDIT_SPEAKER_LIMIT)}**",
                            link=_markdown_link if with_link else lambda url: None)


def answer_embed(answer: Answer, passages: tuple[QuotedPassage, ...] | None = None,
                 page: int = 1) -> discord.Embed:
    """One embed for an answer (or one page of its further passages). Related passages come under
    their own heading, in their own colour, with no sentence in bold."""
    title = clip_plain(f"Q: {answer.question}", TITLE_LIMIT)
    related = answer.related_only
    embed = discord.Embed(title=clip_escaped(title, TITLE_LIMIT) or "Q:",
                          colour=RELATED_COLOUR if related else EMBED_COLOUR)
    if not answer.answered:
        embed.description = NOT_COVERED
        return embed
    shown = passages if passages is not None else answer.passages
    heading = [escape(RELATED_HEADING)] if related else []
    budget = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(embed.title or "") - FOOTER_LIMIT // 4) \
        - sum(len(h) + 2 for h in heading)
    blocks = []
    per_passage = budget // max(1, len(shown)) - 4
    for passage in shown:
        credit = attribution(passage)
        if len(credit) > per_passage // 2:  # a URL of a thousand characters must not crowd the quote out
            credit = attribution(passage, with_link=False)
        quote = render_passage(passage, max(0, per_passage - len(credit) - 1), bold=not related)
        blocks.append(f"{quote}\n{credit}" if quote else credit)
    embed.description = "\n\n".join(heading + blocks)[:DESCRIPTION_LIMIT]
    if page > 1:
        embed.set_footer(text=f"More passages, page {page}")
    return embed


def fits(embed: discord.Embed) -> bool:
    """Whether an embed keeps every one of Discord's limits."""
    if len(embed.title or "") > TITLE_LIMIT or len(embed.description or "") > DESCRIPTION_LIMIT:
        return False
    if len(embed.fields) > FIELDS_LIMIT or len(embed) > EMBED_TOTAL_LIMIT:
        return False
    if len(embed.footer.text or "") > FOOTER_LIMIT:
        return False
    return all(len(f.name or "") <= FIELD_NAME_LIMIT and len(f.value or "") <= FIELD_VALUE_LIMIT
               for f in embed.fields)


def quotes_embed(speaker: str, quotes: list[dict], titles: dict[str, str], page: int, per_page: int
                 ) -> discord.Embed:
    embed = discord.Embed(title=clip_escaped(f"Quotations: {speaker}", TITLE_LIMIT), colour=EMBED_COLOUR)
    chunk = page_of(quotes, page, per_page)
    if not chunk:
        embed.description = "No quotations found for that speaker."
        return embed
    for quote in chunk:
        # The title gives way first: the paragraph and the kind of quotation are what /quotes is for.
        where = escape(f", paragraph {quote['paragraph']} ({quote['kind']})")
        name = clip_escaped(titles.get(quote["article"]) or quote["article"], FIELD_NAME_LIMIT - len(where)) + where
        value = clip_escaped(f"“{quote['text']}”" if quote["kind"] == DIRECT else quote["text"],
                             FIELD_VALUE_LIMIT)
        embed.add_field(name=name, value=value or ELLIPSIS, inline=False)
    pages = max(1, page_count(len(quotes), per_page))
    embed.set_footer(text=f"Page {page} of {pages} · {len(quotes)} quotation{'s' if len(quotes) != 1 else ''}")
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(-1)
    return embed


def article_embed(article: dict, paragraphs: int, lead: str) -> discord.Embed:
    url = link_url(article.get("url"))
    embed = discord.Embed(title=clip_escaped(article.get("title") or article["id"], TITLE_LIMIT),
                          colour=EMBED_COLOUR, url=url)
    for label, key in (("Publisher", "publisher"), ("Published", "published")):
        if article.get(key):
            embed.add_field(name=label, value=clip_escaped(str(article[key]), FIELD_VALUE_LIMIT))
    embed.add_field(name="Paragraphs", value=str(paragraphs))
    if url and len(markdown_link_target(url)) <= FIELD_VALUE_LIMIT:
        embed.add_field(name="Link", value=markdown_link_target(url), inline=False)
    embed.description = clip_escaped(lead, 1500)
    embed.set_footer(text=f"id: {article['id']}"[:FOOTER_LIMIT])
    return embed


LIST_TITLE_LIMIT = 150


def article_list_embed(articles: dict[str, dict]) -> discord.Embed:
    """Every article as one line, as many whole lines as fit; with hundreds, a footer says how many
    are shown and how to find the rest."""
    # A title is clipped to a line's share of the room: one long title must not end the list.
    lines = [f"• `{article_id}` {clip_escaped(entry.get('title') or '', LIST_TITLE_LIMIT)}".rstrip()
             for article_id, entry in sorted(articles.items())]
    shown: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > DESCRIPTION_LIMIT - 96:
            break
        shown.append(line)
        size += len(line) + 1
    embed = discord.Embed(title=f"{len(articles)} articles", colour=EMBED_COLOUR, description="\n".join(shown))
    if len(shown) < len(lines):
        embed.set_footer(text=f"Showing {len(shown)} of {len(lines)}: type in the article option to search "
                              "the rest.")
    return embed


def stats_embed(report: StatsReport) -> discord.Embed:
    """/stats as one embed; the chart goes in as its image (attached by the caller)."""
    embed = discord.Embed(title=f"Questions in the last {report.days} day{'s' if report.days != 1 else ''}",
                          colour=EMBED_COLOUR)
    shares = " · ".join(f"{words} {count} ({percent}%)" for words, count, percent in report.shares())
    embed.description = (f"**{report.questions}** questions from {report.first_day} to {report.last_day} (UTC)\n"
                         f"{shares}\nVotes: 👍 {report.votes_up} · 👎 {report.votes_down}")
    if not report.logging:
        embed.description += "\nQuestion logging is off (ARTICLEBOT_LOG_QUESTIONS=false)."
    unanswered = [f"**{group.count}×** {escape(group.question)}" for group in report.unanswered]
    embed.add_field(name="Most asked, not answered", value=_lines_within(unanswered, FIELD_VALUE_LIMIT), inline=False)
    worst = [f"👎 {answer.down} · 👍 {answer.up} — {escape(answer.question)}"
             + (f" ({escape(', '.join(answer.passages))})" if answer.passages else " (declined)")
             for answer in report.worst_rated]
    embed.add_field(name="Worst-rated answers", value=_lines_within(worst, FIELD_VALUE_LIMIT), inline=False)
    return embed


def _lines_within(lines: list[str], limit: int) -> str:
    """Numbered lines, each shortened to a share of `limit`; "none" when there are none."""
    if not lines:
        return "none"
    room = limit // len(lines) - 1
    return "\n".join(clip_plain(f"{number}. {line}", room) for number, line in enumerate(lines, 1))
