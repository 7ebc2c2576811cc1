import asyncio
import logging
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.expiry import LivePagers
from bot.mock import invoke, make_interaction, make_message, make_user, press
from bot.tree import SOMETHING_WENT_WRONG
from bot.views import NOT_YOURS, PAGE_ID, Pager
from bot.votes import votes_drawn_in
from index import FollowupContext

pytestmark = pytest.mark.slow


def command(bot, name):
    """A command by its full name: "ask", or "article show" in a group."""
    group, _, sub = name.partition(" ")
    found = bot.tree.get_command(group)
    return found.get_command(sub) if sub else found


async def test_ask_defers_then_answers_with_quote_highlight_and_speaker(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="Who told Musk to f*** off?")
    kinds = [r.kind for r in recording.replies]
    assert kinds == ["defer", "followup"]
    embed = recording.replies[-1].embed
    assert "Andrij Melnyk" in embed.description
    assert "**" in embed.description and "> " in embed.description
    assert "quoting **Andrij Melnyk**" in embed.description
    assert "f\\*\\*\\*" in embed.description.lower()


async def test_off_topic_question_is_declined_plainly(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="How do I bake sourdough bread?")
    reply = recording.replies[-1]
    assert "don't cover" in reply.embed.description
    # Nothing to page through: the view holds no buttons and only draws the 👍 / 👎 of every answer.
    assert not reply.view.children
    assert [button.value for button in votes_drawn_in(reply.view)] == ["up", "down"]


async def test_blank_question_gets_a_clear_private_message(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="   \n ")
    [reply] = recording.replies
    assert reply.ephemeral and "Please type a question" in reply.content


async def test_private_answers_are_ephemeral(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="Who is the Kremlin spokesman?", private=True)
    assert all(r.ephemeral for r in recording.replies)


async def test_mentions_and_markdown_in_questions_are_inert(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="@everyone <@&123> **x** ```py\nboom```")
    title = recording.replies[-1].embed.title
    assert "@everyone" not in title  # escaped with a zero-width space
    assert "\\*\\*x\\*\\*" in title and "\\`\\`\\`" in title
    assert bot.allowed_mentions.everyone is False and bot.allowed_mentions.roles is False
    assert bot.allowed_mentions.users is False


async def test_more_passages_pages_for_the_asker_only(bot):
    asker = make_user(7, "asker")
    interaction, recording = make_interaction(bot, user=asker)
    await invoke(bot, command(bot, "ask"), interaction, question="What did Musk say about nuclear war?")
    view = recording.replies[-1].view
    assert view is not None and view.timeout == bot.settings.button_timeout_seconds
    first = recording.replies[-1].embed.description

    stranger, strange_recording = make_interaction(bot, user=make_user(8, "stranger"))
    await press(view, "More passages", stranger)
    [refusal] = strange_recording.replies
    assert refusal.ephemeral and refusal.content == NOT_YOURS

    own, own_recording = make_interaction(bot, user=asker)
    await press(view, "More passages", own)
    [page_two] = own_recording.replies
    assert page_two.kind == "edit" and page_two.embed.description != first
    assert "page 2" in page_two.embed.footer.text


async def test_pager_expires_and_disables_its_buttons(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="What proposals did Musk make?")
    view = recording.replies[-1].view
    await view.on_timeout()
    assert all(item.disabled for item in view.children)
    assert recording.replies[-1].kind == "edit"


async def test_a_pager_runs_until_it_ends_and_its_buttons_name_it(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="What proposals did Musk make?")
    view = recording.replies[-1].view
    assert bot.pagers.running(view.pager_id)
    assert {PAGE_ID.fullmatch(item.custom_id)["pager"] for item in view.children} == {view.pager_id}
    await view.end()  # as when the bot closes
    assert not bot.pagers.running(view.pager_id) and all(item.disabled for item in view.children)
    assert not bot.pagers.running("0" * 32)


async def test_a_press_as_the_pager_ends_is_left_to_the_expiry(bot):
    """discord.py may still hand a press to a view whose time ran out a moment before; the expiry
    (bot/expiry.py) answers it then, and a second answer would fail."""
    asker = make_user(7, "asker")
    interaction, recording = make_interaction(bot, user=asker)
    await invoke(bot, command(bot, "ask"), interaction, question="What did Musk say about nuclear war?")
    view = recording.replies[-1].view
    view.stop()  # the time ran out; its buttons are not greyed out yet
    late, late_recording = make_interaction(bot, user=asker)
    await press(view, "More passages", late)
    assert late_recording.replies == []


async def test_closing_goes_on_when_a_pager_s_buttons_cannot_be_greyed_out(caplog):
    live = LivePagers()
    pager = Pager(7, 2, lambda page: discord.Embed(), 60.0, live)
    pager.message = MagicMock(spec_set=discord.WebhookMessage)
    pager.message.edit = AsyncMock(side_effect=OSError(101, "Network is unreachable"))
    with caplog.at_level(logging.WARNING, logger="bot.expiry"):
        await live.end_all(within_seconds=5)  # OSError escaped close(), which then closed nothing else
    assert pager.is_finished() and "could not be greyed out: [Errno 101] Network is unreachable" in caplog.text


async def test_cooldown_answers_with_a_friendly_private_message(bot):
    user = make_user(99, "eager")
    for _ in range(bot.settings.cooldown_rate):
        interaction, _recording = make_interaction(bot, user=user)
        await invoke(bot, command(bot, "ask"), interaction, question="Who is the Kremlin spokesman?")
    interaction, recording = make_interaction(bot, user=user)
    await invoke(bot, command(bot, "ask"), interaction, question="Who is the Kremlin spokesman?")
    [reply] = recording.replies
    assert reply.ephemeral and "Try again in" in reply.content


async def test_ask_find_and_followups_spend_one_allowance(bot):
    """Each asks the model: a user who alternates them gets no more questions than with /ask alone."""
    user = make_user(98, "alternating")
    menu = bot.tree.get_command("Find in article", type=discord.AppCommandType.message)
    for number in range(bot.settings.cooldown_rate):
        interaction, recording = make_interaction(bot, user=user)
        if number % 2:
            await invoke(bot, menu, interaction, make_message("What did Peskov tell reporters?"))
        else:
            await invoke(bot, command(bot, "ask"), interaction, question="Who is the Kremlin spokesman?")
        assert recording.replies[-1].embed is not None
    for refused in ("ask", "find", "followup"):
        interaction, recording = make_interaction(bot, user=user)
        if refused == "ask":
            await invoke(bot, command(bot, "ask"), interaction, question="Who is the Kremlin spokesman?")
        elif refused == "find":
            await invoke(bot, menu, interaction, make_message("What did Peskov tell reporters?"))
        else:
            await bot.get_cog("Ask").answer_followup(interaction, "What else did he say?",
                                                     FollowupContext(person="Dmitry Peskov"), private=False)
        [reply] = recording.replies
        assert reply.ephemeral and "Try again in" in reply.content, refused
    other, other_recording = make_interaction(bot, user=make_user(97, "patient"))
    await invoke(bot, command(bot, "ask"), other, question="Who is the Kremlin spokesman?")
    assert other_recording.replies[-1].embed is not None  # an allowance is each user's own


async def test_error_handler_logs_and_answers_via_followup_after_defer(bot, monkeypatch, caplog):
    async def broken(question, article=None, scope=None):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(bot.service, "ask", broken)
    interaction, recording = make_interaction(bot)
    with caplog.at_level(logging.ERROR):
        await invoke(bot, command(bot, "ask"), interaction, question="Anything?")
    assert [r.kind for r in recording.replies] == ["defer", "followup"]
    assert recording.replies[-1].content == SOMETHING_WENT_WRONG and recording.replies[-1].ephemeral
    assert "model exploded" in caplog.text


async def test_error_before_response_answers_directly(bot, monkeypatch):
    monkeypatch.setattr(type(bot.service), "articles", property(lambda self: 1 / 0))
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="x", article="nope")
    [reply] = recording.replies
    assert reply.kind == "message" and reply.content == SOMETHING_WENT_WRONG


async def test_quotes_lists_a_speakers_quotations_with_paragraphs(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "quotes"), interaction, speaker="melnyk")
    embed = recording.replies[-1].embed
    assert "Andrij Melnyk" in embed.title
    assert any("paragraph 21" in f.name for f in embed.fields)
    assert any("Tesla crap" in f.value for f in embed.fields)


async def test_quotes_autocomplete_offers_at_most_25_speakers(bot):
    interaction, _ = make_interaction(bot)
    cog = bot.get_cog("Quotes")
    choices = await cog.speaker_autocomplete(interaction, "")
    assert 0 < len(choices) <= 25
    assert any(c.value == "Elon Musk" for c in choices)
    assert [c.value for c in await cog.speaker_autocomplete(interaction, "tesla’s")] == ["Elon Musk"]


async def test_article_shows_known_metadata_and_lead(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "article show"), interaction, article="musk-peace-deal")
    embed = recording.replies[-1].embed
    assert embed.description.startswith("Russia has backed Elon Musk")
    names = {f.name: f.value for f in embed.fields}
    assert names["Paragraphs"] == "31"
    assert "Publisher" not in names and embed.url is None  # unknown, so not shown, never invented


async def test_article_autocomplete(bot):
    interaction, _ = make_interaction(bot)
    choices = await bot.get_cog("Ask").article_autocomplete(interaction, "musk")
    assert [c.value for c in choices] == ["musk-peace-deal"]


async def test_find_in_article_uses_the_message_text(bot):
    menu = bot.tree.get_command("Find in article", type=discord.AppCommandType.message)
    interaction, recording = make_interaction(bot)
    await invoke(bot, menu, interaction, make_message("What did Peskov tell reporters?"))
    assert "Dmitry Peskov" in recording.replies[-1].embed.description
    empty, empty_recording = make_interaction(bot)
    await invoke(bot, menu, empty, make_message(""))
    assert "no text" in empty_recording.replies[-1].content


async def test_reload_requires_manage_server(bot):
    reload = command(bot, "reload")
    assert reload.default_permissions.manage_guild
    interaction, recording = make_interaction(bot, manage_guild=False)
    await invoke(bot, reload, interaction)
    assert "Manage Server" in recording.replies[-1].content
    allowed, allowed_recording = make_interaction(bot, manage_guild=True)
    await invoke(bot, reload, allowed)
    assert "already current" in allowed_recording.replies[-1].content


async def test_help_lists_the_commands(bot):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "help"), interaction)
    text = recording.replies[-1].embed.description
    for name in ("/ask", "/quotes", "/article", "Find in article", "/reload"):
        assert name in text


async def test_concurrent_questions_are_answered_off_the_event_loop(bot):
    questions = ["Who is the Kremlin spokesman?", "What did Melnyk tell Musk?", "When was Crimea annexed?"] * 4
    ticks = 0

    async def heartbeat():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    beating = asyncio.create_task(heartbeat())
    recordings = []
    for _question in questions:
        _interaction, recording = make_interaction(bot, user=make_user(len(recordings) + 500))
        recordings.append(recording)
        await asyncio.sleep(0)
    await asyncio.gather(*[invoke(bot, command(bot, "ask"), make_interaction(bot, user=make_user(i + 600),
                                                                             recording=r)[0], question=q)
                           for i, (q, r) in enumerate(zip(questions, recordings, strict=True))])
    beating.cancel()
    assert all(r.replies[-1].embed is not None for r in recordings)
    assert ticks > 3  # the loop kept running while the model worked


def test_commands_have_descriptions_and_described_parameters(bot):
    for cmd in bot.tree.walk_commands(type=discord.AppCommandType.chat_input):
        assert cmd.description and cmd.description != "…"
        if isinstance(cmd, discord.app_commands.Group):
            continue  # its subcommands are walked in turn
        for parameter in cmd.parameters:
            assert parameter.description and parameter.description != "…", (cmd.name, parameter.name)
    ask = command(bot, "ask")
    question = next(p for p in ask.parameters if p.name == "question")
    assert (question.min_value, question.max_value) == (1, 300)


@pytest.mark.parametrize("article", ["", "  "])
async def test_an_empty_article_option_means_no_article(bot, article):
    interaction, recording = make_interaction(bot)
    await invoke(bot, command(bot, "ask"), interaction, question="Who is the Kremlin spokesman?", article=article)
    assert "Dmitry Peskov" in recording.replies[-1].embed.description
    listing, listing_recording = make_interaction(bot)
    await invoke(bot, command(bot, "article show"), listing, article=article)
    assert listing_recording.replies[-1].embed.footer.text == "id: musk-peace-deal"  # the only article
