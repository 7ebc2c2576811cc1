"""The local console: slash commands typed as text, answered by the real command code through
mock interactions, replies printed as text. No Discord connection, no token."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from typing import Any, TextIO

import discord
from discord import app_commands

from index import IndexUnavailable, Settings, is_plain_number, terminal_safe

from .client import ArticleBot
from .followups import LABEL as FOLLOWUP_LABEL
from .followups import FollowupButton, FollowupModal, followup_drawn_in
from .mock import Recording, Reply, invoke, make_interaction, make_message, make_user
from .votes import LABELS, VoteButton, votes_drawn_in

PROMPT = "articlebot> "
USAGE = ("Commands: /ask QUESTION  ·  /ask article:ID QUESTION  ·  /ask explain:true QUESTION (why)  ·  "
         "/quotes SPEAKER  ·  /article [ID]  ·  "
         "/find MESSAGE TEXT  ·  /help  ·  /reload  ·  /more (next page)  ·  /vote up|down (the last answer)  ·  "
         "/followup QUESTION (on the last answer)  ·  "
         "/stats [DAYS]  ·  /quit")
STATS_DAYS = (1, 365)


_YES = ("true", "yes", "y", "t", "1", "on", "enable")
_NO = ("false", "no", "n", "f", "0", "off", "disable")


def _flag(option: str | None) -> bool | None:
    """An option typed as yes or no, as discord.py's text commands read one (private:yes,
    explain:True); not given is no, and anything else None: `private:ye` is a typo, not a no."""
    if option is None:
        return False
    folded = option.casefold()
    return True if folded in _YES else False if folded in _NO else None


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
        # What Discord would show: the view's own buttons and those it only draws (the votes).
        labels = [button.get("label") or "?" for row in reply.view.to_components()
                  for button in row.get("components", []) if button.get("type") == 2 and not button.get("disabled")]
        drawn = {*LABELS.values(), FOLLOWUP_LABEL}
        hints = [hint for hint, shown in (("/more", any(label not in drawn for label in labels)),
                                          ("/vote up or /vote down", any(label in LABELS.values() for label in labels)),
                                          ("/followup QUESTION", FOLLOWUP_LABEL in labels))
                 if shown]
        if labels:
            parts.append(" ".join(f"[{label}]" for label in labels) + f"  (type {'; '.join(hints)})")
    return "\n".join(parts)


class Console:
    def __init__(self, bot: ArticleBot, out: TextIO):
        self.bot = bot
        self.out = out
        self.user = make_user(1, "console")
        self.last_view: discord.ui.View | None = None
        self.last_votes: list[VoteButton] = []  # the last answer's 👍 and 👎
        self.last_followup: FollowupButton | None = None  # the last answer's "Ask a follow-up"

    def write(self, text: str) -> None:
        """Everything the console prints: questions and articles may hold terminal escape sequences."""
        self.out.write(terminal_safe(text))

    def _command(self, name: str, kind: discord.AppCommandType = discord.AppCommandType.chat_input
                 ) -> app_commands.Command[Any, ..., Any] | app_commands.ContextMenu:
        command = self.bot.tree.get_command(name, type=kind)
        if command is None or isinstance(command, app_commands.Group):
            raise KeyError(name)
        return command

    def _subcommand(self, group: str, name: str) -> app_commands.Command[Any, ..., Any]:
        found = self.bot.tree.get_command(group)
        command = found.get_command(name) if isinstance(found, app_commands.Group) else None
        if not isinstance(command, app_commands.Command):
            raise KeyError(f"{group} {name}")
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
        # No server and no channel: the question log records the console as the origin instead.
        interaction, recording = make_interaction(self.bot, user=self.user, manage_guild=True, guild_id=None,
                                                  channel_id=None)
        if name == "ask":
            options, question = self._options(rest)
            flags = {option: _flag(options.get(option)) for option in ("private", "explain")}
            unread = [option for option, value in flags.items() if value is None]
            if unread:  # nothing asked: the last answer's buttons stay
                self.write(f"{unread[0]}:{options[unread[0]]}: type {unread[0]}:true or {unread[0]}:false\n")
                return True
        if name in ("ask", "find", "followup"):
            self.last_votes = []
        if name == "ask":
            await invoke(self.bot, self._command("ask"), interaction, question=question,
                         article=options.get("article"), private=bool(flags["private"]),
                         explain=bool(flags["explain"]))
        elif name == "quotes":
            await invoke(self.bot, self._command("quotes"), interaction, speaker=rest)
        elif name == "article":
            await invoke(self.bot, self._subcommand("article", "show"), interaction, article=rest or None)
        elif name == "find":
            await invoke(self.bot, self._command("Find in article", discord.AppCommandType.message), interaction,
                         make_message(rest))
        elif name in ("help", "reload"):
            await invoke(self.bot, self._command(name), interaction)
        elif name == "more":
            await self._more(interaction)
        elif name == "vote":
            await self._vote(interaction, rest)
        elif name == "followup":
            if not await self._followup(interaction, rest):
                return True
        elif name == "stats":
            days = int(rest) if is_plain_number(rest) else 0
            if not STATS_DAYS[0] <= days <= STATS_DAYS[1] and rest:
                self.write(f"type /stats, or /stats DAYS with DAYS from {STATS_DAYS[0]} to {STATS_DAYS[1]}\n")
                return True
            await invoke(self.bot, self._command("stats"), interaction, **({"days": days} if rest else {}))
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
        while words and ":" in words[0] and words[0].split(":", 1)[0] in ("article", "private", "explain"):
            key, value = words.pop(0).split(":", 1)
            options[key] = value
        return options, " ".join(words)

    async def _more(self, interaction: discord.Interaction) -> None:
        from .mock import press

        if self.last_view is None:
            self.write("nothing to page through\n")
            return
        label = next((i.label for i in self.last_view.children
                      if isinstance(i, discord.ui.Button) and i.label not in ("Previous",)), None)
        if label is None:
            self.write("no more pages\n")
            return
        try:
            await press(self.last_view, label, interaction)
        except AssertionError:
            self.write("no more pages\n")

    async def _vote(self, interaction: discord.Interaction, value: str) -> None:
        """Press the last answer's 👍 or 👎, through the button's own code."""
        if value not in LABELS:
            self.write("type /vote up or /vote down\n")
            return
        if not self.bot.records.enabled:
            self.write("votes are not recorded: ARTICLEBOT_LOG_QUESTIONS is false\n")
            return
        button = next((b for b in self.last_votes if b.value == value), None)
        if button is None:
            self.write("no answer to vote on: ask a question first\n")
            return
        await button.callback(interaction)

    async def _followup(self, interaction: discord.Interaction, question: str) -> bool:
        """Press the last answer's "Ask a follow-up" and submit `question` in its form, through the
        form's own code; False when there is nothing to follow up."""
        if self.last_followup is None:
            self.write("no answer to follow up: ask a question first\n")
            return False
        if not question:
            self.write("type /followup QUESTION, for example /followup What else did he say?\n")
            return False
        modal = FollowupModal(self.last_followup.context, private=False)
        modal.question._value = question  # what Discord's form submission fills in (discord.py has no setter)
        try:
            await modal.on_submit(interaction)
        except Exception as error:  # as discord.py hands a failed submission to the form
            await modal.on_error(interaction, error)
        return True

    def _print(self, recording: Recording) -> None:
        for reply in recording.visible:
            if reply.view is not None and reply.view.children:
                self.last_view = reply.view
            if reply.view is not None:
                self.last_votes = votes_drawn_in(reply.view) or self.last_votes
                self.last_followup = followup_drawn_in(reply.view) or self.last_followup
            text = reply_text(reply)
            if reply.file is not None:
                text += f"\n[{reply.file.filename} saved as {self._save(reply.file)}]"
            self.write(text + "\n\n")
        self.out.flush()

    @staticmethod
    def _save(attachment: discord.File) -> str:
        """An attachment (the /stats chart) as a new file in the temporary folder; its path."""
        handle, path = tempfile.mkstemp(prefix="articlebot-", suffix=f"-{attachment.filename}")
        attachment.fp.seek(0)
        with os.fdopen(handle, "wb") as file:
            file.write(attachment.fp.read())
        return path


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
    bot = ArticleBot(settings, user_cooldowns=False, origin="console")
    try:
        await bot.setup_hook()
    except BaseException:
        bot.service.close()
        await bot.records.close()
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
        bot.library.close()
        runner.run(bot.records.close())
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
