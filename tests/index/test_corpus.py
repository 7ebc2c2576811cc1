from pathlib import Path

import pytest

from index.corpus import CorpusError, load_corpus, parse_article
from tests.conftest import CORPUS, SEED


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_seed_article_is_copied_verbatim_with_empty_unknown_metadata():
    articles = load_corpus(CORPUS)
    seed = next(a for a in articles if a.id == "musk-peace-deal")
    assert seed.body == SEED.read_text(encoding="utf-8")
    # The text names no title, publisher, date or URL: they stay empty, never invented.
    assert (seed.title, seed.publisher, seed.published, seed.url) == (None, None, None, None)
    assert seed.language == "en"


def test_plain_text_file_is_an_article_named_after_the_file(tmp_path):
    write(tmp_path, "city-council.txt", "The council met on Monday.\n\nIt voted.")
    [article] = load_corpus(tmp_path)
    assert article.id == "city-council"
    assert article.title is None
    assert article.body.startswith("The council met")


def test_any_file_name_gives_a_stable_article_id(tmp_path):
    write(tmp_path, "Élections 2024 (AFP).txt", "The vote was held on Sunday.")
    write(tmp_path, "Путин заявил.txt", "A statement was read out.")
    ids = [a.id for a in load_corpus(tmp_path)]
    assert ids == ["Elections-2024-AFP", "article-28305fb35897"]
    assert [a.id for a in load_corpus(tmp_path)] == ids  # the same name, the same id


def test_front_matter_fields_are_read(tmp_path):
    write(tmp_path, "a.md", "---\nid: story-1\ntitle: A story\npublisher: The Paper\npublished: 2022-10-04\n"
                            "url: https://example.org/a\n---\nBody text here.")
    [article] = load_corpus(tmp_path)
    assert (article.id, article.title, article.publisher) == ("story-1", "A story", "The Paper")
    assert article.published == "2022-10-04"
    assert article.url == "https://example.org/a"


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("bad-yaml.md", "---\ntitle: [unclosed\n---\nBody.", "bad front matter"),
        ("unclosed.md", "---\ntitle: x\nBody without closing line.", "no closing"),
        ("unknown.md", "---\nauthor: Someone\n---\nBody.", "unknown field(s) author"),
        ("empty.md", "---\ntitle: Nothing\n---\n  \n", "empty body"),
        ("latin1.txt", "Caf\xe9 story".encode("latin-1"), "not UTF-8"),
        ("list.md", "---\n- a\n- b\n---\nBody.", "bad front matter"),
    ],
)
def test_bad_file_is_named_with_its_problem(tmp_path, name, content, problem):
    write(tmp_path, "good.txt", "A fine article.")
    bad = write(tmp_path, name, content)
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    [(path, message)] = caught.value.problems
    assert path == bad
    assert problem in message
    assert str(bad) in str(caught.value)


def test_duplicate_ids_are_reported(tmp_path):
    write(tmp_path, "one.md", "---\nid: same\n---\nFirst.")
    write(tmp_path, "two.md", "---\nid: same\n---\nSecond.")
    with pytest.raises(CorpusError, match="duplicate id 'same'"):
        load_corpus(tmp_path)


def test_every_bad_file_is_reported_at_once(tmp_path):
    write(tmp_path, "a.md", "---\nfoo: 1\n---\nx")
    write(tmp_path, "b.md", "")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert len(caught.value.problems) == 2


def test_content_hash_changes_with_body_and_metadata():
    first = parse_article("---\ntitle: A\n---\nBody.", Path("x.md"))
    assert first.content_hash == parse_article("---\ntitle: A\n---\nBody.", Path("x.md")).content_hash
    assert first.content_hash != parse_article("---\ntitle: B\n---\nBody.", Path("x.md")).content_hash
    assert first.content_hash != parse_article("---\ntitle: A\n---\nBody!", Path("x.md")).content_hash


def test_missing_corpus_directory_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
