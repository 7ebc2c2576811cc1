"""The answer engine with the real model on real text."""

import dataclasses
import gc
import shutil
import weakref
from pathlib import Path
from unittest import mock

import pytest

from index.answering import Answer, Trace, declining
from index.answering.engine import Engine, clean_question, in_sentence_case
from index.answering.evaluate import contains_gold, evaluate, read_cases
from index.answering.question_names import spelling_variants
from index.building.build import rebuild
from index.corpus import load_corpus
from index.text.passages import sentence_spans
from tests.conftest import CORPUS, EVAL, FIXTURES, make_settings

pytestmark = pytest.mark.slow
OWN = FIXTURES / "own_qa.jsonl"
EXTRA = FIXTURES / "seed_extra_qa.jsonl"  # paraphrases and new facts, written for the tests
LEE = FIXTURES / "lee_qa.jsonl"  # about real stories without paragraph breaks (fixtures/lee)
LEE_HELDOUT = FIXTURES / "lee_heldout_qa.jsonl"  # written after the engine of its session was done


@pytest.fixture(scope="module")
def mixed_engine(tmp_path_factory, encoder):
    """The seed article with three articles written for the tests, in other house styles."""
    folder = tmp_path_factory.mktemp("mixed")
    corpus = folder / "corpus"
    shutil.copytree(CORPUS, corpus)
    for path in (FIXTURES / "articles").iterdir():
        shutil.copy(path, corpus / path.name)
    settings = make_settings(folder / "x", corpus)
    rebuild(settings, encoder=encoder)
    return Engine.open(settings, encoder=encoder)


@pytest.fixture(scope="module")
def news_engine(tmp_path_factory, encoder):
    """72 articles: the seed, the three written for the tests and 68 real news stories, many of
    them on the same subjects."""
    folder = tmp_path_factory.mktemp("news")
    corpus = folder / "corpus"
    shutil.copytree(CORPUS, corpus)
    for path in [*(FIXTURES / "articles").iterdir(), *(FIXTURES / "lee").glob("*.txt")]:
        shutil.copy(path, corpus / path.name)
    settings = make_settings(folder / "x", corpus)
    rebuild(settings, encoder=encoder)
    return Engine.open(settings, encoder=encoder)


def test_seed_questions_quality(seed_engine):
    """The issue's targets: Hit@1 ≥ 24/26, Hit@3 26/26, 4/4 declined, none wrongly declined."""
    report = evaluate(seed_engine, read_cases(EVAL))
    assert report.hit_at_1 >= 24
    assert report.hit_at_3 == 26
    assert report.declined == report.unanswerable == 4
    assert report.wrongly_declined == 0


def test_highlight_of_a_first_hit_contains_the_answer(seed_engine):
    cases = [c for c in read_cases(EVAL) if c.answerable]
    answers = seed_engine.answer_many([c.question for c in cases])
    hits = [(c, a) for c, a in zip(cases, answers, strict=True) if contains_gold(a.passages[0].text, c.gold)]
    in_highlight = sum(contains_gold(a.passages[0].highlight, c.gold) for c, a in hits)
    assert in_highlight >= len(hits) - 1


def test_other_articles_and_off_topic_questions(mixed_engine):
    """Target: 26/26, 10/10 declined; floors with a slack of two questions (measured with
    multilingual-e5-small: Hit@1 25/26, Hit@3 26/26, 9/10 declined)."""
    cases = read_cases(OWN)
    report = evaluate(mixed_engine, cases)
    assert report.hit_at_1 >= 24 and report.hit_at_3 >= 25  # of 26
    assert report.declined >= 8  # of 10
    assert report.wrongly_declined == 0


def test_paraphrased_and_new_questions(mixed_engine):
    """Floors two questions below the measured Hit@1 46/50, Hit@3 47/50 (multilingual-e5-small),
    3 of the 4 declined (see README for what is still missed)."""
    report = evaluate(mixed_engine, read_cases(EXTRA))
    assert report.hit_at_1 >= 44 and report.hit_at_3 >= 45
    assert report.declined >= 3 and report.wrongly_declined == 0


def test_questions_about_one_story_among_many(news_engine):
    """Target (issue #12): Hit@1 no lower than all-MiniLM-L6-v2's 38/40; floors with a slack of two
    (measured with multilingual-e5-small: Hit@1 37/40, Hit@3 39/40, 10/12 declined)."""
    report = evaluate(news_engine, read_cases(LEE))
    assert report.hit_at_1 >= 36 and report.hit_at_3 >= 38
    assert report.declined >= 7 and report.wrongly_declined == 0


def test_held_out_questions_about_one_story_among_many(news_engine):
    """Target (issue #12): Hit@1 no lower than all-MiniLM-L6-v2's 30/31; floors with a slack of two
    (measured with multilingual-e5-small: Hit@1 29/31, Hit@3 30/31, 1/12 declined and 1 answerable
    declined, as the unanswerable ones ask about the same stories; see README)."""
    report = evaluate(news_engine, read_cases(LEE_HELDOUT))
    assert report.hit_at_1 >= 28 and report.hit_at_3 >= 29
    assert report.wrongly_declined <= 1


def test_seed_questions_among_many_other_stories(news_engine):
    """Target (issue #12): Hit@1 ≥ 24/26 and Hit@3 26/26 with many stories in the index, not only
    alone (measured with multilingual-e5-small: 24/26, 26/26, 3/4 declined: a tennis story answers
    'Who won the 2018 World Cup?', see README)."""
    report = evaluate(news_engine, read_cases(EVAL))
    assert report.hit_at_1 >= 24 and report.hit_at_3 == 26
    assert report.declined >= 3 and report.wrongly_declined == 0


def test_questions_typed_in_capitals_are_answered_as_in_sentence_case(news_engine):
    """The news questions typed in capitals. Measured: Hit@1 158 of 173, none wrongly declined;
    embedded as typed, 153 and 4 wrongly declined. Floors with slack: 155 and 1."""
    cases = [dataclasses.replace(c, question=c.question.upper())
             for path in (EVAL, EXTRA, OWN, LEE, LEE_HELDOUT) for c in read_cases(path)]
    report = evaluate(news_engine, cases)
    assert report.answerable == 173
    assert report.hit_at_1 >= 155 and report.wrongly_declined <= 1
    assert in_sentence_case("WHO IS THE KREMLIN SPOKESMAN?") == "Who is the kremlin spokesman?"
    assert in_sentence_case("Elon Musk?") == "Elon Musk?"  # title case keeps its names
    trace = Trace()
    news_engine.answer_many(["WHO IS THE KREMLIN SPOKESMAN?"], traces=[trace])
    assert trace.embedded_as == "Who is the kremlin spokesman?"  # --explain says what the model read
    assert in_sentence_case("Who is the Kremlin spokesman?") == "Who is the Kremlin spokesman?"


def test_a_passage_that_shares_only_a_name_with_the_question_is_not_quoted(news_engine):
    # "Today, the United States will play France." is as close to "France" as to the question.
    assert not news_engine.answer("What is the capital of France?").answered
    assert "will play France" in news_engine.answer("Who will France play today?").passages[0].highlight


def test_passages_come_only_from_articles_naming_what_the_question_names(news_engine):
    # Only one story names Bede Harris, and it runs the two words together.
    answer = news_engine.answer("How many referenda does Bede Harris propose?")
    assert answer.answered
    assert {p.article for p in answer.passages + answer.more} == {"lee-bg-299"}
    assert "three referenda" in answer.passages[0].text


def test_a_passage_must_write_the_numbers_the_question_names(seed_engine):
    """The seed writes 2014 twice (Crimea), never beside its poll."""
    question = "What did Musk's poll show in 2014?"
    answer = seed_engine.answer(question)
    assert all("2014" in p.text for p in answer.passages + answer.more)
    with mock.patch.object(declining, "NUMBERS_IN_PARAGRAPH", False):  # the rule off: the poll is quoted
        assert "2014" not in seed_engine.answer(question).passages[0].text


def test_question_naming_someone_is_routed_to_the_article_that_names_them(mixed_engine):
    # "job" is a keyword of another article; only the seed names Peskov.
    answer = mixed_engine.answer("What is Dmitry Peskov's job?")
    assert "Kremlin spokesman Dmitry Peskov" in answer.passages[0].text


def test_answer_carries_article_paragraph_text_highlight_score_kind_and_speaker(seed_engine):
    answer = seed_engine.answer("What did Melnyk tell Musk?")
    assert answer.answered and len(answer.passages) == 3
    first = answer.passages[0]
    assert first.article == "musk-peace-deal" and first.paragraph_kind == "body"
    assert first.speaker == "Andrij Melnyk"
    # The highlight is a whole sentence of the paragraph: the one that answers.
    assert first.highlights[0] in sentence_spans(first.text)
    assert first.highlight.endswith("saying “F*** off is my very diplomatic answer to you.”")
    assert [p.score for p in answer.passages] == sorted((p.score for p in answer.passages), reverse=True)
    assert answer.more  # further passages for paging


def test_a_passage_names_the_speaker_its_highlight_takes_in(mixed_engine):
    """The answering sentence is narration; the sentence after it, highlighted with it ("He said
    …"), is Tom Avery's."""
    first = mixed_engine.answer("How fast is the new repair method?").passages[0]
    assert first.article == "council-potholes"
    assert "repairs a pothole in under ten minutes" in first.highlight
    assert first.speaker == "Tom Avery"


def test_caption_restating_a_body_paragraph_quotes_the_body(seed_engine):
    answer = seed_engine.answer("Who told Musk to f*** off?")
    assert answer.passages[0].paragraph_kind == "body"
    assert all(p.paragraph_kind == "body" for p in answer.passages)


def test_a_name_spelt_another_way_still_counts(seed_engine):
    assert "zelensky" in spelling_variants(seed_engine.index, "zelenskyy")
    answer = seed_engine.answer("What poll did Zelenskyy post?")
    assert answer.answered and "Which Elon Musk do you like best?" in answer.passages[0].text


def test_names_are_embedded_once_then_kept(seed_engine):
    class Counting:
        def __init__(self):
            self.texts: list[str] = []

        def encode_queries(self, texts):
            self.texts += list(texts)
            return seed_engine.encoder.encode_queries(texts)

    counting = Counting()
    engine = Engine(seed_engine.index, counting, seed_engine.settings)
    engine.answer_many(["What did Tesla say?", "Is Tesla selling cars in Ukraine?"])
    engine.answer("When did Tesla comment?")
    assert counting.texts.count("tesla") == 1  # "Ukraine" is embedded too, once
    assert counting.texts.count("ukraine") == 1


def test_named_thing_absent_from_the_articles_is_declined(seed_engine):
    assert not seed_engine.answer("What did Musk say about Mars rockets?").answered
    # With no relevance threshold at all, there is still nothing to quote.
    anything_goes = seed_engine.settings.model_copy(update={"min_relevance": 0.0})
    engine = Engine(seed_engine.index, seed_engine.encoder, anything_goes)
    assert not engine.answer("What did Musk say about Mars rockets?").answered
    assert seed_engine.answer("WHAT DID MUSK SAY ABOUT NUCLEAR WAR?").answered  # capitals are no signal


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_declined_without_the_model(seed_engine, question):
    assert seed_engine.answer(question).answered is False


@pytest.mark.parametrize("question", [".", "-", "?!…", "\u200b\u200b", "\x00\x07\x1b", "\u200b.\u2060", "🙂🙂"])
def test_question_without_words_is_declined_like_an_empty_one(seed_engine, question):
    assert clean_question(question) == ""
    encoded = seed_engine.encoder.encoded_count
    answer = seed_engine.answer(question)
    assert (answer.answered, answer.passages) == (False, ())
    assert seed_engine.encoder.encoded_count == encoded
    assert clean_question(" \u200bWho  told\tMusk? ") == "\u200bWho told Musk?"


def test_a_lone_surrogate_becomes_a_question_mark_and_the_question_is_answered(seed_engine):
    """A byte that is not UTF-8 on the command line arrives as a lone surrogate, which the language
    detector, the tokenizer and SQLite all refuse."""
    assert clean_question("Who is Pesk\udce9v?") == "Who is Pesk?v?"
    answer = seed_engine.answer("What did Dmitry Pesk\udce9v say?")
    assert answer.question == "What did Dmitry Pesk?v say?" and answer.answered


def test_huge_unicode_and_markup_questions_are_handled(seed_engine):
    huge = "Who told Musk to f*** off? " * 500
    assert len(clean_question(huge)) <= 1000
    answer = seed_engine.answer(huge)
    assert answer.question == clean_question(huge)
    assert "F*** off is my very diplomatic answer" in answer.passages[0].highlight
    body = next(a for a in load_corpus(CORPUS) if a.id == "musk-peace-deal").body
    for odd in ["Z̷̢a̴l̸g̵o̶ ̵t̷e̶x̸t̵", "مرحبا من هو المتحدث", "<@123> @everyone **bold** `code`"]:
        answer = seed_engine.answer(odd)
        assert answer.question == odd  # markup and marks are plain text here
        assert answer.answered == bool(answer.passages)
        assert all(p.text in body and p.highlight in p.text for p in answer.passages)  # verbatim
    assert seed_engine.answer("🙂🙂🙂") == Answer("", False)  # no letter: nothing to look up


def test_article_filter(mixed_engine):
    answer = mixed_engine.answer("What did the premier promise?", article="harbour-storm")
    assert {p.article for p in answer.passages} == {"harbour-storm"}
    with pytest.raises(KeyError):
        mixed_engine.answer("anything", article="no-such-article")


def test_story_without_paragraph_breaks_is_answered(mixed_engine):
    answer = mixed_engine.answer("How fast is the new repair method?")
    assert answer.passages[0].article == "council-potholes"
    assert "under ten minutes" in answer.passages[0].highlight


def test_question_naming_a_speaker_favours_their_statements(seed_engine):
    answer = seed_engine.answer("What did Melnyk say about Tesla?")
    assert "Tesla crap" in answer.passages[0].text
    assert answer.passages[0].speaker == "Andrij Melnyk"


def test_new_index_is_picked_up_before_the_next_question(tmp_path, encoder):
    settings = make_settings(tmp_path, CORPUS)
    rebuild(settings, encoder=encoder)
    engine = Engine.open(settings, encoder=encoder)
    assert not engine.reload_if_changed()
    shutil.copy(FIXTURES / "articles" / "chip-plant.md", settings.corpus_dir / "chip-plant.md")
    rebuild(settings, encoder=encoder)
    assert engine.reload_if_changed()
    assert "chip-plant" in engine.index.articles


def test_a_replaced_index_is_released_as_soon_as_nothing_uses_it(tmp_path, encoder):
    """Not at the garbage collector's next full pass, which a serving process may not reach for
    hours: until then the old index's arrays and mapped files stay resident beside the new one."""
    settings = make_settings(tmp_path, CORPUS)
    rebuild(settings, encoder=encoder)
    engine = Engine.open(settings, encoder=encoder)
    engine.answer("Who told Musk to f*** off?")  # fills the index's lazy views and caches
    replaced = weakref.ref(engine.index)
    shutil.copy(FIXTURES / "articles" / "chip-plant.md", settings.corpus_dir / "chip-plant.md")
    rebuild(settings, encoder=encoder)
    gc.disable()
    try:
        assert engine.reload_if_changed()
        assert replaced() is None
    finally:
        gc.enable()


def test_answer_many_matches_single_answers(seed_engine):
    questions = ["Who is the Kremlin spokesman?", "", "When was Crimea annexed?"]
    batched = seed_engine.answer_many(questions)
    assert [a.as_dict() for a in batched] == [seed_engine.answer(q).as_dict() for q in questions]


def test_fixture_articles_are_not_in_the_corpus():
    assert not any(Path(CORPUS, p.name).exists() for p in (FIXTURES / "articles").iterdir())


def test_a_sentence_that_goes_on_from_the_best_one_is_highlighted_with_it(tmp_path, encoder):
    settings = make_settings(tmp_path)
    (settings.corpus_dir / "p.md").write_text(
        "The complexity class P is often seen as a mathematical abstraction modeling those computational "
        "tasks that admit an efficient algorithm. This hypothesis is called the Cobham–Edmonds thesis. "
        "Other classes are studied too.\n", encoding="utf-8")
    rebuild(settings, encoder=encoder)
    answer = Engine.open(settings).answer("What hypothesis sees P as modelling tasks with an efficient algorithm?")
    assert answer.passages[0].highlight.endswith("This hypothesis is called the Cobham–Edmonds thesis.")
    assert "Other classes" not in answer.passages[0].highlight


@pytest.mark.parametrize("question", ["Wer ist der Sprecher des Kremls?", "Хто такий речник Кремля?",
                                      "Kto jest rzecznikiem prasowym Kremla?"])
def test_a_question_in_another_language_is_answered_on_the_model_alone(seed_engine, question):
    # Capitalised German nouns and Cyrillic names are no names the English article uses; read as
    # such they would decline the question.
    answer = seed_engine.answer(question)
    assert answer.answered and "Peskov" in answer.passages[0].text


def test_english_rules_still_apply_to_english_questions(seed_engine):
    from index.text.language import is_foreign

    assert not is_foreign("How do I reset my password?", "en")  # French at 0.45 is not sure enough
    assert not seed_engine.answer("What did Musk say about Mars rockets?").answered


def test_a_question_on_the_subject_that_no_story_answers_is_related_not_answered(news_engine):
    """Quoted as the closest passages under `related`; far off-topic stays `none`."""
    rate = news_engine.answer("What is the exchange rate of the Australian dollar to the yen?")
    assert rate.answered and rate.verdict == "related" and rate.passages
    assert news_engine.answer("What is the capital of France?").verdict == "none"
    assert news_engine.answer("How many people voted in Musk's poll?").verdict == "answer"


def test_verdicts_keep_nine_in_ten_answerable_lee_questions_answer(news_engine):
    cases = read_cases(LEE) + read_cases(LEE_HELDOUT)
    answers = news_engine.answer_many([c.question for c in cases])
    answerable = [a for c, a in zip(cases, answers, strict=True) if c.answerable]
    assert sum(a.verdict == "answer" for a in answerable) >= 0.9 * len(answerable)


def test_an_off_topic_question_about_a_quoted_person_is_declined(news_engine):
    """A re-worded question's relevance read as typed whatever it asked ("What did Dmitry Peskov say
    about football?" rather than "… he say …") let the name alone carry it past the relevance rule:
    129 of 264 off-topic questions about quoted people were answered. The typed form is read only
    for a question that asks about the person and nothing else."""
    assert not news_engine.answer("What did Dmitry Peskov say about football?").answered
    assert not news_engine.answer("How old is Helen Marsh?").answered


def test_a_question_naming_a_quoted_person_is_read_as_typed_for_the_relevance_rule(news_engine):
    """Embedded re-worded ("What did he say?"), the question was near no sentence and declined as
    too far, though its first passage quotes her. Its relevance is now read as typed too, but only
    from passages that quote the person it names: a place that lends a speaker its name
    ("Nutrition Australia") does not carry an off-topic question past the rule (nor, since it asks
    more than who, would "What is the capital of Australia?" be read as typed at all)."""
    answer = news_engine.answer("What did Claire Richards say?")
    assert answer.answered and answer.passages[0].article == "lee-bg-001"
    assert answer.passages[0].speaker == "Claire Richards"
    assert not news_engine.answer("What is the capital of Australia?").answered


def test_a_question_naming_a_quoted_person_gets_one_verdict_however_it_is_typed(news_engine):
    """Capitalised, the name is re-worded for the model ("What did he say?"), and the verdict read
    a relevance near nothing: `related`, where the same question in lower case was `answer`. Where
    the first passage quotes the person, the verdict reads the relevance as typed too."""
    typed = news_engine.answer("What did Tom Avery say?")
    lower = news_engine.answer("what did tom avery say")
    assert typed.passages[0].speaker == lower.passages[0].speaker == "Tom Avery"
    assert typed.verdict == lower.verdict == "answer"
