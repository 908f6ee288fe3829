"""NCBI E-utilities: the HTTP client and everything about talking to NCBI.

Owns: the client (``client``: esearch, efetch from the history server or by POSTed ids),
reading answers and the errors NCBI puts inside a 200 (``answers``), the retry policy
(``retry``), the request-rate limit (``ratelimit``) and the [crdt]/[mdat] date slices that
keep each esearch under the 9,999-id cap (``date_slices``); a saved query checked
(``query_check``) and split into blocks for the recall audit (``query_blocks``). The only
stage that imports httpx.

May import: ``litwatch.errors`` only.
"""
