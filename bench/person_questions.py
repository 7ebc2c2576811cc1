"""Questions about the people the articles quote, asked of every one of them from templates: what
readers ask first ("What did X say?", "What does X think?", "Who is X?") against questions about
them that the articles do not answer ("What did X say about football?", "How old is X?" …).

    python bench/person_questions.py [--corpus DIR ...] [--json]

The people are the index's speakers whose name a question re-words ("What did he say?"). For each
set it prints the verdicts and how often the first passage quotes the person asked about. No
template is a development question: the numbers show what the development sets hold too few of,
and nothing here was tuned on a single person. Builds the index of the merged corpus folders
(default: corpus, tests/fixtures/articles and tests/fixtures/lee) in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quality import merged_corpus  # noqa: E402
from index.answering.engine import Engine  # noqa: E402
from index.building.build import rebuild  # noqa: E402
from index.settings import Settings  # noqa: E402

TEMPLATES = {
    "asks about the person": ["What did {} say?", "What does {} think?", "Who is {}?"],
    "off the articles": ["What did {} say about football?", "How old is {}?", "What is {}'s favourite film?",
                         "What did {} say about the price of bananas?"],
}


def person_rows(engine: Engine) -> dict[str, dict[str, int]]:
    """Per template set: the verdicts, and how many first passages quote the person asked about."""
    _, speakers = engine._serving
    people = sorted({entry["speaker"] for entry in speakers.speakers()
                     if speakers.pronoun_question(f"What did {entry['speaker']} say?")})
    rows = {}
    for name, templates in TEMPLATES.items():
        asked = [(person, template.format(person)) for person in people for template in templates]
        answers = engine.answer_many([question for _, question in asked])
        verdicts = Counter(str(answer.verdict) for answer in answers)
        quoting = sum(1 for (person, _), answer in zip(asked, answers, strict=True)
                      if answer.passages and answer.passages[0].speaker == person)
        rows[name] = {"people": len(people), "questions": len(asked), **verdicts, "first passage quotes them": quoting}
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append",
                        help="a corpus folder; give it more than once to merge folders")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    fixtures = ROOT / "tests" / "fixtures"
    folders = args.corpus or [ROOT / "corpus", fixtures / "articles", fixtures / "lee"]
    with tempfile.TemporaryDirectory() as folder:
        corpus = merged_corpus(folders, Path(folder) / "corpus")
        settings = Settings(_env_file=None, corpus_dir=corpus, index_dir=Path(folder) / "index")
        rebuild(settings)
        rows = person_rows(Engine.open(settings))
    if args.json:
        print(json.dumps(rows))
        return 0
    print("| questions | people | asked | answer | related | none | first passage quotes them |")
    print("|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['people']} | {row['questions']} | {row.get('answer', 0)} | {row.get('related', 0)} "
              f"| {row.get('none', 0)} | {row['first passage quotes them']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
