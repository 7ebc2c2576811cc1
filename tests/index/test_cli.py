"""The real entry points, run as processes against the session's index."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import EVAL, ROOT

pytestmark = pytest.mark.slow


def run(settings, *args):
    env = {**os.environ, "ARTICLEBOT_CORPUS_DIR": str(settings.corpus_dir),
           "ARTICLEBOT_INDEX_DIR": str(settings.index_dir)}
    return subprocess.run([sys.executable, "-m", "index", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_quotes_json_lists_direct_quotations_with_speakers(seed_settings):
    result = run(seed_settings, "quotes", "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(set(row) == {"speaker", "aliases", "text", "article", "paragraph", "kind"} for row in rows)
    melnyk = [r for r in rows if r["kind"] == "direct" and r["speaker"] == "Andrij Melnyk"]
    assert [r["paragraph"] for r in melnyk] == [17, 21, 22]


def test_quotes_speaker_filter_matches_any_alias_case_folded(seed_settings):
    rows = [json.loads(line) for line in run(seed_settings, "quotes", "--speaker", "TESLA’S CEO", "--json")
            .stdout.splitlines()]
    assert rows and {r["speaker"] for r in rows} == {"Elon Musk"}


def test_speakers_json(seed_settings):
    result = run(seed_settings, "speakers", "--json")
    speakers = {row["speaker"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert speakers["Elon Musk"]["count"] >= 8
    assert "Musk" in speakers["Elon Musk"]["aliases"]


def test_ask_json_follows_the_contract_in_order_with_one_model_load(seed_settings):
    questions = ["Who told Musk to f*** off?", "What is the capital of France?", "Who is the Kremlin spokesman?"]
    result = run(seed_settings, "ask", "--json", *questions)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert [r["answered"] for r in rows] == [True, False, True]
    assert rows[1]["passages"] == []
    first = rows[0]["passages"][0]
    assert set(first) == {"article", "paragraph", "text", "highlight", "speaker", "score", "kind"}
    assert first["highlight"] in first["text"]
    assert first["speaker"] == "Andrij Melnyk"
    assert result.stderr.count("loading embedding model") == 1


def test_ask_plain_text(seed_settings):
    result = run(seed_settings, "ask", "Who is the Kremlin spokesman?")
    assert "**Kremlin spokesman Dmitry Peskov" in result.stdout
    assert "paragraph 3" in result.stdout


def test_eval_json(seed_settings):
    result = run(seed_settings, "eval", str(EVAL), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["answerable"] == 26 and report["unanswerable"] == 4
    assert {"hit_at_1", "hit_at_3", "declined", "wrongly_declined", "misses"} <= set(report)


def test_missing_index_gets_a_clear_message(tmp_path):
    from tests.conftest import make_settings

    result = run(make_settings(tmp_path), "ask", "anything")
    assert result.returncode == 2
    assert "index missing" in result.stderr and "articlebot index rebuild" in result.stderr
