"""/ask … explain:true: why the engine answered or declined, as one embed within Discord's limits."""

from __future__ import annotations

import discord

from index import Trace, parts_sum, question_line, ranking_heading, ranking_line, verdict_line

from .render import (
    ELLIPSIS,
    EMBED_COLOUR,
    FIELD_NAME_LIMIT,
    TITLE_LIMIT,
    clip_escaped,
    clip_plain,
    fits,
)

EXPLAIN_REFUSED = "explain:true is for moderators (the Manage Server permission). Ask again without it."
# Room for each part, so that the whole stays under Discord's 6,000 characters with five passages:
# 256 title + 600 description + 5 × (120 name + 700 value) + 2 × 400 = 5,756.
DESCRIPTION_ROOM = 600
PASSAGE_NAME_ROOM = 120
PASSAGE_ROOM = 700
LIST_ROOM = 400


def trace_embed(trace: Trace) -> discord.Embed:
    """The trace: how the question was read and the verdict, the best paragraphs with every part of
    their score, the ranking and each rule's check."""
    title = clip_plain(f"Why: {trace.question or '(empty question)'}", TITLE_LIMIT)
    embed = discord.Embed(title=clip_escaped(title, TITLE_LIMIT) or "Why", colour=EMBED_COLOUR)
    verdict = clip_escaped(verdict_line(trace), DESCRIPTION_ROOM // 3)
    embed.description = f"**{verdict}**\n{clip_escaped(question_line(trace), DESCRIPTION_ROOM // 3 * 2 - 8)}"
    for rank, passage in enumerate(trace.top, 1):
        name = f"{rank}. {passage.article} ¶{passage.paragraph} ({passage.kind}) · score {passage.score:.3f}"
        sentence = clip_escaped(passage.sentence, PASSAGE_ROOM // 2)
        value = f"= {clip_escaped(parts_sum(passage), PASSAGE_ROOM // 3)}\n> {sentence}"
        if passage.note:
            value += f"\n*not quoted as it stands: {clip_escaped(passage.note, PASSAGE_ROOM // 6)}*"
        embed.add_field(name=clip_escaped(name, min(PASSAGE_NAME_ROOM, FIELD_NAME_LIMIT)) or ELLIPSIS,
                        value=value, inline=False)
    if trace.ranking:
        embed.add_field(name=ranking_heading(trace)[:FIELD_NAME_LIMIT],
                        value=clip_escaped(ranking_line(trace), LIST_ROOM) or ELLIPSIS, inline=False)
    if trace.rules:
        rules = "\n".join(f"• {rule.describe()}" for rule in trace.rules)
        embed.add_field(name="Rules", value=clip_escaped(rules, LIST_ROOM) or ELLIPSIS, inline=False)
    while not fits(embed) and embed.fields:  # never with the rooms above; a guard, not a layout
        embed.remove_field(-1)
    return embed
