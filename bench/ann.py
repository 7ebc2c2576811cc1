"""Approximate search against exact search: recall and speed on an index's own vectors.

    python bench/ann.py INDEX_DIR [--sizes 30000 100000 0] [--k 1000] [--factors 4 8 10 16] [--hnsw] [--json]

The questions are the seed's public questions and phrases of the index's own sentences, embedded
with the index's question model. Methods, each on random subsets of the real vectors (0: all):
exact (FAISS flat, the baseline of the same run), the approximate index that index/store/vectors.py
writes (4-bit product-quantised codes scanned for factor × k candidates, ranked exactly: "PQ fast
scan + exact re-rank"), and with --hnsw the graph that older builds used (slow to build).

Recall@k: the share of the exact search's k nearest that the approximate search also returns, k =
the engine's candidates (1000); @100 and @10 too, since the first candidates decide most answers.
It is counted by similarity (a unit found counts when it is at least as similar as the exact k-th),
because archives hold identical texts whose ids are interchangeable. One question at a time, on one
thread, as the engine searches.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval" / "seed_qa.jsonl"


def questions_of(index_dir: Path, count: int) -> np.ndarray:
    from index.answering.engine import Engine
    from index.settings import load_settings

    settings = load_settings().model_copy(update={"index_dir": index_dir})
    engine = Engine.open(settings)
    texts = [json.loads(line)["question"] for line in EVAL.read_text().splitlines() if line.strip()]
    sentences = [s.text for s in engine.index.sentences]
    step = max(1, len(sentences) // count)
    texts += [f"What about {' '.join(s.split()[:6])}?" for s in sentences[::step]]
    return np.asarray(engine.encoder.encode_queries(texts[:count]), np.float32)


def subset(vectors: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """`size` of the vectors, drawn at random (all of them for 0 or more than there are)."""
    if not size or size >= len(vectors):
        return vectors
    return vectors[np.sort(np.random.default_rng(seed).choice(len(vectors), size, replace=False))]


def recall(exact_scores: np.ndarray, found_scores: np.ndarray, k: int) -> float:
    return float(np.mean([np.count_nonzero(found[:k] >= exact[k - 1] - 1e-5) / k
                          for exact, found in zip(exact_scores, found_scores, strict=True)]))


def timed_search(index: Any, queries: np.ndarray, k: int, params: Any = None) -> tuple[np.ndarray, list[float]]:
    times, scores = [], []
    for query in queries:  # one question at a time, as the engine searches
        start = time.perf_counter()
        found, _ = index.search(query[None, :], k, params=params)
        times.append((time.perf_counter() - start) * 1000)
        scores.append(found[0])
    return np.asarray(scores), sorted(times)


def measure(vectors: np.ndarray, queries: np.ndarray, args: argparse.Namespace) -> list[dict[str, Any]]:
    from index.store.vectors import save_vectors

    faiss.omp_set_num_threads(1)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    exact, times = timed_search(flat, queries, args.k)
    rows = [{"vectors": len(vectors), "method": "exact (flat)", "p50_ms": statistics.median(times),
             "p99_ms": times[int(len(times) * 0.99)], "recall@k": 1.0, "recall@100": 1.0, "recall@10": 1.0,
             "build_s": 0.0}]
    candidates: list[tuple[str, Any, Any, float]] = []
    faiss.omp_set_num_threads(2)  # building may use both cores
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        save_vectors(vectors, Path(folder) / "vectors.faiss", approximate_from=0)
        refined = faiss.read_index(str(Path(folder) / "vectors.faiss"))
        built = time.perf_counter() - start
    for factor in args.factors:
        params = faiss.IndexRefineSearchParameters()
        params.k_factor = factor
        candidates.append((f"PQ fast scan + exact re-rank of {factor} × k", refined, params, built))
    if args.hnsw:
        start = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.add(vectors)
        built = time.perf_counter() - start
        for depth in args.ef:
            candidates.append((f"HNSW M=32 ef={max(depth, args.k)}",
                               hnsw, faiss.SearchParametersHNSW(efSearch=max(depth, args.k)), built))
    faiss.omp_set_num_threads(1)
    for name, index, params, build_s in candidates:
        found, times = timed_search(index, queries, args.k, params)
        rows.append({"vectors": len(vectors), "method": name, "p50_ms": statistics.median(times),
                     "p99_ms": times[int(len(times) * 0.99)], "recall@k": recall(exact, found, args.k),
                     "recall@100": recall(exact, found, 100), "recall@10": recall(exact, found, 10),
                     "build_s": build_s})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0])
    parser.add_argument("--k", type=int, default=1000)
    parser.add_argument("--factors", type=int, nargs="+", default=[4, 8, 10, 16])
    parser.add_argument("--hnsw", action="store_true", help="also HNSW, as older builds wrote it (slow to build)")
    parser.add_argument("--ef", type=int, nargs="+", default=[1500, 3000])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from index.store.segments import generation_vectors

    real = generation_vectors(args.index_dir)
    queries = questions_of(args.index_dir, args.questions)
    rows = [row for size in args.sizes for row in measure(subset(real, size), queries, args)]
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{len(real)} real vectors, {len(queries)} questions, k={args.k}, one question at a time on one thread")
    print("| vectors | method | p50 / p99, ms | recall@k | recall@100 | recall@10 | build, s |\n"
          "|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['vectors']:,} | {row['method']} | {row['p50_ms']:.2f} / {row['p99_ms']:.2f} "
              f"| {row['recall@k']:.4f} | {row['recall@100']:.4f} | {row['recall@10']:.4f} | {row['build_s']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
