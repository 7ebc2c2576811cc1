"""bench/attribution.py as a whole process, on the development set of hand-labelled speakers."""

import json
import subprocess
import sys

from bench.attribution import same_speaker
from tests.conftest import FIXTURES, ROOT


def test_the_rules_find_most_labelled_speakers_and_rarely_a_wrong_one():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "attribution.py"), str(FIXTURES / "attribution" / "dev"), "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)
    assert report["labels"] == 264 and report["named"] == 234
    # Targets with slack under the numbers of 2026-12-05 (tests/fixtures/attribution/README.md): a
    # rule that costs several speakers fails.
    assert report["precision"] >= 0.82
    assert report["recall"] >= 0.64


def test_a_speaker_is_the_same_only_word_by_word():
    assert same_speaker("George W Bush", "George Bush") and same_speaker("Corvane", "Corvane Foods")
    assert same_speaker("Bush", "George W Bush")
    assert not same_speaker("Julia Ramos", "Daniel Ramos")
    assert not same_speaker("Ross", "Paolo Rossi")
    assert not same_speaker("Kellerton City Council", "Pell County Council")
