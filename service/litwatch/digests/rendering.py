"""Rendering a digest: the subject/text/html template triplet in ``templates/email/``, with
the signed one-click links (feedback on each article, unsubscribe), and the numbers and
reasons worded by ``wording``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

import jinja2

from litwatch.digests.selection import DigestContent, DigestEntry
from litwatch.digests.signed_links import token_maker
from litwatch.digests.wording import (
    DESIGN_LABELS,
    Measure,
    number_parts,
    stance_phrase,
    why_sentence,
)
from litwatch.records import FindingJudgement
from litwatch.templating import zone


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
    measures: Mapping[str, Measure] | None = None,
) -> RenderedDigest:
    """Subject, plain text and HTML of ``digest``, with its signed one-click links.

    ``measures``: finding id -> its measure, to word numbers and reasons ("mRSS −0.8")."""
    by_finding = dict(measures or {})
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
        "numbers_of": lambda entry: number_parts(entry.classification.numbers, by_finding),
        "why_of": lambda entry, judgement=None: _why(entry, judgement, by_finding),
        "stance_phrase": stance_phrase,
        "web_links": _web_links(base, digest.summary.get("held_by_finding", {})),
        "tz": timezone,
        "now": now,
    }
    # A header is one line, whatever the template's layout; the HTML shows it as its title.
    subject = " ".join(env.get_template("email/digest_subject.txt").render(context).split())
    subject = subject.replace(" ,", ",").rstrip(" ;,")
    context["subject"] = subject
    return RenderedDigest(
        subject=subject,
        text=env.get_template("email/digest.txt").render(context),
        html=env.get_template("email/digest.html").render(context),
        feedback_urls=feedback,
        unsubscribe_url=unsubscribe,
    )


def _why(
    entry: DigestEntry, judgement: FindingJudgement | None, measures: Mapping[str, Measure]
) -> str:
    j = judgement or entry.judgement
    if j is None:
        return ""
    c = entry.classification
    return why_sentence(j, c.numbers, measures.get(j.finding_id), c.design)


def _web_links(base: str, held: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """(label, URL, count) for the articles a first digest left out: each finding's evidence
    table on the web, and the search page for those judged on no finding."""
    links = [(fid, f"{base}/evidence/{quote(fid, safe='')}", n) for fid, n in held.items() if fid]
    if held.get(""):
        links.append(("other articles", f"{base}/", held[""]))
    return links


@dataclass(frozen=True)
class RenderSettings:
    """What making and rendering a digest takes from the running service."""

    env: jinja2.Environment
    links: DigestLinks
    timezone: str = "UTC"
    kb_statements: Mapping[str, str] = field(default_factory=dict)
    measures: Mapping[str, Measure] = field(default_factory=dict)
    # A subscriber's first digest shows at most this many articles (None: no limit).
    first_digest_max: int | None = None


def render_with(
    settings: RenderSettings, digest: DigestContent, *, now: datetime
) -> RenderedDigest:
    """``render_digest`` with the service's environment, links and timezone."""
    return render_digest(
        settings.env,
        digest,
        settings.links,
        timezone=settings.timezone,
        now=now,
        measures=settings.measures,
    )
