"""A fake NCBI E-utilities server that runs as a real local service, and its corpora.

Product code: ``make demo`` and the ``litwatch-fake-eutils`` command run it, and the tests and
benchmarks poll it over loopback. ``server`` (HTTP) over ``eutils`` (answers, history
sessions, NCBI's rate limit, injected faults) over ``corpus`` (indexed records) and ``query``
(the subset of PubMed's query language litwatch uses); ``democorpus`` writes the shipped demo
records; ``arrivals`` counts the logged requests in any one-second window, as NCBI would.

May import: nothing of litwatch; it stands on its own, as NCBI does.
"""
