"""The local console: slash commands typed as text, answered by the real command code through
mock interactions, replies printed as text. No Discord connection, no token."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

import discord

from index import IndexUnavailable, Settings
from index.textview import terminal_safe

from .client import ArticleBot
from .mock import Recording, Reply, invoke, make_interaction, make_message, make_user

PROMPT = "articlebot> "
USAGE = ("Commands: /ask QUESTION  ·  /ask article:ID QUESTION  ·  /quotes SPEAKER  ·  /article [ID]  ·  "
         "/find MESSAGE TEXT  ·  /help  ·  /reload  ·  /more (next page)  ·  /quit")


def embed_text(embed: discord.Embed) -> str:
    lines = []
    if embed.title:
        lines.append(f"## {embed.title}")
    if embed.description:
        lines.append(embed.description)
    for field in embed.fields:
        lines.append(f"{field.name}: {field.value}")
    if embed.footer and embed.footer.text:
        lines.append(f"({embed.footer.text})")
    return "\n".join(lines)


def reply_text(reply: Reply) -> str:
    parts = []
    if reply.ephemeral:
        parts.append("[only you can see this]")
    if reply.content:
        parts.append(reply.content)
    if reply.embed is not None:
        parts.append(embed_text(reply.embed))
    if reply.view is not None:
        buttons = [f"[{item.label}]" for item in reply.view.children
                   if isinstance(item, discord.ui.Button) and not item.disabled]
        if buttons:
            parts.append(" ".join(buttons) + "  (type /more)")
    return "\n".join(parts)


class Console:
    def __init__(self, bot: ArticleBot, out: TextIO):
        self.bot = bot
        self.out = out
        self.user = make_user(1, "console")
        self.last_view: discord.ui.View | None = None

    def write(self, text: str) -> None:
        """Everything the console prints: questions and articles may hold terminal escape sequences."""
        self.out.write(terminal_safe(text))

    def _command(self, name: str):
        command = self.bot.tree.get_command(name)
        if command is None:
            raise KeyError(name)
        return command

    async def handle(self, line: str) -> bool:
        """Run one line; False when the console should stop."""
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit", "quit", "exit"):
            return False
        if not line.startswith("/"):
            line = "/ask " + line
        name, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        interaction, recording = make_interaction(self.bot, user=self.user, manage_guild=True)
        if name == "ask":
            options, question = self._options(rest)
            await invoke(self.bot, self._command("ask"), interaction, question=question,
                         article=options.get("article"), private=options.get("private") == "true")
        elif name == "quotes":
            await invoke(self.bot, self._command("quotes"), interaction, speaker=rest)
        elif name == "article":
            await invoke(self.bot, self._command("article"), interaction, article=rest or None)
        elif name == "find":
            menu = self.bot.tree.get_command("Find in article", type=discord.AppCommandType.message)
            await invoke(self.bot, menu, interaction, make_message(rest))
        elif name in ("help", "reload"):
            await invoke(self.bot, self._command(name), interaction)
        elif name == "more":
            await self._more(interaction, recording)
        else:
            self.write(f"unknown command /{name}. {USAGE}\n")
            return True
        self._print(recording)
        return True

    @staticmethod
    def _options(rest: str) -> tuple[dict[str, str], str]:
        """Leading `name:value` options, then the question."""
        options: dict[str, str] = {}
        words = rest.split(" ")
        while words and ":" in words[0] and words[0].split(":", 1)[0] in ("article", "private"):
            key, value = words.pop(0).split(":", 1)
            options[key] = value
        return options, " ".join(words)

    async def _more(self, interaction, recording: Recording) -> None:
        from .mock import press

        if self.last_view is None:
            self.write("nothing to page through\n")
            return
        label = next((i.label for i in self.last_view.children
                      if isinstance(i, discord.ui.Button) and i.label not in ("Previous",)), None)
        try:
            await press(self.last_view, label, interaction)
        except AssertionError:
            self.write("no more pages\n")

    def _print(self, recording: Recording) -> None:
        for reply in recording.visible:
            if reply.view is not None:
                self.last_view = reply.view
            self.write(reply_text(reply) + "\n\n")
        self.out.flush()


def _read_line(lines: TextIO, out: TextIO, interactive: bool) -> str | None:
    """The next line, or None at the end of input. It is read in the main thread with no event loop
    running, so Ctrl-C raises KeyboardInterrupt at once, at a prompt and on a pipe alike."""
    if interactive and lines is sys.stdin:
        try:
            return input(PROMPT)  # with readline's line editing and history
        except EOFError:
            return None
    if interactive:
        out.write(PROMPT)
        out.flush()
    return lines.readline() or None


async def _open(settings: Settings) -> ArticleBot:
    # One trusted local user: Discord's per-user cooldown would only throttle a script.
    bot = ArticleBot(settings, user_cooldowns=False)
    try:
        await bot.setup_hook()
    except BaseException:
        bot.service.close()
        raise
    return bot


def console_session(runner: asyncio.Runner, settings: Settings, lines: TextIO, out: TextIO,
                    interactive: bool) -> int:
    """Read a line, run it on the runner's loop, print the reply; until the input ends or /quit."""
    try:
        bot = runner.run(_open(settings))
    except IndexUnavailable as error:
        out.write(terminal_safe(f"error: {error}\n"))
        return 2
    console = Console(bot, out)
    if interactive:
        out.write(USAGE + "\n")
    try:
        while (line := _read_line(lines, out, interactive)) is not None:
            if not interactive:
                console.write(f"{PROMPT}{line.strip()}\n")
            if not runner.run(console.handle(line)):
                break
    finally:
        bot.service.close()
    return 0


def run_console(settings: Settings, lines: TextIO | None = None, out: TextIO | None = None) -> int:
    """The console on `lines` (stdin); 0 at the end of input, 130 after Ctrl-C, 2 without an index."""
    lines = lines or sys.stdin
    out = out or sys.stdout
    interactive = lines.isatty()
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())
    try:
        with asyncio.Runner() as runner:
            return console_session(runner, settings, lines, out, interactive)
    except KeyboardInterrupt:
        out.write("\n")
        out.flush()
        return 130


__all__ = ["Console", "embed_text", "reply_text", "run_console"]
