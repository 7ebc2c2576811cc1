"""The index at scale: build, start, answer, add and remove an article, for corpora of several sizes.

    python bench/scale.py --work DIR [--sizes 1000 3000 10000] [--wheel GENSIM.whl]
                          [--vectors-cache DIR] [--json]

Each corpus (bench/scale_corpus.py: the seed, the 300 Lee stories, then distinct mixes of their
sentences) is built with the configured model (ARTICLEBOT_MODEL; default multilingual-e5-small),
and every measurement runs in a fresh process:

  build     `rebuild --full`: seconds, units, units newly embedded, units embedded per second
  cold      process start to the first answer printed (`python -m index ask`)
  load      opening the index inside a process (load_index), seconds
  warm      p50 / p99 over 300 different questions, one at a time
  rss       peak resident memory (VmHWM) of the answering process, and of the full build less
            what the bench's vectors cache held when loaded (a real build has no such cache; where
            the build embeds texts, the cache's growth still counts)
  add       one new article added as a moderator does (index add_article), until the running
            engine answers a question about it from it; remove: until it no longer does
  seed      the seed's public questions (Hit@1, Hit@3, off-topic declined) on the whole corpus

--vectors-cache DIR keeps every embedded text's vector (by the text's SHA-1) between runs, so a
rerun or a larger corpus embeds only what it has not seen: the build row then says how many units it
embedded. A build's throughput is only meaningful where it embedded everything (no cache, or a cold
one); the table marks rows that reused vectors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
EVAL = ROOT.parent / "shared" / "eval" / "seed_qa.jsonl"
COLD_QUESTION = "Who told Musk to f*** off?"
GUILD = 4242
# A story nobody else in any corpus tells, added and removed while the engine runs.
NEW_ARTICLE = """---
title: Footbridge over the Tarrow closes after flood damage
---
The council of the Tarrow valley closed the old stone footbridge at Millcombe on Tuesday after
engineers found that last week's flood had washed away part of its central pier.

"We cannot let anyone cross until the pier is rebuilt," said the council's chief engineer, Mara
Oduya. She said the repairs would take at least eleven weeks and cost about 400,000 pounds.
"""
NEW_QUESTION = "How long will the repairs to the Millcombe footbridge take?"
NEW_ANSWER = "eleven weeks"


# ---- the vectors cache ---------------------------------------------------------------------

class CachingEncoder:
    """The configured passage encoder with a disk cache of the vectors it made, keyed by text."""

    _CHUNK = 4096

    def __init__(self, inner: Any, folder: Path):
        self._inner = inner
        self._folder = folder / inner.spec.name.replace("/", "_")
        self._folder.mkdir(parents=True, exist_ok=True)
        self._cache: dict[str, np.ndarray] = {}
        for chunk in sorted(self._folder.glob("chunk-*.npz")):
            with np.load(chunk) as stored:
                self._cache.update(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
        self.embedded = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def encode_passages(self, texts: Sequence[str], progress: Any = None) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = [i for i, key in enumerate(keys) if key not in self._cache]
        for start in range(0, len(missing), self._CHUNK):
            rows = missing[start:start + self._CHUNK]
            vectors = self._inner.encode_passages([texts[i] for i in rows])
            chunk_keys = [keys[i] for i in rows]
            self._cache.update(zip(chunk_keys, vectors, strict=True))
            number = len(list(self._folder.glob("chunk-*.npz")))
            np.savez(self._folder / f"chunk-{number:05d}.npz", keys=np.asarray(chunk_keys), vectors=vectors)
            self.embedded += len(rows)
            if progress is not None:
                progress(len(rows))
        if not keys:
            return np.zeros((0, self._inner.dimension), np.float32)
        return np.vstack([self._cache[key] for key in keys], dtype=np.float32)


# ---- workers: each runs in its own process -------------------------------------------------

def _status_mb(field: str) -> float:
    """One memory line of /proc/self/status (given in kB), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def resident_mb() -> dict[str, float]:
    """Resident memory now, MB: private (anonymous) and file-backed pages, the latter shared with
    every process that maps the same index files."""
    return {"anonymous": _status_mb("RssAnon"), "file": _status_mb("RssFile")}


def peak_rss_mb() -> float:
    return _status_mb("VmHWM")


def _settings() -> Any:
    from index.settings import load_settings

    return load_settings()


def worker_build(cache: str) -> None:
    from index.building.build import rebuild
    from index.embedding import passage_encoder

    settings = _settings()
    encoder = passage_encoder(settings)
    before_cache = resident_mb()["anonymous"]
    caching = CachingEncoder(encoder, Path(cache)) if cache else None
    # The bench's own vectors cache is resident all through the build; a real build has no such thing.
    cache_mb = resident_mb()["anonymous"] - before_cache
    start = time.perf_counter()
    report = rebuild(settings, full=True, encoder=caching or encoder)
    seconds = time.perf_counter() - start
    embedded = caching.embedded if caching else report.encoded
    print(json.dumps({"seconds": seconds, "units": report.units, "distinct": report.encoded,
                      "embedded": embedded, "units_per_s": report.units / seconds,
                      "embedded_per_s": embedded / seconds, "peak_rss_mb": peak_rss_mb() - cache_mb,
                      "vectors_cache_mb": cache_mb}))


def _first_answer_text(answer: Any) -> tuple[str | None, str]:
    if not answer.passages:
        return None, ""
    first = answer.passages[0]
    return first.article, first.text


def worker_serve(questions_file: str) -> None:
    from index import Scope, add_article, remove_article
    from index.answering.engine import Engine
    from index.answering.evaluate import evaluate, read_cases
    from index.answering.loaded import load_index

    settings = _settings()
    start = time.perf_counter()
    load_index(settings.index_dir)
    load_seconds = time.perf_counter() - start
    engine = Engine.open(settings)
    engine.warm_up()
    questions = json.loads(Path(questions_file).read_text())
    for question in questions[:20]:
        engine.answer(question)
    times = []
    for question in questions:
        began = time.perf_counter()
        engine.answer(question)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    report = evaluate(engine, read_cases(EVAL)).as_dict()
    serving_rss, serving_resident = peak_rss_mb(), resident_mb()

    began = time.perf_counter()
    change = add_article(settings, GUILD, "tarrow-footbridge.md", NEW_ARTICLE.encode())
    engine.reload_if_changed()
    scope = Scope(GUILD)
    article, text = _first_answer_text(engine.answer(NEW_QUESTION, scope=scope))
    add_seconds = time.perf_counter() - began
    added_answers = article == change.article and NEW_ANSWER in text
    add_rss, add_resident = peak_rss_mb(), resident_mb()

    began = time.perf_counter()
    remove_article(settings, GUILD, change.article)
    engine.reload_if_changed()
    article, _ = _first_answer_text(engine.answer(NEW_QUESTION, scope=scope))
    remove_seconds = time.perf_counter() - began
    print(json.dumps({
        "load_s": load_seconds,
        "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        "serving_rss_mb": serving_rss, "serving_resident_mb": serving_resident,
        "add_rss_mb": add_rss, "add_resident_mb": add_resident,
        "peak_rss_mb": peak_rss_mb(),
        "seed": {key: report[key] for key in ("hit_at_1", "hit_at_3", "answerable", "declined", "unanswerable",
                                              "wrongly_declined") if key in report},
        "add_s": add_seconds, "added_answers": added_answers,
        "remove_s": remove_seconds, "removed_gone": article != change.article,
        "add_embedded": change.report.encoded,
    }))


# ---- the driver ---------------------------------------------------------------------------

def _environment(corpus: Path, index_dir: Path) -> dict[str, str]:
    return {**os.environ, "ARTICLEBOT_CORPUS_DIR": str(corpus), "ARTICLEBOT_INDEX_DIR": str(index_dir),
            "ARTICLEBOT_LOG_LEVEL": "WARNING", "HF_HUB_OFFLINE": "1"}


def run_worker(env: dict[str, str], *args: str, timeout: int = 4 * 3600) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"worker {args[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def cold_start(env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "index", "ask", COLD_QUESTION], capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=600)
    elapsed = time.perf_counter() - start
    if result.returncode or not result.stdout.strip():
        raise RuntimeError(f"cold start failed:\n{result.stderr[-2000:]}")
    return elapsed


def make_questions(corpus: Path, count: int) -> list[str]:
    """Different questions: the seed's, then ones made from phrases of the corpus's articles."""
    questions = [json.loads(line)["question"] for line in EVAL.read_text().splitlines() if line.strip()]
    templates = ("What about {}?", "Who said {}?", "Why {}?", "What happened when {}?", "Is it true that {}?")
    files = sorted(corpus.glob("*.txt"))
    step = max(1, len(files) // count)
    for number, path in enumerate(files[::step]):
        words = re.findall(r"[\w’'-]+", path.read_text(encoding="utf-8"))
        start = (number * 7) % max(1, len(words) - 8)
        phrase = " ".join(words[start:start + 4 + number % 5]) or "the story"
        questions.append(templates[number % len(templates)].format(phrase))
    return list(dict.fromkeys(questions))[:count]


def measure(size: int, work: Path, stories: list[str], cache: str) -> dict[str, Any]:
    from scale_corpus import write_corpus

    corpus = work / f"corpus-{size}"
    if not corpus.exists():
        write_corpus(corpus, ROOT / "corpus", stories, size)
    index_dir = work / f"index-{size}"
    env = _environment(corpus, index_dir)
    row: dict[str, Any] = {"articles": size, "build": run_worker(env, "build", cache)}
    row["cold_s"] = cold_start(env)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(make_questions(corpus, 300), handle)
    try:
        row["serve"] = run_worker(env, "serve", handle.name)
    finally:
        Path(handle.name).unlink()
    # The moderators' article folder is the bench's own; it is emptied again by the remove above.
    return row


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| articles | units | full build, s (embedded/s) | add / remove one article, s | cold start, s "
             "(loading) | warm p50 / p99, ms | peak RSS, MB: serving / full build | seed Hit@1, Hit@3, declined |",
             "|---:|---:|---|---|---|---|---:|---|"]
    for row in rows:
        build, serve = row["build"], row["serve"]
        seed = serve["seed"]
        reused = "" if build["embedded"] >= build["distinct"] else f", {build['embedded']} embedded, rest cached"
        lines.append(
            f"| {row['articles']:,} | {build['units']:,} | {build['seconds']:.0f} "
            f"({build['embedded_per_s']:.1f}{reused}) | {serve['add_s']:.1f} / {serve['remove_s']:.1f} "
            f"| {row['cold_s']:.2f} ({serve['load_s']:.2f}) | {serve['p50_ms']:.1f} / {serve['p99_ms']:.1f} "
            f"| {serve['peak_rss_mb']:.0f} / {build['peak_rss_mb']:.0f} "
            f"| {seed.get('hit_at_1')}/{seed.get('answerable')}, {seed.get('hit_at_3')}/{seed.get('answerable')}, "
            f"{seed.get('declined')}/{seed.get('unanswerable')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help="folder for the corpora and indexes")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--wheel", type=Path, help="a gensim wheel on disk (the Lee stories' source)")
    parser.add_argument("--vectors-cache", default="", help="folder keeping embedded vectors between runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        {"build": worker_build, "serve": worker_serve}[kind](*rest)
        return 0
    if args.work is None:
        parser.error("--work is required")
    from lee_corpus import download_wheel, write_stories

    lee = args.work / "lee"
    if not lee.exists():
        with tempfile.TemporaryDirectory() as scratch:
            write_stories(args.wheel or download_wheel(Path(scratch)), lee)
    stories = [p.read_text(encoding="utf-8").strip() for p in sorted(lee.glob("lee-bg-*.txt"))]
    rows = []
    for size in args.sizes:
        rows.append(measure(size, args.work, stories, args.vectors_cache))
        print(json.dumps(rows[-1]) if args.json else f"{size} articles: {json.dumps(rows[-1])}", flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
