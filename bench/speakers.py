"""Finding the speakers a question names: one regex alternation of every alias (the baseline, what
the speaker directory compiled until NameFinder) against NameFinder, on an index's own speakers.

    python bench/speakers.py INDEX_DIR [INDEX_DIR …] [--questions 300] [--json]

For each index: how many aliases and people's names it has, the time to build each matcher (the
regex's compile is paid at every start), and the time per question to find the aliases (folded
question) and the first person named (pronoun_question), on the seed's questions and questions made
of the index's own sentences, so names occur. Both matchers run in this one process and must find
the same matches; the bench stops if they differ.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval" / "seed_qa.jsonl"


def alternation(names: set[str], ending: str = "") -> re.Pattern[str]:
    suffix = f"(?:{ending})?" if ending else ""
    return re.compile("|".join(rf"(?<!\w){re.escape(n)}{suffix}(?!\w)" for n in sorted(names, key=len, reverse=True)))


def timed(work: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def per_question_ms(find: Any, questions: list[str]) -> tuple[list[Any], float]:
    found, seconds = timed(lambda: [find(q) for q in questions])
    return found, 1000 * seconds / len(questions)


def measure(index_dir: Path, count: int) -> dict[str, Any]:
    from index.answering.loaded import load_index
    from index.answering.name_finder import NameFinder
    from index.answering.speakers import SpeakerDirectory, _person_names
    from index.text import POSSESSIVE, fold
    from index.text.words import POSSESSIVE_ENDINGS

    index = load_index(index_dir)
    directory = SpeakerDirectory(index.quotes, index.lowercase_words)
    aliases = set(directory._speaker_of_alias)
    people = {n for s in {q["speaker"] for q in index.quotes if q["speaker"]}
              for n in _person_names(s, index.lowercase_words)}
    questions = [json.loads(line)["question"] for line in EVAL.read_text().splitlines() if line.strip()]
    sentences = [s.text for s in index.sentences]
    questions += [f"What did {' '.join(s.split()[:8])}?" for s in sentences[::max(1, len(sentences) // count)]]
    folded = [fold(q) for q in questions]

    (alias_regex, people_regex), regex_build = timed(lambda: (alternation(aliases), alternation(people, POSSESSIVE)))
    (alias_finder, people_finder), finder_build = timed(
        lambda: (NameFinder(aliases), NameFinder(people, POSSESSIVE_ENDINGS)))
    regex_aliases, regex_alias_ms = per_question_ms(lambda q: [m.span() for m in alias_regex.finditer(q)], folded)
    finder_aliases, finder_alias_ms = per_question_ms(lambda q: [m[:2] for m in alias_finder.finditer(q)], folded)
    regex_people, regex_people_ms = per_question_ms(
        lambda q: (m := people_regex.search(q)) and m.span(), questions)
    finder_people, finder_people_ms = per_question_ms(lambda q: (m := people_finder.search(q)) and m[:2], questions)
    if regex_aliases != finder_aliases or [p or None for p in regex_people] != [p or None for p in finder_people]:
        raise SystemExit(f"{index_dir}: NameFinder and the regex found different names")
    return {"index": str(index_dir), "quotes": len(index.quotes), "aliases": len(aliases), "people": len(people),
            "questions": len(questions), "questions_naming": sum(bool(f) for f in finder_aliases),
            "build_s": {"regex": regex_build, "finder": finder_build},
            "aliases_ms": {"regex": regex_alias_ms, "finder": finder_alias_ms},
            "people_ms": {"regex": regex_people_ms, "finder": finder_people_ms}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_dirs", nargs="+", type=Path)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = [measure(path, args.questions) for path in args.index_dirs]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print("| index | quotations | aliases | build s (regex / finder) | aliases ms a question | person ms a question |")
    print("|---|---:|---:|---|---|---|")
    for row in rows:
        ratio = statistics.mean([row["aliases_ms"]["regex"] / row["aliases_ms"]["finder"],
                                 row["people_ms"]["regex"] / row["people_ms"]["finder"]])
        print(f"| {row['index']} | {row['quotes']:,} | {row['aliases']:,} | "
              f"{row['build_s']['regex']:.3f} / {row['build_s']['finder']:.3f} | "
              f"{row['aliases_ms']['regex']:.3f} / {row['aliases_ms']['finder']:.3f} | "
              f"{row['people_ms']['regex']:.3f} / {row['people_ms']['finder']:.3f} (×{ratio:.0f} mean) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
