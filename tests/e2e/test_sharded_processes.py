"""Two bot processes, `articlebot run` each, serving disjoint shards of one index directory (and one
question store): each server's questions reach, and are answered by, only the process holding its shard."""

import asyncio
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.e2e.conftest import seed_index
from tests.e2e.emulator import APPLICATION_ID, DiscordEmulator, guild_on_shard

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SHARDS = 4
# Process A holds shards 0 and 1 (one connection each), B holds 2 and 3: both forms of ARTICLEBOT_SHARD_IDS.
PROCESSES = {"A": ("0-1", (0, 1)), "B": ("2,3", (2, 3))}
GUILDS = {shard: guild_on_shard(shard, SHARDS) for shard in range(SHARDS)}
START_SECONDS = 180  # two cores: each process loads the model; a second shard waits discord.py's 5 s
QUESTION_ID = re.compile(r"articlebot:vote:(?P<id>[0-9]+):up")


class BotProcess:
    def __init__(self, name: str, process: asyncio.subprocess.Process, log: Path):
        self.name, self.process, self.log = name, process, log

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def ready(self) -> bool:
        """Whether every shard of the process is connected and has had its servers (on_ready)."""
        return "logged in as" in self.text()

    def answered(self, question_id: str) -> bool:
        """Whether this process logged answering the question with this id (its log names no asker)."""
        return re.search(rf"\bquestion={question_id}\b", self.text()) is not None


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory, encoder):
    return seed_index(tmp_path_factory, encoder, "e2e-shards")


@pytest.fixture(scope="module")
async def sharded(shared_index, tmp_path_factory):
    """The emulator in servers on every shard, and the two processes connected to it."""
    emulator = DiscordEmulator(guilds=list(GUILDS.values()))
    await emulator.start()
    folder = tmp_path_factory.mktemp("processes")  # their working folder: no .env of the developer's
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("ARTICLEBOT_") and name != "DISCORD_TOKEN"}
    environment.update(PYTHONPATH=str(ROOT), DISCORD_TOKEN="emulated-token", ARTICLEBOT_LOG_LEVEL="INFO",
                       ARTICLEBOT_CORPUS_DIR=str(shared_index.corpus_dir),
                       ARTICLEBOT_INDEX_DIR=str(shared_index.index_dir),
                       ARTICLEBOT_DATABASE=shared_index.database, ARTICLEBOT_SHARDS=str(SHARDS))
    processes = {}
    for name, (shard_ids, _) in PROCESSES.items():
        log = folder / f"{name}.log"
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.e2e.against_emulator", emulator.address, "run", cwd=folder,
                env={**environment, "ARTICLEBOT_SHARD_IDS": shard_ids}, stdout=output, stderr=output)
        processes[name] = BotProcess(name, process, log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not all(bot.ready() for bot in processes.values()):
            for bot in processes.values():
                assert bot.process.returncode is None, f"process {bot.name} ended:\n{bot.text()}"
            assert time.monotonic() < deadline, "\n".join(f"{b.name}:\n{b.text()}" for b in processes.values())
            await asyncio.sleep(0.2)
        yield emulator, processes
    finally:
        for bot in processes.values():
            if bot.process.returncode is None:
                bot.process.kill()
                await bot.process.wait()
        await emulator.stop()


async def test_each_process_connects_its_own_shards_and_says_which(sharded):
    emulator, processes = sharded
    assert None not in emulator.identified  # no unsharded connection: it would receive every server
    assert sorted(emulator.identified) == [(n, SHARDS) for n in range(SHARDS)]  # each shard once
    for name, (_, shards) in PROCESSES.items():
        log = processes[name].text()
        assert f"connecting to Discord: serving shards {shards[0]}-{shards[1]} of {SHARDS}" in log
        assert f"({APPLICATION_ID}), serving shards {shards[0]}-{shards[1]} of {SHARDS}" in log
        assert all(f"shard {shard} of {SHARDS} connected" in log for shard in shards)
    # READY and GUILD_CREATE: each server was announced on its own shard only.
    created = {d.guild_id: d.shards for d in emulator.delivered if d.event == "GUILD_CREATE"}
    assert created == {guild: [(shard, SHARDS)] for shard, guild in GUILDS.items()}


async def test_a_question_is_answered_only_by_the_process_holding_its_server_s_shard(sharded):
    emulator, processes = sharded
    for shard, guild in GUILDS.items():
        state = await emulator.slash("ask", {"question": "Who is the Kremlin spokesman?"}, guild_id=guild,
                                     user_id=str(1400000000000000100 + shard))
        reply = await emulator.answered(state, timeout=60)
        assert state.shards == [(shard, SHARDS)]
        assert "Dmitry Peskov" in reply["embeds"][0]["description"]
        [question_id] = {m["id"] for row in reply["components"] for c in row["components"]
                         if (m := QUESTION_ID.fullmatch(c.get("custom_id", "")))}
        holder = next(name for name, (_, shards) in PROCESSES.items() if shard in shards)
        other = next(name for name in PROCESSES if name != holder)
        await emulator.wait_for(lambda bot=processes[holder], q=question_id: bot.answered(q), timeout=10)
        assert not processes[other].answered(question_id), processes[other].text()
    assert emulator.rejected == []


async def test_both_processes_answer_from_a_rebuild_of_the_index_they_share(sharded, shared_index, encoder):
    from index.building.build import rebuild

    emulator, _ = sharded
    shutil.copy(FIXTURES / "articles" / "chip-plant.md", shared_index.corpus_dir / "chip-plant.md")
    await asyncio.to_thread(rebuild, shared_index, encoder=encoder)
    for shard in (0, 3):  # one server of each process
        state = await emulator.slash("ask", {"question": "When will the Ohio factory open?"}, guild_id=GUILDS[shard],
                                     user_id=str(1400000000000000200 + shard))
        assert "2030" in (await emulator.answered(state, timeout=60))["embeds"][0]["description"]


async def test_sigterm_closes_each_process_and_all_its_shards(sharded):
    emulator, processes = sharded
    for bot in processes.values():
        bot.process.send_signal(signal.SIGTERM)
    for bot in processes.values():
        assert await asyncio.wait_for(bot.process.wait(), 30) == 0, bot.text()
        assert "Traceback" not in bot.text(), bot.text()
    await emulator.wait_for(lambda: all(s.socket is None for s in emulator.sessions.values()))
