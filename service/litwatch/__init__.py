"""litwatch: watch PubMed, judge each new paper against known findings, email digests.

The package is laid out as the pipeline, one sub-package a stage, imports running down:

    cli, web            what people use (the `litwatch` command, the web app)
    jobs                poll, digest run, knowledge-base sync, schedules, locks, `serve`
    context             the running context built from settings (engine, HTTP, templates)
    digests             choose, render and send digests; signed links; subscribers
    judging, export     the knowledge base and the classifier; export formats
    store               the database: engine, tables, migrations and every query
    templating          the one Jinja environment's filters
    eutils, pubmed      NCBI E-utilities client; PubMed XML to plain records
    config, records, errors   settings, plain data, the error tree

``fake_eutils`` is a fake NCBI server for the demo and the tests; ``demo`` runs the whole job.
tests/architecture/test_layout.py holds the package to this order.
"""

__version__ = "0.1.0"
