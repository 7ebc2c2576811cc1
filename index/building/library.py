"""A server's own articles, added and removed from Discord: written atomically into its folder of
the corpus (corpus/guilds/<id>/), then the index rebuilt incrementally. On any failure, a crash of
the rebuild included, the corpus and the live index stay as they were.

articlebot only ever removes a file that it wrote itself: each server folder lists them, with the
SHA-256 of what was written, in a hidden file (ADDED_LIST); an article put there by hand, or one
changed or replaced by hand since, is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..corpus import (
    Article,
    ArticleRefused,
    CorpusError,
    article_from_bytes,
    guild_folder,
    guild_of,
    is_article_file,
    load_corpus,
)
from ..embedding import PassageEncoder
from ..problems import inert, os_problem
from ..settings import Settings
from .build import ChangeMade, Progress, RebuildReport, rebuild

# The files articlebot wrote in a server's folder, a line each: the name, a tab and the SHA-256 of
# the bytes written (lists written before the digest have the name alone); hidden, so never an article.
log = logging.getLogger(__name__)

ADDED_LIST = ".articlebot-added"


@dataclass(frozen=True)
class ArticleChange:
    """What an add or a remove did: the article's id and the rebuild that followed."""

    article: str
    report: RebuildReport


def add_article(settings: Settings, guild_id: int, file_name: str, data: bytes, *,
                progress: Progress | None = None, encoder: PassageEncoder | None = None,
                merge: bool = True) -> ArticleChange:
    """Add the article file `data` (named `file_name`) to server `guild_id`'s articles and rebuild
    the index (its due merges too, unless `merge` is false: see rebuild). ArticleRefused for a bad
    file or a duplicate id; CorpusError when the corpus itself has a bad file (nothing is written
    then)."""
    name = Path(file_name).name  # a name only: nothing the user sends chooses a folder
    try:
        article = article_from_bytes(data, Path(name), settings.max_article_bytes)
    except ValueError as error:
        raise ArticleRefused(str(error)) from None
    # At once, to refuse without waiting for another rebuild; the check in turn decides. A corpus
    # error here may be a file another process is moving: it is read again in turn, where none moves.
    with contextlib.suppress(CorpusError):
        _check_id_free(settings, article.id)
    folder = guild_folder(settings.corpus_dir, guild_id)
    target = folder / f"{article.id}{Path(name).suffix.lower()}"
    if not is_article_file(target.name):  # it would be written, and never read
        raise ArticleRefused(f"{target.name} is the name of the folder's notes, never read as an article: give "
                             "the article another id (the `id:` field, or the file name)")

    def write() -> ChangeMade:
        # Checked again in turn: another process (a shard) may have added the same id meanwhile.
        _check_id_free(settings, article.id)
        _write_new(target, data)
        try:
            _set_added(folder, target.name, hashlib.sha256(data).hexdigest())
        except BaseException:
            target.unlink(missing_ok=True)  # ours, written just now: the corpus stays as it was
            raise

        def undo() -> None:
            target.unlink(missing_ok=True)  # ours, written just now
            # A listed file that is gone is dropped at the list's next writing: an entry left by a
            # full disk is harmless, and must not hide why the rebuild failed.
            _try_set_added(folder, target.name, None)

        return ChangeMade(undo)

    report = rebuild(settings, progress=progress, encoder=encoder, merge=merge, change=write)
    return ArticleChange(article.id, report)


def _check_id_free(settings: Settings, article_id: str) -> None:
    """ArticleRefused when an article of the corpus has this id; CorpusError for a bad corpus."""
    existing = {a.id for a in load_corpus(settings.corpus_dir, settings.max_article_bytes)} \
        if settings.corpus_dir.is_dir() else set()
    if article_id in existing:
        raise ArticleRefused(f"an article with the id {article_id!r} exists already: give yours another id "
                             "(the `id:` field, or the file name)")


def remove_article(settings: Settings, guild_id: int, article_id: str, *,
                   progress: Progress | None = None, encoder: PassageEncoder | None = None,
                   merge: bool = True) -> ArticleChange:
    """Remove server `guild_id`'s article `article_id` (one that articlebot added) and rebuild the
    index; ArticleRefused for an article the server does not own or that was not added from Discord."""
    folder = guild_folder(settings.corpus_dir, guild_id)
    # At once, to refuse without waiting for another rebuild; the check in turn decides (see add_article).
    with contextlib.suppress(CorpusError):
        _removable(settings, folder, guild_id, article_id)
    def set_aside() -> ChangeMade:
        # In turn: another process (a shard) may be removing it too, or adding an article of that name
        # once it is gone; the list of files articlebot wrote changes in turn as well.
        path = _removable(settings, folder, guild_id, article_id)
        # Hidden while the index is rebuilt, so a failed rebuild can put it back as it was. The list
        # keeps it until the new index is published: were it rewritten first, a failed rebuild on a
        # full disk could not list it again, and the article could no longer be removed from Discord.
        aside = folder / f".removing-{path.name}"
        os.replace(path, aside)

        def gone() -> None:
            try:
                aside.unlink()  # ours, hidden: no other process reads it
            except OSError as error:  # removed from the index all the same: the hidden copy is inert
                log.warning("the hidden copy of the removed article %s stays: %s", inert(path.name), os_problem(error))
            _try_set_added(folder, path.name, None)

        return ChangeMade(undo=lambda: os.replace(aside, path), done=gone)

    report = rebuild(settings, progress=progress, encoder=encoder, merge=merge, change=set_aside)
    return ArticleChange(article_id, report)


def _removable(settings: Settings, folder: Path, guild_id: int, article_id: str) -> Path:
    """The file of server `guild_id`'s article `article_id`, which articlebot wrote as it is now;
    ArticleRefused for any other."""
    path = Path(_owned_article(settings, guild_id, article_id).path)
    if path.parent != folder or not _wrote(folder, path):
        raise ArticleRefused(f"{article_id!r} was not added from Discord, or was changed by hand since: the bot's "
                             "operator can remove it")
    return path


def _owned_article(settings: Settings, guild_id: int, article_id: str) -> Article:
    for article in load_corpus(settings.corpus_dir, settings.max_article_bytes):
        if article.id == article_id and guild_of(Path(article.path), settings.corpus_dir) == str(guild_id):
            return article
    raise ArticleRefused(f"this server has no article {article_id!r} of its own: pick one from the list as you type")


def _new_hidden_file(folder: Path) -> tuple[int, Path]:
    """A new hidden file in `folder`, open for writing, with the permissions the umask gives any new
    file, as a file copied into the corpus gets (mkstemp's 0600 would keep another user's process
    serving the same corpus from reading it)."""
    for _ in range(100):  # a clash of 64 random bits is never met twice but by a broken file system
        path = folder / f".adding-{secrets.token_hex(8)}"
        with contextlib.suppress(FileExistsError):
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), path
    raise FileExistsError(f"{folder}: no new file name could be made there")


def _write_new(target: Path, data: bytes) -> None:
    """Write a new file all at once: readers see no file or the whole one, and an existing file
    (someone else's) is never replaced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _new_hidden_file(target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, target)  # fails if the name is taken, unlike a rename
        except FileExistsError:
            raise ArticleRefused(f"{target.name} exists already among this server's articles: give the article "
                                 "another id or file name") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _added(folder: Path) -> dict[str, str | None]:
    """The files articlebot wrote in `folder`, each with the SHA-256 of what it wrote (None: listed
    before the digests were)."""
    try:
        lines = (folder / ADDED_LIST).read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:  # a folder, unreadable, or not text: edited by hand
        # No path in it: a moderator is told this of their own server's folder.
        problem = (error.strerror or type(error).__name__) if isinstance(error, OSError) else "not UTF-8 text"
        raise CorpusError([(folder / ADDED_LIST, f"the list of the articles added from Discord cannot be read "
                                                 f"({problem}); the bot's operator must fix or delete it")]) from None
    listed: dict[str, str | None] = {}
    for line in filter(None, lines):
        name, _, digest = line.partition("\t")
        listed[name] = digest or None
    return listed


def _wrote(folder: Path, path: Path) -> bool:
    """Whether articlebot wrote the file at `path` as it is now."""
    listed = _added(folder)
    if path.name not in listed:
        return False
    digest = listed[path.name]
    return digest is None or hashlib.sha256(path.read_bytes()).hexdigest() == digest


def _try_set_added(folder: Path, name: str, digest: str | None) -> None:
    """_set_added where a failure only leaves an entry for a file that is gone (dropped at the list's
    next writing): logged, not raised."""
    try:
        _set_added(folder, name, digest)
    except (OSError, CorpusError) as error:
        log.warning("the list of articles added from Discord in %s still names %s: %s", inert(str(folder)),
                    inert(name), error)


def _set_added(folder: Path, name: str, digest: str | None) -> None:
    """Record that articlebot wrote `name` in `folder` with this `digest` (None: forget it),
    replacing the list atomically. Entries whose file is gone are dropped: a file put there later
    under the same name is not articlebot's."""
    listed = {n: d for n, d in _added(folder).items() if n != name and (folder / n).exists()}
    if digest is not None:
        listed[name] = digest
    handle, temporary = _new_hidden_file(folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write("".join(f"{n}\t{d}\n" if d else f"{n}\n" for n, d in sorted(listed.items())))
        os.replace(temporary, folder / ADDED_LIST)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)  # left only when writing it failed
