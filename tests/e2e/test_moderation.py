"""What moderators get, over the wire: 👍 / 👎 on every answer (at once, one per person, 100 at a time,
after a pager ends, after a restart), /stats with its chart on a real SQLite file and again on a real
PostgreSQL database, and /ask … explain:true."""

import asyncio
import contextlib

import pytest

from bot.client import ArticleBot
from bot.expiry import EXPIRED
from bot.service import AnswerService
from bot.votes import THANKS
from index.answering.engine import Engine
from tests.databases import BACKENDS, rows
from tests.e2e.conftest import seed_index
from tests.e2e.emulator import ACK_DEADLINE_SECONDS, ATTACHMENT_SIZE_LIMIT, EPHEMERAL, MANAGE_GUILD

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]



@pytest.fixture(scope="module")
def indexed(tmp_path_factory, encoder):
    return seed_index(tmp_path_factory, encoder, "e2e-moderation")


@pytest.fixture(scope="module", params=BACKENDS)
def settings(request, indexed):
    """The bot's settings with its store in a SQLite file, then in a PostgreSQL database of its own."""
    if request.param == "sqlite":
        return indexed
    return indexed.model_copy(update={"database": request.getfixturevalue("postgres_server").new_database("e2e")})


@pytest.fixture(scope="module")
def engine(indexed):
    return Engine.open(indexed)


@contextlib.asynccontextmanager
async def running(emulator, settings, engine):
    """A bot process's life: log in, serve, close. Each keeps its own state; only the file is shared."""
    service = AnswerService(settings)
    service.engine = engine
    bot = ArticleBot(settings, service=service, guild_ready_timeout=0.1)
    emulator.connected.clear()
    task = asyncio.create_task(bot.start("emulated-token"))
    await asyncio.wait_for(bot.wait_until_ready(), 30)
    try:
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def bot(emulator, settings, engine):
    async with running(emulator, settings, engine) as bot:
        yield bot


def buttons(message: dict) -> dict[str, dict]:
    return {c["label"]: c for row in message["components"] for c in row["components"]}


async def press(emulator, message: dict, label: str, user_id: str):
    button = buttons(message)[label]
    message = {k: v for k, v in message.items() if k not in ("request", "files")}
    return await emulator.interact(3, {"custom_id": button["custom_id"], "component_type": 2},
                                   user_id=user_id, message=message)


def votes(settings) -> list[tuple[int, int]]:
    """(question id, value) of every stored vote."""
    return rows(settings.database, "SELECT question_id, value FROM votes ORDER BY question_id, value")


async def stored(settings, count: int) -> list[tuple[int, int]]:
    """The votes once `count` are stored (the press is acknowledged before the vote is written)."""
    for _ in range(200):
        found = votes(settings)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return votes(settings)


def logged_id(message: dict) -> int:
    return int(buttons(message)["👍"]["custom_id"].split(":")[2])


async def test_votes_are_acknowledged_at_once_one_per_person_and_changeable(emulator, bot, settings):
    before = votes(settings)
    state = await emulator.slash("ask", {"question": "What did Musk say about nuclear war?"})
    answer = await emulator.answered(state)
    [row] = answer["components"]
    assert [b["label"] for b in row["components"]] == ["Previous", "More passages", "👍", "👎", "Ask a follow-up"]
    question = logged_id(answer)

    up = await press(emulator, answer, "👍", "1400000000000000101")
    thanks = await emulator.answered(up)
    assert up.ack_type == 4 and thanks["flags"] & EPHEMERAL and thanks["content"] == THANKS["up"]
    assert up.acked_at - up.dispatched_at < ACK_DEADLINE_SECONDS
    assert await stored(settings, len(before) + 1) == sorted([*before, (question, 1)])

    changed = await press(emulator, answer, "👎", "1400000000000000101")
    assert (await emulator.answered(changed))["content"] == THANKS["down"]
    for _ in range(100):
        if (question, -1) in votes(settings):
            break
        await asyncio.sleep(0.05)
    assert sorted(votes(settings)) == sorted([*before, (question, -1)])  # replaced, not added

    declined = await emulator.answered(await emulator.slash("ask", {"question": "How do I bake sourdough bread?"}))
    assert [b["label"] for b in declined["components"][0]["components"]] == ["👍", "👎", "Ask a follow-up"]


async def test_a_hundred_votes_pressed_at_once_lose_none(emulator, bot, settings):
    answer = await emulator.answered(await emulator.slash("ask", {"question": "Who is the Kremlin spokesman?"}))
    question = logged_id(answer)
    presses = await asyncio.gather(*(press(emulator, answer, "👍" if i % 2 else "👎", str(1410000000000000000 + i))
                                     for i in range(100)))
    await asyncio.gather(*(emulator.answered(p, timeout=30) for p in presses))
    assert all(p.ack_type == 4 and p.acked_at - p.dispatched_at < ACK_DEADLINE_SECONDS for p in presses)
    await stored(settings, 100)
    on_this = [value for voted_on, value in votes(settings) if voted_on == question]
    assert (on_this.count(1), on_this.count(-1)) == (50, 50)


async def test_votes_outlive_the_pager_and_the_bot_process(emulator, settings, engine):
    async with running(emulator, settings, engine) as first:
        first.settings.button_timeout_seconds = 2.0
        try:
            state = await emulator.slash("ask", {"question": "What did Musk say about nuclear war?"})
            answer = await emulator.answered(state)
            await emulator.wait_for(lambda: bool(state.edits), timeout=10)  # the pager ended
        finally:
            first.settings.button_timeout_seconds = 300.0
        assert buttons(state.edits[-1])["More passages"]["disabled"]
        after_pager = await press(emulator, state.edits[-1], "👎", "1420000000000000001")
        assert (await emulator.answered(after_pager))["content"] == THANKS["down"]
    question = logged_id(answer)
    assert (question, -1) in await stored(settings, 1)

    async with running(emulator, settings, engine):  # a new process: nothing of the first one's views
        after_restart = await press(emulator, answer, "👍", "1420000000000000002")
        assert (await emulator.answered(after_restart))["content"] == THANKS["up"]
        for _ in range(100):
            if (question, 1) in votes(settings):
                break
            await asyncio.sleep(0.05)
    assert (question, 1) in votes(settings)


async def test_paging_buttons_say_they_expired_after_the_bot_restarts(emulator, settings, engine):
    asker = "1400000000000000001"  # the emulator's default user
    async with running(emulator, settings, engine):
        state = await emulator.slash("ask", {"question": "What did Musk say about nuclear war?"})
        answer = await emulator.answered(state)
        live = await press(emulator, answer, "More passages", asker)
        page = await emulator.answered(live)
        assert live.ack_type == 7 and "page 2" in page["embeds"][0]["footer"]["text"]
        await asyncio.sleep(0.5)
        assert not live.followups  # while its pager runs, the expired notice stands aside
    # Closing greyed out the paging buttons; the votes and the follow-up keep working.
    closed = buttons(state.edits[-1])
    assert closed["More passages"]["disabled"] and closed["Previous"]["disabled"]
    assert not closed["👍"].get("disabled") and not closed["Ask a follow-up"].get("disabled")

    async with running(emulator, settings, engine):  # a new process, pressed as if the old one had crashed
        stale = await press(emulator, answer, "More passages", asker)
        greyed = await emulator.answered(stale)
        assert stale.ack_type == 7 and "embeds" not in greyed  # only the buttons change
        after = buttons(greyed)
        assert after["More passages"]["disabled"] and after["Previous"]["disabled"]
        assert not after["👎"].get("disabled") and not after["Ask a follow-up"].get("disabled")
        await emulator.wait_for(lambda: bool(stale.followups), timeout=10)
        [notice] = stale.followups
        assert notice["flags"] & EPHEMERAL and notice["content"] == EXPIRED


async def test_stats_needs_manage_server_and_attaches_its_chart(emulator, bot):
    await emulator.answered(await emulator.slash("ask", {"question": "What is the capital of France?"}))
    refused = await emulator.answered(await emulator.slash("stats"))
    assert refused["flags"] & EPHEMERAL and "Manage Server" in refused["content"]

    state = await emulator.slash("stats", {"days": 30}, permissions=MANAGE_GUILD)
    reply = await emulator.answered(state, timeout=60)
    assert state.ack_type == 5 and state.acked_at - state.dispatched_at < ACK_DEADLINE_SECONDS
    assert reply["flags"] & EPHEMERAL
    [embed] = reply["embeds"]
    assert embed["title"] == "Questions in the last 30 days" and embed["image"]["url"] == "attachment://stats.png"
    assert "What is the capital of France?" in embed["fields"][0]["value"]
    [chart] = reply["files"]
    assert chart["filename"] == "stats.png" and chart["data"].startswith(b"\x89PNG\r\n\x1a\n")
    assert len(chart["data"]) <= ATTACHMENT_SIZE_LIMIT
    assert [a["filename"] for a in reply["request"]["attachments"]] == ["stats.png"]


async def test_explain_is_for_moderators_and_always_private(emulator, bot, settings):
    asked = {"question": "What is the capital of France?", "explain": True}
    refused = await emulator.slash("ask", asked)
    reply = await emulator.answered(refused)
    assert refused.ack_type == 4 and reply["flags"] & EPHEMERAL and "Manage Server" in reply["content"]

    state = await emulator.slash("ask", {**asked, "private": False}, permissions=MANAGE_GUILD)
    await emulator.wait_for(lambda: len(state.followups) == 2, timeout=30)
    assert state.ack_type == 5 and state.ack_data["flags"] & EPHEMERAL
    answer, why = state.followups
    assert all(message["flags"] & EPHEMERAL for message in (answer, why))
    assert answer["embeds"][0]["title"] == "Q: What is the capital of France?" and not why["components"]
    [embed] = why["embeds"]
    assert embed["title"] == "Why: What is the capital of France?"
    assert embed["description"].startswith("**declined by the rule “too far”**")
    rules = embed["fields"][-1]
    assert rules["name"] == "Rules" and "too far: relevance " in rules["value"] and "DECLINES" in rules["value"]


async def test_explain_of_the_longest_question_is_within_discords_limits(emulator, bot):
    question = ("Why did Melnyk **tell** `Musk` to f*** off, and what did @everyone say about the poll "
                + "and the Crimea referendum " * 12)[:300]
    state = await emulator.slash("ask", {"question": question, "explain": True}, permissions=MANAGE_GUILD)
    await emulator.wait_for(lambda: len(state.followups) == 2, timeout=30)
    [embed] = state.followups[1]["embeds"]
    assert len(embed["title"]) <= 256 and embed["title"].endswith("…")
    assert len(embed["fields"]) == 7  # five passages, the ranking, the rules: none dropped to fit
    # The emulator refused nothing over Discord's limits (the autouse fixture checks every request).
