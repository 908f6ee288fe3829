"""`python -m litwatch.cli`: the same as the `litwatch` command."""

from litwatch.cli import main

raise SystemExit(main())
