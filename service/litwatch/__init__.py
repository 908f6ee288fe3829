"""litwatch: watch PubMed, judge each new paper against known findings, email digests."""

__version__ = "0.1.0"
