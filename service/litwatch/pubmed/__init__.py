"""PubMed records: efetch XML (db=pubmed, retmode=xml) to plain ``ArticleRecord``s.

Owns: the streaming lxml parser (``parser``), one citation's fields (``fields``), PubMed
dates and ORCID (``dates``), safe inline markup (``markup``: <i>, <b>, <sup>, <sub>, <u> kept,
everything else escaped) and records made from plain text (``plain_text``). Pure: no network,
no database.

May import: ``litwatch.records`` and ``litwatch.errors``.
"""
