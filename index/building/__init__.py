"""Building the index: the texts that get embedded (units.py), the rebuild that embeds what changed
and publishes a new build (build.py), a server's articles added and removed (library.py), and
making sure the index is fresh before serving (ensure.py).

Only a process that builds imports this package: it brings the attribution rules with it."""

from .build import MergeReport, Progress, RebuildReport, merge, rebuild
from .ensure import corpus_status, ensure_index
from .library import ADDED_LIST, ArticleChange, add_article, remove_article
from .units import Unit, make_units

__all__ = ["ADDED_LIST", "ArticleChange", "MergeReport", "Progress", "RebuildReport", "Unit", "add_article",
           "corpus_status", "ensure_index", "make_units", "merge", "rebuild", "remove_article"]
