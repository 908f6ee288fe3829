"""Jobs: the idempotent units of work and when they run.

Owns: one poll of a saved search (``poll``), a live search now (``live_search``), a saved
search's recall audit (``recall_audit``), the digest run (``digest_run``), keeping
classifications in step with the knowledge base (``kb_sync``), job locks that keep one run of
a job at a time across processes (``locks``), schedules as written and what is due by the
database (``schedules``, ``due``), the APScheduler wiring (``scheduler``) and the `serve`
process (``serve``). A job takes the ``Context`` and hands plain values down to the stages.

May import: ``litwatch.context`` and every stage below it (digests, judging, export, store,
eutils, pubmed), ``config``, ``records``, ``errors``; never web or cli (``serve`` gets the web
app as a factory).
"""
