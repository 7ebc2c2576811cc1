"""Answering from an open index: the index in memory (loaded.py), keyword and cue signals
(lexical.py, cues.py), quotations by speaker (speakers.py), the names a question uses
(question_names.py), scoring (scoring.py), which passages may answer and when to decline
(declining.py), and the engine that runs them (engine.py); answers as data (answer.py) and as
text (textview.py), why an answer was given (trace.py), scoring against a question file
(evaluate.py), grouping by meaning (grouping.py)."""

from .answer import Answer, QuotedPassage
from .engine import MAX_QUESTION_CHARS, Engine, clean_question
from .evaluate import Case, EvalReport, contains_gold, evaluate, read_cases
from .followup import FollowupContext, rewrite_followup
from .grouping import SAME_MEANING, group_by_meaning
from .lexical import Bm25
from .loaded import LoadedIndex, load_index
from .scope import Scope, visible_articles
from .scoring import Scores, Weights
from .speakers import SpeakerDirectory
from .textview import NOT_COVERED, RELATED_HEADING, answer_text, attribution_line, bold_by_line, terminal_safe
from .trace import (
    PassageTrace,
    RankedPassage,
    Trace,
    parts_sum,
    question_line,
    ranking_heading,
    ranking_line,
    trace_text,
    verdict_line,
)

__all__ = [
    "MAX_QUESTION_CHARS",
    "NOT_COVERED",
    "RELATED_HEADING",
    "SAME_MEANING",
    "Answer",
    "Bm25",
    "Case",
    "Engine",
    "EvalReport",
    "FollowupContext",
    "LoadedIndex",
    "PassageTrace",
    "QuotedPassage",
    "RankedPassage",
    "Scope",
    "Scores",
    "SpeakerDirectory",
    "Trace",
    "Weights",
    "answer_text",
    "attribution_line",
    "bold_by_line",
    "clean_question",
    "contains_gold",
    "evaluate",
    "group_by_meaning",
    "load_index",
    "parts_sum",
    "question_line",
    "ranking_heading",
    "ranking_line",
    "read_cases",
    "rewrite_followup",
    "terminal_safe",
    "trace_text",
    "verdict_line",
    "visible_articles",
]
