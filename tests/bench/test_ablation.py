"""bench/ablation.py as a whole process, in quick mode on the 4-article set."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_ablation_switches_rules_off_against_the_baseline_of_the_same_run(tmp_path):
    out = tmp_path / "run.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "ablation.py"), "--quick", "--set", "own 102",
         "--only", "cue.time=0", "--only", "role-billionaire", "--json", str(out)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    run = json.loads(out.read_text(encoding="utf-8"))
    baseline = run["baseline"]["sets"]
    assert baseline["own 102"]["answerable"] == 102 and baseline["own less seed"]["answerable"] == 76
    assert baseline["own 102"]["hit_at_1"] >= 85  # 95 measured; slack 10
    assert set(run["variants"]) == {"cue.time=0", "role-billionaire"}
    # The word-list switch really takes effect: the seed's "the billionaire" loses its speaker.
    assert run["variants"]["role-billionaire"]["attribution"]["speaker_changed"] >= 1
    assert "| cue.time=0 |" in result.stdout and "| role-billionaire |" in result.stdout
