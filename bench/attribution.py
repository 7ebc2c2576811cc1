"""Who said it: the attribution rules against speakers labelled by hand, on articles they were not
written on.

    python bench/attribution.py [SET ...] [--misses] [--json]

A SET is a folder with `articles/` (one article a file) and `gold.jsonl`: one line per quotation or
piece of reported speech, {"article", "kind": "direct" | "indirect", "text": its first 40
characters, "speaker": a name as the article introduces it, an organisation, or null}. Default: the
two sets of tests/fixtures/attribution (README.md there: who wrote them, and which is still
held out). A labelled quotation is found among the article's quotations by its first words; its
speaker is right when it names the same person or organisation (or one of the same surname).

For each set it prints how many labelled speakers the rules get right, wrong, or leave out, how
many labelled quotations they do not find, and how often they name a speaker where the label says
no one can be named; precision is right / all speakers given, recall right / all labelled.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.attribution import attribute_article  # noqa: E402
from index.corpus import load_corpus  # noqa: E402
from index.text import split_article  # noqa: E402

SETS = ROOT / "tests" / "fixtures" / "attribution"
# Characters of a labelled quotation's start that must open (or occur in) the quotation found.
MATCHED_CHARS = 25
OUTCOMES = ("right", "wrong", "left out", "not found", "given for no one", "no one, rightly")


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def same_speaker(found: str, labelled: str) -> bool:
    """The same person or organisation, word by word: all of one's words among the other's
    ("Corvane" and "Corvane Foods", "George W Bush" and "George Bush", "Bush" and "George W Bush").
    Julia Ramos is not Daniel Ramos, nor Ross Paolo Rossi."""
    found_words, labelled_words = set(found.lower().split()), set(labelled.lower().split())
    return bool(found_words and labelled_words) and (found_words <= labelled_words or labelled_words <= found_words)


def outcome(label: dict[str, Any], quotations: list[tuple[str, str, str | None]]) -> tuple[str, str | None]:
    """What the rules did with one labelled quotation, and the speaker they gave (if found): the
    quotation of its kind that opens with its words, else one that holds them (reported speech
    found with words before it, such as whom it was told to)."""
    start = folded(label["text"])[:MATCHED_CHARS]
    of_kind = [(text, speaker) for kind, text, speaker in quotations if kind == label["kind"]]
    speakers = [speaker for text, speaker in of_kind if text.startswith(start)] or \
        [speaker for text, speaker in of_kind if start in text]
    if label["speaker"] is None:
        return ("given for no one" if speakers and speakers[0] else "no one, rightly"), \
            speakers[0] if speakers else None
    if not speakers:
        return "not found", None
    if speakers[0] is None:
        return "left out", None
    return ("right" if same_speaker(speakers[0], label["speaker"]) else "wrong"), speakers[0]


def score(folder: Path) -> dict[str, Any]:
    """The outcomes of one set, with precision, recall and the labels not got right."""
    quotations = {
        article.id: [(q.quotation_kind, folded(q.text), q.speaker)
                     for q in attribute_article(article, split_article(article.id, article.body)).quotations]
        for article in load_corpus(folder / "articles", 10**7)
    }
    labels = [json.loads(line) for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()
              if line.strip()]
    counts: Counter[str] = Counter()
    misses = []
    for label in labels:
        result, speaker = outcome(label, quotations.get(label["article"], []))
        counts[result] += 1
        if result not in ("right", "no one, rightly"):
            misses.append({**label, "outcome": result, "found": speaker})
    given = counts["right"] + counts["wrong"] + counts["given for no one"]
    named = sum(1 for label in labels if label["speaker"])
    return {"set": folder.name, "labels": len(labels), "named": named, **{o: counts[o] for o in OUTCOMES},
            "precision": counts["right"] / given if given else 0.0,
            "recall": counts["right"] / named if named else 0.0, "misses": misses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path, help="folders with articles/ and gold.jsonl")
    parser.add_argument("--misses", action="store_true", help="list every label not got right")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    reports = [score(folder) for folder in args.sets or sorted(p for p in SETS.iterdir() if p.is_dir())]
    if args.json:
        print(json.dumps(reports))
        return 0
    print("| set | labels (naming a speaker) | " + " | ".join(OUTCOMES) + " | precision | recall |")
    print("|---|---|" + "---|" * len(OUTCOMES) + "---|---|")
    for report in reports:
        print(f"| {report['set']} | {report['labels']} ({report['named']}) | "
              + " | ".join(str(report[o]) for o in OUTCOMES)
              + f" | {report['precision']:.1%} | {report['recall']:.1%} |")
        if args.misses:
            for miss in report["misses"]:
                print(f"    {miss['outcome']}: [{miss['article']}] {miss['text']!r} → {miss['found']} "
                      f"(labelled {miss['speaker']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
