import os
from pathlib import Path

import pytest

import index.corpus.articles as articles_module
from index.corpus.articles import CorpusError, load_corpus, parse_article
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


def test_a_plain_text_file_has_no_front_matter(tmp_path, caplog):
    """A .txt file is all body (README): a story that opens with a rule of dashes is read as written,
    and lines that look like front matter are text, not an id or a title."""
    write(tmp_path, "ruled.txt", "----------\nHeadline\n----------\nThe mayor said the bridge will reopen.")
    write(tmp_path, "dashes.txt", "---\nid: other-id\ntitle: A Title\n---\nThe council voted on Monday.")
    ruled, dashes = sorted(load_corpus(tmp_path), key=lambda a: a.id, reverse=True)
    assert (ruled.id, ruled.title) == ("ruled", None) and ruled.body.startswith("----------\nHeadline")
    assert (dashes.id, dashes.title) == ("dashes", None) and dashes.body.startswith("---\nid: other-id")
    # Written for a .md, the operator learns why its fields are not read; a rule of dashes is no such thing.
    assert "dashes.txt: read as plain text, front matter included: fields are read from .md files only" in caplog.text
    assert "ruled.txt" not in caplog.text


def test_markdown_opening_with_more_than_three_dashes_has_no_front_matter(tmp_path):
    write(tmp_path, "rule.md", "----\nThe council voted on Monday.")
    [article] = load_corpus(tmp_path)
    assert (article.id, article.body) == ("rule", "----\nThe council voted on Monday.")


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
        ("tab.md", "---\ntitle: A\n\tpublisher: B\n---\nBody.",
         "bad front matter: found character '\\t' that cannot start any token (line 3)"),
        ("unclosed.md", "---\ntitle: x\nBody without closing line.", "no closing"),
        ("unknown.md", "---\nauthor: Someone\n---\nBody.", "unknown field(s) author"),
        ("empty.md", "---\ntitle: Nothing\n---\n  \n", "empty body"),
        ("invisible.md", "---\ntitle: Nothing\n---\n\u200b\u200b \u2060\n", "empty body"),
        ("blank-letters.md", "---\ntitle: Nothing\n---\n\u3164\u2800\x00\ufe0f\n", "empty body"),
        ("surrogate.md", '---\ntitle: "\\uD800"\n---\nBody.', "field 'title' holds a character that is not text"),
        ("latin1.txt", "Caf\xe9 story".encode("latin-1"), "not UTF-8"),
        ("list.md", "---\n- a\n- b\n---\nBody.", "bad front matter"),
        ("deep.md", "---\ntitle: " + "[" * 1000 + "]" * 1000 + "\n---\nBody.", "nested too deeply"),
        # SafeLoader's constructors crashed on these (AttributeError, KeyError), past load_corpus.
        ("tagged-date.md", "---\npublished: !!timestamp tuesday\n---\nBody.", "'tuesday' is not a valid timestamp"),
        ("tagged-bool.md", "---\ntitle: !!bool maybe\n---\nBody.", "'maybe' is not a valid bool"),
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


def test_front_matter_that_yaml_fails_on_in_any_way_is_a_bad_file(tmp_path, monkeypatch):
    """Whatever PyYAML raises on someone's file, the file is bad: no exception gets past load_corpus."""
    def broken(*args, **kwargs):
        raise KeyError("tag:yaml.org,2002:something")

    monkeypatch.setattr(articles_module.yaml, "load", broken)
    bad = write(tmp_path, "a.md", "---\ntitle: x\n---\nBody.")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert caught.value.problems == [(bad, "bad front matter: cannot be read (KeyError)")]


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


def test_front_matter_values_arrive_as_written(tmp_path):
    # YAML 1.1 would read these as False, False, 750 seconds and the number 8.
    write(tmp_path, "a.md", "---\nid: 010\ntitle: No\nlanguage: no\npublisher: 12:30\n---\nBody.")
    [article] = load_corpus(tmp_path)
    assert (article.id, article.title, article.language, article.publisher) == ("010", "No", "no", "12:30")
    assert parse_article("---\npublished: 2022-10-04\n---\nBody.", Path("x.md")).published == "2022-10-04"
    assert parse_article("---\npublished: 2022-10-04T09:30:00+11:00\npublisher: ~\n---\nBody.",
                         Path("x.md")).publisher is None


@pytest.mark.parametrize("value", ["12:30", "yesterday", "2022-13-01", "4 October 2022", "20221004"])
def test_a_published_value_that_is_not_a_date_is_refused_by_name(tmp_path, value):
    bad = write(tmp_path, "a.md", f"---\npublished: '{value}'\n---\nBody.")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    [(path, problem)] = caught.value.problems
    assert path == bad and problem.startswith("bad front matter: field 'published' must be a date")


@pytest.mark.parametrize("value", ["[a, b]", "{a: 1}", "!!int 5"])
def test_front_matter_value_that_is_not_text_is_refused_by_name(tmp_path, value):
    bad = write(tmp_path, "a.md", f"---\ntitle: {value}\n---\nBody.")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert caught.value.problems == [(bad, "bad front matter: field 'title' must be text")]


@pytest.mark.parametrize("url", ["https://example.org/a?b=1#c", "http://example.org", "HTTPS://Example.org:8443/x"])
def test_web_address_is_accepted(url):
    assert parse_article(f"---\nurl: {url}\n---\nBody.", Path("x.md")).url == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/a", "example.org/a", "https://",
                                 "//example.org/a", "https://user:pw@example.org/", "https://example.org/a b",
                                 '"https://example.org/\\a"', "https://example.org:port/", "https://[::1/"])
def test_url_that_is_not_a_web_address_is_refused_naming_file_and_field(tmp_path, url):
    write(tmp_path, "good.md", "Body.")
    bad = write(tmp_path, "bad.md", f"---\nurl: {url}\n---\nBody.")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    [(path, message)] = caught.value.problems
    assert path == bad and "field 'url' must be an http:// or https:// address with a host" in message


def test_hidden_files_and_folders_are_not_articles(tmp_path):
    write(tmp_path, "story.md", "The story.")
    write(tmp_path, "._story.md", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \xff\xfe")  # AppleDouble
    write(tmp_path, ".draft.md", "A draft.")
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git", "notes.md", "Not an article.")
    (tmp_path / "sub" / ".cache").mkdir(parents=True)
    write(tmp_path / "sub" / ".cache", "x.txt", "Not an article.")
    write(tmp_path / "sub", "other.txt", "Another story.")
    assert sorted(a.id for a in load_corpus(tmp_path)) == ["other", "story"]


def test_links_to_files_outside_the_corpus_are_not_followed(tmp_path, caplog):
    corpus, outside = tmp_path / "corpus", tmp_path / "private"
    corpus.mkdir()
    outside.mkdir()
    write(outside, "secret.md", "Private notes.")
    write(corpus, "story.md", "The story.")
    (corpus / "leak.md").symlink_to(outside / "secret.md")
    (corpus / "folder").symlink_to(outside, target_is_directory=True)
    (corpus / "inside.md").symlink_to(corpus / "story.md")
    (corpus / "inside.md").unlink()
    (corpus / "sub").mkdir()
    (corpus / "sub" / "again.md").symlink_to(Path("..") / "story.md")
    with caplog.at_level("WARNING"):
        articles = load_corpus(corpus)
    assert sorted(a.id for a in articles) == ["again", "story"]  # a link inside the folder is read
    assert "leak.md: skipped, a link to a file outside the corpus folder" in caplog.text


def test_unreadable_file_is_named_with_its_problem(tmp_path, monkeypatch):
    write(tmp_path, "good.md", "Body.")
    bad = write(tmp_path, "locked.md", "Body.")
    real_read_bytes = Path.read_bytes

    def read_bytes(path):
        if path.name == "locked.md":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert caught.value.problems == [(bad, "unreadable (Permission denied)")]


def test_article_over_the_size_limit_is_refused_naming_file_and_setting(tmp_path):
    write(tmp_path, "small.md", "A short story.")
    big = write(tmp_path, "big.md", "Words. " * 200)
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path, max_bytes=1000)
    [(path, message)] = caught.value.problems
    assert path == big and "1400 bytes, over the limit of 1000 (ARTICLEBOT_MAX_ARTICLE_BYTES)" in message
    assert len(load_corpus(tmp_path, max_bytes=2000)) == 2


def test_control_characters_in_an_article_are_kept_verbatim(tmp_path):
    # Quotes stay verbatim; making such characters inert is the renderer's job, not the index's.
    from index.text.passages import split_article

    body = "The \x1b[2Jscreen\x07 cleared.\n\nA \u202eflipped\u202c line \x00here."
    write(tmp_path, "odd.md", f"---\ntitle: Odd\n---\n{body}")
    [article] = load_corpus(tmp_path)
    assert article.body == body
    assert "".join(p.text for p in split_article(article.id, article.body)) == body.replace("\n\n", "")


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is(tmp_path, monkeypatch):
    from index.corpus import articles

    monkeypatch.setattr(articles, "_RACY_SECONDS", -1.0)  # written just now, yet trusted: see the next test
    monkeypatch.setattr(articles, "_READ_BEFORE", {})
    for number in range(3):
        (tmp_path / f"story-{number}.txt").write_text(f"Story {number} says hello.\n", encoding="utf-8")
    reads: list[str] = []
    original = Path.read_bytes

    def counted(path: Path) -> bytes:
        reads.append(path.name)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    first = load_corpus(tmp_path)
    assert sorted(reads) == ["story-0.txt", "story-1.txt", "story-2.txt"]
    reads.clear()
    assert load_corpus(tmp_path) == first and reads == []
    # Same size, same modification time put back: the change time still tells.
    changed = tmp_path / "story-1.txt"
    stamp = changed.stat()
    changed.write_text("Story 1 says HELLO.\n", encoding="utf-8")
    os.utime(changed, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    again = load_corpus(tmp_path)
    assert reads == ["story-1.txt"] and again[1].body.startswith("Story 1 says HELLO.")


def test_a_file_written_within_the_racy_window_is_read_every_time(tmp_path, monkeypatch):
    from index.corpus import articles

    monkeypatch.setattr(articles, "_READ_BEFORE", {})
    (tmp_path / "story.txt").write_text("A story.\n", encoding="utf-8")
    load_corpus(tmp_path)
    assert articles._READ_BEFORE == {}  # its times may not change with a write in the same tick


def test_a_link_that_loops_is_passed_over(tmp_path):
    (tmp_path / "story.txt").write_text("A story.\n", encoding="utf-8")
    os.symlink("loop", tmp_path / "loop")
    os.symlink("loop.md", tmp_path / "loop.md")
    assert [a.id for a in load_corpus(tmp_path)] == ["story"]


def test_a_removed_file_is_forgotten(tmp_path, monkeypatch):
    from index.corpus import articles

    monkeypatch.setattr(articles, "_RACY_SECONDS", -1.0)
    monkeypatch.setattr(articles, "_READ_BEFORE", {})
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_text(f"The {name} story.\n", encoding="utf-8")
    load_corpus(tmp_path)
    (tmp_path / "two.txt").unlink()
    load_corpus(tmp_path)
    assert [p.name for p in articles._READ_BEFORE] == ["one.txt"]


def test_a_server_is_told_its_own_bad_files_by_name_and_only_the_count_of_the_others(tmp_path):
    """A moderator adding an article must not see the host's paths or another server's files."""
    write(tmp_path, "good.txt", "A fine article.")
    write(tmp_path, "broken.md", "---\npublished: nope\n---\nBody.")
    (tmp_path / "guilds" / "999").mkdir(parents=True)
    write(tmp_path / "guilds" / "999", "secret-plan.md", "---\ntitle: x\n---\n ")
    (tmp_path / "guilds" / "333").mkdir(parents=True)
    write(tmp_path / "guilds" / "333", "ours.md", "---\nauthor: Someone\n---\nBody.")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    told = caught.value.for_server(tmp_path, 333)
    assert told.startswith("ours.md: unknown field(s) author")
    assert told.endswith("; 2 other article files cannot be read; the bot's operator must fix that")
    assert str(tmp_path) not in told and "secret-plan" not in told and "broken" not in told
    assert caught.value.for_server(tmp_path, 999).startswith("secret-plan.md: empty body")
    assert "ours" not in caught.value.for_server(tmp_path, 999)


@pytest.mark.parametrize("folder", ["guilds/myserver", "guilds", "guilds/12ab/nested", "Guilds/123"])
def test_an_article_in_guilds_outside_a_server_folder_is_a_bad_file_not_a_shared_one(tmp_path, folder):
    """A typo in a server's folder name would otherwise publish its articles to every server."""
    write(tmp_path, "shared.txt", "A fine article.")
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    misplaced = write(tmp_path / folder, "plan.txt", "The secret plan is to open a bakery in Oslo.")
    (tmp_path / "guilds" / "123").mkdir(parents=True)
    write(tmp_path / "guilds" / "123", "own.txt", "A server's own article.")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    [(path, problem)] = caught.value.problems
    assert path == misplaced and "not in a folder named by a server's id" in problem


def test_a_corpus_path_that_is_a_file_is_called_a_file(tmp_path):
    with pytest.raises(CorpusError, match="is a file, not a folder of articles"):
        load_corpus(write(tmp_path, "corpus", "text"))


def test_windows_and_old_mac_line_ends_are_read_as_newlines():
    lf = "---\ntitle: Storm\n---\nFirst paragraph.\n\nSecond paragraph.\n"
    for written in (lf.replace("\n", "\r\n"), lf.replace("\n", "\r")):
        article = parse_article(written, Path("storm.md"))
        assert article == parse_article(lf, Path("storm.md")) and "\r" not in article.body


def test_a_server_is_told_its_duplicates_nested_files_and_an_empty_corpus_without_host_paths(tmp_path):
    (tmp_path / "guilds" / "333" / "sub").mkdir(parents=True)
    write(tmp_path, "alpha.md", "Shared.")
    write(tmp_path / "guilds" / "333", "alpha.md", "The server's own, with the same id.")
    write(tmp_path / "guilds" / "333" / "sub", "nested.md", "---\nauthor: x\n---\nBody.")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    told = caught.value.for_server(tmp_path, 333)
    assert "alpha.md: duplicate id 'alpha' (another article has that id)" in told
    assert "nested.md: unknown field(s) author" in told and "cannot be read" not in told
    assert str(tmp_path) not in told
    empty = CorpusError([(tmp_path, "no articles (*.md or *.txt) found")])
    assert empty.for_server(tmp_path, 333) == "the bot's article folder: no articles (*.md or *.txt) found"


def test_an_emoji_escaped_as_a_surrogate_pair_in_front_matter_is_one_character():
    """JSON, which YAML reads, writes an emoji as "\\ud83d\\ude00"; PyYAML leaves the two halves apart."""
    article = parse_article('---\ntitle: "\\ud83d\\ude00 Storm"\n---\nBody.', Path("storm.md"))
    assert article.title == "\U0001f600 Storm"
