"""Texts grouped by meaning with the engine's question encoder: "How old is Musk?" and "elon musk
age" are one question to a moderator reading what the articles could not answer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .engine import Engine

# Similarity (calibrated onto all-MiniLM-L6-v2's scale, index/encoders.py) between a text and a
# group's mean vector for the text to join it. Measured on 37 pairs of paraphrases in 10 groups among
# 10 near-topic questions with other answers (bench/grouping.py): with multilingual-e5-small, 0.70
# kept 85% of paraphrase pairs together with 82% of the pairs it made being paraphrases; 0.65 gave
# 91% and 79%, 0.75 75% and 95% (all-MiniLM-L6-v2 at 0.70: 97% and 77%). What merges wrongly is a
# question and its near opposite ("When did the war start?" / "… end?").
SAME_MEANING = 0.70


def group_by_meaning(engine: Engine, texts: Sequence[str], threshold: float = SAME_MEANING) -> list[list[int]]:
    """Indices into `texts`, grouped by meaning, the largest group first.

    Texts equal but for case and spacing are embedded once. The most frequent wording starts a group
    and each text joins the group whose (count-weighted) mean vector is closest, at `threshold` or
    more, else starts its own."""
    positions: dict[str, list[int]] = {}
    for position, text in enumerate(texts):
        positions.setdefault(" ".join(text.casefold().split()), []).append(position)
    wordings = sorted(positions.values(), key=lambda found: (-len(found), found[0]))
    if not wordings:
        return []
    vectors = engine.encoder.encode_queries([texts[found[0]] for found in wordings])
    similarity = engine.index.similarity
    groups: list[list[int]] = []
    sums = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    for found, vector in zip(wordings, vectors, strict=True):
        if groups:
            means = sums / np.linalg.norm(sums, axis=1, keepdims=True)
            best = int(np.argmax(means @ vector))
            if float(similarity.calibrate(float(means[best] @ vector))) >= threshold:
                groups[best].extend(found)
                sums[best] += vector * len(found)
                continue
        groups.append(list(found))
        sums = np.vstack([sums, vector[None, :] * len(found)])
    return sorted((sorted(group) for group in groups), key=lambda group: (-len(group), group[0]))
