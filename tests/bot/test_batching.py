import asyncio

import pytest

from bot.batching import QuestionBatcher
from index import Answer


async def test_questions_within_the_window_share_one_call_per_article():
    calls = []

    async def answer_many(questions, article):
        calls.append((list(questions), article))
        return [Answer(q, True) for q in questions]

    batcher = QuestionBatcher(answer_many, window_seconds=0.05)
    answers = await asyncio.gather(batcher.ask("a", None), batcher.ask("b", None), batcher.ask("c", "x"))
    assert [a.question for a in answers] == ["a", "b", "c"]
    assert sorted(calls, key=str) == sorted([(["a", "b"], None), (["c"], "x")], key=str)


async def test_a_full_batch_goes_at_once():
    calls = []

    async def answer_many(questions, article):
        calls.append(len(questions))
        return [Answer(q, True) for q in questions]

    batcher = QuestionBatcher(answer_many, window_seconds=10, max_batch=4)
    answers = await asyncio.wait_for(asyncio.gather(*(batcher.ask(str(i), None) for i in range(4))), 1)
    assert len(answers) == 4 and calls == [4]


async def test_a_failure_reaches_every_waiting_question():
    async def answer_many(questions, article):
        raise RuntimeError("boom")

    batcher = QuestionBatcher(answer_many, window_seconds=0.01)
    results = await asyncio.gather(batcher.ask("a", None), batcher.ask("b", None), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)


@pytest.mark.slow
async def test_burst_through_the_service_is_answered_in_batches(seed_settings, seed_engine, monkeypatch):
    from bot.service import AnswerService

    calls = []
    original = seed_engine.answer_many

    def counting(questions, **kwargs):
        calls.append(len(questions))
        return original(questions, **kwargs)

    monkeypatch.setattr(seed_engine, "answer_many", counting)
    service = AnswerService(seed_settings)
    service.engine = seed_engine
    questions = ["Who is the Kremlin spokesman?", "When was Crimea annexed?"] * 50
    answers = await asyncio.gather(*(service.ask(q) for q in questions))
    service.close()
    assert [a.question for a in answers] == questions
    assert all(a.answered for a in answers)
    assert sum(calls) == 100 and len(calls) <= 4  # gathered into batches of up to 64
