"""Reading the articles of the corpus folder: Markdown with YAML front matter, or plain text."""

from .articles import (
    DEFAULT_MAX_ARTICLE_BYTES,
    Article,
    CorpusError,
    guild_folder,
    guild_of,
    load_corpus,
    parse_article,
    read_article,
)

__all__ = ["DEFAULT_MAX_ARTICLE_BYTES", "Article", "CorpusError", "guild_folder", "guild_of", "load_corpus",
           "parse_article", "read_article"]
