"""How well `index.group_by_meaning` groups paraphrases, per threshold (the choice of SAME_MEANING).

    python bench/grouping.py [MODEL]   (default: the settings' model)

Ten groups of paraphrases of questions the seed article does not answer, among ten near-topic
questions that each mean something else. Over five shuffled orders it prints, per threshold, the share
of paraphrase pairs put in one group (recall) and the share of pairs in one group that are paraphrases
(precision).
"""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.answering.grouping import group_by_meaning
from index.embedding.encoders import KNOWN_SIMILARITY, passage_encoder
from index.settings import Settings

PARAPHRASES = [
    ["How many Tesla cars were sold in Ukraine last year?", "How many Teslas did Ukraine buy last year?",
     "tesla sales in ukraine last year", "What were Tesla's sales figures in Ukraine?"],
    ["Who will win the next US presidential election?", "Who is going to win the next American presidential election?",
     "next us election winner?", "Which candidate will win the 2028 US presidential race?"],
    ["What is the capital of France?", "what's France's capital city", "Which city is the capital of France?"],
    ["How old is Elon Musk?", "What is Musk's age?", "elon musk age", "How old is Musk now?"],
    ["How much is Starlink per month in Ukraine?", "What does Starlink cost monthly in Ukraine?",
     "starlink price ukraine"],
    ["When did the war in Ukraine start?", "When did Russia invade Ukraine?", "start date of the Ukraine war"],
    ["How do I bake sourdough bread?", "sourdough bread recipe", "How to make sourdough?"],
    ["What is Zelensky's salary?", "How much does Zelensky earn?", "zelensky pay"],
    ["Will Musk buy Twitter again?", "Is Elon going to purchase Twitter a second time?"],
    ["What did Putin say about Musk?", "How did Putin react to Musk's plan?", "Putin's response to Elon Musk"],
]
OTHERS = ["How many Tesla cars were sold in Germany last year?", "Who won the last US presidential election?",
          "What is the capital of Germany?", "How old is Vladimir Putin?", "How much did Musk pay for Twitter?",
          "When did the war in Ukraine end?", "What did Zelensky say about Musk?",
          "How many people voted in Musk's poll?", "Where does Melnyk work?", "What is Starlink?"]


def main() -> None:
    texts = [text for group in PARAPHRASES for text in group] + OTHERS
    meaning = [number for number, group in enumerate(PARAPHRASES) for _ in group] + \
              [len(PARAPHRASES) + number for number in range(len(OTHERS))]
    # group_by_meaning needs only the engine's question encoder and its model's similarity profile.
    settings = Settings(_env_file=None, **({"model": sys.argv[1]} if len(sys.argv) > 1 else {}))
    engine = SimpleNamespace(encoder=passage_encoder(settings),
                             index=SimpleNamespace(similarity=KNOWN_SIMILARITY[settings.model]))
    for threshold in (0.6, 0.65, 0.7, 0.75, 0.8, 0.85):
        together = right = paraphrase_pairs = 0
        for seed in range(5):
            order = list(range(len(texts)))
            random.Random(seed).shuffle(order)
            group_of = {}
            for number, group in enumerate(group_by_meaning(engine, [texts[i] for i in order], threshold)):
                group_of.update({order[position]: number for position in group})
            for a, b in itertools.combinations(range(len(texts)), 2):
                same_group, same_meaning = group_of[a] == group_of[b], meaning[a] == meaning[b]
                together += same_group
                right += same_group and same_meaning
                paraphrase_pairs += same_meaning
        print(f"threshold {threshold:.2f}: recall {right / paraphrase_pairs:.2f}, precision {right / together:.2f}")


if __name__ == "__main__":
    main()
