"""`python -m tests.e2e.against_emulator URL ARGS…`: the `articlebot` command itself (bot.cli.main with
ARGS), its Discord REST and gateway addresses pointed at the emulator serving at URL, so that a test can
run the bot as separate processes, as it is deployed."""

import sys

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.cli import main

if __name__ == "__main__":
    base = sys.argv[1].rstrip("/")
    Route.BASE = f"{base}/api/v10"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(base.replace("http://", "ws://", 1) + "/gateway")
    sys.exit(main(sys.argv[2:]))
