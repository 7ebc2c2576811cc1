"""The emulator refuses what Discord refuses: request bodies checked against Discord's OpenAPI description."""

import aiohttp
import pytest

from tests.e2e.emulator import APPLICATION_ID

INVALID_FORM_BODY = 50035


def message(**data) -> dict:
    return {"type": 4, "data": data}


BAD_RESPONSES = {
    "11 embeds": message(embeds=[{"title": "x"}] * 11),
    "colour 16777216": message(embeds=[{"title": "x", "color": 16777216}]),
    "embed url 'not a url'": message(embeds=[{"title": "x", "url": "not a url"}]),
    "26 autocomplete choices": {"type": 8, "data": {"choices": [{"name": f"c{n}", "value": f"c{n}"}
                                                                for n in range(26)]}},
    "81-character button label": message(components=[{"type": 1, "components": [
        {"type": 2, "style": 1, "custom_id": "next", "label": "x" * 81}]}]),
    "a number for the content": message(content=5),
    "6,001 characters in one embed": message(embeds=[{"title": "t" * 256, "description": "d" * 4096,
                                                      "footer": {"text": "f" * 1649}}]),
}


async def send(emulator, method: str, path: str, body) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.request(
            method, emulator.rest_base + path, json=body) as response:
        return response.status, await response.json()


@pytest.mark.parametrize("name", BAD_RESPONSES)
async def test_an_invalid_interaction_response_is_refused_as_discord_would(bare_emulator, name):
    state = await bare_emulator.interact(2, {"id": "1", "name": "ask", "type": 1})
    status, answer = await send(bare_emulator, "POST", f"/interactions/{state.id}/{state.token}/callback",
                                BAD_RESPONSES[name])
    assert (status, answer["code"]) == (400, INVALID_FORM_BODY), answer
    assert answer["errors"] and state.acked_at is None
    assert bare_emulator.rejected[-1].body == answer


async def test_invalid_followups_edits_and_command_syncs_are_refused(bare_emulator):
    state = await bare_emulator.interact(2, {"id": "1", "name": "ask", "type": 1})
    webhook = f"/webhooks/{APPLICATION_ID}/{state.token}"
    refused = [
        ("POST", webhook, {"embeds": [{"color": 16777216}]}),
        ("PATCH", webhook + "/messages/@original", {"embeds": [{"url": "not a url"}]}),
        ("PATCH", webhook + "/messages/1600000000000000001", {"content": 5}),
        ("PUT", f"/applications/{APPLICATION_ID}/commands", [{"name": "ask", "type": 1, "description": "d" * 101}]),
        ("PUT", f"/applications/{APPLICATION_ID}/guilds/1/commands", [{"type": 1, "description": "no name"}]),
    ]
    for method, path, body in refused:
        status, answer = await send(bare_emulator, method, path, body)
        assert (status, answer["code"]) == (400, INVALID_FORM_BODY), (method, path, answer)
    assert not state.followups and not state.edits and not bare_emulator.commands


async def test_a_valid_response_is_accepted(bare_emulator):
    state = await bare_emulator.interact(2, {"id": "1", "name": "ask", "type": 1})
    status, _ = await send(bare_emulator, "POST", f"/interactions/{state.id}/{state.token}/callback",
                           message(content="ok", embeds=[{"title": "x", "url": "https://example.org/a_(b)",
                                                          "color": 16777215}], flags=64))
    assert status == 200 and state.ack_type == 4 and not bare_emulator.rejected
