"""Fit the verdict (answer / related) and write index/answering/verdict_model.json.

    python bench/fit_verdict.py [--cache DIR] [--dry-run] [--heldout]

Indexes the SQuAD development corpus, the news corpus (corpus/, tests/fixtures/articles and
tests/fixtures/lee: 72 articles) and the four seed articles with the default model, asks every
development question, and reads the evidence of each quoted one (index/answering/verdict.py).
A quoted question counts as answered when its first passage holds the answer.

Two logistic regressions: `english` over every feature, on the news questions in the articles'
language; `foreign` over the model's similarity alone, on the translated seed questions. SQuAD is
scored, never fitted on. Both are cross-validated leaving one group of articles out at a time (the
news sets one by one, the translated articles one by one), so no question is scored by a model
fitted on it. The threshold is the lowest out-of-fold probability that keeps TARGET_COVERAGE of the
answerable questions of every group (SQuAD's three articles included) `answer`. docs/verdicts.md
reports the run; --heldout also scores the held-out sets once.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quality import draw_curve  # noqa: E402

from index.answering.answer import ANSWER, NONE  # noqa: E402
from index.answering.engine import Engine  # noqa: E402
from index.answering.evaluate import Case, CurvePoint, VerdictCounts, read_cases  # noqa: E402
from index.answering.verdict import MODEL_FILE, Evidence, shipped_models  # noqa: E402
from index.building.build import rebuild  # noqa: E402
from index.settings import Settings  # noqa: E402
from index.text import is_foreign  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
FIXTURES = ROOT / "tests" / "fixtures"
CORPORA = {
    "squad": [SHARED / "squad2" / "corpus"],
    "news": [ROOT / "corpus", FIXTURES / "articles", FIXTURES / "lee"],
    "seed": [ROOT / "corpus", FIXTURES / "articles"],
}
# (question file, corpus, group): the groups are the cross-validation folds.
DEVELOPMENT = [
    (SHARED / "squad2" / "dev_qa.jsonl", "squad", None),  # grouped by each case's article
    (FIXTURES / "lee_qa.jsonl", "news", "lee dev"),
    (FIXTURES / "lee_heldout_qa.jsonl", "news", "lee held-out"),
    (SHARED / "seed_qa.jsonl", "news", "seed"),
    (FIXTURES / "seed_extra_qa.jsonl", "news", "seed"),
    (FIXTURES / "own_qa.jsonl", "news", "own"),
    (FIXTURES / "translated_dev_qa.jsonl", "seed", None),  # grouped by the article translated
]
HELDOUT = [(FIXTURES / "lee_heldout2_qa.jsonl", "news"), (FIXTURES / "multilingual_qa.jsonl", "seed"),
           (FIXTURES / "lee_heldout3_qa.jsonl", "news"), (FIXTURES / "multilingual_heldout2_qa.jsonl", "news"),
           (FIXTURES / "lee_heldout4_qa.jsonl", "news")]
ENGLISH_FEATURES = tuple(Evidence.__dataclass_fields__)
FOREIGN_FEATURES = ("relevance", "margin", "dense_lead")  # what holds across languages
# Share of each group's answerable questions that must stay `answer`. A question in another
# language is read on the model's similarity alone, whose `answer` is right less often (about 70%
# against 90% on the news): more of those are shown as related when unsure.
TARGET_COVERAGE = {"english": 0.90, "foreign": 0.75}
C = 0.5  # inverse regularisation strength
SQUAD_ARTICLES = ("computational_complexity_theory", "normans", "southern_california")
CURVE = ROOT / "docs" / "verdict_curve.png"


@dataclass
class Row:
    case: Case
    group: str  # the cross-validation fold
    foreign: bool  # asked in another language than the articles'
    quoted: bool  # not declined
    label: bool  # quoted, and the first passage holds the answer
    evidence: Evidence | None
    probability: float = 0.0  # out of fold


def merged_corpus(name: str, folder: Path) -> Path:
    target = folder / f"corpus-{name}"
    if not target.exists():
        target.mkdir(parents=True)
        for source in CORPORA[name]:
            for path in source.iterdir():
                if path.is_file() and path.suffix in (".md", ".txt") and path.name != "README.md":
                    shutil.copy(path, target / path.name)
    return target


def engine_for(name: str, folder: Path, engines: dict[str, Engine]) -> Engine:
    if name not in engines:
        settings = Settings(_env_file=None, corpus_dir=merged_corpus(name, folder),
                            index_dir=folder / f"index-{name}")
        if not settings.index_dir.exists():
            rebuild(settings)
        engines[name] = Engine.open(settings)
    return engines[name]


def group_of(case: Case, group: str | None) -> str:
    """A news set's own name; a SQuAD case's article; a translated case's source article (the
    letter its id starts with), so no translation of a question is fitted on another."""
    if group:
        return group
    return case.article or f"translated {case.id[0]}"


def ask(engine: Engine, cases: list[Case], group: str | None) -> list[Row]:
    rows = []
    for case, answer in zip(cases, engine.answer_many([c.question for c in cases]), strict=True):
        first = answer.passages[0] if answer.verdict != NONE else None
        label = bool(first and case.answerable and case.answered_by(first.article, first.text))
        rows.append(Row(case, group_of(case, group), is_foreign(case.question, engine.index.language),
                        first is not None, label, answer.evidence))
    return rows


def matrix(rows: list[Row], features: tuple[str, ...]) -> np.ndarray:
    return np.vstack([r.evidence.vector(features) for r in rows if r.evidence is not None])


def fit(rows: list[Row], features: tuple[str, ...]) -> tuple[StandardScaler, LogisticRegression]:
    """A logistic regression on the news questions among `rows`: SQuAD is never fitted on, only
    scored (a fit that includes it is worse out of fold on every set, SQuAD's own included)."""
    news = [r for r in rows if r.group not in SQUAD_ARTICLES]
    scaler = StandardScaler().fit(matrix(news, features))
    model = LogisticRegression(C=C, max_iter=5000)
    return scaler, model.fit(scaler.transform(matrix(news, features)), [r.label for r in news])


def cross_validate(rows: list[Row], features: tuple[str, ...]) -> None:
    """Set each quoted row's probability from a model fitted without its group."""
    for group in sorted({r.group for r in rows}):
        held = [r for r in rows if r.group == group]
        scaler, model = fit([r for r in rows if r.group != group], features)
        for row, probability in zip(held, model.predict_proba(scaler.transform(matrix(held, features)))[:, 1],
                                    strict=True):
            row.probability = float(probability)


def threshold_for(rows: list[Row], quoted: list[Row], coverage: float) -> float:
    """The highest threshold that keeps `coverage` of the answerable questions of every group
    `answer`; those declined outright count against it."""
    threshold = 1.0
    for group in {r.group for r in quoted}:
        answerable = [r for r in rows if r.group == group and r.case.answerable]
        given = sorted((r.probability for r in answerable if r.quoted), reverse=True)
        needed = min(int(np.ceil(coverage * len(answerable))), len(given))
        if needed:
            threshold = min(threshold, given[needed - 1])
    return threshold


def counts(rows: list[Row], threshold: float | None) -> VerdictCounts:
    """Verdicts of `rows` with a threshold (None: every quoted question `answer`, as before verdicts)."""
    found = VerdictCounts()
    for row in rows:
        verdict = NONE if not row.quoted else ANSWER if threshold is None or row.probability >= threshold else "related"
        found.add(row.case.answerable, verdict, row.label)
    return found


def report(title: str, rows: list[Row], quoted: list[Row], threshold: float) -> None:
    print(f"\n{title}: threshold {threshold:.3f}, out-of-fold AUROC "
          f"{roc_auc_score([r.label for r in quoted], [r.probability for r in quoted]):.3f}")
    for group in sorted({r.group for r in quoted}):
        members = [r for r in rows if r.group == group]
        print(f"  {group:32s} before {counts(members, None).summary()}")
        print(f"  {'':32s} after  {counts(members, threshold).summary()}")


def model_entry(rows: list[Row], features: tuple[str, ...], threshold: float) -> dict:
    scaler, model = fit(rows, features)
    return {"features": list(features), "mean": scaler.mean_.round(6).tolist(),
            "scale": scaler.scale_.round(6).tolist(), "weights": model.coef_[0].round(6).tolist(),
            "intercept": round(float(model.intercept_[0]), 6), "threshold": round(threshold, 6),
            "fitted_on": f"{sum(r.group not in SQUAD_ARTICLES for r in rows)} quoted questions (SQuAD left out), {C=}"}


def held_out(folder: Path, engines: dict[str, Engine]) -> None:
    print("\nheld-out sets, with the coefficients now in the file:")
    for path, corpus in HELDOUT:
        cases = read_cases(path)
        found = VerdictCounts()
        for case, answer in zip(cases, engine_for(corpus, folder, engines).answer_many([c.question for c in cases]),
                                strict=True):
            found.add_answer(case, answer)
        print(f"  {path.name:32s} {found.summary()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, help="keep the indexes in this folder between runs")
    parser.add_argument("--dry-run", action="store_true", help="report, but write neither coefficients nor curve")
    parser.add_argument("--heldout", action="store_true", help="then score the held-out sets (once, not to tune)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.cache or Path(scratch)
        engines: dict[str, Engine] = {}
        rows = [row for path, corpus, group in DEVELOPMENT
                for row in ask(engine_for(corpus, folder, engines), read_cases(path), group)]
        fitted = {}
        for name, foreign, features in (("english", False, ENGLISH_FEATURES), ("foreign", True, FOREIGN_FEATURES)):
            mine = [r for r in rows if r.foreign == foreign]
            quoted = [r for r in mine if r.quoted]
            cross_validate(quoted, features)
            threshold = threshold_for(mine, quoted, TARGET_COVERAGE[name])
            report(f"{name}: {len(quoted)} quoted questions, cross-validated by group", mine, quoted, threshold)
            fitted[name] = model_entry(quoted, features, threshold)
            if name == "english" and not args.dry_run:
                sets = {"SQuAD development": [r for r in mine if r.group in SQUAD_ARTICLES],
                        "news development": [r for r in mine if r.group not in SQUAD_ARTICLES]}
                draw_curve({title: [CurvePoint(r.probability if r.quoted else None, r.case.answerable, r.label)
                                    for r in chosen] for title, chosen in sets.items()}, threshold, CURVE)
        for name, entry in fitted.items():
            print(f"\n{name} weights (standardised features): "
                  + ", ".join(f"{f} {w:+.2f}" for f, w in zip(entry["features"], entry["weights"], strict=True)))
        if not args.dry_run:
            MODEL_FILE.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
            print(f"\nwrote {MODEL_FILE.relative_to(ROOT)} and {CURVE.relative_to(ROOT)}")
            shipped_models.cache_clear()
        if args.heldout:
            held_out(folder, engines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
