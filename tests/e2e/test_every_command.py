"""Every command, option and button through the emulator: /help, /article, /quotes with its pages,
/reload, the cooldown, a pager running out of time, and the options sent empty."""

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.e2e.conftest import seed_index
from tests.e2e.emulator import EPHEMERAL, MANAGE_GUILD

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

ARTICLE_URL = "https://example.org/chips/ohio_(2030)"


@pytest.fixture(scope="module")
def e2e_settings(tmp_path_factory, encoder):
    """The seed article and a second one with a link, so /article lists and links."""
    def add_linked_article(corpus: Path) -> None:
        chip_plant = (FIXTURES / "articles" / "chip-plant.md").read_text(encoding="utf-8")
        (corpus / "chip-plant.md").write_text(
            chip_plant.replace("language: en", f"language: en\nurl: {ARTICLE_URL}", 1), encoding="utf-8")

    return seed_index(tmp_path_factory, encoder, "e2e-commands", add_linked_article)


def embed(reply: dict) -> dict:
    [only] = reply["embeds"]
    return only


def buttons(message: dict) -> dict[str, dict]:
    return {c["label"]: c for row in message["components"] for c in row["components"]}


async def press(emulator, message: dict, label: str, user_id: str):
    """A click on a button of `message`, as Discord sends it; returns the interaction."""
    button = buttons(message)[label]
    return await emulator.interact(3, {"custom_id": button["custom_id"], "component_type": 2},
                                   user_id=user_id, message=message)


async def complete(emulator, command: str, option: str, typed: str) -> list[dict]:
    """Choices for `option` of `command` ("ask", or "article show" in a group) as the user types."""
    command, _, sub = command.partition(" ")
    focused = [{"name": option, "type": 3, "value": typed, "focused": True}]
    state = await emulator.interact(4, {"id": "1", "name": command, "type": 1, "options": [
        {"name": sub, "type": 1, "options": focused}] if sub else focused})
    return (await emulator.answered(state))["choices"]


async def test_help_lists_every_command_privately(emulator, live_bot):
    state = await emulator.slash("help")
    reply = await emulator.answered(state)
    assert state.ack_type == 4 and reply["flags"] & EPHEMERAL
    for name in ("/ask", "/quotes", "/article", "Find in article", "/reload"):
        assert name in embed(reply)["description"]


async def test_article_shows_one_lists_all_and_completes_ids(emulator, live_bot):
    assert [c["value"] for c in await complete(emulator, "article show", "article", "ohio")] == ["chip-plant"]
    assert [c["value"] for c in await complete(emulator, "ask", "article", "musk")] == ["musk-peace-deal"]

    shown = embed(await emulator.answered(await emulator.slash("article", {"article": "chip-plant"},
                                                               subcommand="show")))
    assert shown["title"] == "Chipmaker delays Ohio factory to 2030" and shown["url"] == ARTICLE_URL
    fields = {f["name"]: f["value"] for f in shown["fields"]}
    assert fields["Publisher"] == "Example Wire" and fields["Link"] == "<https://example.org/chips/ohio_%282030%29>"

    for options in ({}, {"article": ""}):
        listing = await emulator.answered(await emulator.slash("article", options, subcommand="show"))
        assert listing["flags"] & EPHEMERAL and embed(listing)["title"] == "2 articles"
        assert "`chip-plant`" in embed(listing)["description"] and "`musk-peace-deal`" in embed(listing)["description"]

    unknown = await emulator.answered(await emulator.slash("article", {"article": "nope"}, subcommand="show"))
    assert unknown["flags"] & EPHEMERAL and "don't know that article" in unknown["content"]


async def test_quotes_pages_forward_and_back_for_the_asker_only(emulator, live_bot):
    asker = "1400000000000000321"
    assert any(c["value"] == "Elon Musk" for c in await complete(emulator, "quotes", "speaker", "tesla"))
    state = await emulator.slash("quotes", {"speaker": "Elon Musk"}, user_id=asker)
    first = embed(await emulator.answered(state))
    assert state.ack_type == 4 and first["footer"]["text"].startswith("Page 1 of 3")
    message = state.original
    assert buttons(message)["Previous"]["disabled"] is True

    stranger = await press(emulator, message, "Next", "1400000000000000654")
    refusal = await emulator.answered(stranger)
    assert stranger.ack_type == 4 and refusal["flags"] & EPHEMERAL and "Only the person who asked" in refusal["content"]

    seen = []
    for label in ("Next", "Next", "Previous"):
        click = await press(emulator, message, label, asker)
        page = await emulator.answered(click)
        assert click.ack_type == 7
        seen.append(embed(page)["footer"]["text"].split(" ·")[0])
        message = {**message, "components": page["components"]}
    assert seen == ["Page 2 of 3", "Page 3 of 3", "Page 2 of 3"]
    assert buttons(click.original)["Next"].get("disabled") is not True

    nobody = await emulator.answered(await emulator.slash("quotes", {"speaker": "Nobody Atall"}))
    assert nobody["flags"] & EPHEMERAL and "No quotations by that speaker" in nobody["content"]


async def test_reload_needs_manage_server(emulator, live_bot):
    refused = await emulator.answered(await emulator.slash("reload"))
    assert refused["flags"] & EPHEMERAL and "Manage Server" in refused["content"]
    state = await emulator.slash("reload", permissions=MANAGE_GUILD)
    reply = await emulator.answered(state)
    assert state.ack_type == 5 and reply["request"]["flags"] & EPHEMERAL
    assert "(2 articles)" in reply["content"]


async def test_the_cooldown_answers_a_hurried_user_privately(emulator, live_bot):
    user = "1400000000000000999"
    for _ in range(live_bot.settings.cooldown_rate):
        reply = await emulator.answered(await emulator.slash("ask", {"question": "Who is the Kremlin spokesman?"},
                                                             user_id=user))
        assert "Dmitry Peskov" in embed(reply)["description"]
    state = await emulator.slash("ask", {"question": "Who is the Kremlin spokesman?"}, user_id=user)
    reply = await emulator.answered(state)
    assert state.ack_type == 4 and reply["flags"] & EPHEMERAL and "You're asking quickly!" in reply["content"]
    other = await emulator.answered(await emulator.slash("ask", {"question": "Who is the Kremlin spokesman?"},
                                                         user_id="1400000000000000998"))
    assert "Dmitry Peskov" in embed(other)["description"]


@pytest.mark.parametrize("command", ["ask", "quotes"])
async def test_a_pager_that_times_out_disables_its_buttons(emulator, live_bot, monkeypatch, command):
    # Long enough for the reply to be sent before the timer ends, even on a busy machine.
    monkeypatch.setattr(live_bot.settings, "button_timeout_seconds", 2.0)
    if command == "ask":  # a user of its own: one user's questions share an allowance across tests
        state = await emulator.slash("ask", {"question": "What did Musk say about nuclear war?"},
                                     user_id="1400000000000000201")
    else:
        state = await emulator.slash("quotes", {"speaker": "Elon Musk"})
    reply = await emulator.answered(state)
    assert any(not button.get("disabled") for button in buttons(reply).values())
    await emulator.wait_for(lambda: bool(state.edits), timeout=10)
    edited = state.edits[-1]
    # The paging buttons end; an answer's 👍 / 👎 keep working (tests/e2e/test_moderation.py).
    paging = {label: button for label, button in buttons(edited).items()
              if label not in ("👍", "👎", "Ask a follow-up")}
    assert edited["components"] and paging and all(button["disabled"] for button in paging.values())
    assert (command == "ask") == ("👍" in buttons(edited))


async def test_options_sent_empty(emulator, live_bot):
    user = "1400000000000000202"  # a user of its own: one user's questions share an allowance across tests
    state = await emulator.slash("ask", {"question": "Who is the Kremlin spokesman?", "article": ""}, user_id=user)
    assert "Dmitry Peskov" in embed(await emulator.answered(state))["description"]
    only = await emulator.slash("ask", {"question": "Who is the Kremlin spokesman?", "article": "chip-plant"},
                                user_id=user)
    assert "Dmitry Peskov" not in str(await emulator.answered(only))
    unknown = await emulator.answered(await emulator.slash("ask", {"question": "Who?", "article": "nope"},
                                                           user_id=user))
    assert unknown["flags"] & EPHEMERAL and "don't know that article" in unknown["content"]

    target = {"id": "1600000000000000002", "channel_id": "1300000000000000001", "content": "", "embeds": [],
              "author": {"id": "1400000000000000001", "username": "reader", "discriminator": "0", "avatar": None},
              "attachments": [], "mentions": [], "mention_roles": [], "mention_everyone": False, "pinned": False,
              "tts": False, "type": 0, "timestamp": "2025-01-01T00:00:00+00:00", "edited_timestamp": None,
              "flags": 0, "components": []}
    find = await emulator.interact(2, {"id": "2", "name": "Find in article", "type": 3, "target_id": target["id"],
                                       "resolved": {"messages": {target["id"]: target}}}, user_id=user)
    reply = await emulator.answered(find)
    assert reply["flags"] & EPHEMERAL and "no text" in reply["content"]
