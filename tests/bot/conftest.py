import pytest

from bot.client import ArticleBot
from bot.service import AnswerService


@pytest.fixture(scope="session")
async def bot(seed_settings, seed_engine):
    """The real bot with its cogs, sharing the session's engine; no Discord connection."""
    service = AnswerService(seed_settings)
    service.engine = seed_engine
    client = ArticleBot(seed_settings, service=service)
    await client.setup_hook()
    yield client
    service.close()
    await client.records.close()
