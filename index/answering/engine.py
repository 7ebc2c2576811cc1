"""The answer engine: which passages answer a question, which sentence to highlight, or decline.

The work is done by the modules beside this one: scoring.py scores every sentence and paragraph,
declining.py picks the candidates and decides whether to quote them at all, question_names.py
reads the names a question uses. The engine embeds the questions, runs those steps per question
and quotes the passages.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..embedding import QueryEncoder, model_spec
from ..settings import MAX_ANSWER_K, Settings
from ..store import MODEL_MISMATCH, IndexUnavailable, model_mismatch, read_manifest
from ..text import is_foreign
from .answer import Answer, QuotedPassage
from .declining import NO_CANDIDATE, Candidate, candidates, decline_reason
from .followup import FollowupContext, followup_context, name_runs, rewrite_followup
from .loaded import LoadedIndex, load_index
from .question_model import question_encoder
from .question_names import MAX_CACHED_NAMES, question_names, question_numbers
from .quote_source import IndexQuotes
from .scope import Scope, visible_articles
from .scoring import (
    Scores,
    Weights,
    complete_similarity,
    highlight_span,
    score_question,
    sentence_similarities,
)
from .speakers import SpeakerDirectory, asks_only_about_the_person
from .trace import EMPTY_QUESTION, Trace
from .verdict import VerdictModels, judge, shipped_models

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# At most how often the candidates are chosen again after their similarities were completed: each
# time, the passages that rose into them get theirs. One round settles almost every question; the
# bound only stops a pathological one (each round reads a few dozen vectors).
COMPLETION_ROUNDS = 10


def clean_question(question: str) -> str:
    """Trim, fold whitespace and cap the length; mentions and markdown are plain words here.

    A question without a letter or digit (".", "-", zero-width spaces, control characters) is
    empty: it would be answered with whatever passage lies nearest to nothing. A lone surrogate (a
    byte that was not UTF-8 on the command line, an escape in Discord's JSON) becomes "?": no text
    library downstream accepts one."""
    question = question.encode("utf-8", "replace").decode("utf-8")
    cleaned = " ".join(question.split())[:MAX_QUESTION_CHARS]
    return cleaned if any(ch.isalnum() for ch in cleaned) else ""


def seen_by(index: LoadedIndex, scope: Scope | None) -> Callable[[str], bool] | None:
    """Whether an article id is one that `scope` sees; None for no scope (every article is seen)."""
    if scope is None:
        return None
    articles = index.articles
    return lambda article: article in articles and scope.sees(articles[article])


# Servers whose speaker lists are kept (each repeats the shared articles' speakers: about 2 MB at
# 4,000 speakers); past it the lists are counted again as asked.
MAX_SCOPED_SPEAKER_LISTS = 32


def in_sentence_case(question: str) -> str:
    """A question typed in capitals, as the model reads it best: in sentence case. The model is
    cased and reads "WHO IS THE KREMLIN SPOKESMAN?" as far from its answer. Measured on the 173
    answerable and 44 unanswerable news questions (seed, extra, own, Lee dev and held-out) in
    capitals: Hit@1 153 → 158, wrongly declined 4 → 0. Title case is embedded as typed: lowering it
    gained 2 of those questions but would lose the names of "Elon Musk?" alone."""
    return question.capitalize() if question.isupper() else question


class Engine:
    """Answers questions from a loaded index; safe to call from several threads at once."""

    def __init__(self, index: LoadedIndex, encoder: QueryEncoder, settings: Settings,
                 weights: Weights | None = None, verdicts: VerdictModels | None = None):
        self._serving = (index, self._directory_of(index))
        self.encoder = encoder
        self.settings = settings
        self.weights = weights or Weights()
        self.verdicts = verdicts or shipped_models()
        self._reload_lock = threading.Lock()
        self._name_vector_cache: dict[str, np.ndarray] = {}

    @classmethod
    def open(cls, settings: Settings, encoder: QueryEncoder | None = None) -> Engine:
        """The index of the settings with its question model; IndexUnavailable when it cannot serve,
        or was built with another model than the settings name."""
        index = load_index(settings.index_dir)
        wanted = model_spec(settings)
        if index.model_spec != wanted:
            raise IndexUnavailable(MODEL_MISMATCH, model_mismatch(index.model_spec, wanted))
        return cls(index, encoder or question_encoder(settings, wanted, index.path,
                                                      index.manifest.get("query_model")), settings)

    def warm_up(self) -> None:
        """Load the question model now rather than on the first question, which must be answered in time."""
        self.encoder.encode_queries(["warm up"])

    def reload_if_changed(self) -> bool:
        """Pick up a newly published index; returns True when a new one was loaded."""
        try:
            manifest = read_manifest(self.settings.index_dir.resolve())
        except IndexUnavailable:
            return False
        if manifest.get("built_at") == self.index.manifest.get("built_at") and \
                self.settings.index_dir.resolve() == self.index.path:
            return False
        with self._reload_lock:
            fresh = load_index(self.settings.index_dir)
            if fresh.model_spec != self.index.model_spec:
                raise IndexUnavailable(MODEL_MISMATCH, model_mismatch(fresh.model_spec, self.index.model_spec))
            # One assignment: a question reads the index and its speakers together, never a new
            # index with the old one's speakers.
            self._serving = (fresh, self._directory_of(fresh))
        log.info("loaded new index from %s", fresh.path)
        return True

    @staticmethod
    def _directory_of(index: LoadedIndex) -> SpeakerDirectory:
        return SpeakerDirectory(IndexQuotes(index), index.lowercase_words, index.articles_using)

    @property
    def index(self) -> LoadedIndex:
        return self._serving[0]

    @property
    def speaker_directory(self) -> SpeakerDirectory:
        return self._serving[1]

    # ---- what the index holds ------------------------------------------------------------
    @property
    def index_path(self) -> str:
        """The build directory the engine answers from."""
        return str(self.index.path)

    @property
    def articles(self) -> dict[str, dict[str, Any]]:
        """Each article's metadata (title, publisher, published, url, paragraphs, guild …) by id."""
        return self.index.articles

    def articles_in(self, scope: Scope | None) -> dict[str, dict[str, Any]]:
        """The articles a server sees (all of them for no scope), by id."""
        return visible_articles(self.index.articles, scope)

    def lead_paragraph(self, article: str) -> str:
        """The first paragraph of running text of an article (no caption), or "" for none."""
        return self.index.lead_paragraph(article)

    def speakers(self, scope: Scope | None = None) -> list[dict[str, Any]]:
        """Each speaker with aliases and the number of quotations, most quoted first; counted over
        the articles `scope` sees."""
        if scope is None:
            return self.speaker_directory.speakers()
        index = self.index
        found = index.speakers_by_scope.get(scope)
        if found is None:  # counted once per server and index: /quotes autocompletes on every keystroke
            visible = visible_articles(index.articles, scope)
            found = SpeakerDirectory([q for q in index.quotes if q["article"] in visible],
                                     index.lowercase_words).speakers()
            if len(index.speakers_by_scope) >= MAX_SCOPED_SPEAKER_LISTS:
                index.speakers_by_scope.clear()
            index.speakers_by_scope[scope] = found
        return found

    def quotes_by(self, name: str | None, scope: Scope | None = None) -> list[dict[str, Any]]:
        """Quotations whose speaker or any alias matches `name`, case-folded (all if None), from the
        articles `scope` sees."""
        found = self.speaker_directory.quotes_by(name)
        if scope is None:
            return found
        visible = self.articles_in(scope)
        return [quote for quote in found if quote["article"] in visible]

    # ---- follow-ups ----------------------------------------------------------------------------
    def followup_context(self, question: str, answer: Answer, article: str | None = None,
                         scope: Scope | None = None) -> FollowupContext:
        """What a follow-up to `answer` refers back to (see answering/followup.py); only people
        quoted in articles `scope` sees count as people."""
        index, speakers = self._serving  # one index for both, even if a reload happens meanwhile
        sees = seen_by(index, scope)
        return followup_context(question, answer, article, lambda name: speakers.is_person(name, sees))

    def rewrite_followup(self, followup: str, context: FollowupContext, scope: Scope | None = None) -> str:
        """A follow-up as a question that stands alone: "What else did he say?" → "What else did
        Andrij Melnyk say?"; one that names a person the articles `scope` sees quote is left as it is."""
        index, speakers = self._serving
        sees = seen_by(index, scope)
        names_a_person = any(speakers.is_person(name, sees) for name in name_runs(followup))
        return rewrite_followup(followup, context, names_a_person)

    # ---- answering -------------------------------------------------------------------------
    def answer(self, question: str, k: int | None = None, article: str | None = None,
               scope: Scope | None = None) -> Answer:
        return self.answer_many([question], k=k, article=article, scope=scope)[0]

    def explain(self, question: str, k: int | None = None, article: str | None = None,
                scope: Scope | None = None) -> tuple[Answer, Trace]:
        """The answer, and why: the engine's own scores, ranking and rules for the question."""
        trace = Trace()
        return self.answer_many([question], k=k, article=article, scope=scope, traces=[trace])[0], trace

    def answer_many(self, questions: Sequence[str], k: int | None = None,
                    article: str | None = None, scope: Scope | None = None,
                    traces: Sequence[Trace] | None = None) -> list[Answer]:
        """Answer several questions with one call to the model, quoting only `article` (when given)
        and only articles that `scope` sees (when given); with `traces` (one per question), fill
        each with why its question was answered or declined."""
        if traces is not None and len(traces) != len(questions):
            raise ValueError(f"{len(traces)} traces for {len(questions)} questions")
        if k is not None and not 1 <= k <= MAX_ANSWER_K:
            raise ValueError(f"cannot quote {k} passages: ask for 1 to {MAX_ANSWER_K}")
        k = k or self.settings.answer_k
        cleaned = [clean_question(q) for q in questions]
        index, speakers = self._serving  # one index for the whole call, even if a reload happens meanwhile
        if article is not None and (article not in index.articles
                                    or (scope is not None and not scope.sees(index.articles[article]))):
            raise KeyError(f"no article {article!r}")
        visible = None if scope is None else scope.sees_rows(index.article_owner)
        # Keywords, names and answer types are read in the articles' language; a question in another
        # one is answered on the multilingual model's similarity alone.
        foreign = {q for q in cleaned if q and is_foreign(q, index.language)}
        # A question naming a speaker is embedded the way the story puts it once that person is
        # introduced ("Why does he think …"): the name itself is matched by BM25 and the speaker
        # boost, so the dense side matches what is said. Measured: 48/52 Hit@1 against 47 for
        # embedding both forms for ranking, and one model input for most questions instead of two.
        # Only a person this server's articles quote is re-worded: another server's must not show
        # through (in the question embedded, or in --explain).
        sees = seen_by(index, scope)
        reworded = {q: None if q in foreign else speakers.pronoun_question(q, sees) for q in cleaned if q}
        embedded = {q: in_sentence_case(r or q) for q, r in reworded.items()}
        # A re-worded question that asks only about its person ("What did he say?") is near no
        # sentence: embedded as typed too, for the relevance rule and the verdict (docs/method.md).
        as_typed = {q: in_sentence_case(q) for q, r in reworded.items() if r and asks_only_about_the_person(r)}
        texts = [*embedded.values(), *as_typed.values()]
        vectors = self.encoder.encode_queries(texts) if texts else np.zeros((0, 0), np.float32)
        vector_of = dict(zip(reworded, vectors[:len(embedded)], strict=True))
        typed_vector_of = dict(zip(as_typed, vectors[len(embedded):], strict=True))
        names_of = {q: [] if q in foreign else question_names(q) for q in reworded}
        # A question that names something other than a speaker is checked against its names alone.
        checked_names = {q: [] if reworded[q] else names for q, names in names_of.items()}
        name_vector = self._embed_names([n for names in checked_names.values() for n in names])
        answers = []
        for number, question in enumerate(cleaned):
            trace = traces[number] if traces is not None else None
            if not question:
                if trace is not None:
                    trace.declined_by = EMPTY_QUESTION
                answers.append(Answer(question, False))
                continue
            checked = checked_names[question]
            name_vectors = np.vstack([name_vector[n] for n in checked]) if checked else None
            if trace is not None:
                trace.asked(question, embedded[question], question not in foreign, names_of[question])
            answers.append(self._answer_one(index, speakers, question, vector_of[question], names_of[question],
                                            question_numbers(question), name_vectors, k, article,
                                            question not in foreign, trace, visible, typed_vector_of.get(question)))
        return answers

    def _embed_names(self, names: list[str]) -> dict[str, np.ndarray]:
        """A vector for each name; names recur in a discussion, so each is embedded once (the ones
        not seen before all in one call) and then kept."""
        cache = self._name_vector_cache
        found = {n: cache[n] for n in names if n in cache}
        missing = [n for n in dict.fromkeys(names) if n not in found]
        if missing:
            fresh = dict(zip(missing, self.encoder.encode_queries(missing), strict=True))
            if len(cache) + len(fresh) > MAX_CACHED_NAMES:
                cache.clear()  # a bound for a bot that runs for months
            cache.update(fresh)
            found.update(fresh)
        return found

    def _answer_one(self, index: LoadedIndex, speakers: SpeakerDirectory, question: str, vector: np.ndarray,
                    names: list[str], years: list[str], name_vectors: np.ndarray | None, k: int,
                    article: str | None, lexical: bool, trace: Trace | None = None,
                    visible: np.ndarray | None = None, typed_vector: np.ndarray | None = None) -> Answer:
        scores = score_question(index, speakers, question, vector, self.weights, article, lexical, visible)
        if scores is None:  # an index without sentences
            if trace is not None:
                trace.declined_by = NO_CANDIDATE
            return Answer(question, False)
        # A number is checked like a name (its article must write it, and so must the quoted paragraph),
        # but it is no name to embed or weigh. Which articles mention them is kept for every choice.
        choose = functools.partial(candidates, index, scores, names + years, numbers=years, names_ok={})
        chosen = choose()
        for _ in range(COMPLETION_ROUNDS):
            scored_rows = [row for candidate in chosen for row in candidate.scored_rows]
            if not complete_similarity(index, scores, scored_rows, vector, self.weights):
                break
            chosen = choose()
        if trace is not None:  # the skips of the final choice only
            chosen = choose(trace=trace)
        # A re-worded question is near no sentence as embedded. Its relevance is read as typed too,
        # for the relevance rule and the verdict, but only from passages that quote the person it
        # names: "What is the capital of Australia?" must not pass on a surname that the speaker
        # "Nutrition Australia" lent it.
        as_typed: dict[int, float] = {}
        if typed_vector is not None:
            sentences = [index.sentence_rows_of[c.row] for c in chosen]
            quoting = [c.row for c, rows in zip(chosen, sentences, strict=True)
                       if scores.speaker[rows.start:rows.stop].max(initial=0) > 0]
            as_typed = sentence_similarities(index, quoting, typed_vector, self.weights)
        declined = decline_reason(index, scores, chosen, vector, name_vectors, self.settings.min_relevance, lexical,
                                  trace, max(as_typed.values()) if as_typed else None)
        if trace is not None:
            trace.decided(index, scores, self.weights, chosen, k, declined)
        if declined:
            return Answer(question, False)
        passages = [self._quote(index, speakers, scores, candidate) for candidate in chosen]
        judged = judge(index, scores, question, chosen, names, lexical, self.verdicts,
                       as_typed.get(scores.best_sentence(index, chosen[0].row)))
        if trace is not None:
            trace.judged(judged.verdict, judged.confidence, judged.threshold,
                         judged.evidence.as_dict() if judged.evidence else {})
        return Answer(question, True, tuple(passages[:k]), tuple(passages[k:k + 3 * k]), judged.verdict,
                      judged.confidence, judged.evidence)

    @staticmethod
    def _quote(index: LoadedIndex, speakers: SpeakerDirectory, scores: Scores, candidate: Candidate
               ) -> QuotedPassage:
        paragraph = index.paragraphs[candidate.row]
        best = scores.highlighted_sentence(index, candidate.row)
        focus = (int(index.sentence_start[best]), int(index.sentence_end[best]))
        article = index.articles[paragraph["article"]]
        highlight = highlight_span(index, best)
        offset = paragraph["start"]  # the quotations' offsets are the article's
        speaker = speakers.speaker_of_highlight(paragraph["article"], paragraph["number"],
                                                (offset + focus[0], offset + focus[1]),
                                                (offset + highlight[0], offset + highlight[1]))
        return QuotedPassage(
            article=paragraph["article"],
            title=article.get("title"),
            paragraph=paragraph["number"],
            text=paragraph["text"],
            highlights=(highlight,),
            score=candidate.score,
            paragraph_kind=paragraph["kind"],
            speaker=speaker,
            url=article.get("url"),
            focus=focus,
        )
