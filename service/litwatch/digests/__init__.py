"""Digests: what each subscriber gets, rendered once, recorded, then delivered.

Owns: choosing and grouping a subscriber's articles (``selection``), rendering the
subject/text/HTML templates with signed one-click links (``rendering``, ``signed_links``), the
MIME message (``message``), recording a digest with its articles before sending (``queue``),
claiming and sending with retries (``delivery``), the mailer (``mailer``: SMTP or the ``.eml``
outbox; the only module that imports smtplib) and subscribers' checks (``subscribers``).
Digests take plain values (a session, the Jinja environment, the sender, the clock); the
orchestration that reads a Context is ``litwatch.jobs.digest_run``.

May import: ``litwatch.store``, ``litwatch.templating``, ``litwatch.pubmed.markup``,
``litwatch.records``, ``litwatch.errors``; never judging's code, context, jobs, web or cli.
"""
