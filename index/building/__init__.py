"""Building the index: the texts that get embedded (units.py), the rebuild that embeds what changed
and publishes a new build (build.py), and making sure the index is fresh before serving (ensure.py).

Only a process that builds imports this package: it brings the attribution rules with it."""

from .build import Progress, RebuildReport, rebuild
from .ensure import corpus_status, ensure_index
from .units import Unit, make_units

__all__ = ["Progress", "RebuildReport", "Unit", "corpus_status", "ensure_index", "make_units", "rebuild"]
