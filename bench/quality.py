"""Answer quality: the naive tutorial pipeline, BM25 alone and articlebot's engine, side by side.

    python bench/quality.py [EVAL.jsonl ...] [--corpus DIR ...] [--model NAME ...] [--json] [--curve PNG]

Builds a fresh index of the corpus in a temporary folder for each model, then scores each method
on the same questions (format: ../shared/eval/README.md; SQuAD cases count a passage only inside
their paragraph). The baselines never decline, so only the engine has declined /
wrongly-declined numbers, and verdicts (answer / related / none, docs/verdicts.md): precision is
the share of `answer` verdicts whose first passage holds the answer, coverage the share of
answerable questions given `answer`. --curve draws precision against coverage as the verdict's
threshold moves (the last engine's, all files together), the shipped threshold marked.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.answering.engine import Engine  # noqa: E402
from index.answering.evaluate import Case, CurvePoint, EvalReport, evaluate, read_cases  # noqa: E402
from index.answering.lexical import Bm25  # noqa: E402
from index.answering.verdict import shipped_models  # noqa: E402
from index.building.build import rebuild  # noqa: E402
from index.corpus.articles import load_corpus  # noqa: E402
from index.embedding.embedder import Embedder  # noqa: E402
from index.embedding.encoders import PassageEncoder, passage_encoder  # noqa: E402
from index.settings import MINILM_MODEL, Settings  # noqa: E402
from index.text.passages import split_article  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval" / "seed_qa.jsonl"


@dataclass
class Row:
    method: str
    hit_at_1: int
    hit_at_3: int
    answerable: int
    declined: str
    wrongly_declined: str
    highlight: str = "n/a"  # first passage answers and its highlighted sentence holds a gold string
    highlight_chars: str = "n/a"  # the first passage's highlight, mean characters (answerable questions quoted)
    verdicts: dict | None = None  # the engine's: answer, related, none, precision, coverage


def paragraphs_of(corpus: Path) -> list[tuple[str, str]]:
    """(article id, text) of every paragraph, as the engine splits them."""
    return [(a.id, p.text) for a in load_corpus(corpus) for p in split_article(a.id, a.body)]


def score_ranked(name: str, cases: list[Case], paragraphs: list[tuple[str, str]], ranking) -> Row:
    hit1 = hit3 = answerable = 0
    for case in cases:
        if not case.answerable:
            continue
        answerable += 1
        top = ranking(case.question)[:3]
        hits = [case.answered_by(*paragraphs[i]) for i in top]
        hit1 += bool(hits and hits[0])
        hit3 += any(hits)
    return Row(name, hit1, hit3, answerable, "n/a", "n/a")


def merged_corpus(folders: list[Path], target: Path) -> Path:
    """One folder holding the articles of all `folders` (the first one as is, when alone)."""
    if len(folders) == 1:
        return folders[0]
    target.mkdir()
    for folder in folders:
        for path in folder.iterdir():
            if path.is_file():
                shutil.copy(path, target / path.name)
    return target


def dense_row(name: str, cases: list[Case], paragraphs: list[tuple[str, str]], encoder: PassageEncoder) -> Row:
    """The naive path: whole paragraphs embedded by one model, FAISS top-k."""
    flat = faiss.IndexFlatIP(encoder.dimension)
    flat.add(encoder.encode_passages([text for _, text in paragraphs]))
    questions = [c.question for c in cases if c.answerable]
    found = dict(zip(questions, flat.search(encoder.encode_queries(questions), 3)[1], strict=True))
    return score_ranked(name, cases, paragraphs, lambda q: [int(i) for i in found[q] if i >= 0])


def engine_rows(files: dict[str, list[Case]], corpus: Path, index_dir: Path, model: str
                ) -> tuple[list[Row], EvalReport]:
    """The engine's row over all files, then (for more than one file) a row per file."""
    settings = Settings(_env_file=None, corpus_dir=corpus, index_dir=index_dir, model=model)
    rebuild(settings)
    engine = Engine.open(settings)
    parts = {name: evaluate(engine, cases) for name, cases in files.items()}
    report = EvalReport()
    for part in parts.values():
        report.include(part)
    rows = [report_row(f"articlebot engine, {model}", report)]
    if len(parts) > 1:
        rows.extend(report_row(f"  {name}", part) for name, part in parts.items())
    return rows, report


def report_row(method: str, report: EvalReport) -> Row:
    return Row(method, report.hit_at_1, report.hit_at_3, report.answerable,
               f"{report.declined}/{report.unanswerable}", str(report.wrongly_declined),
               f"{report.highlight_hits}/{report.answerable}", f"{report.mean_highlight_chars:.0f}",
               report.verdicts.as_dict())


def curve(points: list[CurvePoint]) -> tuple[list[float], list[float], list[float]]:
    """(thresholds, coverage, precision) as the threshold on the probability falls from the highest."""
    answerable = sum(point.answerable for point in points) or 1
    quoted = sorted((p for p in points if p.probability is not None), key=lambda p: -(p.probability or 0.0))
    thresholds, coverage, precision = [], [], []
    covered = right = 0
    for given, point in enumerate(quoted, 1):
        covered += point.answerable
        right += point.first_answers
        thresholds.append(float(point.probability or 0.0))
        coverage.append(covered / answerable)
        precision.append(right / given)
    return thresholds, coverage, precision


def draw_curve(sets: dict[str, list[CurvePoint]], threshold: float, path: Path) -> None:
    """Precision against coverage per set of questions, the point at `threshold` marked, as a PNG."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.2), dpi=100, layout="constrained")
    axes = figure.subplots()
    for title, points in sets.items():
        thresholds, coverage, precision = curve(points)
        line = axes.plot(coverage, precision, label=title)[0]
        at = [i for i, t in enumerate(thresholds) if t >= threshold]
        if at:
            axes.plot([coverage[at[-1]]], [precision[at[-1]]], "o", color=line.get_color())
    axes.axvline(0.9, color="#999999", linestyle=":", linewidth=1)
    axes.set_xlabel("coverage: answerable questions given `answer`")
    axes.set_ylabel("precision of `answer`")
    axes.set_title(f"Verdict threshold moving; dots: the shipped {threshold:.2f}")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="lower left")
    figure.savefig(path)


def compare(files: dict[str, list[Case]], corpus: Path, folder: Path, models: list[str]
            ) -> tuple[list[Row], EvalReport]:
    """The naive path with MiniLM (and with each other model asked for), BM25 alone, then the
    engine with each model (and by file); the report is the last engine's."""
    cases = [case for part in files.values() for case in part]
    paragraphs = paragraphs_of(corpus)
    rows = [dense_row(f"naive: paragraphs + {MINILM_MODEL} + FAISS", cases, paragraphs, Embedder())]
    for model in models:
        if model != MINILM_MODEL:
            encoder = passage_encoder(Settings(_env_file=None, model=model))
            rows.append(dense_row(f"paragraphs + {model} + FAISS", cases, paragraphs, encoder))
    bm25 = Bm25([text for _, text in paragraphs])
    rows.append(score_ranked("BM25 (bm25s) alone", cases, paragraphs,
                             lambda q: [int(i) for i in np.argsort(-bm25.scores(q), kind="stable")[:3]]))
    report = EvalReport()
    for number, model in enumerate(models):
        engine, report = engine_rows(files, corpus, folder / f"index-{number}", model)
        rows.extend(engine)
    return rows, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT_EVAL])
    parser.add_argument("--corpus", type=Path, action="append",
                        help="a corpus folder; give it more than once to merge folders (default: corpus/)")
    parser.add_argument("--model", action="append",
                        help="the engine's model; give it more than once to compare (default: the settings')")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--curve", type=Path, help="draw the precision-coverage curve to this PNG")
    args = parser.parse_args()

    files = {path.name: read_cases(path) for path in args.files}
    with tempfile.TemporaryDirectory() as folder:
        corpus = merged_corpus(args.corpus or [ROOT / "corpus"], Path(folder) / "corpus")
        rows, report = compare(files, corpus, Path(folder), args.model or [Settings(_env_file=None).model])
    if args.curve:
        draw_curve({", ".join(files): report.verdicts.points}, shipped_models().english.threshold, args.curve)

    if args.json:
        print(json.dumps({"files": [str(f) for f in args.files], "rows": [r.__dict__ for r in rows],
                          "engine_misses": report.misses}, ensure_ascii=False))
        return 0
    print(f"questions: {', '.join(f.name for f in args.files)}; "
          f"corpus: {', '.join(str(c) for c in args.corpus or [ROOT / 'corpus'])}")
    width = max(5, len(f"{report.answerable}/{report.answerable}"))
    print(f"| {'method':<44} | {'Hit@1':<{width}} | {'Hit@3':<{width}} | {'Highlight@1':<{max(width, 11)}} "
          f"| highlight, chars | declined | wrongly declined |")
    print(f"|{'-' * 46}|{'-' * (width + 2)}|{'-' * (width + 2)}|{'-' * (max(width, 11) + 2)}"
          f"|------------------|----------|------------------|")
    for row in rows:
        hit1, hit3 = f"{row.hit_at_1}/{row.answerable}", f"{row.hit_at_3}/{row.answerable}"
        print(f"| {row.method:<44} | {hit1:>{width}} | {hit3:>{width}} | {row.highlight:>{max(width, 11)}} "
              f"| {row.highlight_chars:>16} | {row.declined:>8} | {row.wrongly_declined:>16} |")
    print("\n| engine verdicts                              | answer | related | none | precision | coverage |")
    print(f"|{'-' * 46}|--------|---------|------|-----------|----------|")
    for row in rows:
        if row.verdicts:
            v = row.verdicts
            print(f"| {row.method:<44} | {v['answer']:>6} | {v['related']:>7} | {v['none']:>4} "
                  f"| {v['precision']:>9.0%} | {v['coverage']:>8.0%} |")
    if report.misses:
        print("\nengine misses:")
        for miss in report.misses:
            print(f"  {miss['id']} ({miss['problem']}): {miss['question']}"
                  + (f" → {miss.get('first', '')[:90]}" if miss.get("first") else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
