"""Judging: classify articles against the knowledge base, keep the results, learn from labels.

``rules`` is the pure classifier; ``knowledge`` and ``knowledge_file`` the knowledge base;
``classify_stored``, ``reclassify``, ``feedback`` and ``evidence`` apply it to stored
articles through ``litwatch.store``; ``learned`` and ``evaluate`` measure and improve it;
``recall_gaps`` finds the drug words an article names that a saved query lacks.

May import: litwatch.errors, records, pubmed, store, and eutils for query text (the rows
below it in tests/architecture/test_layout.py). Never context, jobs, web or cli: they call
judging with a session, the knowledge base and the time.
"""
