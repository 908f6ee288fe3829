"""The notice every web page shows while the service cannot do part of its job.

``install_banner(env, settings)`` sets the Jinja global ``service_banner``: the sentences of
``health.service_problems`` (empty when all is well). ``templates/web/_banner.html`` shows them
and ``base.html`` includes it, so every page that extends the base shows the notice without a
change to its route or its template.
"""

from __future__ import annotations

import jinja2

from litwatch.config import Settings
from litwatch.web.health import service_problems


def install_banner(env: jinja2.Environment, settings: Settings) -> None:
    """Make ``service_banner`` available to every template of ``env``."""
    env.globals["service_banner"] = service_problems(settings)
