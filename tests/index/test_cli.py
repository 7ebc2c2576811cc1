"""The real entry points, run as processes against the session's index."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EVAL, ROOT

pytestmark = pytest.mark.slow


def run(settings, *args):
    env = {**os.environ, "ARTICLEBOT_CORPUS_DIR": str(settings.corpus_dir),
           "ARTICLEBOT_INDEX_DIR": str(settings.index_dir)}
    return subprocess.run([sys.executable, "-m", "index", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_quotes_json_lists_direct_quotations_with_speakers(seed_settings):
    result = run(seed_settings, "quotes", "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(set(row) == {"speaker", "aliases", "text", "article", "paragraph", "kind"} for row in rows)
    melnyk = [r for r in rows if r["kind"] == "direct" and r["speaker"] == "Andrij Melnyk"]
    assert [r["paragraph"] for r in melnyk] == [17, 21, 22]


def test_quotes_speaker_filter_matches_any_alias_case_folded(seed_settings):
    rows = [json.loads(line) for line in run(seed_settings, "quotes", "--speaker", "TESLA’S CEO", "--json")
            .stdout.splitlines()]
    assert rows and {r["speaker"] for r in rows} == {"Elon Musk"}


def test_speakers_json(seed_settings):
    result = run(seed_settings, "speakers", "--json")
    speakers = {row["speaker"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert speakers["Elon Musk"]["count"] >= 8
    assert "Musk" in speakers["Elon Musk"]["aliases"]


def test_ask_json_follows_the_contract_in_order_with_one_model_load(seed_settings):
    # A question cleaned to nothing keeps what was typed, so each line still says which question it answers.
    questions = ["Who told Musk to f*** off?", "What is the capital of France?", "Who is the Kremlin spokesman?",
                 "  ??? "]
    result = run(seed_settings, "ask", "--json", *questions)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert [r["answered"] for r in rows] == [True, False, True, False]
    assert [r["verdict"] for r in rows] == ["answer", "none", "answer", "none"]
    assert rows[1]["passages"] == []
    first = rows[0]["passages"][0]
    assert set(first) == {"article", "paragraph", "text", "highlight", "speaker", "score", "kind"}
    assert first["highlight"] in first["text"]
    assert first["speaker"] == "Andrij Melnyk"
    assert result.stderr.count("loading embedding model") == 1


def test_ask_plain_text(seed_settings):
    result = run(seed_settings, "ask", "Who is the Kremlin spokesman?")
    assert "**Kremlin spokesman Dmitry Peskov" in result.stdout
    assert "paragraph 3" in result.stdout


def test_eval_json(seed_settings):
    result = run(seed_settings, "eval", str(EVAL), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["answerable"] == 26 and report["unanswerable"] == 4
    assert {"hit_at_1", "hit_at_3", "declined", "wrongly_declined", "misses"} <= set(report)


def test_missing_index_gets_a_clear_message(tmp_path):
    from tests.conftest import make_settings

    result = run(make_settings(tmp_path), "ask", "anything")
    assert result.returncode == 2
    assert "index missing" in result.stderr and "articlebot index rebuild" in result.stderr


@pytest.fixture
def index_main(monkeypatch, tmp_path, encoder):
    """`python -m index` in this process, in an empty folder (no .env), with the session's model."""
    from index.cli import main

    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("ARTICLEBOT_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.setattr("index.building.build.passage_encoder", lambda settings: encoder)
    return main


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("ARTICLEBOT_ANSWER_K", "0", "error: ARTICLEBOT_ANSWER_K=0: Input should be greater than or equal to 1"),
    ("ARTICLEBOT_LOG_LEVEL", "LOUD", "error: ARTICLEBOT_LOG_LEVEL=LOUD: Input should be 'DEBUG', 'INFO', "),
    ("ARTICLEBOT_MODEL_THREADS", "100000", "error: ARTICLEBOT_MODEL_THREADS=100000: at most "),
    ("ARTICLEBOT_MAX_ARTICLE_BYTES", "lots", "error: ARTICLEBOT_MAX_ARTICLE_BYTES=lots: Input should be a valid"),
    ("ARTICLEBOT_INDEX_DIR", ".", "error: ARTICLEBOT_INDEX_DIR=.: give a folder of the index's own, such as var/index"),
    ("ARTICLEBOT_INDEX_DIR", "/", "error: ARTICLEBOT_INDEX_DIR=/: give a folder of the index's own"),
    ("ARTICLEBOT_INDEX_DIR", "var/..", "error: ARTICLEBOT_INDEX_DIR=var/..: give a folder of the index's own"),
])
def test_invalid_setting_is_one_line_naming_the_variable(index_main, monkeypatch, capsys, variable, value, message):
    monkeypatch.setenv(variable, value)
    assert index_main(["index", "status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1, err


def test_log_level_in_any_case_is_accepted(index_main, monkeypatch, capsys):
    import logging

    monkeypatch.setenv("ARTICLEBOT_LOG_LEVEL", "warning")
    assert index_main(["index", "status"]) == 1  # no corpus and no index here: not fresh, not an error
    assert capsys.readouterr().err == ""
    assert logging.getLogger().level == logging.WARNING


@pytest.mark.parametrize("line", ['DISCORD_TOKEN="MTAx.secret', "DISCORD_TOKEN: MTAx.secret"])
def test_a_dotenv_line_that_cannot_be_parsed_is_refused_by_its_number(index_main, tmp_path, capsys, line):
    """python-dotenv skips such a line with a warning: a token lost so started the console, exit 0."""
    (tmp_path / ".env").write_text(f"# the bot's settings\nARTICLEBOT_ANSWER_K=3\n{line}\n")
    assert index_main(["index", "status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / '.env'} line 3 is no NAME=value setting: ") and err.count("\n") == 1
    assert "secret" not in err


def test_a_dotenv_saved_with_a_byte_order_mark_keeps_its_first_setting(index_main, tmp_path, monkeypatch):
    """Notepad and PowerShell write one; python-dotenv before 1.2.3 made it part of the first name."""
    import dotenv.parser

    from index.settings import load_settings

    def as_before_1_2_3(reader, stream):  # the parser of python-dotenv 1.0.1 to 1.2.2 kept the mark
        reader.string = stream.read()
        reader.position = reader.mark = dotenv.parser.Position.start()

    monkeypatch.setattr(dotenv.parser.Reader, "__init__", as_before_1_2_3)
    (tmp_path / ".env").write_bytes("\ufeffARTICLEBOT_ANSWER_K=4\nARTICLEBOT_LOG_LEVEL=WARNING\n".encode())
    monkeypatch.chdir(tmp_path)
    assert load_settings().answer_k == 4


def test_a_folder_called_dotenv_is_no_settings_file(index_main, tmp_path, capsys):
    (tmp_path / ".env").mkdir()  # a virtual environment, as many name it
    assert index_main(["index", "status"]) == 1  # no corpus and no index here: not fresh, not an error
    assert capsys.readouterr().err == ""


def test_dotenv_that_is_not_utf8_is_one_line(index_main, tmp_path, capsys):
    (tmp_path / ".env").write_bytes(b"ARTICLEBOT_MODEL=caf\xe9\n")
    assert index_main(["index", "status"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path / '.env'} is not UTF-8 (byte 20): save it as UTF-8\n"


@pytest.mark.parametrize("k", ["-1", "0", "11", "many"])
def test_ask_k_outside_1_to_10_is_refused(index_main, capsys, k):
    with pytest.raises(SystemExit) as caught:
        index_main(["ask", "-k", k, "Who is the Kremlin spokesman?"])
    assert caught.value.code == 2
    assert f"argument -k: '{k}' passages: give a number from 1 to 10" in capsys.readouterr().err


def test_a_blank_speaker_is_refused(index_main, capsys):
    with pytest.raises(SystemExit) as caught:
        index_main(["quotes", "--speaker", " "])
    assert caught.value.code == 2
    assert "argument --speaker: give a speaker's name, or leave --speaker out" in capsys.readouterr().err


@pytest.mark.parametrize("guild", ["\u00b2", "12a", "1" * 21])  # "²" is a digit to str.isdigit, not to int
def test_a_server_id_that_is_no_plain_number_is_refused(index_main, capsys, guild):
    with pytest.raises(SystemExit) as caught:
        index_main(["ask", "--guild", guild, "Who is the Kremlin spokesman?"])
    assert caught.value.code == 2
    assert f"argument --guild: {guild!r} is not a server id" in capsys.readouterr().err


def test_engine_refuses_k_outside_1_to_10(seed_engine):
    for k in (-1, 0, 11):
        with pytest.raises(ValueError, match="ask for 1 to 10"):
            seed_engine.answer("Who is the Kremlin spokesman?", k=k)
    assert len(seed_engine.answer("Who is the Kremlin spokesman?", k=10).passages) <= 10


def test_eval_of_a_missing_file_is_one_line(index_main, seed_settings, monkeypatch, capsys):
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(seed_settings.index_dir))
    assert index_main(["eval", "nowhere.jsonl"]) == 2
    assert capsys.readouterr().err == "error: nowhere.jsonl: No such file or directory\n"


def corpus_env(monkeypatch, tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.md").write_text("The harbour reopened on Monday after repairs.\n", encoding="utf-8")
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(tmp_path / "var" / "index"))
    return corpus


def test_full_disk_during_rebuild_is_one_line_and_leaves_nothing(index_main, monkeypatch, tmp_path, capsys):
    corpus_env(monkeypatch, tmp_path)

    def full_disk(vectors, path, **options):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("index.building.segment_writer.save_vectors", full_disk)
    assert index_main(["index", "rebuild"]) == 2
    err = capsys.readouterr().err  # progress and log lines, then the error
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith("error: ") and err.splitlines()[-1].endswith(
        "vectors.faiss: No space left on device; free some disk space and run it again")
    assert list((tmp_path / "var" / "index.builds").iterdir()) == []


def test_full_disk_while_exporting_the_model_is_one_line_and_leaves_nothing(index_main, monkeypatch, tmp_path,
                                                                           capsys):
    corpus_env(monkeypatch, tmp_path)

    def full_disk(model, path, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("onnx.save_model", full_disk)
    assert index_main(["index", "rebuild"]) == 2  # was 1, "an unexpected failure (E5ModelError …)"
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("error: ") and last.endswith("e5.onnx: No space left on device; free some disk space "
                                                        "and run it again")
    # No build, nor any file of one: only the empty folder that segments go in.
    assert [p.name for p in (tmp_path / "var" / "index.builds").rglob("*")] == ["segments"]


def test_a_bad_file_s_name_reaches_the_terminal_inert(index_main, monkeypatch, tmp_path, capsys):
    """A file name is anyone's: an escape sequence would restyle the operator's terminal, a newline
    split the file's one line in two."""
    corpus = corpus_env(monkeypatch, tmp_path)
    (corpus / "evil\x1b[2J\nsecond line.md").write_text("---\nfoo: bar\n---\nBody.\n", encoding="utf-8")
    assert index_main(["index", "rebuild"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "evil\\x1b[2J\\x0asecond line.md: unknown field(s) foo" in err
    assert index_main(["index", "status"]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and out.count("\n") == 1


def test_a_model_that_cannot_be_loaded_is_one_line_naming_the_setting(index_main, monkeypatch, tmp_path, capsys):
    corpus_env(monkeypatch, tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ARTICLEBOT_MODEL", "nobody/no-such-model")
    from index.embedding import passage_encoder

    monkeypatch.setattr("index.building.build.passage_encoder", passage_encoder)  # the real one, not the session's
    assert index_main(["index", "rebuild"]) == 2
    last = capsys.readouterr().err.rstrip("\n").split("\n")[-1]
    assert last.startswith("error: cannot load model 'nobody/no-such-model': ")
    assert last.endswith("; set ARTICLEBOT_MODEL to a local model folder or a model in the cache (HF_HUB_OFFLINE=1)")


def test_unwritable_index_folder_is_one_line(index_main, monkeypatch, tmp_path, capsys):
    corpus_env(monkeypatch, tmp_path)
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(tmp_path / "file" / "index"))
    assert index_main(["index", "rebuild"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == f"error: {tmp_path / 'file' / 'index.builds'}: Not a directory"


def test_oversized_article_is_refused_by_rebuild_naming_the_setting(index_main, monkeypatch, tmp_path, capsys):
    corpus = corpus_env(monkeypatch, tmp_path)
    monkeypatch.setenv("ARTICLEBOT_MAX_ARTICLE_BYTES", "20")
    assert index_main(["index", "rebuild"]) == 2
    err = capsys.readouterr().err
    assert f"{corpus / 'story.md'}: 46 bytes, over the limit of 20 (ARTICLEBOT_MAX_ARTICLE_BYTES)" in err


def test_articlebot_run_starts_from_the_last_good_index_despite_a_bad_corpus_file(
        index_main, seed_settings, tmp_path, monkeypatch, capsys):
    import io

    from bot.cli import main as articlebot
    from tests.index.test_build import copy_of_seed_index

    settings = copy_of_seed_index(tmp_path / "x", seed_settings)
    (settings.corpus_dir / "latin1.md").write_bytes("Caf\xe9 story".encode("latin-1"))
    (settings.corpus_dir / "._musk-peace-deal.md").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("/ask Who is the Kremlin spokesman?\n"))
    assert articlebot(["run", "--console"]) == 0
    out, err = capsys.readouterr()
    assert "Dmitry Peskov" in out
    bad_file = settings.corpus_dir / "latin1.md"
    assert f"WARNING index.building.ensure: {bad_file}: not UTF-8 (byte 3): save it as UTF-8" in err
    assert "serving the last good index (1 articles" in err and "Traceback" not in err


def test_rebuild_shows_each_step_from_its_first_second(index_main, monkeypatch, tmp_path, capsys):
    corpus = corpus_env(monkeypatch, tmp_path)
    assert index_main(["index", "rebuild"]) == 0
    err = capsys.readouterr().err
    steps = [f"reading the articles in {corpus} …", "reading: 100%",
             "splitting 1 articles into passages and finding who said what …", "splitting: 100%",
             "cutting the texts to the window of multilingual-e5-small …", "embedding", "new texts …",
             "embedding: 100%", "writing the index …"]
    assert err.startswith(steps[0])
    positions = [err.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), err


def test_a_quotation_holding_an_escape_sequence_is_printed_inert(seed_settings, monkeypatch, capsys):
    """An article's text is not the operator's: ESC [ 2 J in a quotation would clear the terminal."""
    from index import cli
    from index.answering import SpeakerDirectory

    quote = {"speaker": "Mr Jones", "aliases": ["Jones"], "text": "We will fight\x1b[2J on", "article": "a",
             "paragraph": 1, "kind": "direct"}
    monkeypatch.setattr(SpeakerDirectory, "quotes_by", lambda self, name: [quote])
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", str(seed_settings.corpus_dir))
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(seed_settings.index_dir))
    assert cli.main(["quotes", "--speaker", "jones"]) == 0
    out = capsys.readouterr().out
    assert "We will fight\\x1b[2J on" in out and "\x1b" not in out


def test_a_reader_that_stops_early_is_no_error(seed_settings):
    """`articlebot speakers | head -1`: the pipe closes before the output ends."""
    env = {**os.environ, "ARTICLEBOT_CORPUS_DIR": str(seed_settings.corpus_dir),
           "ARTICLEBOT_INDEX_DIR": str(seed_settings.index_dir)}
    # `true` reads nothing and is gone before the index is open: the whole output meets a closed pipe.
    command = f"{sys.executable} -m index quotes | true; exit ${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=300)
    assert (result.returncode, result.stderr) == (141, "")  # as SIGPIPE would have ended it


def test_an_unexpected_failure_is_one_line_and_its_traceback_only_with_v(seed_settings, monkeypatch, capsys):
    """An index file overwritten by hand at the same size gave IndexError tracebacks."""
    from index import cli
    from index.answering import Engine

    def broken(*args, **kwargs):
        raise IndexError("index 2139062143 is out of bounds for axis 0 with size 12")

    monkeypatch.setattr(Engine, "answer_many", broken)
    monkeypatch.setenv("ARTICLEBOT_CORPUS_DIR", str(seed_settings.corpus_dir))
    monkeypatch.setenv("ARTICLEBOT_INDEX_DIR", str(seed_settings.index_dir))
    assert cli.main(["ask", "Who is Peskov?"]) == 1
    [line] = [line for line in capsys.readouterr().err.splitlines() if "Traceback" in line or "error" in line]
    assert line.startswith("error: an unexpected failure (IndexError: index 2139062143 is out of bounds")
    assert "`index status` checks them" in line
    with pytest.raises(IndexError):
        cli.main(["-v", "ask", "Who is Peskov?"])


def test_a_missing_corpus_folder_is_named_and_nothing_is_made(tmp_path, monkeypatch, capsys):
    from index import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARTICLEBOT_CORPUS_DIR", raising=False)
    monkeypatch.delenv("ARTICLEBOT_INDEX_DIR", raising=False)
    assert cli.main(["index", "rebuild"]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "error: ARTICLEBOT_CORPUS_DIR (corpus): corpus directory does not exist; set it to the folder of the articles")
    assert list(tmp_path.iterdir()) == []


def test_a_stopped_rebuild_leaves_no_temporary_model_folder(tmp_path):
    """SIGTERM (docker stop, kill) still ends the process by the signal, but the e5 export's
    temporary folder goes first."""
    import shutil
    import signal
    import time

    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "ARTICLEBOT_CORPUS_DIR": str(tmp_path / "corpus"),
           "ARTICLEBOT_INDEX_DIR": str(tmp_path / "index")}
    process = subprocess.Popen([sys.executable, "-m", "index", "index", "rebuild", "--full"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(temporary.glob("articlebot-e5-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(temporary.glob("articlebot-e5-*")), "the rebuild never made its model folder"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGTERM and "Traceback" not in err  # ended by the signal
    assert not list(temporary.glob("articlebot-e5-*"))
