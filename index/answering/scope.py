"""Which articles a server sees: its own (added in it) and the shared ones (in the corpus folder
itself). One index holds them all; questions, quotations and article lists are limited here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Scope:
    """The view of one server. `guild` None is a place outside any server (a direct message): it
    sees the shared articles only. Where no scope is given at all (the operator's command line and
    console), every article is seen."""

    guild: int | None

    def sees(self, article: Mapping[str, Any]) -> bool:
        """Whether this server may see an article (its entry in the index)."""
        owner = article.get("guild")
        return owner is None or (self.guild is not None and owner == str(self.guild))

    def sees_rows(self, owners: np.ndarray) -> np.ndarray:
        """`sees` for every article of an index at once, from `article_owners` of its articles: one
        vectorised comparison per question instead of a Python call per article."""
        if self.guild is None:
            return owners == SHARED
        return (owners == SHARED) | (owners == str(self.guild))


# The owner of an article every server sees, in article_owners.
SHARED = ""


def article_owners(articles: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Each article's server id (as the corpus folder names it), or SHARED, as one string array."""
    return np.asarray([article.get("guild") or SHARED for article in articles], dtype=np.str_)


def visible_articles(articles: Mapping[str, Mapping[str, Any]], scope: Scope | None) -> dict[str, Any]:
    """The articles of `articles` (id → entry) that `scope` sees; all of them for no scope."""
    if scope is None:
        return dict(articles)
    return {article_id: entry for article_id, entry in articles.items() if scope.sees(entry)}
