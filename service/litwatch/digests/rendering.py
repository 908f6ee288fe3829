"""Rendering a digest: the subject/text/html template triplet in ``templates/email/``, with
the signed one-click links (feedback on each article, unsubscribe).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import jinja2

from litwatch.digests.selection import DigestContent
from litwatch.digests.signed_links import token_maker
from litwatch.templating import zone

DESIGN_LABELS = {
    "rct": "RCT",
    "non-randomised-trial": "Non-randomised trial",
    "meta-analysis": "Meta-analysis",
    "systematic-review": "Systematic review",
    "cohort": "Cohort",
    "case-series": "Case series",
    "case-report": "Case report",
    "review": "Review",
    "trial-protocol": "Trial protocol",
    "guideline": "Guideline",
    "other": "Other design",
}


@dataclass
class DigestLinks:
    base_url: str  # the web app, e.g. http://localhost:8000
    secret: str  # signs the feedback and unsubscribe tokens


@dataclass
class FeedbackLinks:
    relevant: str
    not_relevant: str


@dataclass
class RenderedDigest:
    subject: str
    text: str
    html: str
    feedback_urls: dict[str, FeedbackLinks]  # by PMID
    unsubscribe_url: str


def render_digest(
    env: jinja2.Environment,
    digest: DigestContent,
    links: DigestLinks,
    *,
    timezone: str = "UTC",
    now: datetime,
) -> RenderedDigest:
    """Subject, plain text and HTML of ``digest``, with its signed one-click links."""
    zone(timezone)  # an unknown timezone fails here, naming the setting
    base = links.base_url.rstrip("/")
    email = digest.subscriber.email
    sign_feedback = token_maker(links.secret, "feedback", now=now)
    feedback: dict[str, FeedbackLinks] = {}
    for item in digest.items:
        feedback[item.pmid] = FeedbackLinks(
            *(
                f"{base}/feedback/"
                + sign_feedback({"pmid": item.pmid, "email": email, "relevant": relevant})
                for relevant in (True, False)
            )
        )
    unsubscribe = f"{base}/unsubscribe/" + token_maker(links.secret, "unsubscribe", now=now)(
        {"email": email}
    )
    context = {
        "digest": digest,
        "subscriber": digest.subscriber,
        "summary": digest.summary,
        "sections": digest.sections,
        "kb": digest.kb_statements,
        "feedback": feedback,
        "unsubscribe_url": unsubscribe,
        "base_url": base,
        "design_labels": DESIGN_LABELS,
        "tz": timezone,
        "now": now,
    }
    # A header is one line, whatever the template's layout; the HTML shows it as its title.
    subject = " ".join(env.get_template("email/digest_subject.txt").render(context).split())
    context["subject"] = subject
    return RenderedDigest(
        subject=subject,
        text=env.get_template("email/digest.txt").render(context),
        html=env.get_template("email/digest.html").render(context),
        feedback_urls=feedback,
        unsubscribe_url=unsubscribe,
    )


@dataclass(frozen=True)
class RenderSettings:
    """What rendering a digest takes from the running service."""

    env: jinja2.Environment
    links: DigestLinks
    timezone: str = "UTC"
    kb_statements: Mapping[str, str] = field(default_factory=dict)


def render_with(
    settings: RenderSettings, digest: DigestContent, *, now: datetime
) -> RenderedDigest:
    """``render_digest`` with the service's environment, links and timezone."""
    return render_digest(settings.env, digest, settings.links, timezone=settings.timezone, now=now)
