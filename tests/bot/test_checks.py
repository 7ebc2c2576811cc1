"""The question allowance on its own: one bucket per user, bounded in memory."""

import pytest

import bot.checks as checks
from bot.checks import QuestionAllowance


@pytest.fixture
def clock(monkeypatch):
    """discord.py's cooldowns read time.time(): a clock the test moves."""
    now = [1_000_000.0]
    monkeypatch.setattr("discord.app_commands.checks.time.time", lambda: now[0])
    return now


def test_a_user_past_the_rate_waits_until_the_window_has_passed(clock):
    allowance = QuestionAllowance(rate=2, seconds=30)
    assert allowance.spend(1) is None and allowance.spend(1) is None
    assert allowance.spend(1) == pytest.approx(30)
    assert allowance.spend(2) is None  # each user's own
    clock[0] += 31
    assert allowance.spend(1) is None


def test_the_bound_drops_users_whose_window_has_passed_before_anyone_counting(clock, monkeypatch):
    """A bot that runs for months meets more users than it keeps: those done asking go first, and a
    user still waiting out their window keeps waiting."""
    monkeypatch.setattr(checks, "MAX_COOLDOWN_USERS", 3)
    allowance = QuestionAllowance(rate=1, seconds=30)
    assert allowance.spend(1) is None  # asked long ago
    clock[0] += 60
    assert allowance.spend(2) is None and allowance.spend(3) is None  # asked just now
    assert allowance.spend(4) is None  # the bound: user 1's window has passed, so only user 1 goes
    assert allowance.spend(2) == pytest.approx(30) and allowance.spend(3) == pytest.approx(30)
    assert allowance.spend(5) is None  # 2, 3 and 4 are all counting: everyone goes
    assert allowance.spend(2) is None
