"""The answer engine: which passages answer a question, which sentence to highlight, or decline.

Scores from the dense model (sentences, paragraphs, and sentences with the one before
them) and from BM25 (sentences and paragraphs) are fused per sentence, then per paragraph;
question-type cues and named speakers add small, bounded boosts.
"""

from __future__ import annotations

import difflib
import itertools
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..embedding.encoders import QueryEncoder, model_spec, question_encoder
from ..settings import MAX_ANSWER_K, Settings
from ..store.manifest import MODEL_MISMATCH, IndexUnavailable, model_mismatch, read_manifest
from ..text.language import is_foreign
from ..text.passages import CAPTION
from .answer import Answer, QuotedPassage
from .cues import CUE_WEIGHTS, question_kind
from .loaded import WORD, LoadedIndex, load_index
from .speakers import SpeakerDirectory

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# A question in another language than the articles' is less similar to its answer: the relevance
# it needs is this much lower. Measured on tests/fixtures/translated_dev_qa.jsonl (the seed and own
# questions in six languages): at 0.24 - 0.12 the answerable ones are declined 7 to 15 of 312 times
# and the off-topic ones 48 to 71 of 84 times (4 and 72 articles); at 0.24 it would be 109 to 121.
CROSS_LINGUAL_DISCOUNT = 0.12
# Paragraphs looked at, best first, when skipping those of articles that lack a question's names.
_MAX_CONSIDERED = 200
_MAX_CACHED_NAMES = 10_000


@dataclass(frozen=True)
class Weights:
    """How the signals are fused. Chosen by measurement (see bench/quality and README)."""

    context: float = 0.9  # a context unit counts a little less than the sentence alone
    sentence_bm25: float = 0.25
    paragraph_dense: float = 0.3
    paragraph_bm25: float = 0.15
    cue: float = 1.5  # scales cues.CUE_WEIGHTS; 1.3 to 1.6 is one plateau over 102 questions
    speaker: float = 0.1
    novelty: float = 0.1  # sentences that say more than the question's own words
    caption: float = 0.1  # a caption restates the body; the body carries the detail
    named_article: float = 0.2  # paragraphs of an article that mentions the names a question uses
    # Paragraphs of an article whose whole text matches the question's keywords: among hundreds of
    # articles, the one about the question's subject. 0.15 to 0.25 is one plateau (see README).
    article_bm25: float = 0.2
    candidates: int = 1000


class Engine:
    """Answers questions from a loaded index; safe to call from several threads at once."""

    def __init__(self, index: LoadedIndex, encoder: QueryEncoder, settings: Settings,
                 weights: Weights | None = None):
        self.index = index
        self.encoder = encoder
        self.settings = settings
        self.weights = weights or Weights()
        self.speakers = SpeakerDirectory(index.quotes, index.lowercase_words)
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
            self.index, self.speakers = fresh, SpeakerDirectory(fresh.quotes, fresh.lowercase_words)
        log.info("loaded new index from %s", fresh.path)
        return True

    def answer(self, question: str, k: int | None = None, article: str | None = None) -> Answer:
        return self.answer_many([question], k=k, article=article)[0]

    def answer_many(self, questions: Sequence[str], k: int | None = None,
                    article: str | None = None) -> list[Answer]:
        """Answer several questions with one call to the model."""
        if k is not None and not 1 <= k <= MAX_ANSWER_K:
            raise ValueError(f"cannot quote {k} passages: ask for 1 to {MAX_ANSWER_K}")
        k = k or self.settings.answer_k
        cleaned = [clean_question(q) for q in questions]
        index = self.index  # one index for the whole call, even if a reload happens meanwhile
        if article is not None and article not in index.articles:
            raise KeyError(f"no article {article!r}")
        # Keywords, names and answer types are read in the articles' language; a question in another
        # one is answered on the multilingual model's similarity alone.
        foreign = {q for q in cleaned if q and is_foreign(q, index.language)}
        # A question naming a speaker is embedded the way the story puts it once that person is
        # introduced ("Why does he think …"): the name itself is matched by BM25 and the speaker
        # boost, so the dense side matches what is said. Measured: 48/52 Hit@1 against 47 for
        # embedding both forms, and one model input per question instead of two.
        reworded = {q: None if q in foreign else self.speakers.pronoun_question(q) for q in cleaned if q}
        vectors = iter(self.encoder.encode_queries([r or q for q, r in reworded.items()]) if reworded else ())
        vector_of = dict(zip(reworded, vectors, strict=True))
        # A question that names something other than a speaker is checked against its names.
        names_of = {q: [] if r or q in foreign else [n.casefold() for n in written_names(q)]
                    for q, r in reworded.items()}
        name_vector = self._embed_names([n for names in names_of.values() for n in names])
        answers = []
        for question in cleaned:
            if not question:
                answers.append(Answer(question, False))
                continue
            names = names_of[question]
            name_vectors = np.vstack([name_vector[n] for n in names]) if names else None
            answers.append(self._answer_one(index, question, vector_of[question], name_vectors, k, article,
                                            lexical=question not in foreign))
        return answers

    def _embed_names(self, names: list[str]) -> dict[str, np.ndarray]:
        """A vector for each name; names recur in a discussion, so each is embedded once (the ones
        not seen before all in one call) and then kept."""
        cache = self._name_vector_cache
        found = {n: cache[n] for n in names if n in cache}
        missing = [n for n in dict.fromkeys(names) if n not in found]
        if missing:
            fresh = dict(zip(missing, self.encoder.encode_queries(missing), strict=True))
            if len(cache) + len(fresh) > _MAX_CACHED_NAMES:
                cache.clear()  # a bound for a bot that runs for months
            cache.update(fresh)
            found.update(fresh)
        return found

    def _answer_one(self, index: LoadedIndex, question: str, vector: np.ndarray,
                    name_vectors: np.ndarray | None, k: int, article: str | None, lexical: bool = True) -> Answer:
        scored = score_question(index, self.speakers, question, vector, self.weights, article, lexical)
        if scored is None:
            return Answer(question, False)
        rows = self._candidate_rows(index, scored, question_names(question) if lexical else [])
        relevance = max((scored.dense[s] for row in rows for s in index.sentence_rows_of[row]), default=0.0)
        threshold = self.settings.min_relevance - (0.0 if lexical else CROSS_LINGUAL_DISCOUNT)
        if not rows or relevance < threshold:
            return Answer(question, False)
        if name_vectors is not None and _matches_only_the_names(index, scored, rows[0], vector, name_vectors):
            return Answer(question, False)
        passages = [self._quote(index, scored, row) for row in rows]
        return Answer(question, True, tuple(passages[:k]), tuple(passages[k:k + 3 * k]))

    def _candidate_rows(self, index: LoadedIndex, scored: Scored, names: list[str]) -> list[int]:
        """The best paragraphs, best first: at most 12, none from an article that never names
        what the question names ("What did Musk say about Mars?"), a caption replaced by the body
        paragraph that it restates."""
        order = np.argsort(-scored.paragraph, kind="stable")
        names_ok: dict[str, bool] = {}
        chosen: list[int] = []
        for row in order[:_MAX_CONSIDERED]:
            if scored.paragraph[row] <= 0 or len(chosen) >= 12:
                break
            paragraph = index.paragraphs[row]
            article = paragraph["article"]
            if names and article not in names_ok:
                names_ok[article] = not absent_names(index, names, {article})
            if names and not names_ok[article]:
                continue
            if paragraph["kind"] == CAPTION and paragraph.get("restates") is not None:
                # Quote the body paragraph that the caption restates instead of the caption.
                body_row = index.paragraph_row[(article, paragraph["restates"])]
                scored.paragraph[body_row] = max(scored.paragraph[body_row], scored.paragraph[row])
                row = body_row
            if row not in chosen:
                chosen.append(int(row))
        return chosen

    def _quote(self, index: LoadedIndex, scored: Scored, row: int) -> QuotedPassage:
        paragraph = index.paragraphs[row]
        best = scored.best_sentence(index, row)
        sentence = index.sentences[best]
        article = index.articles[paragraph["article"]]
        speaker = self.speakers.speaker_at(paragraph["article"], paragraph["number"],
                                           paragraph["start"] + sentence.start,
                                           paragraph["start"] + sentence.end)
        return QuotedPassage(
            article=paragraph["article"],
            title=article.get("title"),
            paragraph=paragraph["number"],
            text=paragraph["text"],
            highlights=(highlight_span(index, best),),
            score=float(scored.paragraph[row]),
            kind=paragraph["kind"],
            speaker=speaker,
            url=article.get("url"),
        )


_PLURAL_OR_POSSESSIVE = re.compile(r"(['’]s|s)$")

# A sentence that opens by pointing back ("This hypothesis is called the Cobham–Edmonds thesis.",
# "But a storm dispersed the fleet.") goes on from the one before it, and often says what a
# question about that one asks.
_GOES_ON = re.compile(r"^\W*(it|its|this|these|that|those|they|their|he|his|she|her|but|however|so|thus|"
                      r"there|such|the latter)\b", re.IGNORECASE)


def highlight_span(index: LoadedIndex, sentence_row: int) -> tuple[int, int]:
    """The highlighted part of a paragraph: its best sentence, and the next one too when that one
    goes on from it. Measured: Highlight@1 on SQuAD 383 → 398 of 473, +1 on each of the own,
    paraphrase and both Lee sets; 16% of SQuAD's and 11% of the news answers get two sentences."""
    sentence = index.sentences[sentence_row]
    following = sentence_row + 1
    if following < len(index.sentences) and index.sentences[following].paragraph == sentence.paragraph \
            and _GOES_ON.match(index.sentences[following].text):
        return sentence.start, index.sentences[following].end
    return sentence.start, sentence.end


def question_names(question: str) -> list[str]:
    """Capitalised words after the first, case-folded: the names a question uses. A question in
    capitals or title case carries no such signal and gives none."""
    words = WORD.findall(question)[1:]
    capitalised = [w for w in words if len(w) > 1 and w[0].isupper()]
    if not capitalised or len(capitalised) * 2 > len(words) or question.isupper():
        return []
    return [w.casefold() for w in capitalised]


def written_names(question: str) -> list[str]:
    """The question's names as written ("Dmitry Peskov's"), for embedding."""
    names = set(question_names(question))
    return [w for w in WORD.findall(question)[1:] if w.casefold() in names]


# How much closer the question as a whole must be to the answer sentence than to the closest of
# its names alone. Over the development questions that name something other than a speaker, on
# 4, 62 and 357 articles, 14 fell below -0.05: 10 unanswerable ("What is the capital of France?"
# → "Today, the United States will play France.", -0.123), 3 about stories not in that index, and
# one answered from the wrong story first ("How was Kallis dismissed?", -0.056). Every first
# passage that answered scored above -0.05.
NAME_ONLY_MARGIN = 0.05


def _matches_only_the_names(index: LoadedIndex, scored: Scored, row: int, question_vector: np.ndarray,
                            name_vectors: np.ndarray) -> bool:
    """Whether the first passage's best sentence is as close to one of the question's names alone
    as to the question: it shares a name with the question and nothing of what is asked about it."""
    units = index.sentence_units[scored.best_sentence(index, row)]
    if not units:
        return False
    vectors = index.vectors.vectors_of(units)
    closer_to_a_name = float(np.max(vectors @ name_vectors.T)) - float(np.max(vectors @ question_vector))
    return index.similarity.scale(closer_to_a_name) > NAME_ONLY_MARGIN


def _mentions(vocabulary: frozenset[str] | set[str], name: str) -> bool:
    return name in vocabulary or _PLURAL_OR_POSSESSIVE.sub("", name) in vocabulary


def absent_names(index: LoadedIndex, names: list[str], articles: set[str]) -> list[str]:
    """Those of a question's `names` that none of `articles` mention.

    An article cannot answer a question about something it never names ("What did Musk say
    about Mars?"). Spelling variants pass through a fuzzy match."""
    if not names:
        return []
    vocabularies = [index.article_words.get(a, frozenset()) for a in articles]
    vocabulary = vocabularies[0] if len(vocabularies) == 1 else frozenset().union(*vocabularies)
    # Scraped text runs names together ("BedeHarris"): a pair written as one word is mentioned.
    joined = {name for first, second in itertools.pairwise(names)
              if _mentions(vocabulary, first + second) for name in (first, second)}
    return [
        name for name in names
        if name not in joined and not _mentions(vocabulary, name)
        and vocabulary.isdisjoint(spelling_variants(index, name))
    ]


def spelling_variants(index: LoadedIndex, name: str) -> frozenset[str]:
    """Words of the whole index spelt like `name` (difflib ratio ≥ 0.8, same first letter):
    "Zelenskyy" for "Zelensky". Found once per name and index, not once per article: among
    hundreds of articles that cost up to 40 ms a question."""
    variants = index.spelling_variants.get(name)
    if variants is None:
        candidates = index.words_by_initial.get(name[:1], [])
        variants = frozenset(difflib.get_close_matches(name, candidates, n=len(candidates) or 1, cutoff=0.8))
        if len(index.spelling_variants) >= _MAX_CACHED_NAMES:
            index.spelling_variants.clear()  # a bound for a bot that runs for months
        index.spelling_variants[name] = variants
    return variants


def named_article_share(index: LoadedIndex, question: str) -> np.ndarray:
    """Per paragraph, the share of the question's names that its article mentions (0 when the
    question names nothing): a question about Peskov is about an article that names Peskov."""
    names = question_names(question)
    if not names or len(index.articles) < 2:
        return np.zeros(len(index.paragraphs), np.float32)
    share = np.zeros(len(index.article_ids), np.float32)
    for name in names:
        mentioning = np.zeros(len(index.article_ids), bool)
        for form in {name, _PLURAL_OR_POSSESSIVE.sub("", name)}:
            rows = index.articles_with_word.get(form)
            if rows is not None:
                mentioning[rows] = True
        share += mentioning
    return (share / len(names))[index.article_row_of_paragraph]


def clean_question(question: str) -> str:
    """Trim, fold whitespace and cap the length; mentions and markdown are plain words here.

    A question without a letter or digit (".", "-", zero-width spaces, control characters) is
    empty: it would be answered with whatever passage lies nearest to nothing."""
    cleaned = " ".join(question.split())[:MAX_QUESTION_CHARS]
    return cleaned if any(ch.isalnum() for ch in cleaned) else ""


@dataclass
class Scored:
    sentence: np.ndarray
    paragraph: np.ndarray
    dense: np.ndarray  # per sentence: the model's similarity alone, which sets relevance

    def best_sentence(self, index: LoadedIndex, row: int) -> int:
        """The paragraph's highest-scoring sentence: the one highlighted."""
        return max(index.sentence_rows_of[row], key=lambda s: self.sentence[s])


def score_question(index: LoadedIndex, speakers: SpeakerDirectory, question: str, vector: np.ndarray,
                   weights: Weights, article: str | None = None, lexical: bool = True) -> Scored | None:
    """Every sentence's and paragraph's score for a question. With `lexical` False (a question in
    another language than the articles') only the model's similarity and the speakers it names
    count: keywords, answer types and names are read in the articles' language."""
    if not index.sentences:
        return None
    sims, ids = index.vectors.search(vector[None, :], weights.candidates)
    sims, ids = sims[0], ids[0]
    keep = ids >= 0
    # On one scale for every model, so the weights below and the relevance threshold hold.
    sims, ids = index.similarity.calibrate(sims[keep]).astype(np.float32), ids[keep]
    n_sentences, n_paragraphs = len(index.sentences), len(index.paragraphs)

    # Texts beyond the candidates count as the least similar of them (calibrated scores go below 0).
    floor = float(min(sims.min(), 0.0)) if sims.size else 0.0
    dense_sentence = np.full(n_sentences, floor, np.float32)
    dense_paragraph = np.full(n_paragraphs, floor, np.float32)
    kinds = index.unit_kind[ids]
    weighted = np.where(kinds >= 2, sims * weights.context, sims).astype(np.float32)
    sentence_ids = index.unit_sentence[ids]
    on_sentence = sentence_ids >= 0
    np.maximum.at(dense_sentence, sentence_ids[on_sentence], weighted[on_sentence])
    np.maximum.at(dense_paragraph, index.unit_paragraph[ids], weighted)

    terms = index.sentence_bm25.query_terms(question) if lexical else []
    sentence_bm25 = _normalised(index.sentence_bm25.scores(question, terms))
    paragraph_bm25 = _normalised(index.paragraph_bm25.scores(question, terms))
    article_bm25 = _normalised(index.article_bm25.scores(question, terms))

    kind = question_kind(question) if lexical else None
    cue = CUE_WEIGHTS[kind] * index.cue_mask(kind) if kind else 0.0
    speaker_boost = speakers.boost_for(question, index)
    # An answer adds something to the question; a short sentence that only echoes it does not.
    novelty = index.novelty(set(index.sentence_bm25.terms(question)), NOVELTY_SATURATION) if lexical else 0.0
    named = named_article_share(index, question) if lexical else 0.0

    sentence_score = (dense_sentence + weights.sentence_bm25 * sentence_bm25 + weights.cue * cue
                      + weights.speaker * speaker_boost + weights.novelty * novelty)
    paragraph_of_sentence = index.paragraph_of_sentence
    best_sentence = np.full(n_paragraphs, -np.inf, np.float32)
    np.maximum.at(best_sentence, paragraph_of_sentence, sentence_score)
    paragraph_score = (best_sentence + weights.paragraph_dense * dense_paragraph
                       + weights.paragraph_bm25 * paragraph_bm25 - weights.caption * index.caption_mask
                       + weights.named_article * named
                       + weights.article_bm25 * article_bm25[index.article_row_of_paragraph])
    if article is not None:
        paragraph_score[index.article_of_paragraph != article] = -np.inf
    return Scored(sentence_score, paragraph_score, dense_sentence)


NOVELTY_SATURATION = 6


def _normalised(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores
