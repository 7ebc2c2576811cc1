"""A server's articles added and removed from Discord: checked as a rebuild checks a file, written
atomically, indexed; every refusal and failure leaves the corpus and the live index as they were."""

import fcntl
import hashlib
import logging
import threading
from pathlib import Path

import pytest

import index.building.library as library_module
from index.answering.engine import Engine
from index.building.build import rebuild
from index.building.library import ADDED_LIST, add_article, remove_article
from index.corpus import ArticleRefused, CorpusError, article_from_form, form_file_name
from index.store import read_manifest
from index.store.builds import rebuild_lock
from tests.conftest import CORPUS, FIXTURES, make_settings

GUILD = 123
HARBOUR = (FIXTURES / "articles" / "harbour-storm.md").read_bytes()
LEAK = b"---\nid: budget-leak\n---\nThe budget leaked on Friday."


pytestmark = pytest.mark.slow


@pytest.fixture
def settings(tmp_path, encoder):
    settings = make_settings(tmp_path, CORPUS)
    rebuild(settings, encoder=encoder)
    return settings


@pytest.fixture(scope="module")
def shared_settings(tmp_path_factory, encoder):
    """One index for the tests that change nothing (which is what they check)."""
    settings = make_settings(tmp_path_factory.mktemp("library"), CORPUS)
    rebuild(settings, encoder=encoder)
    return settings


def snapshot(settings):
    """Every file of the corpus with its bytes, and the live build."""
    files = {p.relative_to(settings.corpus_dir): p.read_bytes()
             for p in sorted(settings.corpus_dir.rglob("*")) if p.is_file()}
    return files, read_manifest(settings.index_dir.resolve())["built_at"], settings.index_dir.resolve()


def test_an_added_article_is_written_in_the_server_s_folder_and_answered_from(settings, encoder):
    change = add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    assert change.article == "harbour-storm" and change.report.added == ["harbour-storm"]
    folder = settings.corpus_dir / "guilds" / str(GUILD)
    assert (folder / "harbour-storm.md").read_bytes() == HARBOUR
    assert (folder / ADDED_LIST).read_text() == f"harbour-storm.md\t{hashlib.sha256(HARBOUR).hexdigest()}\n"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".adding")] == []
    engine = Engine.open(settings)
    assert engine.articles["harbour-storm"]["guild"] == str(GUILD)
    assert change.report.unchanged == ["musk-peace-deal"]  # incremental: the seed is not embedded again


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_added_files_get_the_permissions_the_umask_gives_new_files(settings, encoder, umask, mode):
    """As a file copied into the corpus would: readable by another user's process serving the corpus
    under the usual umask (mkstemp made 0600 whatever it was), private under a strict one."""
    import os

    before = os.umask(umask)
    try:
        add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    finally:
        os.umask(before)
    folder = settings.corpus_dir / "guilds" / str(GUILD)
    assert {(folder / name).stat().st_mode & 0o777 for name in ("harbour-storm.md", ADDED_LIST)} == {mode}


BAD_FILES = [
    ("big.md", b"x" * 2_000_001, "over the limit"),
    ("photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    ("latin.txt", "Caf\u00e9 story".encode("latin-1"), "not UTF-8"),
    ("empty.md", b"", "empty body"),
    ("odd.md", b"---\nauthor: Me\n---\nText.", "unknown field(s) author"),
    ("seed.md", b"---\nid: musk-peace-deal\n---\nText.", "exists already"),
    ("link.md", b"---\nurl: www.example.org/story\n---\nText.", "must be an http:// or https:// address"),
    ("story.pdf", b"Text.", "use a .md or .txt file"),
    # Written as README.md, which the corpus never reads: "Added", then never indexed nor removable.
    ("README.md", b"Text.", "the folder's notes"),
    ("notes.md", b"---\nid: README\n---\nText.", "the folder's notes"),
]


@pytest.mark.parametrize(("name", "data", "problem"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_and_nothing_changes(shared_settings, encoder, name, data, problem):
    before = snapshot(shared_settings)
    with pytest.raises(ArticleRefused, match=problem.replace("(", r"\(").replace(")", r"\)")):
        add_article(shared_settings, GUILD, name, data, encoder=encoder)
    assert snapshot(shared_settings) == before


def at_once(*calls):
    """Run the calls in threads at once (threads take turns at the rebuild's file lock as processes
    do); each one's result, or the ArticleRefused it raised, as text."""
    outcomes = [""] * len(calls)

    def run(number, call):
        try:
            outcomes[number] = call().article
        except ArticleRefused as refusal:
            outcomes[number] = f"refused: {refusal}"

    threads = [threading.Thread(target=run, args=(number, call)) for number, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return sorted(outcomes)


def rebuild_lock_held(settings) -> bool:
    """Whether a rebuild of the index holds its lock now (asked from a file handle of its own)."""
    with open(rebuild_lock(settings.index_dir), "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def test_an_id_is_checked_again_holding_the_rebuild_lock(settings, encoder, monkeypatch):
    """Two shards' processes adding one id at once both passed a check made before the rebuild
    lock; the later one was told the corpus was broken, and now and then both were refused. The
    check that decides is made in turn, after the other process's rebuild and its undo."""
    held = []
    load_corpus = library_module.load_corpus

    def checked(corpus_dir, max_bytes):
        held.append(rebuild_lock_held(settings))
        return load_corpus(corpus_dir, max_bytes)

    monkeypatch.setattr(library_module, "load_corpus", checked)
    add_article(settings, GUILD, "leak.md", LEAK, encoder=encoder)
    assert held == [False, True]  # at once, to refuse without waiting; then in turn, to decide


def test_a_removal_changes_the_list_of_added_files_holding_the_rebuild_lock(settings, encoder, monkeypatch):
    """Changed after the lock was let go, the list could lose the entry of an article another
    process had just added under the same name, which could then never be removed from Discord."""
    add_article(settings, GUILD, "leak.md", LEAK, encoder=encoder)
    held = []
    set_added = library_module._set_added

    def recorded(folder, name, digest):
        held.append(rebuild_lock_held(settings))
        set_added(folder, name, digest)

    monkeypatch.setattr(library_module, "_set_added", recorded)
    remove_article(settings, GUILD, "budget-leak", encoder=encoder)
    assert held == [True]


def test_the_same_id_added_or_removed_by_two_processes_at_once(settings, encoder):
    added = at_once(lambda: add_article(settings, GUILD, "leak.md", LEAK, encoder=encoder),
                    lambda: add_article(settings, GUILD + 1, "leak.md", LEAK, encoder=encoder))
    assert added[0] == "budget-leak" and "an article with the id 'budget-leak' exists already" in added[1]
    assert len(list(settings.corpus_dir.rglob("budget-leak.md"))) == 1
    owner = int(next(settings.corpus_dir.rglob("budget-leak.md")).parent.name)
    removed = at_once(lambda: remove_article(settings, owner, "budget-leak", encoder=encoder),
                      lambda: remove_article(settings, owner, "budget-leak", encoder=encoder))
    assert removed[0] == "budget-leak" and removed[1].startswith("refused: ")
    assert not list(settings.corpus_dir.rglob("budget-leak.md"))


def test_a_crash_in_the_middle_of_an_add_leaves_the_corpus_and_the_index_as_they_were(settings, encoder,
                                                                                    monkeypatch):
    before = snapshot(settings)

    def crash(texts, progress=None):
        raise RuntimeError("power cut")

    monkeypatch.setattr(encoder, "encode_passages", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    after = snapshot(settings)
    assert after[0] == {**before[0], **{k: v for k, v in after[0].items() if k.name == ADDED_LIST}}
    assert all(k.name == ADDED_LIST for k in set(after[0]) - set(before[0]))  # the (now empty) list only
    assert after[1:] == before[1:]


def list_disk_full(monkeypatch, after: int = 0):
    """Past `after` more writings, writing the list of added files fails as on a full disk (the
    article files, written as bytes, still go through)."""
    real_fdopen = library_module.os.fdopen
    written = []

    def disk_full(handle, *args, **kwargs):
        file = real_fdopen(handle, *args, **kwargs)
        if "w" in args or kwargs.get("mode") == "w":  # the list, written as text
            if len(written) < after:
                written.append(handle)
                return file
            file.close()
            raise OSError(28, "No space left on device")
        return file

    monkeypatch.setattr(library_module.os, "fdopen", disk_full)


def test_an_add_whose_list_cannot_be_written_leaves_the_corpus_as_it_was(settings, encoder, monkeypatch):
    """The list is written after the article: the article file and the list's temporary file go too."""
    add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    before = snapshot(settings)
    list_disk_full(monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        add_article(settings, GUILD, "leak.md", LEAK, encoder=encoder)
    assert snapshot(settings) == before


def test_a_removal_whose_rebuild_fails_on_a_full_disk_leaves_the_article_removable(settings, encoder,
                                                                                  monkeypatch):
    """The list keeps the article until the new index is published: rewritten first, it could not be
    written back on the full disk that failed the rebuild, and Discord could no longer remove it."""
    add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    before = snapshot(settings)
    with monkeypatch.context() as full:
        list_disk_full(full, after=1)  # the disk fills up during the rebuild

        def disk_full(*args, **kwargs):
            raise OSError(28, "No space left on device")

        full.setattr("index.building.build._rebuild_in_turn", disk_full)
        with pytest.raises(OSError, match="No space left"):
            remove_article(settings, GUILD, "harbour-storm", encoder=encoder)
    assert snapshot(settings) == before
    remove_article(settings, GUILD, "harbour-storm", encoder=encoder)
    assert "harbour-storm" not in Engine.open(settings).articles


def test_a_removal_whose_list_cannot_be_rewritten_still_removes_and_says_so(settings, encoder, monkeypatch,
                                                                           caplog):
    add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    folder = settings.corpus_dir / "guilds" / str(GUILD)
    list_disk_full(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="index.building.library"):
        remove_article(settings, GUILD, "harbour-storm", encoder=encoder)
    assert "harbour-storm" not in Engine.open(settings).articles
    assert sorted(p.name for p in folder.iterdir()) == [ADDED_LIST]  # no hidden copy, no temporary file
    assert "still names harbour-storm.md: [Errno 28] No space left on device" in caplog.text
    monkeypatch.undo()
    add_article(settings, GUILD, "leak.md", LEAK, encoder=encoder)  # the entry left is dropped here
    assert [line.split("\t")[0] for line in (folder / ADDED_LIST).read_text().splitlines()] == ["budget-leak.md"]


def test_a_removal_that_is_published_is_reported_done_whatever_tidying_up_meets(settings, encoder, monkeypatch,
                                                                                caplog):
    """The hidden copy cannot be deleted once the new index is published (a read-only remount, say):
    the removal was made all the same, and the moderator must not be told "Nothing was changed"."""
    add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    real_unlink = Path.unlink

    def stuck(path, *args, **kwargs):
        if path.name.startswith(".removing-"):
            raise OSError(30, "Read-only file system", str(path))
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", stuck)
    with caplog.at_level(logging.WARNING, logger="index.building.library"):
        change = remove_article(settings, GUILD, "harbour-storm", encoder=encoder)
    assert change.article == "harbour-storm" and "harbour-storm" not in Engine.open(settings).articles
    assert "the hidden copy of the removed article harbour-storm.md stays: " in caplog.text


def test_an_add_whose_old_builds_cannot_be_pruned_is_published_and_kept(settings, encoder, monkeypatch):
    """Pruning runs after the swap: its failure deleted the segments the live index listed and undid
    the corpus change."""
    def prune_fails(index_dir, keep):
        raise OSError(24, "Too many open files")

    monkeypatch.setattr("index.store.builds._prune", prune_fails)
    change = add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    assert change.article in Engine.open(settings).articles
    assert (settings.corpus_dir / "guilds" / str(GUILD) / "harbour-storm.md").read_bytes() == HARBOUR


@pytest.mark.parametrize("damage", ["not utf-8", "a folder"])
def test_a_list_of_added_files_that_cannot_be_read_refuses_the_change_naming_it(settings, encoder, damage):
    folder = settings.corpus_dir / "guilds" / str(GUILD)
    folder.mkdir(parents=True)
    if damage == "a folder":
        (folder / ADDED_LIST).mkdir()
    else:
        (folder / ADDED_LIST).write_bytes(b"storm.md\t\xff\n")
    before = snapshot(settings)
    with pytest.raises(CorpusError) as refused:
        add_article(settings, GUILD, "leak.md", LEAK, encoder=encoder)
    told = refused.value.for_server(settings.corpus_dir, GUILD)
    assert told.startswith(f"{ADDED_LIST}: the list of the articles added from Discord cannot be read (")
    assert "operator" in told and str(settings.corpus_dir) not in told
    assert snapshot(settings) == before


def test_a_removed_article_is_gone_and_only_articles_added_from_discord_can_be_removed(settings, encoder):
    add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    with pytest.raises(ArticleRefused, match="has no article 'harbour-storm'"):
        remove_article(settings, 999, "harbour-storm", encoder=encoder)  # another server's
    with pytest.raises(ArticleRefused, match="has no article 'musk-peace-deal'"):
        remove_article(settings, GUILD, "musk-peace-deal", encoder=encoder)  # shared
    with pytest.raises(ArticleRefused, match="has no article 'nope'"):
        remove_article(settings, GUILD, "nope", encoder=encoder)
    change = remove_article(settings, GUILD, "harbour-storm", encoder=encoder)
    assert change.report.removed == ["harbour-storm"]
    folder = settings.corpus_dir / "guilds" / str(GUILD)
    assert [p.name for p in folder.iterdir()] == [ADDED_LIST] and (folder / ADDED_LIST).read_text() == ""
    assert "harbour-storm" not in Engine.open(settings).articles


def test_an_article_put_in_a_server_s_folder_by_hand_is_not_removed(settings, encoder):
    folder = settings.corpus_dir / "guilds" / str(GUILD)
    folder.mkdir(parents=True)
    (folder / "storm.md").write_bytes(HARBOUR)
    rebuild(settings, encoder=encoder)
    with pytest.raises(ArticleRefused, match="was not added from Discord") as refused:
        remove_article(settings, GUILD, "harbour-storm", encoder=encoder)
    assert str(settings.corpus_dir) not in str(refused.value)  # a moderator reads it: no host path
    assert (folder / "storm.md").read_bytes() == HARBOUR


@pytest.mark.parametrize("by_hand", ["replaced", "changed"])
def test_a_file_the_operator_replaced_or_changed_by_hand_is_not_removed(settings, encoder, by_hand):
    """The list of files articlebot wrote outlived them: a file the operator deleted and later put
    back under the same name, their own, was removed from Discord."""
    add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    folder = settings.corpus_dir / "guilds" / str(GUILD)
    theirs = HARBOUR.replace(b"Port Kembla", b"Port Botany")
    if by_hand == "replaced":
        (folder / "harbour-storm.md").unlink()
        add_article(settings, GUILD, "potholes.txt", (FIXTURES / "articles" / "council-potholes.txt").read_bytes(),
                    encoder=encoder)  # rewrites the list: the gone file's entry is dropped
        assert "harbour-storm.md" not in (folder / ADDED_LIST).read_text()
    (folder / "harbour-storm.md").write_bytes(theirs)
    rebuild(settings, encoder=encoder)
    with pytest.raises(ArticleRefused, match="was not added from Discord, or was changed by hand since"):
        remove_article(settings, GUILD, "harbour-storm", encoder=encoder)
    assert (folder / "harbour-storm.md").read_bytes() == theirs


def test_a_file_listed_before_the_list_held_digests_is_still_removed(settings, encoder):
    add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    folder = settings.corpus_dir / "guilds" / str(GUILD)
    (folder / ADDED_LIST).write_text("harbour-storm.md\n")  # as articlebot wrote it until 2026-12-05
    assert remove_article(settings, GUILD, "harbour-storm", encoder=encoder).report.removed == ["harbour-storm"]
    assert not (folder / "harbour-storm.md").exists()


def test_a_crash_in_the_middle_of_a_remove_puts_the_article_back(settings, encoder, monkeypatch):
    add_article(settings, GUILD, "storm.md", HARBOUR, encoder=encoder)
    before = snapshot(settings)
    import index.building.library as library

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(library, "rebuild", crash)
    with pytest.raises(RuntimeError):
        remove_article(settings, GUILD, "harbour-storm", encoder=encoder)
    assert snapshot(settings) == before


def test_an_article_from_the_form_is_checked_as_a_file_and_its_date_must_be_a_date(settings, encoder):
    with pytest.raises(ArticleRefused, match="is not a date"):
        article_from_form("Title", "Text.", published="last Tuesday")
    for field in ("title", "text", "publisher"):  # Discord's JSON can carry a lone surrogate
        fields = {"title": "Title", "text": "Text.", field: "a \ud800 b"}
        with pytest.raises(ArticleRefused, match="not text"):
            article_from_form(**fields)
    data = article_from_form("Floods close the Hume: No way through", "The Hume Highway is closed.",
                             url="https://example.org/hume", published="2025-03-01")
    change = add_article(settings, GUILD, form_file_name("Floods close the Hume: No way through"), data,
                         encoder=encoder)
    entry = Engine.open(settings).articles[change.article]
    assert (change.article, entry["title"], entry["published"], entry["url"]) == (
        "Floods-close-the-Hume-No-way-through", "Floods close the Hume: No way through", "2025-03-01",
        "https://example.org/hume")
    with pytest.raises(ArticleRefused, match="must be an http"):
        add_article(settings, GUILD, "x.md", article_from_form("X", "Text.", url="example.org"), encoder=encoder)


def test_the_public_add_and_remove_load_the_passage_model_once_per_process(settings, encoder, monkeypatch):
    import index
    from index.embedding import encoders

    made = []
    monkeypatch.setattr(encoders, "_KEPT", {})
    monkeypatch.setattr(encoders, "passage_encoder", lambda s: made.append(s) or encoder)
    monkeypatch.setattr("index.building.build.passage_encoder", lambda s: pytest.fail("a model loaded per change"))
    added = index.add_article(settings, GUILD, "harbour-storm.md", HARBOUR)
    index.remove_article(settings, GUILD, added.article)
    index.add_article(settings, GUILD, "harbour-storm.md", HARBOUR)
    assert len(made) == 1
