"""An article typed into Discord's form rather than uploaded as a file, and why an article from
Discord is refused."""

from __future__ import annotations

import datetime

import yaml

from .articles import id_from_file_name, is_utf8_text


class ArticleRefused(ValueError):
    """An article cannot be added or removed; the message says why and what to do, in one line."""


def article_from_form(title: str, text: str, url: str = "", publisher: str = "", published: str = "") -> bytes:
    """A Markdown article file made from a form's fields; checked like any file when it is added.
    A date, when given, must be one (YYYY-MM-DD)."""
    if published.strip():
        try:
            datetime.date.fromisoformat(published.strip())
        except ValueError:
            raise ArticleRefused(f"the date {published.strip()!r} is not a date: write it as YYYY-MM-DD, "
                                 "such as 2025-02-28") from None
    if not all(is_utf8_text(field) for field in (title, text, url, publisher, published)):
        # Discord's JSON can carry one ("\ud800"); no file can hold it.
        raise ArticleRefused("the form holds a character that is not text (a lone surrogate); type it again")
    fields = {"title": title.strip(), "url": url.strip(), "publisher": publisher.strip(),
              "published": published.strip()}
    front = yaml.safe_dump({k: v for k, v in fields.items() if v}, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{text.strip()}\n".encode()


def form_file_name(title: str) -> str:
    """The file name of an article from the form: its id made from the title."""
    return f"{id_from_file_name(title)}.md"
