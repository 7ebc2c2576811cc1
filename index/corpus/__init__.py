"""Reading the articles of the corpus folder: Markdown with YAML front matter, or plain text."""

from .articles import (
    DEFAULT_MAX_ARTICLE_BYTES,
    Article,
    CorpusError,
    article_from_bytes,
    check_corpus_folder,
    guild_folder,
    guild_of,
    is_article_file,
    load_corpus,
    parse_article,
    read_article,
)
from .forms import ArticleRefused, article_from_form, form_file_name

__all__ = ["DEFAULT_MAX_ARTICLE_BYTES", "Article", "ArticleRefused", "CorpusError", "article_from_bytes",
           "article_from_form", "check_corpus_folder", "form_file_name", "guild_folder", "guild_of", "is_article_file",
           "load_corpus",
           "parse_article", "read_article"]
