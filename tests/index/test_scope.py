"""Per-server articles: who owns an article (its folder), and a server's view of one shared index."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.answering import Answer, Trace
from index.answering.engine import Engine
from index.answering.scope import Scope
from index.answering.speakers import SpeakerDirectory
from index.building.build import rebuild
from index.corpus.articles import guild_of, load_corpus
from tests.conftest import CORPUS, FIXTURES, ROOT, make_settings

A, B = 111, 222
CALFAS = "What did the NSW Ports chief executive say about the damage?"


@pytest.fixture(scope="module")
def servers(tmp_path_factory, encoder):
    """The seed shared by all; the harbour story owned by server A, the chip plant by server B."""
    settings = make_settings(tmp_path_factory.mktemp("servers"), CORPUS)
    for guild, name in ((A, "harbour-storm.md"), (B, "chip-plant.md")):
        folder = settings.corpus_dir / "guilds" / str(guild)
        folder.mkdir(parents=True)
        (folder / name).write_bytes((FIXTURES / "articles" / name).read_bytes())
    rebuild(settings, encoder=encoder)
    return settings


@pytest.fixture(scope="module")
def engine(servers):
    return Engine.open(servers)


def test_an_article_in_a_server_s_folder_belongs_to_that_server(tmp_path):
    corpus = tmp_path / "corpus"
    assert guild_of(corpus / "guilds" / "123" / "a.md", corpus) == "123"
    assert guild_of(corpus / "a.md", corpus) is None
    assert guild_of(corpus / "guilds" / "a.md", corpus) is None  # no server folder
    assert guild_of(corpus / "guilds" / "news" / "a.md", corpus) is None  # not a server id
    assert guild_of(corpus / "other" / "123" / "a.md", corpus) is None


def test_ownership_is_read_with_the_corpus_and_changes_the_article_s_hash(servers):
    owners = {a.id: a.guild for a in load_corpus(servers.corpus_dir)}
    assert owners == {"musk-peace-deal": None, "harbour-storm": str(A), "chip-plant": str(B)}
    # A shared article's hash is what it was before servers had articles: no index goes stale.
    [seed] = load_corpus(CORPUS)
    assert seed.content_hash == next(a for a in load_corpus(servers.corpus_dir) if a.guild is None).content_hash


def test_a_server_is_answered_from_its_own_and_the_shared_articles_only(engine):
    assert engine.answer(CALFAS, scope=Scope(A)).passages[0].article == "harbour-storm"
    for scope in (Scope(B), Scope(None)):
        answer = engine.answer(CALFAS, scope=scope)
        assert all(p.article != "harbour-storm" for p in (*answer.passages, *answer.more))
    assert engine.answer(CALFAS).passages[0].article == "harbour-storm"  # no scope: the operator sees all
    with pytest.raises(KeyError):
        engine.answer(CALFAS, article="harbour-storm", scope=Scope(B))


def test_a_server_sees_only_its_own_and_the_shared_quotations_and_articles(engine):
    assert set(engine.articles_in(Scope(B))) == {"musk-peace-deal", "chip-plant"}
    assert set(engine.articles_in(Scope(None))) == {"musk-peace-deal"}
    assert engine.quotes_by("Calfas", Scope(B)) == []
    assert {q["speaker"] for q in engine.quotes_by("Calfas", Scope(A))} == {"Marika Calfas"}
    assert "Marika Calfas" not in {s["speaker"] for s in engine.speakers(Scope(B))}
    assert "Marika Calfas" in {s["speaker"] for s in engine.speakers(Scope(A))}


def test_a_server_s_speakers_are_counted_once_per_index(engine, monkeypatch):
    """/quotes autocompletes on every keystroke: counting every quotation each time took 0.35 s at
    12,000 quotations."""
    first = engine.speakers(Scope(A))
    counted = []
    monkeypatch.setattr(SpeakerDirectory, "speakers", lambda self: counted.append(1) or [])
    assert engine.speakers(Scope(A)) is first and not counted
    assert engine.speakers(Scope(333)) == [] and counted == [1]  # another server: its own count


def test_a_person_only_another_server_quotes_is_no_person_to_this_one(engine):
    """Whether someone is quoted in another server's article showed through the follow-up button's
    id (person or thing) and through --explain (the question re-worded around them)."""
    question = "What did Marika Calfas say about the damage?"
    seen_by_a, seen_by_b = Trace(), Trace()
    engine.answer_many([question], scope=Scope(A), traces=[seen_by_a])
    engine.answer_many([question], scope=Scope(B), traces=[seen_by_b])
    assert seen_by_a.embedded_as == "What did he say about the damage?"
    assert seen_by_b.embedded_as == question
    declined = Answer(question, False)
    assert engine.followup_context(question, declined, scope=Scope(A)).person == "Marika Calfas"
    in_b = engine.followup_context(question, declined, scope=Scope(B))
    nobody = engine.followup_context("What did Jane Nobody say about the damage?", declined, scope=Scope(B))
    assert (in_b.person, in_b.thing) == (None, "Marika Calfas")  # as for a name nobody is quoted under
    assert (nobody.person, nobody.thing) == (None, "Jane Nobody")
    assert engine.rewrite_followup("What did Calfas say?", in_b, scope=Scope(B)) == "What did Calfas say?"


def run(settings, *args):
    env = {**os.environ, "ARTICLEBOT_CORPUS_DIR": str(settings.corpus_dir),
           "ARTICLEBOT_INDEX_DIR": str(settings.index_dir)}
    return subprocess.run([sys.executable, "-m", "index", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


@pytest.mark.slow
def test_the_command_line_takes_a_server_s_view_with_guild(servers):
    asked = run(servers, "ask", "--json", "--guild", str(B), CALFAS)
    assert asked.returncode == 0, asked.stderr
    assert all(p["article"] != "harbour-storm" for p in json.loads(asked.stdout)["passages"])
    assert run(servers, "quotes", "--json", "--guild", str(B), "--speaker", "calfas").stdout == ""
    assert "Marika Calfas" in run(servers, "speakers", "--guild", str(A)).stdout
    assert "Marika Calfas" not in run(servers, "speakers", "--guild", str(B)).stdout
    bad = run(servers, "ask", "--guild", "my-server", "Who?")
    assert bad.returncode == 2 and "is not a server id" in bad.stderr and "Traceback" not in bad.stderr


def test_paths_are_relative_to_the_corpus():
    assert guild_of(Path("/elsewhere/guilds/1/a.md"), Path("/corpus")) is None


def test_a_moderator_s_explanation_shows_no_other_server_s_passage(engine):
    _, own = engine.explain(CALFAS, scope=Scope(A))
    assert "harbour-storm" in json.dumps(own.as_dict())
    answer, other = engine.explain(CALFAS, scope=Scope(B))
    assert "harbour-storm" not in json.dumps(other.as_dict()) and not answer.answered


@pytest.mark.parametrize("guild", [None, 123, 456, 99999999999999999999])
def test_scope_sees_the_rows_it_sees_one_by_one(guild):
    from index.answering.scope import article_owners

    articles = [{"guild": None}, {"guild": "123"}, {}, {"guild": "99999999999999999999"}, {"guild": "456"}]
    scope = Scope(guild)
    assert scope.sees_rows(article_owners(articles)).tolist() == [scope.sees(a) for a in articles]
