"""Scoring rules for question files: gold strings, and SQuAD's gold paragraph."""

import json

import pytest

from index.answering.answer import Answer, QuotedPassage
from index.answering.evaluate import EvalReport, read_cases

CONTEXT = "The Normans were the people who gave their name to Normandy, a region in France."


def passage(article: str, text: str, highlight: tuple[int, int] | None = None) -> QuotedPassage:
    return QuotedPassage(article, None, 1, text, (highlight or (0, len(text)),), 1.0, "body")


def squad_case(tmp_path):
    row = {"id": "s1", "question": "In what country is Normandy located?", "answerable": True,
           "gold": ["France"], "article": "normans", "context": CONTEXT}
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return read_cases(path)[0]


def test_a_gold_string_alone_is_not_enough_when_the_case_names_its_paragraph(tmp_path):
    case = squad_case(tmp_path)
    elsewhere = passage("normans", "Rollo's men raided France for decades.")
    assert not case.answered_by(elsewhere.article, elsewhere.text)
    inside = passage("normans", "the people who gave their name to Normandy, a region in  France.")
    assert case.answered_by(inside.article, inside.text)
    assert not case.answered_by("other-article", inside.text)


def test_highlight_counts_only_inside_the_gold_paragraph_and_holding_the_answer(tmp_path):
    case = squad_case(tmp_path)
    text = CONTEXT
    first_half = text.index(",")
    report = EvalReport()
    report.add(case, Answer(case.question, True, (passage("normans", text, (first_half, len(text))),)))
    report.add(case, Answer(case.question, True, (passage("normans", text, (0, first_half)),)))
    assert (report.hit_at_1, report.highlight_hits, report.answerable) == (2, 1, 2)


def test_plain_cases_still_match_gold_strings(tmp_path):
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps({"id": "p", "question": "Who?", "answerable": True, "gold": ["Melnyk"]}) + "\n",
                    encoding="utf-8")
    case = read_cases(path)[0]
    assert case.context is None
    assert case.answered_by("any", "Andrij Melnyk said so.")


def test_reports_of_several_files_add_up(tmp_path):
    case = squad_case(tmp_path)
    right = Answer(case.question, True, (passage("normans", CONTEXT),))
    first, second = EvalReport(), EvalReport()
    first.add(case, right)
    second.add(case, Answer(case.question, False))
    total = EvalReport()
    total.include(first)
    total.include(second)
    assert (total.answerable, total.hit_at_1, total.wrongly_declined, len(total.misses)) == (2, 1, 1, 1)
    assert total.verdicts.answerable == 2


def test_the_highlight_is_measured_in_characters_over_the_answerable_questions_quoted(tmp_path):
    case = squad_case(tmp_path)
    report = EvalReport()
    report.add(case, Answer(case.question, True, (passage("normans", CONTEXT, (0, 10)),)))
    report.add(case, Answer(case.question, True, (passage("normans", CONTEXT, (0, 30)),)))
    report.add(case, Answer(case.question, False))  # declined: no highlight to measure
    assert report.mean_highlight_chars == 20
    assert report.as_dict()["mean_highlight_chars"] == 20
    assert "20 characters on average" in report.summary()


@pytest.mark.parametrize(("line", "problem"), [
    ('{"id": "a", "question": 5, "answerable": false}', "2: not an evaluation case: question must be text"),
    ('{"id": "a", "question": "Who?", "answerable": true, "gold": "Peskov"}', "gold must be a list of strings"),
    ('{"id": "a", "question": "Who?", "answerable": "yes", "gold": ["x"]}', "answerable must be true or false"),
    ('{"id": "a", "answerable": false}', "not an evaluation case: no question"),
    ('{"id": "a", "question": "Who?", "answerable": true}', "an answerable case needs gold strings"),
    ('["a", "b"]', "give one JSON object a line"),
    ('{"id": "a", "question": "Who?"', "2: not JSON"),
])
def test_a_bad_case_is_one_line_naming_the_file_the_line_and_the_problem(tmp_path, line, problem):
    path = tmp_path / "cases.jsonl"
    good = '{"id": "g", "question": "Who?", "answerable": false}'
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        read_cases(path)
    assert str(raised.value).startswith(f"{path}:2: ") and problem in str(raised.value)


def test_a_line_separator_inside_a_question_is_no_line_break(tmp_path):
    """JSON writes U+2028 and U+0085 inside strings unescaped (ensure_ascii=False), and splitlines()
    breaks lines at both; JSON Lines end at newlines only, and later cases' line numbers count those."""
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "x", "question": "Who is\u2028Peskov?\x85", "answerable": false}\r\n'
                    '{"id": "y", "question": "Who?"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"cases\.jsonl:2: not JSON"):
        read_cases(path)
    path.write_text('{"id": "x", "question": "Who is\u2028Peskov?", "answerable": false}\r\n', encoding="utf-8")
    assert [case.question for case in read_cases(path)] == ["Who is\u2028Peskov?"]


def test_a_case_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes('{"id": "a", "question": "Caf\xe9?", "answerable": false}'.encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.jsonl: not UTF-8 text"):
        read_cases(path)
