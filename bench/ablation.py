"""The answer engine rule by rule (issue #12, item 4): each weight, rule and word-list entry switched
off (or halved and doubled) one at a time, against the baseline of the same run. docs/ablation.md
holds the results and the rules deleted for them.

    python bench/ablation.py [--only PATTERN ...] [--set NAME ...] [--quick] [--json OUT.json] [--list]
    python bench/ablation.py --report RUN.json

Sets (the held-out files lee_heldout2_qa.jsonl, lee_heldout3_qa.jsonl, multilingual_qa.jsonl and
multilingual_heldout2_qa.jsonl are never read):
- SQuAD: shared/eval/squad2/dev_qa.jsonl (473 answerable of 950) on its 3 articles; a passage
  counts only inside the case's paragraph (index/answering/evaluate.py).
- own 102: shared/eval/seed_qa.jsonl + own_qa.jsonl + seed_extra_qa.jsonl on corpus/ and
  tests/fixtures/articles (4 articles); "own less seed" is the same without the seed's questions.
- Lee 71: lee_qa.jsonl + lee_heldout_qa.jsonl on those 4 and the 68 stories of tests/fixtures/lee;
  seed@72 is the seed file on the same 72 articles.
- translated: translated_dev_qa.jsonl (seed and own questions in six languages) on the 4 articles,
  also reported per language.
Each switch gets a verdict on the large sets together (SQuAD, own less seed, Lee 71): see verdict().

Each corpus is built once in a temporary folder, with the default model. A variant that changes only
how questions are answered reuses that index; one that changes how an index is read opens it again,
and one that changes what is indexed rebuilds it (embedding only texts never embedded before in this
run). Rules are switched off from here, by patching module attributes; index/ is left as it is. A
patch of a regular expression or word list fails loudly once index/ no longer holds what it removes.
bench/rule_tests.py uses the same switches as mutants of the tests.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import json
import math
import re
import shutil
import sys
import tempfile
import time
import types
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.answering import cues, declining, lexical, loaded, question_names, scoring  # noqa: E402
from index.answering import engine as engine_module  # noqa: E402
from index.answering import speakers as speakers_module  # noqa: E402
from index.answering.engine import Engine  # noqa: E402
from index.answering.evaluate import Case, read_cases  # noqa: E402
from index.answering.lexical import Bm25  # noqa: E402
from index.answering.loaded import LoadedIndex, load_index  # noqa: E402
from index.answering.scoring import Weights  # noqa: E402
from index.answering.speakers import SpeakerDirectory  # noqa: E402
from index.attribution import names  # noqa: E402
from index.attribution import quotations as attribution  # noqa: E402
from index.building import build, units  # noqa: E402
from index.corpus import load_corpus  # noqa: E402
from index.embedding import PassageEncoder, passage_encoder  # noqa: E402
from index.kinds import CONTEXT, ENTITY, PARAGRAPH  # noqa: E402
from index.settings import Settings  # noqa: E402
from index.text import passages  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
EVAL = ROOT.parent / "shared" / "eval"
SQUAD = EVAL / "squad2"

# ---- corpora and question sets ------------------------------------------------------------------

NEWS4 = [*sorted((ROOT / "corpus").iterdir()), *sorted((FIXTURES / "articles").iterdir())]
CORPORA: dict[str, list[Path]] = {
    "squad": sorted((SQUAD / "corpus").iterdir()),
    "news4": NEWS4,
    "news72": [*NEWS4, *sorted((FIXTURES / "lee").glob("lee-bg-*.txt"))],  # not the folder's README
}
# Set name → (corpus, question files). The first four are the table's columns.
SETS: dict[str, tuple[str, list[Path]]] = {
    "SQuAD": ("squad", [SQUAD / "dev_qa.jsonl"]),
    "own 102": ("news4", [EVAL / "seed_qa.jsonl", FIXTURES / "own_qa.jsonl", FIXTURES / "seed_extra_qa.jsonl"]),
    "Lee 71": ("news72", [FIXTURES / "lee_qa.jsonl", FIXTURES / "lee_heldout_qa.jsonl"]),
    "seed@72": ("news72", [EVAL / "seed_qa.jsonl"]),
    "translated": ("news4", [FIXTURES / "translated_dev_qa.jsonl"]),
}
LANGUAGES = ("de", "ru", "uk", "fr", "es", "pl")
# own 102 without the seed's questions: a rule that pays only on the seed does not pay.
OWN_LESS_SEED = "own less seed"
SEED_IDS = frozenset(c.id for c in read_cases(EVAL / "seed_qa.jsonl"))

# ---- switches -------------------------------------------------------------------------------------

ENGINE, LOAD, BUILD = "engine", "load", "build"  # what a variant needs anew: nothing, the open index, a build
NEVER = re.compile(r"(?!)")


@dataclass(frozen=True)
class Variant:
    name: str
    what: str  # one short line: what is switched off, and how
    stage: str = ENGINE
    patches: Callable[[], list[AbstractContextManager]] = list
    weights: Weights = field(default_factory=Weights)
    min_relevance: float | None = None
    prepare: Callable[[LoadedIndex], None] | None = None  # applied to a freshly opened index
    attribution: bool = False  # count the quotations and speakers it changes on the 72 articles


def patch(target: Any, attribute: str, value: Any) -> Callable[[], list[AbstractContextManager]]:
    return lambda: [mock.patch.object(target, attribute, value)]


def without(pattern: re.Pattern[str], part: str, instead: str = "") -> re.Pattern[str]:
    """`pattern` with `part` of its source replaced by `instead`."""
    if part not in pattern.pattern:
        raise SystemExit(f"bench/ablation.py is out of date: {part!r} is no longer in {pattern.pattern!r}")
    return re.compile(pattern.pattern.replace(part, instead), pattern.flags)


def less(words: frozenset[str] | set[str], removed: frozenset[str] | set[str]) -> frozenset[str] | set[str]:
    """A word list without `removed`, all of which it must hold."""
    if not removed <= words:
        raise SystemExit(f"bench/ablation.py is out of date: {sorted(removed - words)} no longer in the list")
    return words - removed


def units_without(kind: str) -> Callable[[], list[AbstractContextManager]]:
    original = units.make_units
    return patch(build, "make_units",
                 lambda *args, **kwargs: [u for u in original(*args, **kwargs) if u.unit_kind != kind])


def question_kind_by_rank(question: str) -> cues.QuestionKind | None:
    """cues.kind_of_question without its position rule: the earlier kind in _QUESTION_KINDS wins."""
    return next((kind for kind, pattern in cues._QUESTION_KINDS if pattern.search(question)), None)


def no_restates(index: LoadedIndex) -> None:
    index.paragraph_restates = np.full(len(index.paragraphs), -1, np.int32)


def no_person_term(index: LoadedIndex) -> None:
    index.sentence_bm25 = Bm25([s.text for s in index.sentences])


# Weights also measured halved and doubled (besides off).
WEIGHTS_MEASURED = ("widened_sentence", "sentence_bm25", "paragraph_dense", "paragraph_bm25", "cue", "speaker",
                    "novelty", "caption", "article_bm25")
QUANTITY_ONE = r"(?<!\bno )\bone\b(?! of\b)"


def weight_variants() -> list[Variant]:
    base = Weights()
    found: list[Variant] = []
    for weight in (f.name for f in dataclasses.fields(Weights) if f.name != "candidates"):
        value = getattr(base, weight)
        changed = [(0.0, "off")] + [(1.0, "widened units count fully")] * (weight == "widened_sentence")
        if weight in WEIGHTS_MEASURED:
            changed += [(value / 2, "half"), (value * 2, "double")]
        found += [Variant(f"w.{weight}={new:g}", f"Weights.{weight} {value} → {new:g} ({label})",
                          weights=dataclasses.replace(base, **{weight: new})) for new, label in changed]
    return found


def answering_variants() -> list[Variant]:
    """Rules applied when a question is answered: the built index is reused."""
    return [
        Variant("speaker-rewording", "SpeakerDirectory.pronoun_question → None: questions embedded as asked "
                "(their names then also face the name-only check)",
                patches=patch(SpeakerDirectory, "pronoun_question", lambda self, question: None)),
        Variant("surname-reach", "speakers.SURNAME_REACH → inf: a speaker's surname alone always stands for them, "
                "however many articles use the word",
                patches=patch(speakers_module, "SURNAME_REACH", math.inf)),
        Variant("number-in-paragraph", "declining.NUMBERS_IN_PARAGRAPH → False: a question's numbers need only be "
                "written somewhere in the quoted passage's article",
                patches=patch(declining, "NUMBERS_IN_PARAGRAPH", False)),
        Variant("similarity-completion", "engine.COMPLETION_ROUNDS → 0: a chosen passage outside the search's "
                "candidates keeps the floor similarity", patches=patch(engine_module, "COMPLETION_ROUNDS", 0)),
        Variant("name-routing", "declining.absent_names → []: articles lacking a question's names are quoted",
                patches=patch(declining, "absent_names", lambda index, names, articles: [])),
        Variant("number-routing", "engine.question_numbers → []: articles lacking a question's numbers are quoted",
                patches=patch(engine_module, "question_numbers", lambda question: [])),
        Variant("spelling-variants", "question_names.spelling_variants → frozenset(): a name must be spelt as "
                "the article does",
                patches=patch(question_names, "spelling_variants", lambda index, name: frozenset())),
        Variant("run-together-names", "absent_names' `joined` set empty: no pair of names read as one word",
                patches=patch(question_names, "itertools", types.SimpleNamespace(pairwise=lambda names: iter(())))),
        Variant("name-only-declining", "declining.NAME_ONLY_MARGIN → inf",
                patches=patch(declining, "NAME_ONLY_MARGIN", math.inf)),
        Variant("min-relevance=0", "settings min_relevance 0.24 → 0 (calibrated scores still go below 0)",
                min_relevance=0.0),
        Variant("no-relevance-threshold", "settings min_relevance → -inf: nothing declined for low relevance",
                min_relevance=-math.inf),
        Variant("cross-lingual-discount", "declining.CROSS_LINGUAL_DISCOUNT 0.12 → 0",
                patches=patch(declining, "CROSS_LINGUAL_DISCOUNT", 0.0)),
        Variant("question-words", "lexical.QUESTION_WORDS → frozenset(): question words, auxiliaries and "
                "pronouns are BM25 terms", patches=patch(lexical, "QUESTION_WORDS", frozenset())),
        Variant("caption-redirect", "every paragraph's \"restates\" → None: a caption is quoted as itself",
                stage=LOAD, prepare=no_restates),
        Variant("continuation-highlight", "scoring._GOES_ON never matches: a sentence that opens by pointing "
                "back is not highlighted with the best one", patches=patch(scoring, "_GOES_ON", NEVER)),
        Variant("highlight-kind", "scoring.HIGHLIGHT_KIND_REACH → 0: the highlight is the best-scoring sentence "
                "even when a close one states the number, time, amount of time or place asked for",
                patches=patch(scoring, "HIGHLIGHT_KIND_REACH", 0.0)),
        Variant("antecedent-highlight", "scoring.HIGHLIGHT_ANTECEDENT → False: a best sentence that opens by "
                "pointing back is highlighted without the one before it",
                patches=patch(scoring, "HIGHLIGHT_ANTECEDENT", False)),
        Variant("early-back-reference", "scoring._POINTS_BACK never matches: a sentence that points back a few "
                "words in, or gives an example, is not highlighted with the best one",
                patches=patch(scoring, "_POINTS_BACK", NEVER)),
        Variant("novelty-saturation=3", "scoring.NOVELTY_SATURATION 6 → 3",
                patches=patch(scoring, "NOVELTY_SATURATION", 3)),
        Variant("novelty-saturation=12", "scoring.NOVELTY_SATURATION 6 → 12",
                patches=patch(scoring, "NOVELTY_SATURATION", 12)),
        *(Variant(f"cue.{kind}=0", f"cues.CUE_WEIGHTS[{kind!r}] {weight} → 0",
                  patches=lambda kind=kind: [mock.patch.dict(cues.CUE_WEIGHTS, {kind: 0.0})])
          for kind, weight in cues.CUE_WEIGHTS.items()),
        Variant("first-question-word", "scoring.kind_of_question → by the order of cues._QUESTION_KINDS, not by "
                "which question word comes first",
                patches=patch(scoring, "kind_of_question", question_kind_by_rank)),
        Variant("one-of/no-one", "cues._QUANTITY counts every \"one\" (\"one of\", \"no one\" too)",
                patches=lambda: [mock.patch.object(cues, "_QUANTITY",
                                                   without(cues._QUANTITY, QUANTITY_ONE, r"\bone\b"))]),
        Variant("foreign-path", "engine.is_foreign → False: every question read as English",
                patches=patch(engine_module, "is_foreign", lambda question, language: False)),
        # Read when an index is opened.
        Variant("paragraph-bm25-previous", "loaded._with_previous → the paragraph alone",
                stage=LOAD, patches=patch(loaded, "_with_previous", lambda paragraphs, row: paragraphs[row]["text"])),
        Variant("person-term-bm25", "sentence BM25 without the sentence's person (loaded: f\"{s.text} {s.who}\")",
                stage=LOAD, prepare=no_person_term),
    ]


def building_variants() -> list[Variant]:
    """Rules applied when an index is built: each needs a rebuild (only new texts are embedded)."""
    return [
        Variant("context-units", "no context units (sentence with the one before)", stage=BUILD,
                patches=units_without(CONTEXT)),
        Variant("entity-units", "no \"Person: sentence\" units", stage=BUILD, patches=units_without(ENTITY)),
        Variant("inner-sentence-units", "units.inner_sentences → [text]: no units for sentences inside a sentence",
                stage=BUILD, patches=patch(units, "inner_sentences", lambda text: [text])),
        Variant("paragraph-units", "no paragraph units", stage=BUILD, patches=units_without(PARAGRAPH)),
        Variant("regroup", "passages._REGROUP_MIN_SENTENCES → 10**9: an unbroken block (a one-line story, a long "
                "SQuAD paragraph) stays one passage, which then holds any gold string: read Highlight@1",
                stage=BUILD, patches=patch(passages, "_REGROUP_MIN_SENTENCES", 10**9)),
        Variant("subject-carry-over", "quotations._PRONOUN matches every sentence: no sentence takes the "
                "previous sentence's person", stage=BUILD, attribution=True,
                patches=patch(attribution, "_PRONOUN", re.compile(""))),
        Variant("quotation-continuation", "a sentence that is only a quotation keeps no speaker "
                "(_Attributor._go_on_quoting → as found; the paragraph-level rule stays)", stage=BUILD,
                attribution=True, patches=patch(attribution._Attributor, "_go_on_quoting",
                                                lambda self, found, speaker: found)),
        Variant("paragraph-continuation", "a paragraph that is only a quotation, or opens with one, keeps no "
                "speaker (quotations._opens_with_its_quotation and _Attributor._continue_opening → False)",
                stage=BUILD, attribution=True, patches=lambda: [
                    mock.patch.object(attribution, "_opens_with_its_quotation", lambda paragraph, own: False),
                    mock.patch.object(attribution._Attributor, "_continue_opening",
                                      lambda self, paragraph, own, quotations, speaker: False)]),
        Variant("role-billionaire", "names.ROLES and names.TITLES less \"billionaire\"", stage=BUILD,
                attribution=True, patches=lambda: [
                    mock.patch.object(names, "ROLES", less(names.ROLES, {"billionaire"})),
                    mock.patch.object(names, "TITLES", less(names.TITLES, {"billionaire"}))]),
        Variant("org-administration", "names.ORGANISATION_HEADS less \"administration\"", stage=BUILD,
                attribution=True, patches=lambda: [mock.patch.object(
                    names, "ORGANISATION_HEADS", less(names.ORGANISATION_HEADS, {"administration"}))]),
        Variant("short-reach", "quotations._SHORT_REACH_WORDS 5 → 10**9", stage=BUILD, attribution=True,
                patches=patch(attribution, "_SHORT_REACH_WORDS", 10**9)),
    ]


def variants() -> list[Variant]:
    found = [*weight_variants(), *answering_variants(), *building_variants()]
    names_seen = Counter(v.name for v in found)
    assert max(names_seen.values()) == 1, names_seen
    return found


# ---- the model, once ----------------------------------------------------------------------------------


class CachedEncoder:
    """The model behind text → vector caches: questions and unit texts recur across variants."""

    def __init__(self, inner: PassageEncoder):
        self._inner = inner
        self.spec, self.dimension, self.max_tokens = inner.spec, inner.dimension, inner.max_tokens
        self._passages: dict[str, np.ndarray] = {}
        self._queries: dict[str, np.ndarray] = {}
        self._tokens: dict[str, int] = {}

    @property
    def encoded_count(self) -> int:
        return self._inner.encoded_count

    def token_count(self, text: str) -> int:
        if text not in self._tokens:
            self._tokens[text] = self._inner.token_count(text)
        return self._tokens[text]

    def _cached(self, cache: dict[str, np.ndarray], texts: Sequence[str], encode) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            cache.update(zip(missing, encode(missing), strict=True))
        return np.vstack([cache[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:
        return self._cached(self._passages, texts, lambda missing: self._inner.encode_passages(missing, progress))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(self._queries, texts, self._inner.encode_queries)

    def export(self, directory: Path) -> None:
        """No question model in the builds: questions are embedded by this encoder."""
        return None


# ---- measuring ----------------------------------------------------------------------------------------

# Per case: answered, Hit@1, Hit@3, Highlight@1 (as index/evaluate.py's EvalReport counts them), and
# where the first quoted passage and its highlight lie (to tell a switch that moves nothing).
Outcome = tuple[bool, bool, bool, bool, str]


def outcome(case: Case, answer) -> Outcome:
    if not answer.answered:
        return (False, False, False, False, "")
    hits = [case.answered_by(p.article, p.text) for p in answer.passages[:3]]
    first = answer.passages[0] if answer.passages else None
    highlight = bool(first and case.highlighted_by(first.article, first.text, first.highlight))
    where = f"{first.article}#{first.paragraph}:{first.highlights}" if first else ""
    return (True, bool(hits and hits[0]), any(hits), highlight, where)


def summary(cases: list[Case], outcomes: list[Outcome]) -> dict[str, int]:
    answerable = [o for c, o in zip(cases, outcomes, strict=True) if c.answerable]
    unanswerable = [o for c, o in zip(cases, outcomes, strict=True) if not c.answerable]
    return {
        "answerable": len(answerable), "hit_at_1": sum(o[1] for o in answerable),
        "hit_at_3": sum(o[2] for o in answerable), "highlight": sum(o[3] for o in answerable),
        "unanswerable": len(unanswerable), "declined": sum(not o[0] for o in unanswerable),
        "wrongly_declined": sum(not o[0] for o in answerable),
    }


def changes(cases: list[Case], outcomes: list[Outcome], baseline: list[Outcome]) -> dict[str, list[str]]:
    """The cases whose Hit@1 or declining differs from the baseline's, and those whose first
    passage or highlight moved."""
    found: dict[str, list[str]] = {"hit_at_1_lost": [], "hit_at_1_gained": [], "declined_now": [], "answered_now": [],
                                   "first_moved": []}
    for case, new, old in zip(cases, outcomes, baseline, strict=True):
        if case.answerable and old[1] != new[1]:
            found["hit_at_1_gained" if new[1] else "hit_at_1_lost"].append(case.id)
        if old[0] != new[0]:
            found["answered_now" if new[0] else "declined_now"].append(case.id)
        if old[4] != new[4]:
            found["first_moved"].append(case.id)
    return {k: v for k, v in found.items() if v}


def language_of_case(case: Case) -> str:
    return case.id.rsplit("-", 1)[-1]


@dataclass
class Corpus:
    name: str
    folder: Path
    settings: Settings
    index: LoadedIndex | None = None


def prepare_corpus(name: str, files: list[Path], scratch: Path) -> Corpus:
    folder = scratch / name / "corpus"
    folder.mkdir(parents=True)
    for path in files:
        shutil.copy(path, folder / path.name)
    settings = Settings(_env_file=None, corpus_dir=folder, index_dir=scratch / name / "index",
                        database=str(scratch / name / "db.sqlite3"))
    return Corpus(name, folder, settings)


def run_variant(variant: Variant, corpora: dict[str, Corpus], cases: dict[str, list[Case]],
                encoder: CachedEncoder) -> dict[str, list[Outcome]]:
    """Every set's outcomes with the variant's switches set."""
    outcomes: dict[str, list[Outcome]] = {}
    with ExitStack() as stack:
        for switch in variant.patches():
            stack.enter_context(switch)
        for corpus in corpora.values():
            index = corpus.index
            assert index is not None
            if variant.stage == BUILD:
                settings = corpus.settings.model_copy(update={"index_dir": corpus.folder.parent / "variant"})
                build.rebuild(settings, encoder=encoder)
                index = load_index(settings.index_dir)
            elif variant.stage == LOAD:
                index = load_index(corpus.settings.index_dir)
            index._cue_masks.clear()  # cached per index: a variant may match cues differently
            index.cues_from_text = True  # the index's own cue masks were matched with the shipped patterns
            index.spelling_variants.clear()
            if variant.prepare is not None:
                variant.prepare(index)
            settings = corpus.settings
            if variant.min_relevance is not None:  # past the setting's own bounds when asked
                settings = settings.model_copy(update={"min_relevance": variant.min_relevance})
            engine = Engine(index, encoder, settings, variant.weights)
            for set_name, (corpus_name, _) in SETS.items():
                if corpus_name == corpus.name and set_name in cases:
                    answers = engine.answer_many([c.question for c in cases[set_name]])
                    outcomes[set_name] = [outcome(c, a) for c, a in zip(cases[set_name], answers, strict=True)]
            index._cue_masks.clear()
            index.spelling_variants.clear()
    return outcomes


def attribution_changes(variant: Variant, folder: Path) -> dict[str, Any]:
    """What the variant's patches change in the quotations and speakers of a corpus's articles."""
    with ExitStack() as stack:
        for switch in variant.patches():
            stack.enter_context(switch)
        return attributions(folder)


def attributions(folder: Path) -> dict[str, Any]:
    """Every quotation's speaker and every sentence's person, over a corpus folder's articles."""
    quotes: dict[tuple, str | None] = {}
    texts: dict[tuple, str] = {}
    who: dict[tuple, str] = {}
    for article in load_corpus(folder):
        paragraphs = passages.split_article(article.id, article.body)
        found = build.attribute_article(article, paragraphs)  # looked up now: a patch of it counts
        for q in found.quotations:
            quotes[(q.article, q.start, q.end, q.quotation_kind)] = q.speaker
            texts[(q.article, q.start, q.end, q.quotation_kind)] = q.text
        for (paragraph, sentence), person in found.who.items():
            who[(article.id, paragraph, sentence)] = person
    return {"quotes": quotes, "texts": texts, "who": who}


def compare_attributions(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    old_q, new_q, texts = base["quotes"], new["quotes"], {**base["texts"], **new["texts"]}
    changed = sorted(k for k in old_q.keys() & new_q.keys() if old_q[k] != new_q[k])
    lost, fresh = sorted(old_q.keys() - new_q.keys()), sorted(new_q.keys() - old_q.keys())
    who_changed = sorted(k for k in base["who"].keys() | new["who"].keys() if base["who"].get(k) != new["who"].get(k))
    return {
        "quotations": len(old_q), "quotations_with_speaker": sum(s is not None for s in old_q.values()),
        "quotations_lost": len(lost), "quotations_new": len(fresh),
        "speaker_changed": len(changed),
        "speaker_to_none": sum(new_q[k] is None for k in changed),
        "speaker_from_none": sum(old_q[k] is None for k in changed),
        "speaker_to_other": sum(old_q[k] is not None and new_q[k] is not None for k in changed),
        "who_changed": len(who_changed),
        "examples": [
            *({"article": k[0], "quotation": texts[k][:120], "speaker": old_q[k], "now": new_q[k]} for k in changed),
            *({"article": k[0], "quotation": texts[k][:120], "speaker": old_q[k], "now": "(not a quotation)"}
              for k in lost),
            *({"article": k[0], "quotation": texts[k][:120], "speaker": "(not a quotation)", "now": new_q[k]}
              for k in fresh),
            *({"article": k[0], "sentence": f"¶{k[1]} s{k[2]}", "person": base["who"].get(k),
               "now": new["who"].get(k)} for k in who_changed),
        ],
    }


# ---- report ----------------------------------------------------------------------------------------

METRICS = ("hit_at_1", "hit_at_3", "highlight", "declined", "wrongly_declined")


def delta_cell(new: dict[str, int], old: dict[str, int], moved: int) -> str:
    deltas = [new[m] - old[m] for m in METRICS]
    cell = "=" if not any(deltas) else " ".join(f"{d:+d}" if d else "0" for d in deltas)
    return f"{cell} ·{moved}" if moved else cell


def absolute_cell(s: dict[str, int]) -> str:
    return (f"{s['hit_at_1']}/{s['hit_at_3']}/{s['highlight']} of {s['answerable']}, "
            f"{s['declined']}/{s['unanswerable']} declined, {s['wrongly_declined']} wrongly")


LARGE_SETS = ("SQuAD", OWN_LESS_SEED, "Lee 71")


def large_set_effect(new: dict[str, dict[str, int]], old: dict[str, dict[str, int]]
                     ) -> tuple[int, int, int] | None:
    """What switching a rule off does on the large sets together: the change in questions handled
    right (answerable ones with Hit@1, unanswerable ones declined), in Hit@3 + Highlight@1, and in
    answerable questions declined. None when a large set was not measured."""
    if not all(s in new and s in old for s in LARGE_SETS):
        return None

    def change(*metrics: str) -> int:
        return sum(new[s][m] - old[s][m] for s in LARGE_SETS for m in metrics)

    return change("hit_at_1", "declined"), change("hit_at_3", "highlight"), change("wrongly_declined")


def verdict(effect: tuple[int, int, int] | None) -> str:
    """A rule pays when switching it off loses questions handled right on the large sets, declines
    answerable questions it answered (the targets allow 1%), or, losing neither, lowers Hit@3 +
    Highlight@1. Otherwise it costs nothing, or the engine is better off without it."""
    if effect is None:
        return ""
    right, ranked, wrongly_declined = effect
    if right < 0 or wrongly_declined > 0 or (right == 0 and ranked < 0):
        return "pays"
    return "off is better" if right > 0 or ranked > 0 or wrongly_declined < 0 else "costs nothing"


def markdown(results: dict[str, Any]) -> str:
    base = results["baseline"]["sets"]
    lines = ["## Baseline (all rules on)", "",
             "| set | Hit@1 | Hit@3 | Highlight@1 | declined/unanswerable | wrongly declined |",
             "|---|---|---|---|---|---|"]
    for set_name, s in base.items():
        lines.append(f"| {set_name} | {s['hit_at_1']}/{s['answerable']} | {s['hit_at_3']}/{s['answerable']} | "
                     f"{s['highlight']}/{s['answerable']} | {s['declined']}/{s['unanswerable']} | "
                     f"{s['wrongly_declined']} |")
    columns = [s for s in SETS if s in base]
    lines += ["", "## Each variant against the baseline",
              "", "Cells: change in Hit@1 Hit@3 Highlight@1 declined wrongly-declined (`=`: none), then ·N: the "
              "questions whose first quoted passage or highlight moved (none: nothing shown). Large sets: "
              f"{', '.join(LARGE_SETS)} together, the change in questions handled right (Hit@1 + declined), "
              "in Hit@3 + Highlight@1 and in answerable questions declined, and the verdict (bench/ablation.py: "
              "verdict).", "",
              "| variant | what | " + " | ".join(columns) + " | large sets | verdict |",
              "|---|---|" + "---|" * (len(columns) + 2)]
    for name, result in results["variants"].items():
        cells = [delta_cell(result["sets"][c], base[c], len(result["changed_cases"][c].get("first_moved", [])))
                 if c in result["sets"] else "" for c in columns]
        effect = large_set_effect(result["sets"], base)
        cells += [" / ".join(f"{e:+d}" for e in effect) if effect else "", verdict(effect)]
        lines.append(f"| {name} | {result['what']} | " + " | ".join(cells) + " |")
    lines += ["", "## The news questions that changed", "",
              "Hit@1 lost (−) and gained (+), declined now (d) and answered now (a); seed@72 cases marked @72.", "",
              "| variant | cases |", "|---|---|"]
    for name, result in results["variants"].items():
        marks = []
        for set_name in ("own 102", "Lee 71", "seed@72"):
            found = result["changed_cases"].get(set_name, {})
            suffix = "@72" if set_name == "seed@72" else ""
            for key, mark in (("hit_at_1_lost", "−"), ("hit_at_1_gained", "+"), ("declined_now", "d"),
                              ("answered_now", "a")):
                marks += [f"{mark}{case}{suffix}" for case in found.get(key, [])]
        if marks:
            lines.append(f"| {name} | {' '.join(marks)} |")
    if lines[-1] == "|---|---|":
        lines.append("| (none) | |")
    foreign = results["variants"].get("foreign-path")
    if "translated" in base:
        lines += ["", "## Translated questions per language (4 articles)", "",
                  "| language | baseline | foreign-path off |", "|---|---|---|"]
        for language in LANGUAGES:
            key = f"translated/{language}"
            off = absolute_cell(foreign["languages"][key]) if foreign else ""
            lines.append(f"| {language} | {absolute_cell(results['baseline']['languages'][key])} | {off} |")
    counted = {n: r["attribution"] for n, r in results["variants"].items() if r.get("attribution")}
    if counted:
        lines += ["", "## Attribution changes on the 72 articles", "",
                  "| variant | quotations lost/new | speakers changed (to none, from none, to another) | "
                  "sentence persons changed |", "|---|---|---|---|"]
        for name, c in counted.items():
            lines.append(f"| {name} | {c['quotations_lost']}/{c['quotations_new']} of {c['quotations']} | "
                         f"{c['speaker_changed']} ({c['speaker_to_none']}, {c['speaker_from_none']}, "
                         f"{c['speaker_to_other']}) of {c['quotations_with_speaker']} | {c['who_changed']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", metavar="PATTERN",
                        help="run only the variants whose name matches (fnmatch, e.g. 'w.*' or 'cue.*'); repeatable")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: every fifth SQuAD question and every fourth translated one")
    parser.add_argument("--set", action="append", dest="sets", metavar="NAME", choices=list(SETS),
                        help="measure only this set (repeatable; its corpus alone is built)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write every number (and changed cases) here")
    parser.add_argument("--list", action="store_true", help="list the variants and stop")
    parser.add_argument("--report", type=Path, metavar="RUN.json",
                        help="print the tables of a run written with --json, and stop")
    args = parser.parse_args(argv)
    if args.report:
        print(markdown(json.loads(args.report.read_text(encoding="utf-8"))))
        return 0

    chosen = [v for v in variants() if not args.only or any(fnmatch.fnmatchcase(v.name, p) for p in args.only)]
    if args.list or (not chosen and args.only):
        for variant in chosen:
            print(f"{variant.name:28} {variant.stage:6} {variant.what}")
        return 0 if args.list else 2
    for variant in chosen:  # a patch that no longer fits index/ stops the run now, not an hour in
        with ExitStack() as stack:
            for switch in variant.patches():
                stack.enter_context(switch)
    chosen_sets = {name: SETS[name] for name in args.sets or SETS}
    cases = {name: [c for path in files for c in read_cases(path)] for name, (_, files) in chosen_sets.items()}
    if args.quick:
        for name, step in (("SQuAD", 5), ("translated", 4)):
            if name in cases:
                cases[name] = cases[name][::step]

    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:7.0f} s] {text}", file=sys.stderr, flush=True)

    encoder = CachedEncoder(passage_encoder(Settings(_env_file=None)))
    results: dict[str, Any] = {"quick": args.quick, "variants": {}}
    with tempfile.TemporaryDirectory(prefix="articlebot-ablation-") as scratch:
        corpora = {name: prepare_corpus(name, files, Path(scratch)) for name, files in CORPORA.items()
                   if any(corpus == name for corpus, _ in chosen_sets.values())}
        for corpus in corpora.values():
            say(f"building {corpus.name} ({len(CORPORA[corpus.name])} articles)")
            build.rebuild(corpus.settings, encoder=encoder)
            corpus.index = load_index(corpus.settings.index_dir)

        def measure(variant: Variant) -> dict[str, Any]:
            began = time.monotonic()
            outcomes = run_variant(variant, corpora, cases, encoder)
            sets = {name: summary(cases[name], o) for name, o in outcomes.items()}
            if "own 102" in outcomes:
                sets[OWN_LESS_SEED] = summary(*map(list, zip(*[
                    (c, o) for c, o in zip(cases["own 102"], outcomes["own 102"], strict=True)
                    if c.id not in SEED_IDS], strict=True)))
            languages = {f"translated/{lang}": summary(
                [c for c in cases["translated"] if language_of_case(c) == lang],
                [o for c, o in zip(cases["translated"], outcomes["translated"], strict=True)
                 if language_of_case(c) == lang]) for lang in LANGUAGES} if "translated" in outcomes else {}
            return {"what": variant.what, "stage": variant.stage, "sets": sets, "languages": languages,
                    "outcomes": outcomes, "seconds": round(time.monotonic() - began, 1)}

        baseline = measure(Variant("baseline", "all rules on"))
        results["baseline"] = {k: v for k, v in baseline.items() if k != "outcomes"}
        say("baseline: " + "; ".join(f"{n} {absolute_cell(s)}" for n, s in baseline["sets"].items()))
        # Attribution is compared on the largest news corpus built.
        news = corpora.get("news72") or corpora.get("news4")
        base_attribution = attributions(news.folder) if news and any(v.attribution for v in chosen) else None
        for number, variant in enumerate(chosen, 1):
            result = measure(variant)
            result["changed_cases"] = {n: changes(cases[n], o, baseline["outcomes"][n])
                                       for n, o in result.pop("outcomes").items()}
            if variant.attribution and base_attribution is not None:
                result["attribution"] = compare_attributions(
                    base_attribution, attribution_changes(variant, news.folder))
            results["variants"][variant.name] = result
            moved = {n: len(c.get("first_moved", [])) for n, c in result["changed_cases"].items()}
            say(f"{number}/{len(chosen)} {variant.name}: " + "; ".join(
                f"{n} {delta_cell(s, baseline['sets'][n], moved.get(n, 0))}" for n, s in result["sets"].items()))
            if args.json:  # written as it goes, so a long run can be read before it ends
                args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    results["seconds"] = round(time.monotonic() - started)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
