"""pubmed."""
