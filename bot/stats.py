"""What moderators read in /stats and `articlebot stats`: questions per day by outcome, the share
answered and declined, the votes, the most frequent questions the articles could not answer (grouped
by meaning) and the worst-rated answers. Days are UTC days."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from .database import RatedAnswer, Store

# Outcomes in the order they are shown, with the words for them. "related" appears once the engine
# gives that verdict; a verdict not listed here is shown under its own name.
OUTCOMES = {"answer": "answered", "related": "related", "none": "declined"}
NOT_ANSWERED = ("related", "none")
TOP = 5
MAX_UNANSWERED = 2000  # the latest declined questions that are grouped


@dataclass(frozen=True)
class Unanswered:
    question: str  # its most frequent wording
    count: int
    wordings: tuple[str, ...]  # the others, most frequent first

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "count": self.count, "also_asked_as": list(self.wordings)}


@dataclass
class StatsReport:
    first_day: date
    last_day: date
    per_day: dict[date, Counter[str]]  # every day of the window, in order
    votes_up: int
    votes_down: int
    worst_rated: list[RatedAnswer]
    unanswered: list[Unanswered] = field(default_factory=list)
    logging: bool = True  # whether questions are being logged now

    @property
    def days(self) -> int:
        return len(self.per_day)

    @property
    def totals(self) -> Counter[str]:
        return sum(self.per_day.values(), Counter())

    @property
    def questions(self) -> int:
        return sum(self.totals.values())

    @property
    def outcomes(self) -> list[str]:
        """Answered and declined always, other outcomes when they occur, in a fixed order."""
        seen = self.totals
        known = [outcome for outcome in OUTCOMES if outcome in ("answer", "none") or seen[outcome]]
        return known + sorted(outcome for outcome in seen if outcome not in OUTCOMES)

    def shares(self) -> list[tuple[str, int, int]]:
        """(words for the outcome, questions, percent of all) per outcome."""
        total = self.questions
        return [(OUTCOMES.get(outcome, outcome), self.totals[outcome],
                 round(100 * self.totals[outcome] / total) if total else 0) for outcome in self.outcomes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat(), "days": self.days,
            "questions": self.questions,
            "outcomes": {outcome: self.totals[outcome] for outcome in self.outcomes},
            "per_day": [{"day": day.isoformat(), **{outcome: counts[outcome] for outcome in self.outcomes}}
                        for day, counts in self.per_day.items()],
            "votes": {"up": self.votes_up, "down": self.votes_down},
            "unanswered": [group.as_dict() for group in self.unanswered],
            "worst_rated": [answer.as_dict() for answer in self.worst_rated],
            "logging": self.logging,
        }

    def text(self) -> str:
        """Plain text for the terminal."""
        lines = [f"Questions from {self.first_day} to {self.last_day} (UTC): {self.questions}"]
        if not self.logging:
            lines.append("(question logging is off: ARTICLEBOT_LOG_QUESTIONS=false)")
        lines.append("  " + " · ".join(f"{words} {count} ({percent}%)" for words, count, percent in self.shares()))
        lines.append(f"Votes: 👍 {self.votes_up} · 👎 {self.votes_down}")
        lines += ["", "Per day:".ljust(14) + "".join(OUTCOMES.get(o, o).rjust(10) for o in self.outcomes)]
        lines += [f"  {day}  " + "".join(str(counts[o]).rjust(10) for o in self.outcomes)
                  for day, counts in self.per_day.items()]
        lines += ["", "Most frequent questions the articles could not answer:"]
        lines += [f"  {group.count}×  {group.question}" + (f"  (also: {' | '.join(group.wordings[:3])})"
                                                         if group.wordings else "")
                  for group in self.unanswered] or ["  none"]
        lines += ["", "Worst-rated answers:"]
        lines += [f"  👎 {answer.down} · 👍 {answer.up}  {answer.question}"
                  + (f"  ({', '.join(answer.passages)})" if answer.passages else "  (declined)")
                  for answer in self.worst_rated] or ["  none"]
        return "\n".join(lines)


def empty_report(days: int, today: date) -> StatsReport:
    """No questions in the `days` UTC days up to `today`."""
    first_day = today - timedelta(days=days - 1)
    return StatsReport(first_day, today, {first_day + timedelta(days=n): Counter() for n in range(days)}, 0, 0, [])


def read_stats(store: Store, days: int, today: date, guild_id: int | None = None
               ) -> tuple[StatsReport, list[str]]:
    """The report for the `days` UTC days up to `today`, and the questions not answered in them (for
    grouping by meaning, which is not the store's work). On the store's thread."""
    report = empty_report(days, today)
    since = datetime.combine(report.first_day, time(), tzinfo=UTC)
    for day, verdict, count in store.outcomes_per_day(since, guild_id):
        if day in report.per_day:
            report.per_day[day][verdict] += count
    report.votes_up, report.votes_down = store.vote_counts(since, guild_id)
    report.worst_rated = store.worst_rated(since, guild_id, TOP)
    return report, store.questions_with_verdict(NOT_ANSWERED, since, guild_id, MAX_UNANSWERED)


def most_frequent_unanswered(texts: Sequence[str], groups: Sequence[Sequence[int]]) -> list[Unanswered]:
    """The largest groups, each named by its most frequent wording."""
    found = []
    for group in groups[:TOP]:
        wordings = Counter(" ".join(texts[i].split()) for i in group).most_common()
        found.append(Unanswered(wordings[0][0], len(group), tuple(wording for wording, _ in wordings[1:])))
    return found


def build_report(store: Store, days: int, today: date, group: Callable[[list[str]], list[list[int]]],
                 guild_id: int | None = None) -> StatsReport:
    """Everything at once, for the command line: read, then group the unanswered questions."""
    report, texts = read_stats(store, days, today, guild_id)
    report.unanswered = most_frequent_unanswered(texts, group(texts) if texts else [])
    return report
