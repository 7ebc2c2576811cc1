"""The bot as Discord drives it: log-in, sync, slash commands, components, load, faults, bad input."""

import asyncio
import logging
import shutil

import numpy as np
import pytest
from pydantic import SecretStr

from bot.render import EMBED_COLOUR, RELATED_COLOUR
from bot.runner import _sync
from index import RELATED_HEADING
from index.answering.verdict import VerdictModel, VerdictModels
from tests.conftest import FIXTURES
from tests.e2e.emulator import ACK_DEADLINE_SECONDS, EPHEMERAL, GUILD_ID

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

MANAGE_GUILD = 1 << 5


def acked_in_time(state) -> bool:
    return state.acked_at is not None and state.acked_at - state.dispatched_at < ACK_DEADLINE_SECONDS


def embed_text(reply: dict) -> str:
    return "\n".join((e.get("title") or "") + "\n" + (e.get("description") or "") for e in reply.get("embeds", []))


async def test_sync_registers_exactly_the_commands(emulator, e2e_settings):
    settings = e2e_settings.model_copy(update={"discord_token": SecretStr("emulated-token")})
    names = await _sync(settings, int(GUILD_ID))
    commands = {c["name"]: c for c in emulator.commands[GUILD_ID]}
    assert set(names) == set(commands) == {"ask", "quotes", "article", "help", "reload", "stats", "Find in article"}
    ask = {o["name"]: o for o in commands["ask"]["options"]}
    assert ask["question"]["type"] == 3 and ask["question"]["required"] is True
    assert (ask["question"]["min_length"], ask["question"]["max_length"]) == (1, 300)
    assert ask["article"]["autocomplete"] is True and ask["private"]["type"] == 5 and ask["explain"]["type"] == 5
    assert all(o.get("description") for c in commands.values() for o in c.get("options", []))
    assert int(commands["reload"]["default_member_permissions"]) == MANAGE_GUILD
    assert int(commands["stats"]["default_member_permissions"]) == MANAGE_GUILD
    assert commands["stats"]["contexts"] == [0]  # in servers only: its numbers are a server's
    assert commands["Find in article"]["type"] == 3
    assert commands["quotes"]["options"][0]["autocomplete"] is True


async def test_ask_is_acknowledged_in_time_and_answered_with_quote_and_attribution(emulator, live_bot):
    # Each test asks as a user of its own: one user's questions share an allowance across tests.
    state = await emulator.slash("ask", {"question": "Who told Musk to f*** off?"}, user_id="1400000000000000301")
    reply = await emulator.answered(state)
    assert acked_in_time(state) and state.ack_type == 5
    text = embed_text(reply)
    assert reply["embeds"][0]["color"] == EMBED_COLOUR.value
    assert "Andrij Melnyk" in text and "**" in text
    assert "quoting **Andrij Melnyk**" in text and "paragraph 21" in text
    assert reply["request"]["allowed_mentions"]["parse"] == []


async def test_a_related_answer_has_its_heading_its_colour_and_no_bold(emulator, live_bot, monkeypatch):
    only_related = VerdictModel(("relevance",), np.zeros(1), np.ones(1), np.zeros(1), 0.0, 0.9)
    monkeypatch.setattr(live_bot.service.engine, "verdicts", VerdictModels(only_related, only_related))
    reply = await emulator.answered(await emulator.slash("ask", {"question": "How many people voted in Musk's poll?"},
                                                         user_id="1400000000000000302"))
    [embed] = reply["embeds"]
    assert embed["color"] == RELATED_COLOUR.value
    assert embed["description"].startswith(RELATED_HEADING)
    quoted = [line for line in embed["description"].splitlines() if line.startswith(">")]
    assert quoted and not any("**" in line for line in quoted)


async def test_autocomplete_buttons_and_message_command(emulator, live_bot):
    complete = await emulator.interact(4, {"id": "1", "name": "quotes", "type": 1, "options": [
        {"name": "speaker", "type": 3, "value": "", "focused": True}]})
    choices = (await emulator.answered(complete))["choices"]
    assert complete.ack_type == 8 and 0 < len(choices) <= 25
    assert any(c["value"] == "Elon Musk" for c in choices)

    asker = "1400000000000000777"
    state = await emulator.slash("ask", {"question": "What did Musk say about nuclear war?"}, user_id=asker)
    reply = await emulator.answered(state)
    buttons = [c for row in reply["components"] for c in row["components"]]
    more = next(b for b in buttons if b["label"] == "More passages")
    message = {k: v for k, v in reply.items() if k != "request"}
    press = {"custom_id": more["custom_id"], "component_type": 2}

    stranger = await emulator.interact(3, press, user_id="1400000000000000888", message=message)
    refusal = await emulator.answered(stranger)
    assert stranger.ack_type == 4 and refusal["flags"] & EPHEMERAL
    assert "Only the person who asked" in refusal["content"]

    own = await emulator.interact(3, press, user_id=asker, message=message)
    page = await emulator.answered(own)
    assert own.ack_type == 7 and "page 2" in page["embeds"][0]["footer"]["text"]

    target = {**message, "id": "1600000000000000001", "content": "What did Peskov tell reporters?",
              "author": {"id": asker, "username": "reader", "discriminator": "0", "avatar": None}}
    find = await emulator.interact(2, {"id": "2", "name": "Find in article", "type": 3, "target_id": target["id"],
                                       "resolved": {"messages": {target["id"]: target}}}, user_id="1400000000000000305")
    found = await emulator.answered(find)
    assert "Dmitry Peskov" in embed_text(found) and found["request"]["flags"] & EPHEMERAL


async def test_two_hundred_concurrent_questions(emulator, live_bot, caplog):
    questions = {"Who is the Kremlin spokesman?": "Dmitry Peskov",
                 "How much had Musk offered for Twitter?": "$44 billion",
                 "When was Crimea annexed?": "2014",
                 "What is the capital of France?": "don't cover"}
    asked = list(questions) * 50
    with caplog.at_level(logging.WARNING):
        states = await asyncio.gather(*(
            emulator.slash("ask", {"question": q}, user_id=str(1700000000000000000 + i))
            for i, q in enumerate(asked)))
        replies = await asyncio.gather(*(emulator.answered(s, timeout=60) for s in states))
    assert all(acked_in_time(s) for s in states)
    for question, reply in zip(asked, replies, strict=True):
        assert questions[question] in embed_text(reply)
    assert "heartbeat blocked" not in caplog.text


async def test_dropped_gateway_connection_resumes(emulator, live_bot):
    await emulator.drop_connection()
    await asyncio.wait_for(emulator.connected.wait(), 30)
    assert 6 in emulator.gateway_ops  # RESUME, not a new IDENTIFY
    state = await emulator.slash("ask", {"question": "Who is Ukraine's ambassador to Germany?"},
                                 user_id="1400000000000000303")
    assert "Andrij Melnyk" in embed_text(await emulator.answered(state))


async def test_rate_limited_followup_is_retried_and_delivered(emulator, live_bot):
    emulator.rate_limit_next_followups = 1
    state = await emulator.slash("ask", {"question": "When was Crimea annexed?"}, user_id="1400000000000000304")
    reply = await emulator.answered(state, timeout=20)
    assert state.id in emulator.rate_limited
    assert "2014" in embed_text(reply)


async def test_index_rebuilt_and_swapped_while_questions_are_in_flight(emulator, live_bot, e2e_settings,
                                                                       encoder):
    from index.building.build import rebuild

    shutil.copy(FIXTURES / "articles" / "chip-plant.md", e2e_settings.corpus_dir / "chip-plant.md")
    states = [await emulator.slash("ask", {"question": "Who is the Kremlin spokesman?"},
                                   user_id=str(1800000000000000000 + i)) for i in range(20)]
    rebuilding = asyncio.to_thread(rebuild, e2e_settings, encoder=encoder)
    more = [emulator.slash("ask", {"question": "Who is the Kremlin spokesman?"},
                           user_id=str(1800000000000000100 + i)) for i in range(20)]
    _, *late = await asyncio.gather(rebuilding, *more)
    replies = await asyncio.gather(*(emulator.answered(s, timeout=60) for s in states + late))
    assert all("Dmitry Peskov" in embed_text(r) for r in replies)
    after = await emulator.slash("ask", {"question": "When will the Ohio factory open?"}, user_id="1800000000000000200")
    assert "2030" in embed_text(await emulator.answered(after))


@pytest.mark.parametrize("question", [
    "   ",
    ("Z̷̢̛a̴̜͝l̸̳̈g̵̣̊o̶̧̕ " * 40)[:300],
    "من هو المتحدث باسم الكرملين؟ ‏Who is the Kremlin spokesman?",
    "@everyone <@&123> <@456> who told Musk to f*** off?",
    "**bold** __under__ ```py\nimport os\n``` `code` > quote || spoiler ||",
])
async def test_bad_input_over_the_wire(emulator, live_bot, question):
    state = await emulator.slash("ask", {"question": question}, user_id=str(1900000000000000000 + len(question)))
    reply = await emulator.answered(state)
    assert acked_in_time(state)
    request = reply.get("request", {})
    assert request.get("allowed_mentions", {"parse": []})["parse"] == []
    if not question.strip():
        assert state.ack_type == 4 and reply["flags"] & EPHEMERAL and "Please type a question" in reply["content"]
        return
    text = embed_text(reply)
    assert text  # a clear reply: an answer or "don't cover"
    assert "@everyone" not in text
    if "```" in question:
        assert "\\`\\`\\`" in text
