"""What reaches an operator's terminal or log of a name that is anyone's: inert, one line."""

import logging

from index.corpus.articles import CorpusError, load_corpus
from index.problems import inert, os_problem

EVIL = "evil\x1b[2J\nsecond\u2028line.md"
SHOWN = "evil\\x1b[2J\\x0asecond\\u2028line.md"


def test_inert_escapes_control_characters_and_line_separators_only():
    assert inert(EVIL) == SHOWN
    assert inert("Zürich — «ok»\t", keep="\t") == "Zürich — «ok»\t"
    assert inert("a\nb\tc\rd", keep="\n\t") == "a\nb\tc\\x0dd"


def test_a_failed_file_operation_names_the_file_inert():
    assert os_problem(OSError(28, "No space left on device", f"/corpus/{EVIL}")) == \
        f"/corpus/{SHOWN}: No space left on device; free some disk space and run it again"


def test_a_bad_file_is_one_line_for_the_operator_and_for_its_server_s_moderator(tmp_path):
    folder = tmp_path / "guilds" / "123"
    error = CorpusError([(folder / EVIL, "empty body: the article has no text"), (tmp_path / "other.md", "x")])
    assert error.lines() == [f"{folder}/{SHOWN}: empty body: the article has no text", f"{tmp_path}/other.md: x"]
    assert str(error).splitlines() == error.lines()
    assert error.for_server(tmp_path, 123) == (f"{SHOWN}: empty body: the article has no text; 1 other article "
                                               "file cannot be read; the bot's operator must fix that")


def test_a_skipped_link_is_named_inert_in_the_log(tmp_path, caplog):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.md").write_text("The harbour reopened on Monday.\n", encoding="utf-8")
    outside = tmp_path / "outside.md"
    outside.write_text("Not the corpus's.\n", encoding="utf-8")
    (corpus / EVIL).symlink_to(outside)
    with caplog.at_level(logging.WARNING, logger="index.corpus.articles"):
        assert [article.id for article in load_corpus(corpus)] == ["story"]
    assert f"{corpus}/{SHOWN}: skipped, a link to a file outside the corpus folder" in caplog.text
    assert "\x1b" not in caplog.text
