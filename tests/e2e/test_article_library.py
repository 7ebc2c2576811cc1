"""/article add and /article remove over the wire: a file attached or a form filled in, progress
and the result in the reply, one rebuild at a time, a removal confirmed with a button, and every
bad input answered privately with the corpus and the live index as they were."""

import logging
import re

import pytest

import index.building.library as library
from bot.cogs.articles import NOT_YOURS, WAITS
from bot.database import open_store
from index.store import read_manifest
from tests.conftest import FIXTURES
from tests.e2e.conftest import seed_index
from tests.e2e.emulator import EPHEMERAL, GUILD_ID, MANAGE_GUILD, OTHER_GUILD_ID, Upload

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

HARBOUR = (FIXTURES / "articles" / "harbour-storm.md").read_bytes()
POTHOLES = (FIXTURES / "articles" / "council-potholes.txt").read_bytes()


@pytest.fixture(scope="module")
def e2e_settings(tmp_path_factory, encoder):
    return seed_index(tmp_path_factory, encoder, "e2e-library")


def state_of(settings):
    files = {p.relative_to(settings.corpus_dir): p.read_bytes()
             for p in sorted(settings.corpus_dir.rglob("*")) if p.is_file() and not p.name.startswith(".")}
    return files, read_manifest(settings.index_dir.resolve())["built_at"]


async def add(emulator, upload=None, guild=GUILD_ID, permissions=MANAGE_GUILD):
    return await emulator.slash("article", {"file": upload} if upload else {}, subcommand="add",
                                permissions=permissions, guild_id=guild)


async def outcome(emulator, state, timeout=120.0) -> str:
    """The last word of a change's reply: the followup's content once it is edited to a result."""
    def finished():
        texts = [m.get("content") or "" for m in [*state.followups, *state.edits]]
        return any(t.startswith(("Added", "Removed", "Nothing was changed")) for t in texts)
    await emulator.wait_for(finished, timeout)
    return [m.get("content") or "" for m in [*state.followups, *state.edits]][-1]


async def ask(emulator, question, guild):
    reply = await emulator.answered(await emulator.slash("ask", {"question": question}, guild_id=guild))
    return "".join(e.get("description", "") for e in reply["embeds"])


async def test_a_moderator_adds_a_file_and_the_server_is_answered_from_it(emulator, live_bot, e2e_settings, caplog):
    with caplog.at_level(logging.INFO, logger="bot.library"):
        state = await add(emulator, Upload("Storm story.md", HARBOUR))
        text = await outcome(emulator, state)
    # Who added it, in the bot's store as the question log's salted hash, never the user id.
    assert re.search(rf"article harbour-storm added in server {GUILD_ID}$", caplog.text, re.M)
    assert "1400000000000000001" not in caplog.text
    with open_store(e2e_settings.database) as store:
        changes = store.article_changes(int(GUILD_ID))
        assert [(action, article) for _, _, _, action, article in changes] == [("added", "harbour-storm")]
        assert changes[0][2] == store.user_hash(1400000000000000001) and re.fullmatch("[0-9a-f]{64}", changes[0][2])
    assert text.startswith("Added `harbour-storm`: 12 paragraphs") and state.ack_type == 5
    assert state.ack_data["flags"] & EPHEMERAL
    edited = state.edits[-1]
    assert edited["embeds"][0]["footer"]["text"] == "id: harbour-storm" and "Port Kembla" in edited["embeds"][0][
        "description"]
    assert (e2e_settings.corpus_dir / "guilds" / GUILD_ID / "harbour-storm.md").read_bytes() == HARBOUR
    assert "Calfas" in await ask(emulator, "What did the NSW Ports chief executive say?", GUILD_ID)
    assert "Calfas" not in await ask(emulator, "What did the NSW Ports chief executive say?", OTHER_GUILD_ID)
    # /reload counts the articles its server sees: the index's count would tell of this server's own.
    counted = {}
    for guild in (GUILD_ID, OTHER_GUILD_ID):
        reply = await emulator.answered(await emulator.slash("reload", permissions=MANAGE_GUILD, guild_id=guild))
        counted[guild] = int(re.search(r"\((\d+) articles?\)", reply["content"])[1])
    assert counted[GUILD_ID] == counted[OTHER_GUILD_ID] + 1


BAD = [
    (Upload("photo.md", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"), "not UTF-8"),
    (Upload("empty.md", b""), "empty body"),
    (Upload("odd.md", b"---\nauthor: Me\n---\nText."), "unknown field(s) author"),
    (Upload("seed.md", b"---\nid: musk-peace-deal\n---\nText."), "exists already"),
    (Upload("link.md", b"---\nurl: example.org/story\n---\nText."), "must be an http:// or https:// address"),
    (Upload("story.pdf", b"Text."), "use a .md or .txt file"),
]


@pytest.mark.parametrize(("upload", "problem"), BAD, ids=[b[0].filename for b in BAD])
async def test_a_bad_file_is_refused_privately_and_nothing_changes(emulator, live_bot, e2e_settings, upload,
                                                                     problem):
    before = state_of(e2e_settings)
    state = await add(emulator, upload)
    text = await outcome(emulator, state)
    assert text.startswith("Nothing was changed:") and problem in text and state.ack_data["flags"] & EPHEMERAL
    assert state_of(e2e_settings) == before


async def test_a_bad_file_of_the_operator_is_counted_not_named_to_a_moderator(emulator, live_bot, e2e_settings,
                                                                              caplog):
    """The host's paths and other servers' file names stay out of a moderator's reply; the log names them."""
    broken = e2e_settings.corpus_dir / "broken-by-the-operator.md"
    broken.write_text("---\npublished: nope\n---\nText.", encoding="utf-8")
    try:
        before = state_of(e2e_settings)
        with caplog.at_level(logging.WARNING, logger="bot.cogs.articles"):
            text = await outcome(emulator, await add(emulator, Upload("tarrow.md", b"A new story.")))
        assert text == ("Nothing was changed: 1 other article file cannot be read; the bot's operator must fix "
                        "that")
        assert state_of(e2e_settings) == before
        assert str(broken) in caplog.text
    finally:
        broken.unlink()


async def test_a_file_over_the_limit_is_refused_before_it_is_downloaded(emulator, live_bot, e2e_settings):
    before = state_of(e2e_settings)
    state = await add(emulator, Upload("huge.md", b"Text.", size=e2e_settings.max_article_bytes + 1))
    reply = await emulator.answered(state)
    assert "over the limit" in reply["content"] and reply["flags"] & EPHEMERAL
    assert emulator.downloads.count(reply["request"]["data"].get("id", "")) == 0
    assert state_of(e2e_settings) == before


async def test_only_a_moderator_adds_or_removes(emulator, live_bot, e2e_settings):
    before = state_of(e2e_settings)
    for state in (await add(emulator, Upload("x.md", POTHOLES), permissions="0"),
                  await emulator.slash("article", {"article": "harbour-storm"}, subcommand="remove")):
        reply = await emulator.answered(state)
        assert reply["content"] == "You need the Manage Server permission for that." and reply["flags"] & EPHEMERAL
    assert state_of(e2e_settings) == before


async def test_a_crash_in_the_middle_of_an_add_changes_nothing(emulator, live_bot, e2e_settings, monkeypatch):
    before = state_of(e2e_settings)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(library, "rebuild", crash)
    text = await outcome(emulator, await add(emulator, Upload("potholes.txt", POTHOLES)))
    assert text == "Nothing was changed: the index could not be rebuilt. The error was logged."
    assert state_of(e2e_settings) == before


async def test_two_adds_at_once_take_turns_and_the_second_says_it_waits(emulator, live_bot, e2e_settings):
    first = await add(emulator, Upload("potholes.txt", POTHOLES), guild=OTHER_GUILD_ID)
    await emulator.wait_for(lambda: first.followups)
    second = await add(emulator, Upload("chips.md", (FIXTURES / "articles" / "chip-plant.md").read_bytes()),
                       guild=OTHER_GUILD_ID)
    await emulator.wait_for(lambda: second.followups)
    assert second.followups[0]["content"] == WAITS
    assert (await outcome(emulator, first)).startswith("Added `potholes`")
    assert (await outcome(emulator, second)).startswith("Added `chip-plant`")


async def test_a_short_article_from_the_form(emulator, live_bot, e2e_settings):
    opened = await add(emulator, guild=OTHER_GUILD_ID)
    form = await emulator.answered(opened)
    assert opened.ack_type == 9 and form["title"] == "Add an article"
    refused = await emulator.answered(await emulator.submit_modal(form, {
        "Title": "Ferry strike", "Date (optional)": "Tuesday", "Text, copied verbatim": "Ferries stopped."},
        guild_id=OTHER_GUILD_ID, permissions=MANAGE_GUILD))
    assert "is not a date" in refused["content"] and refused["flags"] & EPHEMERAL
    form = await emulator.answered(await add(emulator, guild=OTHER_GUILD_ID))  # a form is sent once
    submitted = await emulator.submit_modal(form, {
        "Title": "Ferry strike", "Link (optional)": "https://example.org/ferry", "Date (optional)": "2025-03-04",
        "Text, copied verbatim": "Sydney ferry crews walked off the job on Tuesday, stranding commuters."},
        guild_id=OTHER_GUILD_ID, permissions=MANAGE_GUILD)
    assert (await outcome(emulator, submitted)).startswith("Added `Ferry-strike`: 1 paragraphs")


async def test_a_removal_is_confirmed_with_a_button(emulator, live_bot, e2e_settings):
    added = await add(emulator, Upload("Ferry.md", b"---\nid: ferry-delays\n---\nFerries ran late on Monday."))
    assert (await outcome(emulator, added)).startswith("Added `ferry-delays`")
    unknown = await emulator.answered(await emulator.slash(
        "article", {"article": "musk-peace-deal"}, subcommand="remove", permissions=MANAGE_GUILD))
    assert "has no article `musk-peace-deal` of its own" in unknown["content"]
    asking = await emulator.slash("article", {"article": "ferry-delays"}, subcommand="remove",
                                  permissions=MANAGE_GUILD)
    asked = await emulator.answered(asking)
    assert asked["flags"] & EPHEMERAL and asked["content"] == "Remove `ferry-delays` from this server's articles?"
    message = asking.original  # the message the buttons are on, as Discord sends it with a press
    buttons = {c["label"]: c for row in message["components"] for c in row["components"]}
    stranger = await emulator.interact(3, {"custom_id": buttons["Remove"]["custom_id"], "component_type": 2},
                                       message=message, permissions=MANAGE_GUILD, user_id="1400000000000000777")
    assert (await emulator.answered(stranger))["content"] == NOT_YOURS
    pressed = await emulator.interact(3, {"custom_id": buttons["Remove"]["custom_id"], "component_type": 2},
                                      message=message, permissions=MANAGE_GUILD)
    assert (await outcome(emulator, pressed)).startswith("Removed `ferry-delays`")
    assert not (e2e_settings.corpus_dir / "guilds" / GUILD_ID / "ferry-delays.md").exists()
    assert "ferry-delays" not in live_bot.service.articles
