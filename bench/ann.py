"""Approximate search against exact search: recall and speed of FAISS HNSW on an index's own vectors.

    python bench/ann.py INDEX_DIR [--grow N] [--k 1000] [--ef 1000 1500 2000] [--json]

The questions are the seed's public questions and phrases of the index's own sentences, embedded
with the index's question model. Recall@k: the share of the exact search's k nearest units that the
approximate search also returns (k = the engine's candidates, 1000); recall@50 and @10 too, since
the first candidates decide most answers. --grow N adds jittered copies of the real vectors until
there are N, to see where exact search becomes too slow (jittered copies crowd each other more than
real texts do, so recall there is a pessimistic estimate); the real vectors' recall is what counts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
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


def grown(vectors: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """The real vectors, then jittered copies of them (renormalised) up to `size` rows."""
    if size <= len(vectors):
        return vectors
    rng = np.random.default_rng(seed)
    spread = float(np.std(vectors))
    extra = vectors[rng.integers(0, len(vectors), size - len(vectors))]
    extra = extra + rng.normal(0, spread * 0.5, extra.shape).astype(np.float32)
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    return np.vstack([vectors, extra.astype(np.float32)])


def recall(exact: np.ndarray, found: np.ndarray, k: int) -> float:
    return float(np.mean([len(set(e[:k]) & set(f[:k])) / k for e, f in zip(exact, found, strict=True)]))


def timed_search(index: Any, queries: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    times, ids = [], []
    for query in queries:  # one question at a time, as the engine searches
        start = time.perf_counter()
        _, found = index.search(query[None, :], k)
        times.append((time.perf_counter() - start) * 1000)
        ids.append(found[0])
    return np.asarray(ids), statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--grow", type=int, default=0)
    parser.add_argument("--k", type=int, default=1000)
    parser.add_argument("--ef", type=int, nargs="+", default=[1000, 1500, 2000])
    parser.add_argument("--m", type=int, default=32)
    parser.add_argument("--probes", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--hnsw", action="store_true", help="also HNSW (slow to build)")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from index.store.segments import generation_vectors

    faiss.omp_set_num_threads(1)
    real = generation_vectors(args.index_dir)
    queries = questions_of(args.index_dir, args.questions)
    vectors = grown(real, args.grow)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    exact, flat_ms = timed_search(flat, queries, args.k)
    rows = [{"method": "flat", "vectors": len(vectors), "p50_ms": flat_ms, "recall@k": 1.0}]
    candidates: list[tuple[str, Any, float]] = []
    faiss.omp_set_num_threads(2)
    start = time.perf_counter()
    half = faiss.IndexScalarQuantizer(vectors.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    half.add(vectors)
    candidates.append(("flat, 16-bit floats", half, time.perf_counter() - start))
    lists = int(4 * np.sqrt(len(vectors)))
    start = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors)
    ivf.add(vectors)
    ivf_s = time.perf_counter() - start
    for probes in args.probes:
        candidates.append((f"IVF {lists} lists, {probes} probed", (ivf, probes), ivf_s))
    if args.hnsw:
        start = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(vectors.shape[1], args.m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.add(vectors)
        for ef in args.ef:
            candidates.append((f"HNSW M={args.m} ef={max(ef, args.k)}", (hnsw, ef), time.perf_counter() - start))
    faiss.omp_set_num_threads(1)
    for name, index, build_s in candidates:
        if isinstance(index, tuple):
            inner, depth = index
            if isinstance(inner, faiss.IndexIVF):
                inner.nprobe = depth
            else:
                inner.hnsw.efSearch = max(depth, args.k)
            index = inner
        found, ms = timed_search(index, queries, args.k)
        rows.append({"method": name, "vectors": len(vectors), "p50_ms": ms, "build_s": build_s,
                     "recall@k": recall(exact, found, args.k), "recall@50": recall(exact, found, 50),
                     "recall@10": recall(exact, found, 10)})
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{len(real)} real vectors, {len(vectors)} searched, {len(queries)} questions, k={args.k}")
    print("| method | p50, ms | recall@k | recall@50 | recall@10 | build, s |\n|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['method']} | {row['p50_ms']:.2f} | {row['recall@k']:.4f} | {row.get('recall@50', 1.0):.4f} "
              f"| {row.get('recall@10', 1.0):.4f} | {row.get('build_s', 0):.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
