"""Follow-up questions: answered as written (the baseline) and rewritten with what the first answer
is about, in the same run.

    python bench/followups.py [PAIRS.jsonl ...] [--corpus DIR ...] [--json]

Each line of a pairs file holds `first`, `followup` and `gold` (tests/fixtures/followup_pairs.jsonl
is the development set, followup_own_pairs.jsonl the held-out one). The first question is asked, its
answer gives the follow-up's context, and the follow-up counts as a hit when its first passage
(Hit@1) or one of its first three (Hit@3) holds a gold string. Builds the index of the merged
corpus folders (default: corpus, tests/fixtures/articles and tests/fixtures/lee) in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quality import merged_corpus  # noqa: E402
from index.answering.answer import Answer  # noqa: E402
from index.answering.engine import Engine  # noqa: E402
from index.answering.evaluate import contains_gold  # noqa: E402
from index.building.build import rebuild  # noqa: E402
from index.settings import Settings  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT_PAIRS = [FIXTURES / "followup_pairs.jsonl", FIXTURES / "followup_own_pairs.jsonl"]
DEFAULT_CORPORA = [ROOT / "corpus", FIXTURES / "articles", FIXTURES / "lee"]


def hits(answer: Answer, gold: tuple[str, ...]) -> tuple[bool, bool]:
    """Whether the first passage, and whether one of the first three, holds a gold string."""
    found = [contains_gold(p.text, gold) for p in answer.passages[:3]]
    return bool(found and found[0]), any(found)


def score(engine: Engine, pairs_file: Path) -> dict:
    rows = [json.loads(line) for line in pairs_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    firsts = engine.answer_many([row["first"] for row in rows])
    plain = engine.answer_many([row["followup"] for row in rows])
    rewritten_questions = [engine.rewrite_followup(row["followup"], engine.followup_context(row["first"], first))
                           for row, first in zip(rows, firsts, strict=True)]
    rewritten = engine.answer_many(rewritten_questions)
    result = {"file": str(pairs_file.relative_to(ROOT) if pairs_file.is_relative_to(ROOT) else pairs_file),
              "pairs": len(rows), "as written": [0, 0], "rewritten": [0, 0], "cases": []}
    for row, question, before, after in zip(rows, rewritten_questions, plain, rewritten, strict=True):
        gold = tuple(row["gold"])
        for label, answer in (("as written", before), ("rewritten", after)):
            first, top3 = hits(answer, gold)
            result[label][0] += first
            result[label][1] += top3
        result["cases"].append({"id": row["id"], "rewritten": question, "hit@1": hits(after, gold)[0]})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="*", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("--corpus", action="append", type=Path, help="a corpus folder (repeatable)")
    parser.add_argument("--json", action="store_true", help="one JSON object per pairs file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        corpus = merged_corpus(args.corpus or DEFAULT_CORPORA, Path(folder) / "corpus")
        settings = Settings(_env_file=None, corpus_dir=corpus, index_dir=Path(folder) / "index")
        rebuild(settings)
        engine = Engine.open(settings)
        articles = len(engine.articles)
        for pairs_file in args.pairs:
            result = score(engine, pairs_file)
            if args.json:
                print(json.dumps({**result, "articles": articles}, ensure_ascii=False))
                continue
            count = result["pairs"]
            print(f"{result['file']} ({count} pairs, {articles} articles)")
            for label in ("as written", "rewritten"):
                first, top3 = result[label]
                print(f"  {label:<11} Hit@1 {first}/{count}  Hit@3 {top3}/{count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
