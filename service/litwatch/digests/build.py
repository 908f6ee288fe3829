"""Digests: choose what one subscriber gets, group and rank it, render it, wrap it as email.

Pure functions over plain data: no database, no network. The store hands in candidate items,
``build_digest`` decides, ``render_digest`` fills the subject/text/html template triplet in
``templates/email/``, and ``build_message`` makes the MIME message the mailer sends.
"""

from __future__ import annotations

import email.policy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import jinja2

from litwatch.digests.signed_links import token_maker
from litwatch.records import ArticleRecord, Classification, FindingJudgement
from litwatch.templating import zone

RELEVANCE_LEVELS = ("core", "related")
# Ranks stances when an article reports on several findings: a contradiction is news first.
STANCE_RANK = {"contradicts": 3, "addresses": 2, "supports": 1, "inconclusive": 0}
CORRECTION_FLAGS = {"retracted", "retraction-notice", "erratum"}
DESIGN_LABELS = {
    "rct": "RCT",
    "meta-analysis": "Meta-analysis",
    "systematic-review": "Systematic review",
    "cohort": "Cohort",
    "case-series": "Case series",
    "case-report": "Case report",
    "review": "Review",
    "trial-protocol": "Trial protocol",
    "other": "Other design",
}


@dataclass
class DigestItem:
    """One candidate article for one subscriber, with what the classifier said about it."""

    article: ArticleRecord
    classification: Classification
    searches: list[str] = field(default_factory=list)
    # True: the subscriber got this article (or the one this notice is about) before.
    previously_sent: bool = False

    @property
    def pmid(self) -> str:
        return self.article.pmid

    @property
    def contradicted(self) -> list[str]:
        """Ids of the known findings this article contradicts."""
        return [j.finding_id for j in self.classification.findings if j.stance == "contradicts"]

    @property
    def is_multicentre_rct(self) -> bool:
        return "multicentre-rct" in self.classification.flags

    @property
    def notice_kind(self) -> str:
        """'retraction' or 'erratum' when this is a correction of a sent article, else ''."""
        if not self.previously_sent:
            return ""
        flags = set(self.classification.flags)
        if flags & {"retracted", "retraction-notice"} or (
            self.article.retracted or self.article.is_retraction_notice
        ):
            return "retraction"
        if "erratum" in flags or any(
            c.ref_type in ("ErratumIn", "ErratumFor") for c in self.article.comments_corrections
        ):
            return "erratum"
        return ""


@dataclass
class Subscriber:
    email: str
    name: str = ""
    searches: list[str] = field(default_factory=list)
    frequency: str = "daily"  # daily | weekly
    min_relevance: str = "core"  # core | related
    findings: list[str] = field(default_factory=list)  # empty: every finding
    send_empty: bool = False


@dataclass
class DigestLinks:
    base_url: str  # the web app, e.g. http://localhost:8000
    secret: str  # signs the feedback and unsubscribe tokens


@dataclass
class DigestEntry:
    """An item as shown in one section: the finding it is filed under and the others."""

    item: DigestItem
    judgement: FindingJudgement | None = None
    also: list[FindingJudgement] = field(default_factory=list)

    @property
    def article(self) -> ArticleRecord:
        return self.item.article

    @property
    def classification(self) -> Classification:
        return self.item.classification

    @property
    def authors(self) -> str:
        """'Kuzumi A, Yoshizaki A, Ebata S, et al.'"""
        names = [a.display for a in self.article.authors if a.display]
        return ", ".join(names[:3]) + (", et al." if len(names) > 3 else "")


@dataclass
class Section:
    kind: str  # notices | finding | other-core | related
    title: str
    finding_id: str = ""
    statement: str = ""
    items: list[DigestEntry] = field(default_factory=list)


@dataclass
class Digest:
    subscriber: Subscriber
    items: list[DigestItem]
    period_start: datetime
    period_end: datetime
    summary: dict[str, Any]
    sections: list[Section]
    kb_statements: Mapping[str, str] = field(default_factory=dict)


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


def select_items(subscriber: Subscriber, candidates: list[DigestItem]) -> list[DigestItem]:
    """The candidates this subscriber should get, each PMID once.

    Off-topic articles never; related ones only with min_relevance 'related'; with findings
    chosen, only articles judged on one of them. Contradictions pass the relevance and
    finding filters, and a retraction or erratum of an article sent before always passes.
    An article sent before that is not such a notice is dropped.
    """
    if subscriber.min_relevance not in RELEVANCE_LEVELS:
        raise ValueError(f"min_relevance must be one of {RELEVANCE_LEVELS}")
    wanted_searches = set(subscriber.searches)
    wanted_findings = set(subscriber.findings)
    chosen: dict[str, DigestItem] = {}
    for item in candidates:
        relevance = item.classification.relevance
        if item.notice_kind:
            keep = True
        elif item.previously_sent or relevance not in RELEVANCE_LEVELS:
            keep = False
        elif wanted_searches and item.searches and not wanted_searches & set(item.searches):
            keep = False
        elif item.contradicted:
            keep = True
        else:
            keep = (relevance == "core" or subscriber.min_relevance == "related") and (
                not wanted_findings
                or any(j.finding_id in wanted_findings for j in item.classification.findings)
            )
        if keep:
            seen = chosen.get(item.pmid)
            if seen is None or _rank(item) > _rank(seen):
                chosen[item.pmid] = item
    return list(chosen.values())


def _rank(item: DigestItem) -> tuple[bool, float, str]:
    # Highest priority first; ties broken by PMID so a digest always reads the same.
    return (bool(item.notice_kind), item.classification.priority, item.pmid)


def _strength(judgement: FindingJudgement) -> tuple[int, float]:
    return (STANCE_RANK.get(judgement.stance, -1), judgement.confidence)


def build_digest(
    subscriber: Subscriber,
    items: list[DigestItem],
    *,
    period_start: datetime,
    period_end: datetime,
    kb_statements: Mapping[str, str],
) -> Digest | None:
    """Group and rank what this subscriber gets; None when there is nothing to send."""
    selected = sorted(select_items(subscriber, items), key=_rank, reverse=True)
    if not selected and not subscriber.send_empty:
        return None
    wanted = set(subscriber.findings)
    notices = Section("notices", "Retractions and errata of articles you received")
    by_finding: dict[str, Section] = {}
    other = Section("other-core", "Other core articles")
    related = Section("related", "Related articles")
    for item in selected:
        judgements = sorted(item.classification.findings, key=_strength, reverse=True)
        # File it under the strongest finding the subscriber follows; mention the rest.
        mine = [j for j in judgements if not wanted or j.finding_id in wanted] or judgements
        primary = mine[0] if mine else None
        entry = DigestEntry(item, primary, [j for j in judgements if j is not primary])
        if item.notice_kind:
            notices.items.append(entry)
        elif item.classification.relevance == "related" and not item.contradicted:
            related.items.append(entry)
        elif primary is None:
            other.items.append(entry)
        else:
            fid = primary.finding_id
            if fid not in by_finding:
                by_finding[fid] = Section(
                    "finding", kb_statements.get(fid, fid), fid, kb_statements.get(fid, "")
                )
            by_finding[fid].items.append(entry)
    kb_order = {fid: i for i, fid in enumerate(kb_statements)}
    findings = sorted(
        by_finding.values(), key=lambda s: (kb_order.get(s.finding_id, len(kb_order)), s.finding_id)
    )
    sections = [s for s in (notices, *findings, other, related) if s.items]
    summary = {
        "new": len(selected),
        "core": sum(1 for i in selected if i.classification.relevance == "core"),
        "related": sum(1 for i in selected if i.classification.relevance == "related"),
        "contradictions": [i for i in selected if i.contradicted and not i.notice_kind],
        "multicentre_rcts": [i for i in selected if i.is_multicentre_rct and not i.notice_kind],
        "notices": [i for i in selected if i.notice_kind],
    }
    return Digest(
        subscriber, selected, period_start, period_end, summary, sections, dict(kb_statements)
    )


def render_digest(
    env: jinja2.Environment,
    digest: Digest,
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


def build_message(
    rendered: RenderedDigest,
    *,
    sender: str,
    to: str,
    message_id_domain: str,
    now: datetime,
    list_unsubscribe_url: str | None = None,
    list_unsubscribe_mailto: str | None = None,
) -> EmailMessage:
    """multipart/alternative (text, then HTML) with Message-ID, Date and one-click unsubscribe."""
    # Long one-click URLs must stay plain "<https://...>" in List-Unsubscribe: the default
    # 78-column policy would fold them into encoded words that mail clients do not follow.
    msg = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now if now.tzinfo else now.astimezone())
    msg["Message-ID"] = make_msgid(idstring="digest", domain=message_id_domain)
    targets = [f"<{list_unsubscribe_url or rendered.unsubscribe_url}>"]
    if list_unsubscribe_mailto:
        targets.append(f"<mailto:{list_unsubscribe_mailto}?subject=unsubscribe>")
    msg["List-Unsubscribe"] = ", ".join(targets)
    # RFC 8058: mail clients may unsubscribe with one POST, no page to click through.
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg
