import pytest

from index import SAME_MEANING, group_by_meaning

pytestmark = pytest.mark.slow


def test_paraphrases_group_together_and_other_questions_apart(seed_engine):
    texts = ["How old is Elon Musk?", "What is the capital of France?", "elon musk age", "What is Musk's age?",
             "what's France's capital city", "How do I bake sourdough bread?", "How old is Musk now?",
             "How old is Elon Musk?", "  how OLD is elon   musk? "]
    groups = group_by_meaning(seed_engine, texts)
    assert groups == [[0, 2, 3, 6, 7, 8], [1, 4], [5]]


def test_the_threshold_decides_and_nothing_is_nothing(seed_engine):
    texts = ["How old is Elon Musk?", "What is Musk's age?"]
    assert group_by_meaning(seed_engine, texts, threshold=SAME_MEANING) == [[0, 1]]
    assert group_by_meaning(seed_engine, texts, threshold=0.99) == [[0], [1]]
    assert group_by_meaning(seed_engine, []) == []
