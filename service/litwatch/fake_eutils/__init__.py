"""Test doubles that run as real local services: a fake NCBI E-utilities server and its corpora.

``server`` (HTTP) over ``eutils`` (answers) over ``corpus`` (records) and ``query`` (the
PubMed query subset); ``democorpus`` and ``synthetic`` write the records it serves.
"""
