"""The process's logging: the operator's level holds for the libraries an entry point names too."""

import logging

import pytest

from index.logs import setup_logging


@pytest.mark.parametrize(("level", "discord_level"), [
    (logging.WARNING, logging.WARNING),  # ARTICLEBOT_LOG_LEVEL=WARNING: no "logging in using static token"
    (logging.INFO, logging.INFO),
    (logging.DEBUG, logging.INFO),  # -v: discord's own debug chatter stays out
])
def test_a_library_level_is_a_floor_never_a_way_past_the_operators(level, discord_level):
    discord = logging.getLogger("discord")
    before = discord.level
    try:
        setup_logging(level, {"discord": logging.INFO})
        assert discord.level == discord_level
    finally:
        discord.setLevel(before)
