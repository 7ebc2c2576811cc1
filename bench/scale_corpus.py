"""Corpora of any size for bench/scale.py, made reproducibly from the 300 Lee news stories.

The first articles are the seed article and the Lee stories themselves; the rest are mixes: each
takes one story's opening and fills the rest with sentences of two other stories, in paragraphs of
two to four sentences. Numbers are redrawn and the capitalised names of the mix are swapped for
other names of the Lee stories, consistently within the article, so that the texts (and so the
units the build embeds) are distinct: a build of the mixes finds few texts it has embedded before.
Everything is drawn from random.Random(f"scale-{number}"), so article N is the same in every
corpus and a corpus of 1,000 is the first 1,000 of a corpus of 10,000.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z])")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{3,}\b")


def sentences_of(story: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(story) if s.strip()]


def name_pool(stories: list[str]) -> list[str]:
    """Capitalised words that the stories write only capitalised, inside a sentence: mostly names."""
    lower = {w for story in stories for w in re.findall(r"\b[a-z][a-z]{3,}\b", story)}
    return sorted({w for story in stories for w in _NAME.findall(story) if w.lower() not in lower})


def _redraw_number(match: re.Match[str], rng: random.Random) -> str:
    text = match.group(0)
    if "." in text:
        return f"{rng.uniform(0.1, 99.9):.{len(text.split('.')[1])}f}"
    if len(text) == 4 and text.startswith(("19", "20")):
        return text  # a year stays a year the story could have
    return str(rng.randint(max(1, int(text) // 2), int(text) * 2 + 2))


def mix(number: int, stories: list[list[str]], names: list[str]) -> str:
    """Synthetic article `number`: one story's opening, two others' sentences, names and numbers redrawn."""
    rng = random.Random(f"scale-{number}")
    first, second, third = rng.sample(range(len(stories)), 3)
    opening = stories[first][: max(2, len(stories[first]) // 3)]
    rest = stories[second] + stories[third]
    body = opening + rng.sample(rest, min(len(rest), rng.randint(6, 14)))
    swaps: dict[str, str] = {}
    for sentence in body:
        for name in _NAME.findall(sentence):
            if name in names and name not in swaps:
                swaps[name] = rng.choice(names)
    swapped = [re.sub(r"\b\w+\b", lambda m: swaps.get(m.group(0), m.group(0)), s) for s in body]
    swapped = [_NUMBER.sub(lambda m: _redraw_number(m, rng), s) for s in swapped]
    paragraphs: list[str] = []
    while swapped:
        size = rng.randint(2, 4)
        paragraphs.append(" ".join(swapped[:size]))
        swapped = swapped[size:]
    return "\n\n".join(paragraphs) + "\n"


def articles(stories: list[str], count: int) -> Iterator[tuple[str, str]]:
    """(file name, text) of `count` articles after the seed: the real stories, then mixes."""
    split = [sentences_of(s) for s in stories]
    names = name_pool(stories)
    seen: set[str] = set()
    for number, story in enumerate(stories[:count], 1):
        seen.add(story)
        yield f"lee-bg-{number:03d}.txt", story + "\n"
    number = 0
    made = min(count, len(stories))
    while made < count:
        number += 1
        text = mix(number, split, names)
        if text in seen:
            continue
        seen.add(text)
        made += 1
        yield f"mix-{number:05d}.txt", text


def write_corpus(folder: Path, seed_dir: Path, stories: list[str], size: int) -> Path:
    """A corpus of `size` articles in `folder`: the seed corpus's files, then the Lee stories and mixes."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(p for p in seed_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    for path in seeds:
        shutil.copy2(path, folder / path.name)
    for name, text in articles(stories, size - len(seeds)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder
