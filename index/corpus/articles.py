"""Reading the articles of the corpus directory: YAML front matter plus a verbatim body."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ..problems import inert

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".md", ".txt")
# A folder's notes on its articles, never an article itself.
NOTES_FILE = "README.md"
# An article larger than this is refused (ARTICLEBOT_MAX_ARTICLE_BYTES): a 1 MB story takes about
# 20 s to split and attribute and minutes to embed; 50 MB ran for minutes without a word.
DEFAULT_MAX_ARTICLE_BYTES = 1_000_000
METADATA_FIELDS = ("id", "title", "publisher", "published", "url", "language")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_FRONT_MATTER_OPENING = re.compile(r"\A---[ \t]*(?:\n|\Z)")  # a line of three dashes, no more
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# A server's own articles live in corpus/guilds/<server id>/; every other article is shared by all.
GUILDS_FOLDER = "guilds"
_GUILD_ID = re.compile(r"[0-9]{1,20}")


class _TextLoader(yaml.SafeLoader):
    """YAML that keeps every value as the text written: YAML 1.1 reads `title: No` as False,
    `published: 12:30` as 750 and `id: 010` as 8. An empty value (or `null`, `~`) stays empty."""


_NULL = "tag:yaml.org,2002:null"
_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag == _NULL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _tagged_scalar(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """A value tagged by hand (`published: !!timestamp tuesday`) through SafeLoader's own
    constructor, which assumes text that its pattern matched and crashes on any other."""
    try:
        return yaml.SafeLoader.yaml_constructors[node.tag](loader, node)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}", node.start_mark) from None


for _scalar in ("bool", "int", "float", "timestamp", "binary"):
    _TextLoader.add_constructor(f"tag:yaml.org,2002:{_scalar}", _tagged_scalar)


# The other file a duplicate id's problem names, a path of the host's (load_corpus writes it).
_DUPLICATE_OF = re.compile(r" \(also .*\)$")


class CorpusError(Exception):
    """One or more article files cannot be read; the message names each file and its problem."""

    def __init__(self, problems: list[tuple[Path, str]]):
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """One line a file: a file name (anyone's) may hold a newline or an escape sequence."""
        return [f"{inert(str(path))}: {inert(problem)}" for path, problem in self.problems]

    def for_server(self, corpus_dir: Path, guild_id: int) -> str:
        """The problems as one server's moderator is told them: that server's own files by name,
        every other file only counted, and no path of the host's. Other files' names may be another
        server's; the operator reads them all in the log."""
        told, others = [], 0
        for path, problem in self.problems:
            if path == corpus_dir:  # the folder itself: "no articles found" after a server's last removal
                told.append(f"the bot's article folder: {inert(problem)}")
            elif guild_of(path, corpus_dir) == str(guild_id):
                problem = _DUPLICATE_OF.sub(" (another article has that id)", problem)
                told.append(f"{inert(path.name)}: {inert(problem)}")
            else:
                others += 1
        if others:
            files = "file" if others == 1 else "files"
            told.append(f"{others} other article {files} cannot be read; the bot's operator must fix that")
        return "; ".join(told)


@dataclass(frozen=True)
class Article:
    id: str
    body: str
    path: str = ""
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None
    guild: str | None = None  # the server that owns it (its folder); None: shared by every server

    @property
    def content_hash(self) -> str:
        """Changes whenever the body, any metadata or the owning server changes, so a rebuild
        notices each (a shared article's hash is what it was before servers had articles)."""
        digest = hashlib.sha256()
        for name in METADATA_FIELDS:
            digest.update(f"{name}={getattr(self, name) or ''}\n".encode())
        if self.guild is not None:
            digest.update(f"guild={self.guild}\n".encode())
        digest.update(self.body.encode("utf-8"))
        return digest.hexdigest()

    def metadata(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in METADATA_FIELDS}


# Letters that print as nothing (Hangul fillers, the blank braille pattern).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _is_blank(character: str) -> bool:
    """Whether a character shows nothing: space, a control or format character (zero-width space,
    word joiner), a combining mark or variation selector with nothing to mark, or a blank letter."""
    return character.isspace() or character in _BLANK_LETTERS or \
        unicodedata.category(character) in ("Cc", "Cf", "Mn", "Me", "Co", "Cn")


def parse_article(text: str, path: Path) -> Article:
    """Parse one article file's text; raises ValueError with a reader-facing reason. Line ends
    are read as "\n" whatever wrote them: a carriage return is no part of what an article says,
    and shown it is a control character."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    metadata: dict[str, object] = {}
    body = text
    # Front matter is Markdown's: a .txt file is all body, its id its file name (README), so a plain
    # story that opens with a rule of dashes is read as written.
    if path.suffix.lower() == ".txt" and _FRONT_MATTER.match(text):
        log.warning("%s: read as plain text, front matter included: fields are read from .md files only "
                    "(rename it to .md for them)", inert(str(path)))
    elif _FRONT_MATTER_OPENING.match(text):
        match = _FRONT_MATTER.match(text)
        if match is None:
            raise ValueError("bad front matter: no closing '---' line")
        try:
            loaded = yaml.load(match.group(1), Loader=_TextLoader)
        except yaml.YAMLError as error:
            raise ValueError(f"bad front matter: {_yaml_problem(error)}") from None
        except RecursionError:  # PyYAML composes nested brackets recursively
            raise ValueError("bad front matter: nested too deeply") from None
        except Exception as error:  # anyone's file: PyYAML's constructors raise what they meet
            raise ValueError(f"bad front matter: cannot be read ({type(error).__name__})") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ValueError("bad front matter: expected 'field: value' lines")
        unknown = sorted(str(key) for key in loaded if key not in METADATA_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(METADATA_FIELDS)}"
            )
        metadata = loaded
        body = text[match.end():]
    if all(_is_blank(character) for character in body):
        raise ValueError("empty body: the article has no text")
    fields: dict[str, str | None] = {}
    for name in METADATA_FIELDS:
        value = metadata.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"bad front matter: field {name!r} must be text")
        if value is not None and not is_utf8_text(value):
            value = _joined_surrogate_pairs(value)  # YAML reads "\ud83d\ude00" (JSON's emoji) as two halves
            if value is None:  # a lone half ("\uD800") is no character at all
                raise ValueError(f"bad front matter: field {name!r} holds a character that is not text")
        fields[name] = (value or "").strip() or None
    if fields["url"] is not None and not is_web_address(fields["url"]):
        raise ValueError(f"bad front matter: field 'url' must be an http:// or https:// address with a host, "
                         f"not {fields['url']!r}")
    if fields["published"] is not None and not is_date(fields["published"]):
        raise ValueError(f"bad front matter: field 'published' must be a date like 2025-02-28 (or an ISO 8601 "
                         f"date and time), not {fields['published']!r}")
    article_id = fields.pop("id")
    if article_id is None:
        article_id = id_from_file_name(path.stem)
    elif not _ID_PATTERN.match(article_id):
        raise ValueError(f"bad id {article_id!r}: use letters, digits, '.', '_' or '-'")
    return Article(id=article_id, body=body, path=str(path), **fields)


def _yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's reason on one line, with the file's line: "found character '\\t' that cannot start any
    token (line 3)" rather than its first line alone ("while scanning for the next token")."""
    if not isinstance(error, yaml.MarkedYAMLError) or not error.problem:
        return str(error).splitlines()[0]
    mark = error.problem_mark
    # The front matter starts on the file's second line, after its opening "---".
    return error.problem + (f" (line {mark.line + 2})" if mark is not None else "")


def _joined_surrogate_pairs(text: str) -> str | None:
    """`text` with each escaped surrogate pair made the one character it stands for; None when a
    half stands alone."""
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return None


def is_utf8_text(text: str) -> bool:
    """Whether `text` can be written as UTF-8 (no lone surrogate): hashed, stored and sent."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def id_from_file_name(stem: str) -> str:
    """An article id from a file name as people write them: "Élections 2024 (AFP)" →
    "Elections-2024-AFP". The same name always gives the same id."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-._")[:100].rstrip("-._")
    if not slug:  # a name with no Latin letters or digits at all
        slug = "article-" + hashlib.sha256(stem.encode("utf-8")).hexdigest()[:12]
    return slug


def is_date(text: str) -> bool:
    """An ISO 8601 date (2025-02-28) or date and time (2025-02-28T09:30:00+11:00)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return len(text) >= 10  # fromisoformat also takes "20250228"; the written form is wanted


def is_web_address(url: str) -> bool:
    """An http or https address with a host and nothing a link must not carry (spaces, control
    characters, a user name)."""
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in url):
        return False
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and parts.username is None


def guild_folder(corpus_dir: Path, guild_id: int) -> Path:
    """Where the articles that a server added live."""
    return corpus_dir / GUILDS_FOLDER / str(guild_id)


def guild_of(path: Path, corpus_dir: Path) -> str | None:
    """The server that owns the article file at `path` (in corpus/guilds/<id>/), or None: shared."""
    try:
        parts = path.relative_to(corpus_dir).parts
    except ValueError:
        return None
    if len(parts) >= 3 and parts[0] == GUILDS_FOLDER and _GUILD_ID.fullmatch(parts[1]):
        return parts[1]
    return None


def article_files(corpus_dir: Path) -> list[Path]:
    """The articles of the folder: *.md and *.txt files but README.md. Hidden files and folders
    (a name starting with '.', like the `._story.md` that macOS leaves beside each file) are not
    articles, and a link to a file outside the folder is not followed."""
    root = corpus_dir.resolve()
    found = []
    folders = [str(corpus_dir)]
    while folders:
        try:  # an unreadable folder is passed over, as os.walk does
            with os.scandir(folders.pop()) as entries:
                listed = list(entries)
        except OSError:
            continue
        # A directory entry knows its type: no file is stat()ed unless it is a link.
        for entry in listed:
            if entry.name.startswith("."):
                continue
            if _entry_is(entry.is_dir):
                if not entry.is_symlink():  # links to folders are not entered
                    folders.append(entry.path)
                continue
            path = Path(entry.path)
            if not is_article_file(entry.name):
                continue
            if entry.is_symlink():
                try:
                    target = path.resolve()
                except (OSError, RuntimeError):  # a link that loops
                    log.warning("%s: skipped, a link that cannot be followed", inert(str(path)))
                    continue
                if not target.is_relative_to(root):
                    log.warning("%s: skipped, a link to a file outside the corpus folder", inert(str(path)))
                    continue
            if _entry_is(entry.is_file):
                found.append(path)
    return sorted(found)


def _entry_is(kind: Callable[[], bool]) -> bool:
    """A directory entry's type; False where it cannot be told (a link that loops, a target out of
    reach), as os.walk takes it."""
    try:
        return kind()
    except OSError:
        return False


# Articles read before, by path, with the file's signature then: a rebuild after one added article
# reads only that file again. A file changed less than _RACY_SECONDS before it was read is not kept:
# a write within the file system's timestamp granularity could leave the signature unchanged.
_READ_BEFORE: dict[Path, tuple[tuple[int, int, int, int], Article]] = {}
_RACY_SECONDS = 2.0
MAX_REMEMBERED_ARTICLES = 100_000


def read_article(path: Path, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Article:
    """One article file; ValueError with a reader-facing reason when it cannot be used. A file
    unchanged since this process last read it (size, modification and change times, inode) is
    not read again."""
    try:
        status = path.stat()
        if status.st_size > max_bytes:
            raise ValueError(_too_large(status.st_size, max_bytes))
        signature = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        remembered = _READ_BEFORE.get(path)
        if remembered is not None and remembered[0] == signature:
            return remembered[1]
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"unreadable ({error.strerror or error})") from None
    article = article_from_bytes(data, path, max_bytes)
    if time.time() - max(status.st_mtime, status.st_ctime) > _RACY_SECONDS:
        if len(_READ_BEFORE) >= MAX_REMEMBERED_ARTICLES:
            _READ_BEFORE.clear()
        _READ_BEFORE[path] = (signature, article)
    return article


def _too_large(size: int, max_bytes: int) -> str:
    return (f"{size} bytes, over the limit of {max_bytes} (ARTICLEBOT_MAX_ARTICLE_BYTES): "
            "split the article or raise the limit")


def is_article_file(name: str) -> bool:
    """Whether the corpus reads a file of this name as an article: a .md or .txt file, not hidden,
    and not README.md (the folder's own notes)."""
    return Path(name).suffix.lower() in ARTICLE_SUFFIXES and name != NOTES_FILE and not name.startswith(".")


def article_from_bytes(data: bytes, path: Path, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Article:
    """An article from the bytes of its file (named `path`: its suffix and, for a .txt, its id),
    checked as a rebuild checks every file; ValueError with a reader-facing reason. A binary file
    (an image, a PDF, a Word document) is refused as not UTF-8."""
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        raise ValueError(f"not an article file: use a {' or '.join(ARTICLE_SUFFIXES)} file")
    if len(data) > max_bytes:
        raise ValueError(_too_large(len(data), max_bytes))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 (byte {error.start}): save it as UTF-8") from None
    return parse_article(text, path)


def check_corpus_folder(corpus_dir: Path) -> None:
    """CorpusError unless `corpus_dir` is a folder: checked before a rebuild writes anything."""
    if not corpus_dir.is_dir():
        raise CorpusError([(corpus_dir, "is a file, not a folder of articles" if corpus_dir.exists()
                            else "corpus directory does not exist")])


def load_corpus(corpus_dir: Path, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES,
                progress: Callable[[int], Callable[[int], None]] | None = None) -> list[Article]:
    """All articles of the directory, or CorpusError naming every bad file. `progress` is given
    the number of files and returns what to call as each one is read."""
    check_corpus_folder(corpus_dir)
    problems: list[tuple[Path, str]] = []
    articles: list[Article] = []
    first_path_of: dict[str, Path] = {}
    paths = article_files(corpus_dir)
    advance = progress(len(paths)) if progress else None
    for path in paths:
        if advance:
            advance(1)
        guild = guild_of(path, corpus_dir)
        if guild is None and path.relative_to(corpus_dir).parts[0].casefold() == GUILDS_FOLDER:
            # Read as shared, it would be shown to every server: a typo in a server's folder name
            # must not publish its articles.
            problems.append((path, f"in {GUILDS_FOLDER}/ but not in a folder named by a server's id (the number "
                                   f"Discord shows); shared articles go outside {GUILDS_FOLDER}/"))
            continue
        try:
            article = replace(read_article(path, max_bytes), guild=guild)
        except ValueError as error:
            problems.append((path, str(error)))
            continue
        if article.id in first_path_of:
            problems.append((path, f"duplicate id {article.id!r} (also {first_path_of[article.id]})"))
            continue
        first_path_of[article.id] = path
        articles.append(article)
    _forget_all_but(corpus_dir, set(paths))
    if problems:
        raise CorpusError(problems)
    if not articles:
        raise CorpusError([(corpus_dir, "no articles (*.md or *.txt) found")])
    return articles


def _forget_all_but(corpus_dir: Path, paths: set[Path]) -> None:
    """Drop the remembered articles of `corpus_dir` whose files are gone or no longer articles."""
    for path in [p for p in _READ_BEFORE if p not in paths and p.is_relative_to(corpus_dir)]:
        del _READ_BEFORE[path]
