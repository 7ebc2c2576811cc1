"""bench/quality.py as a whole process: three methods side by side on one merged corpus."""

import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow


def test_quality_benchmark_compares_the_methods_on_merged_folders(tmp_path):
    only_one = tmp_path / "one"
    only_one.mkdir()
    (only_one / "harbour-storm.md").write_bytes((FIXTURES / "articles" / "harbour-storm.md").read_bytes())
    rest = tmp_path / "rest"
    rest.mkdir()
    for name in ("chip-plant.md", "council-potholes.txt"):
        (rest / name).write_bytes((FIXTURES / "articles" / name).read_bytes())
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "quality.py"), str(FIXTURES / "own_qa.jsonl"),
         "--corpus", str(only_one), "--corpus", str(rest), "--json", "--curve", str(tmp_path / "curve.png")],
        capture_output=True, text=True, timeout=300, check=True,
    )
    report = json.loads(result.stdout)
    naive, e5, bm25, engine = report["rows"]
    assert [r["method"] for r in report["rows"]] == [
        "naive: paragraphs + all-MiniLM-L6-v2 + FAISS", "paragraphs + multilingual-e5-small + FAISS",
        "BM25 (bm25s) alone", "articlebot engine, multilingual-e5-small"]
    assert naive["answerable"] == e5["answerable"] == bm25["answerable"] == engine["answerable"] == 26
    assert engine["hit_at_1"] > max(naive["hit_at_1"], e5["hit_at_1"], bm25["hit_at_1"])
    assert int(engine["declined"].split("/")[0]) >= 8 and naive["declined"] == "n/a"  # of 10, slack 2
    verdicts = engine["verdicts"]
    assert verdicts["answer"] + verdicts["related"] + verdicts["none"] == 36 and naive["verdicts"] is None
    assert verdicts["coverage"] >= 0.9 and verdicts["precision"] >= 0.8
    assert (tmp_path / "curve.png").read_bytes().startswith(b"\x89PNG")
