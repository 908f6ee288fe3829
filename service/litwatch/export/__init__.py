"""Exports: stored articles with their classification as JSON lines, CSV, RIS, BibTeX or
MEDLINE (.nbib), and the Atom feed of a saved search.

Owns: the formats (one module a format, registered in ``FORMATS``) and the export rows read
through the store. A new format is a new module here and a line in the registry.

May import: ``litwatch.store``, ``litwatch.pubmed.markup``, ``litwatch.records``,
``litwatch.errors``.
"""
