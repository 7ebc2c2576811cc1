"""/ask … explain:true through the real cog with spec_set mocks: moderators only, always private, within
Discord's limits for any question and any article text; and the console's `/ask explain:true`."""

import io
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.console import run_console
from bot.mock import invoke, make_interaction
from bot.render import fits
from bot.trace_embed import EXPLAIN_REFUSED, trace_embed
from index import Trace
from index.answering.declining import NAME_ONLY_MARGIN, NO_CANDIDATE, ONLY_THE_NAMES, TOO_FAR, RuleCheck
from index.answering.trace import PassageTrace, RankedPassage

LONG_QUESTION = ("How do I bake sourdough bread **really** `well` for @everyone with "
                 + "wholemeal-rye-spelt-flour " * 12)[:300]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000)
MARKDOWNY = st.text(alphabet=st.sampled_from(list("ab *_~`|>#-@<&:!.?’“”\n é🙂\u202e\u0301")), max_size=3000)


def logged_questions(settings) -> int:
    try:
        with sqlite3.connect(f"file:{settings.database}?mode=ro", uri=True) as raw:
            count = raw.execute("SELECT count(*) FROM questions").fetchone()[0]
        raw.close()
        return count
    except sqlite3.OperationalError:  # no file yet: nothing logged
        return 0


@pytest.mark.slow
async def test_explain_is_refused_privately_without_manage_server(bot, monkeypatch):
    async def never(*args, **kwargs):
        raise AssertionError("the engine was asked")

    monkeypatch.setattr(bot.service, "explain", never)
    interaction, recording = make_interaction(bot, manage_guild=False)
    await invoke(bot, bot.tree.get_command("ask"), interaction, question="Who is the Kremlin spokesman?",
                 explain=True)
    [reply] = recording.replies
    assert reply.ephemeral and reply.content == EXPLAIN_REFUSED and reply.embed is None


@pytest.mark.slow
async def test_explain_shows_the_answer_then_why_only_to_the_moderator_and_is_not_logged(bot):
    before = logged_questions(bot.settings)
    interaction, recording = make_interaction(bot, manage_guild=True)
    await invoke(bot, bot.tree.get_command("ask"), interaction, question="Who is the Kremlin spokesman?",
                 explain=True, private=False)
    defer, answer, why = recording.replies
    assert defer.kind == "defer" and all(r.ephemeral for r in recording.replies)  # private=False or not
    assert "Dmitry Peskov" in answer.embed.description
    assert why.embed.title == "Why: Who is the Kremlin spokesman?"
    assert why.embed.description.startswith("**answered with ")
    first = why.embed.fields[0]
    assert first.name.startswith("1. musk-peace-deal ¶3 (body) · score ") and " dense + " in first.value
    assert [f.name for f in why.embed.fields[-2:]][1] == "Rules"
    assert "too far: relevance " in why.embed.fields[-1].value
    assert fits(why.embed) and answer.view is None and why.view is None  # no votes: nothing was logged
    assert logged_questions(bot.settings) == before


@pytest.mark.slow
async def test_explain_of_a_long_question_stays_within_the_limits(bot):
    interaction, recording = make_interaction(bot, manage_guild=True)
    await invoke(bot, bot.tree.get_command("ask"), interaction, question=LONG_QUESTION, explain=True)
    why = recording.replies[-1].embed
    assert fits(why) and len(why.title) <= 256
    assert why.title.endswith("…") and why.fields[-1].name == "Rules"
    assert "@everyone" not in why.title and "\\*\\*really\\*\\*" in why.title  # inert


@pytest.mark.slow
async def test_explain_of_a_blank_question_or_an_unknown_article_is_one_private_line(bot):
    for options, expected in (({"question": " . "}, "Please type a question"),
                              ({"question": "Who?", "article": "nope"}, "I don't know that article")):
        interaction, recording = make_interaction(bot, manage_guild=True)
        await invoke(bot, bot.tree.get_command("ask"), interaction, explain=True, **options)
        [reply] = recording.replies
        assert reply.ephemeral and expected in reply.content


def passage_trace(article: str, sentence: str, note: str | None) -> PassageTrace:
    parts = dict.fromkeys(("dense_sentence", "sentence_bm25", "cue", "speaker", "novelty", "dense_paragraph",
                           "paragraph_bm25", "caption", "article_bm25"), -123.456789)
    return PassageTrace(article, 1234, "caption", sentence, parts, -1234.5678, note)


@settings(max_examples=60, deadline=None)
@given(question=TEXT, text=MARKDOWNY, article=st.text(min_size=1, max_size=300), names=st.lists(TEXT, max_size=5))
def test_a_trace_of_any_text_fits_discords_limits(question, text, article, names):
    trace = Trace(question=question, embedded_as=text, lexical=False, question_kind="duration", names=names,
                  top=[passage_trace(article, text, text or None) for _ in range(5)],
                  ranking=[RankedPassage(article, 1000 + n, -1.5, 999) for n in range(12)], quoted=3,
                  rules=[RuleCheck(NO_CANDIDATE, "candidates", 12.0, None, False),
                         RuleCheck(TOO_FAR, "relevance", -0.5, 0.12, True, text),
                         RuleCheck(ONLY_THE_NAMES, "margin", 0.3, NAME_ONLY_MARGIN, True)],
                  declined_by=TOO_FAR)
    embed = trace_embed(trace)
    assert fits(embed)
    assert len(embed.fields) == 7  # nothing had to be dropped to fit


@pytest.mark.slow
@pytest.mark.parametrize("yes", ["true", "True", "yes"])  # as discord.py's text commands read a yes
def test_console_explains_with_the_explain_option(seed_settings, tmp_path, yes):
    settings = seed_settings.model_copy(update={"database": str(tmp_path / "console.sqlite3")})
    out = io.StringIO()
    assert run_console(settings, io.StringIO(f"/ask explain:{yes} What is the capital of France?\n"), out) == 0
    text = out.getvalue()
    assert "## Why: What is the capital of France?" in text
    assert "**declined by the rule “too far”**" in text
    assert "only the names: closer to a name than to the question by" in text and "DECLINES" in text
