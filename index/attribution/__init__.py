"""Who said what: quotation marks (quotemarks.py), the people and organisations an article names
(names.py), and the rules that give each quotation its speaker (quotations.py).

Only a build needs this package (building/build.py); answering reads the quotations it stored."""

from .quotations import Attribution, Quotation, attribute_article
from .quotemarks import QuoteSpan, find_quotes

__all__ = ["Attribution", "Quotation", "QuoteSpan", "attribute_article", "find_quotes"]
