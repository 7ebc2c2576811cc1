"""Which rules no test guards (issue #12, item 6): each switch of bench/ablation.py as a mutant.

    python bench/rule_tests.py [--only PATTERN ...] [--all-values] [--json OUT] [-- PYTEST ARGS]

For each rule, weight and word-list entry that bench/ablation.py switches off, the tests run once
with that switch set, in a process of their own; a rule is guarded when at least one test then
fails. By default the fast tests of the retrieval layer run (`tests/index -m "not slow" -x`);
give other pytest arguments after `--` (e.g. `-- tests/index -x` to include the slow tests that
load the real model). Only the "off" switches count by default: halving or doubling a weight is
a measurement, not a mutant (--all-values runs those too).

Prints one line per mutant and a summary of the ones no test caught; exits 1 when there are any.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
import time
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ablation  # noqa: E402

from index.answering import engine as engine_module  # noqa: E402
from index.answering import loaded  # noqa: E402
from index.answering.scoring import Weights  # noqa: E402

DEFAULT_TESTS = ["tests/index", "-m", "not slow", "-x"]


def mutant_switches(variant: ablation.Variant) -> list[AbstractContextManager]:
    """What switches the variant on for code that knows nothing of the benchmark: its patches, and
    its weights, relevance threshold and index preparation where the engine and the loader take
    their defaults."""
    switches = list(variant.patches())
    engine = engine_module
    if variant.weights != Weights():
        switches.append(mock.patch.object(engine, "Weights", lambda: variant.weights))
    if variant.min_relevance is not None:
        original = engine.decline_reason
        threshold = variant.min_relevance

        def decline_reason(index, scores, chosen, vector, name_vectors, min_relevance, lexical):  # type: ignore[no-untyped-def]
            return original(index, scores, chosen, vector, name_vectors, threshold, lexical)

        switches.append(mock.patch.object(engine, "decline_reason", decline_reason))
    if variant.prepare is not None:
        assemble, prepare = loaded._assemble, variant.prepare

        def prepared(*args: Any) -> Any:
            index = assemble(*args)
            prepare(index)
            return index

        switches.append(mock.patch.object(loaded, "_assemble", prepared))
    return switches


def is_off(variant: ablation.Variant) -> bool:
    """A switch that removes a rule (not a weight or setting halved, doubled or moved)."""
    return "=" not in variant.name or variant.name.endswith("=0")


class _Failures:
    """A pytest plugin that notes the tests that fail."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed.append(report.nodeid)


def run_mutant(name: str, pytest_args: list[str]) -> int:
    """In this process: the tests with one mutant switched on. Prints the failed tests as JSON."""
    import pytest

    variant = next(v for v in ablation.variants() if v.name == name)
    failures = _Failures()
    with ExitStack() as stack:
        for switch in mutant_switches(variant):
            stack.enter_context(switch)
        code = pytest.main([*pytest_args, "-q", "-p", "no:cacheprovider", "--no-header", "-W", "ignore"],
                           plugins=[failures])
    print("FAILED-TESTS " + json.dumps(failures.failed))
    return int(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    pytest_args = DEFAULT_TESTS
    if "--" in argv:
        at = argv.index("--")
        argv, pytest_args = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", metavar="PATTERN", help="mutants whose name matches (fnmatch)")
    parser.add_argument("--all-values", action="store_true", help="also the halved and doubled weights")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the result here")
    parser.add_argument("--mutant", help=argparse.SUPPRESS)  # the child process: run one mutant
    args = parser.parse_args(argv)
    if args.mutant:
        return run_mutant(args.mutant, pytest_args)

    chosen = [v for v in ablation.variants() if (args.all_values or is_off(v))
              and (not args.only or any(fnmatch.fnmatchcase(v.name, p) for p in args.only))]
    results: dict[str, Any] = {"tests": pytest_args, "mutants": {}}
    uncaught: list[str] = []
    for number, variant in enumerate(chosen, 1):
        began = time.monotonic()
        child = subprocess.run(
            [sys.executable, __file__, "--mutant", variant.name, "--", *pytest_args],
            cwd=ROOT, capture_output=True, text=True, check=False)
        line = next((ln for ln in child.stdout.splitlines() if ln.startswith("FAILED-TESTS ")), None)
        failed = json.loads(line.removeprefix("FAILED-TESTS ")) if line else []
        if child.returncode == 0:
            verdict = "NOT CAUGHT"
            uncaught.append(variant.name)
        elif child.returncode == 1 and failed:
            verdict = "caught by " + ", ".join(failed[:3])
        else:  # the tests could not run: count it as not caught and show why
            verdict = f"ERROR (exit {child.returncode}): {(child.stderr or child.stdout).strip()[-300:]}"
            uncaught.append(variant.name)
        results["mutants"][variant.name] = {"what": variant.what, "failed": failed, "exit": child.returncode,
                                            "seconds": round(time.monotonic() - began, 1)}
        print(f"{number}/{len(chosen)} {variant.name}: {verdict}", flush=True)
    results["uncaught"] = uncaught
    print(f"\n{len(chosen) - len(uncaught)} of {len(chosen)} mutants caught by `pytest {' '.join(pytest_args)}`")
    if uncaught:
        print("not caught: " + ", ".join(uncaught))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 1 if uncaught else 0


if __name__ == "__main__":
    sys.exit(main())
