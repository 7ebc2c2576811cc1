"""Reading the articles of the corpus directory: YAML front matter plus a verbatim body."""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

ARTICLE_SUFFIXES = (".md", ".txt")
METADATA_FIELDS = ("id", "title", "publisher", "published", "url", "language")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class CorpusError(Exception):
    """One or more article files cannot be read; the message names each file and its problem."""

    def __init__(self, problems: list[tuple[Path, str]]):
        self.problems = problems
        super().__init__("\n".join(f"{path}: {problem}" for path, problem in problems))


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

    @property
    def content_hash(self) -> str:
        """Changes whenever the body or any metadata changes, so a rebuild notices both."""
        digest = hashlib.sha256()
        for name in METADATA_FIELDS:
            digest.update(f"{name}={getattr(self, name) or ''}\n".encode())
        digest.update(self.body.encode("utf-8"))
        return digest.hexdigest()

    def metadata(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in METADATA_FIELDS}


def parse_article(text: str, path: Path) -> Article:
    """Parse one article file's text; raises ValueError with a reader-facing reason."""
    text = text.lstrip("\ufeff")
    metadata: dict[str, object] = {}
    body = text
    if text.startswith("---"):
        match = _FRONT_MATTER.match(text)
        if match is None:
            raise ValueError("bad front matter: no closing '---' line")
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as error:
            raise ValueError(f"bad front matter: {error}".splitlines()[0]) from None
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
    if not body.strip():
        raise ValueError("empty body: the article has no text")
    fields: dict[str, str | None] = {}
    for name in METADATA_FIELDS:
        value = metadata.get(name)
        if isinstance(value, datetime.date):
            # YAML reads an unquoted date as a date object; keep it as the file wrote it.
            value = value.isoformat()
        if value is not None and not isinstance(value, str | int | float):
            raise ValueError(f"bad front matter: field {name!r} must be text")
        fields[name] = None if value in (None, "") else str(value).strip()
    article_id = fields.pop("id")
    if article_id is None:
        article_id = id_from_file_name(path.stem)
    elif not _ID_PATTERN.match(article_id):
        raise ValueError(f"bad id {article_id!r}: use letters, digits, '.', '_' or '-'")
    return Article(id=article_id, body=body, path=str(path), **fields)


def id_from_file_name(stem: str) -> str:
    """An article id from a file name as people write them: "Élections 2024 (AFP)" →
    "Elections-2024-AFP". The same name always gives the same id."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-._")[:100].rstrip("-._")
    if not slug:  # a name with no Latin letters or digits at all
        slug = "article-" + hashlib.sha256(stem.encode("utf-8")).hexdigest()[:12]
    return slug


def article_files(corpus_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if path.is_file() and path.suffix.lower() in ARTICLE_SUFFIXES and path.name != "README.md"
    )


def load_corpus(corpus_dir: Path) -> list[Article]:
    """All articles of the directory, or CorpusError naming every bad file."""
    if not corpus_dir.is_dir():
        raise CorpusError([(corpus_dir, "corpus directory does not exist")])
    problems: list[tuple[Path, str]] = []
    articles: list[Article] = []
    first_path_of: dict[str, Path] = {}
    for path in article_files(corpus_dir):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append((path, f"not UTF-8 (byte {error.start})"))
            continue
        try:
            article = parse_article(text, path)
        except ValueError as error:
            problems.append((path, str(error)))
            continue
        if article.id in first_path_of:
            problems.append((path, f"duplicate id {article.id!r} (also {first_path_of[article.id]})"))
            continue
        first_path_of[article.id] = path
        articles.append(article)
    if problems:
        raise CorpusError(problems)
    if not articles:
        raise CorpusError([(corpus_dir, "no articles (*.md or *.txt) found")])
    return articles
