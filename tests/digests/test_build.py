"""Digest selection, grouping and rendering, and the MIME message around it (no I/O)."""

from __future__ import annotations

import email
import email.policy
import functools
from dataclasses import replace
from datetime import UTC, date, datetime
from email.utils import make_msgid
from html.parser import HTMLParser

import jinja2
import pytest

from litwatch.digests.message import build_message
from litwatch.digests.rendering import DigestLinks, RenderedDigest, render_digest
from litwatch.digests.selection import (
    Candidate,
    DigestContent,
    Recipient,
    build_digest,
    select_items,
)
from litwatch.digests.signed_links import read_token
from litwatch.digests.wording import Measure, measures_of
from litwatch.errors import ConfigError
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.records import (
    ArticleRecord,
    Author,
    Classification,
    CommentCorrection,
    Evidence,
    FindingJudgement,
)
from litwatch.templating import make_environment, segments

SECRET = "digest-test-secret"
NOW = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)
START = datetime(2026, 11, 17, 6, 0, tzinfo=UTC)
LINKS = DigestLinks(base_url="http://localhost:8000/", secret=SECRET)
KB = {
    "mrss-improvement": "Rituximab improves skin fibrosis in SSc: the mRSS falls.",
    "fvc-improvement": "Rituximab improves lung function in SSc: FVC% rises.",
    "multicentre-rct-needed": "Randomized, double-blind, multicentre trials are still needed.",
}
EVIDENCE = "At 24 weeks the mRSS fell by 6.5 points after rituximab."


def article(pmid: str, title: str = "", **fields: object) -> ArticleRecord:
    """A plausible record; ``fields`` override any attribute."""
    values: dict[str, object] = {
        "title": title or f"Rituximab in systemic sclerosis, study {pmid}",
        "doi": f"10.1001/jamadermatol.{pmid}",
        "journal_iso": "JAMA Dermatol",
        "journal_title": "JAMA dermatology",
        "pub_date_text": "2023 Feb 15",
        "pub_date": date(2023, 2, 15),
        "authors": [
            Author(last_name=name, initials=ini)
            for name, ini in [("Kuzumi", "A"), ("Yoshizaki", "A"), ("Ebata", "S"), ("Sato", "S")]
        ],
    }
    values.update(fields)
    return ArticleRecord(pmid=pmid, **values)  # type: ignore[arg-type]


def judgement(finding: str, stance: str, confidence: float = 0.8) -> FindingJudgement:
    start = EVIDENCE.index("mRSS fell")
    return FindingJudgement(
        finding_id=finding,
        stance=stance,
        confidence=confidence,
        evidence=[Evidence(EVIDENCE, [(start, start + len("mRSS fell"))])],
        reason=f"{stance} {finding}",
    )


def classification(
    pmid: str,
    relevance: str = "core",
    findings: list[FindingJudgement] | None = None,
    *,
    flags: list[str] | None = None,
    priority: float = 0.5,
    design: str = "cohort",
    numbers: dict[str, object] | None = None,
) -> Classification:
    return Classification(
        pmid=pmid,
        relevance=relevance,
        relevance_score=0.9 if relevance == "core" else 0.5,
        design=design,
        findings=findings or [],
        flags=flags or [],
        priority=priority,
        numbers=numbers or {},
    )


def item(pmid: str, relevance: str = "core", findings=None, **kw: object) -> Candidate:  # type: ignore[no-untyped-def]
    sent = bool(kw.pop("previously_sent", False))
    art = kw.pop("article", None) or article(pmid)
    return Candidate(art, classification(pmid, relevance, findings, **kw), ["ssc-rtx"], sent)  # type: ignore[arg-type]


def sample_items() -> list[Candidate]:
    """A day's worth: contradiction, multicentre RCT, retraction of a sent article, related, off."""
    return [
        item(
            "100",
            findings=[judgement("mrss-improvement", "supports", 0.9)],
            priority=0.6,
            numbers={"n": 29, "follow_up": "3 years", "mrss_change": -6.5},
            article=article("100", "Effect of rituximab on the <i>TERT</i> gene in SSc"),
        ),
        item(
            "101",
            findings=[
                judgement("fvc-improvement", "contradicts", 0.85),
                judgement("mrss-improvement", "supports", 0.9),
            ],
            priority=0.95,
        ),
        item(
            "102",
            findings=[judgement("multicentre-rct-needed", "addresses", 0.9)],
            flags=["multicentre-rct"],
            design="rct",
            priority=0.9,
        ),
        item(
            "103",
            "off",
            flags=["retracted"],
            previously_sent=True,
            article=article(
                "103", comments_corrections=[CommentCorrection("RetractionIn", "999", "Ann X 2026")]
            ),
        ),
        item("104", "related", priority=0.3),
        item("105", "off", priority=0.1),
        item("106", findings=[judgement("mrss-improvement", "inconclusive", 0.4)], priority=0.2),
    ]


def subscriber(**fields: object) -> Recipient:
    values: dict[str, object] = {"email": "ada@example.org", "name": "Ada", "searches": ["ssc-rtx"]}
    values.update(fields)
    return Recipient(**values)  # type: ignore[arg-type]


def sample_digest(
    sub: Recipient | None = None, items: list[Candidate] | None = None
) -> DigestContent:
    digest = build_digest(
        sub or subscriber(min_relevance="related"),
        sample_items() if items is None else items,
        period_start=START,
        period_end=NOW,
        kb_statements=KB,
    )
    assert digest is not None
    return digest


@functools.cache
def environment() -> jinja2.Environment:
    """One environment for the whole run, as the service keeps one."""
    return make_environment()


@functools.cache
def measures() -> dict[str, Measure]:
    return measures_of(load_knowledge_base())


def render(digest: DigestContent, timezone: str = "UTC") -> RenderedDigest:
    return render_digest(
        environment(), digest, LINKS, timezone=timezone, now=NOW, measures=measures()
    )


def pmids(items: list[Candidate]) -> list[str]:
    return sorted(i.pmid for i in items)


# --- selection ---------------------------------------------------------------------------


def test_core_only_keeps_core_contradictions_and_notices() -> None:
    chosen = select_items(subscriber(min_relevance="core"), sample_items())
    assert pmids(chosen) == ["100", "101", "102", "103", "106"]


def test_related_adds_related_but_never_off() -> None:
    chosen = select_items(subscriber(min_relevance="related"), sample_items())
    assert pmids(chosen) == ["100", "101", "102", "103", "104", "106"]


def test_findings_filter_keeps_contradictions_and_notices() -> None:
    sub = subscriber(findings=["multicentre-rct-needed"])
    # 101 contradicts a finding the subscriber does not follow: still shown.
    assert pmids(select_items(sub, sample_items())) == ["101", "102", "103"]


def test_contradiction_passes_min_relevance() -> None:
    related_contradiction = item("200", "related", [judgement("fvc-improvement", "contradicts")])
    assert pmids(select_items(subscriber(), [related_contradiction])) == ["200"]


def test_previously_sent_article_is_not_sent_again_unless_corrected() -> None:
    again = item("300", findings=[judgement("mrss-improvement", "supports")], previously_sent=True)
    erratum = item("301", flags=["erratum"], previously_sent=True)
    retraction_notice = item(
        "302",
        "off",
        previously_sent=True,
        article=article(
            "302",
            publication_types=["Retraction of Publication"],
            comments_corrections=[CommentCorrection("RetractionOf", "300", "JAMA 2023")],
        ),
    )
    chosen = select_items(subscriber(), [again, erratum, retraction_notice])
    assert {i.pmid: i.notice_kind for i in chosen} == {"301": "erratum", "302": "retraction"}


def test_a_retraction_not_about_a_sent_article_is_no_notice() -> None:
    unrelated = item("303", "off", flags=["retraction-notice"])
    assert select_items(subscriber(), [unrelated]) == []


def test_other_searches_are_left_out() -> None:
    other = replace(item("400"), searches=["someone-elses-search"])
    assert select_items(subscriber(), [other]) == []
    assert pmids(select_items(subscriber(searches=[]), [other])) == ["400"]


def test_each_pmid_once() -> None:
    low = item("500", priority=0.1)
    high = item("500", priority=0.9)
    assert [i.classification.priority for i in select_items(subscriber(), [low, high])] == [0.9]


def test_bad_min_relevance_is_refused() -> None:
    with pytest.raises(ValueError, match="min_relevance"):
        select_items(subscriber(min_relevance="off"), sample_items())


# --- building ----------------------------------------------------------------------------


def test_nothing_to_send_gives_none_unless_asked() -> None:
    off_only = [item("105", "off")]
    kwargs = {"period_start": START, "period_end": NOW, "kb_statements": KB}
    assert build_digest(subscriber(), off_only, **kwargs) is None  # type: ignore[arg-type]
    empty = build_digest(subscriber(send_empty=True), off_only, **kwargs)  # type: ignore[arg-type]
    assert empty is not None and empty.items == [] and empty.sections == []
    rendered = render(empty)
    assert rendered.subject == "litwatch: nothing new since 17 Nov 2026"
    assert "Nothing new" in rendered.text and "Nothing new" in rendered.html
    assert rendered.unsubscribe_url in rendered.html


def test_summary_counts_and_callouts() -> None:
    s = sample_digest().summary
    # 103 is the retraction of an article sent before: a notice, not a new article.
    assert (s["new"], s["core"], s["related"], s["notice_count"]) == (5, 4, 1, 1)
    assert pmids(s["contradictions"]) == ["101"]
    assert pmids(s["multicentre_rcts"]) == ["102"]
    assert pmids(s["notices"]) == ["103"]


def test_sections_in_order_each_article_once_under_its_strongest_finding() -> None:
    digest = sample_digest()
    layout = [(s.kind, s.finding_id, [e.item.pmid for e in s.items]) for s in digest.sections]
    assert layout == [
        ("notices", "", ["103"]),
        # Knowledge-base order; within a section, highest priority first.
        ("finding", "mrss-improvement", ["100", "106"]),
        ("finding", "fvc-improvement", ["101"]),
        ("finding", "multicentre-rct-needed", ["102"]),
        ("related", "", ["104"]),
    ]
    contradiction = digest.sections[2].items[0]
    assert [j.finding_id for j in contradiction.also] == ["mrss-improvement"]
    every = [e.item.pmid for s in digest.sections for e in s.items]
    assert len(every) == len(set(every))


def test_section_follows_the_subscribers_findings() -> None:
    sub = subscriber(findings=["mrss-improvement"])
    digest = sample_digest(sub)
    where = {e.item.pmid: s.finding_id for s in digest.sections for e in s.items}
    # 101 contradicts fvc more strongly, but this reader follows mRSS: filed there.
    assert where["101"] == "mrss-improvement"


def test_core_without_findings_goes_to_other_core() -> None:
    digest = sample_digest(items=[item("600", priority=0.5)])
    assert [s.kind for s in digest.sections] == ["other-core"]


# --- rendering ---------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)
        self.hrefs.extend(v or "" for k, v in attrs if k == "href")


def parse_html(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


MALICIOUS = 'Evil <script>alert(1)</script> and <img src=x onerror="alert(2)"> of <i>TERT</i>'


@pytest.mark.parametrize(
    "title",
    [
        MALICIOUS,  # raw, as if a field skipped sanitising
        "Evil &lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(2)&gt;"
        " of <i>TERT</i>",  # proper safe markup of the same text
    ],
)
def test_title_cannot_inject_html_but_keeps_italics(title: str) -> None:
    items = [item("700", findings=[judgement("mrss-improvement", "contradicts")])]
    items[0].article.title = title
    rendered = render(sample_digest(items=items))
    found = parse_html(rendered.html)
    assert "script" not in found.tags and "img" not in found.tags
    assert "onerror" not in found.attrs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "<i>TERT</i>" in rendered.html
    # The text part reads the title as text, tags of the markup gone.
    assert "Evil <script>alert(1)</script> and" in rendered.text
    assert "of TERT" in rendered.text and "<i>" not in rendered.text


def test_html_is_mail_client_safe() -> None:
    rendered = render(sample_digest())
    found = parse_html(rendered.html)
    assert found.tags <= {
        "html", "head", "meta", "title", "body", "div", "table", "tr", "td",
        "p", "a", "b", "i", "span", "br", "sup", "sub", "u",
    }  # fmt: skip
    assert not {"script", "style", "img", "link", "iframe", "form"} & found.tags
    assert all(h.startswith(("https://", "http://localhost:8000/")) for h in found.hrefs)
    assert "role" in found.attrs and "style" in found.attrs


def test_article_details_and_links() -> None:
    rendered = render(sample_digest())
    for part in (rendered.text, rendered.html):
        assert "https://pubmed.ncbi.nlm.nih.gov/101/" in part
        assert "https://doi.org/10.1001/jamadermatol.101" in part
        assert "Kuzumi A, Yoshizaki A, Ebata S, et al." in part
        assert "JAMA Dermatol" in part and "2023 Feb 15" in part
        assert "Retraction notice: Ann X 2026 (PMID 999)" in part
        assert KB["fvc-improvement"] in part
        assert "follow-up 3 years" in part and "mRSS \u22126.5" in part
    assert "<i>TERT</i>" in rendered.html
    assert 'background-color:#fef08a;">mRSS fell</b>' in rendered.html
    assert "*mRSS fell*" in rendered.text
    assert "Contradicts" in rendered.html and "RCT" in rendered.html
    assert "CONTRADICTS fvc-improvement" in rendered.text
    assert "NEW MULTICENTRE RCT" in rendered.text and "RETRACTED" in rendered.text


def test_subject_is_one_line_and_says_what_matters_first() -> None:
    assert render(sample_digest()).subject == (
        "litwatch: 1 retraction/erratum of an article you received; "
        "1 contradicting a known finding; 1 new multicentre RCT; 5 new articles (4 core)"
    )
    plain = sample_digest(items=[item("800"), item("801", "related")])
    assert render(plain).subject == "litwatch: 2 new articles (1 core)"


def test_feedback_and_unsubscribe_links_carry_readable_tokens() -> None:
    digest = sample_digest()
    rendered = render(digest)
    assert set(rendered.feedback_urls) == {i.pmid for i in digest.items}
    for pmid, links in rendered.feedback_urls.items():
        for url, relevant in ((links.relevant, True), (links.not_relevant, False)):
            assert url.startswith("http://localhost:8000/feedback/")
            assert url in rendered.html and url in rendered.text
            token = url.rsplit("/", 1)[1]
            payload = read_token(SECRET, "feedback", token, now=NOW)
            assert payload == {"pmid": pmid, "email": "ada@example.org", "relevant": relevant}
    token = rendered.unsubscribe_url.removeprefix("http://localhost:8000/unsubscribe/")
    assert read_token(SECRET, "unsubscribe", token, now=NOW) == {"email": "ada@example.org"}


def test_footer_says_why() -> None:
    sub = subscriber(frequency="weekly", findings=["mrss-improvement"], searches=["ssc-rtx"])
    rendered = render(sample_digest(sub))
    for part in (rendered.text, rendered.html):
        assert "weekly digest as ada@example.org" in part
        assert "ssc-rtx" in part and "core articles only" in part
        assert "findings: mrss-improvement" in part


def test_dates_are_shown_in_the_configured_timezone() -> None:
    rendered = render(sample_digest(), timezone="Europe/Paris")
    assert "17 Nov 2026 07:00 CET" in rendered.text
    assert "18 Nov 2026 07:00 CET" in rendered.html
    with pytest.raises(ConfigError, match="LITWATCH_TIMEZONE"):
        render(sample_digest(), timezone="Mars/Olympus")


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([], [("abcdef", False)]),
        ([(1, 3)], [("a", False), ("bc", True), ("def", False)]),
        ([(4, 99), (0, 2), (1, 3)], [("abc", True), ("d", False), ("ef", True)]),
        ([(5, 2), (-4, 0)], [("abcdef", False)]),
    ],
)
def test_segments_clip_sort_and_merge_spans(spans, expected) -> None:  # type: ignore[no-untyped-def]
    assert segments("abcdef", spans) == expected


# --- the message -------------------------------------------------------------------------


def test_build_message_is_multipart_alternative_with_the_right_headers() -> None:
    rendered = render(sample_digest())
    msg = build_message(
        rendered,
        sender="litwatch <digest@litwatch.example>",
        to="Ada <ada@example.org>",
        message_id=make_msgid(idstring="digest", domain="litwatch.example"),
        now=NOW,
        list_unsubscribe_mailto="unsubscribe@litwatch.example",
    )
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content() == rendered.text
    assert html.get_content() == rendered.html
    assert parsed["Subject"] == rendered.subject
    assert parsed["Date"] == "Wed, 18 Nov 2026 06:00:00 +0000"
    assert parsed["Message-ID"].endswith("@litwatch.example>")
    assert parsed["List-Unsubscribe"] == (
        f"<{rendered.unsubscribe_url}>, <mailto:unsubscribe@litwatch.example?subject=unsubscribe>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# --- notices, retractions in place, a first digest's limit ----------------------------


def notice(pmid: str, target: str, ref: str = "RetractionOf") -> Candidate:
    kind = "Retraction of Publication" if ref == "RetractionOf" else "Published Erratum"
    return item(
        pmid,
        "related",
        article=article(
            pmid, f"Notice {pmid}", publication_types=[kind],
            comments_corrections=[CommentCorrection(ref, target, "JAMA 2023")],
        ),
    )  # fmt: skip


def test_a_digest_of_two_retraction_notices_counts_notices_not_articles() -> None:
    notices = [notice("910", "300"), notice("911", "301")]
    for n in notices:
        n.previously_sent = True  # each retracts an article the subscriber was sent
    rendered = render(sample_digest(items=notices))
    assert "new article" not in rendered.subject
    assert rendered.subject == "litwatch: 2 retraction/erratum of an article you received"
    assert "No new articles, 2 notices (retraction or erratum)" in rendered.text
    assert "2 new articles" not in rendered.text and "2 new articles" not in rendered.html


def test_a_notice_of_an_article_in_the_same_digest_is_folded_into_it() -> None:
    retracted = item(
        "920",
        findings=[judgement("mrss-improvement", "supports", 0.9)],
        numbers={"n": 40, "mrss_change": -4.0},
        article=article(
            "920", comments_corrections=[CommentCorrection("RetractionIn", "921", "JAMA 2024")]
        ),
    )
    digest = sample_digest(items=[retracted, notice("921", "920")])
    [section] = digest.sections
    assert section.kind == "marked" and [e.item.pmid for e in section.items] == ["920"]
    assert [n.pmid for n in section.items[0].notices] == ["921"]
    assert (digest.summary["new"], digest.summary["notice_count"]) == (1, 1)
    rendered = render(digest)
    entry = rendered.text.split("== RETRACTED ARTICLES")[1]
    assert "RETRACTED: not counted as evidence" in entry
    assert "Retraction notice, in this digest: Notice 921 (PMID 921" in entry
    # Shown as retracted, never as evidence: no stance, no sentence, no numbers.
    assert "upports" not in entry and EVIDENCE not in entry and "n = 40" not in entry
    assert "PubMed: https://pubmed.ncbi.nlm.nih.gov/921/" not in rendered.text
    assert ">RETRACTED</span>" in rendered.html and "Supports" not in rendered.html


def test_a_first_digest_keeps_the_most_important_and_counts_the_rest() -> None:
    many = [
        item(str(1000 + n), findings=[judgement("mrss-improvement", "supports", 0.9)],
             priority=n / 100)
        for n in range(30)
    ]  # fmt: skip
    many.append(notice("1100", "1029", "ErratumFor"))  # of the most important one
    digest = build_digest(
        subscriber(min_relevance="related"),
        many,
        period_start=START,
        period_end=NOW,
        kb_statements=KB,
        limit=15,
    )
    assert digest is not None
    shown = [i.pmid for i in digest.items if not i.article.is_notice]
    assert shown == [str(1000 + n) for n in range(29, 14, -1)]
    assert "1100" in {i.pmid for i in digest.items}  # its notice comes with it, folded
    assert {i.pmid for i in digest.held} == {str(1000 + n) for n in range(15)}
    s = digest.summary
    assert (s["new"], s["held"], s["held_by_finding"]) == (15, 15, {"mrss-improvement": 15})
    rendered = render(digest)
    assert rendered.subject == "litwatch: the 15 most important of 30 new articles, 1 notice " \
        "(retraction or erratum)"  # fmt: skip
    assert "http://localhost:8000/evidence/mrss-improvement" in rendered.html
    assert "mrss-improvement (15): http://localhost:8000/evidence/mrss-improvement" in (
        rendered.text
    )
    assert rendered.text.count("\n  PubMed: ") == 15


def test_first_of_all_names_each_article_once_with_all_its_reasons() -> None:
    both = item(
        "1200",
        findings=[judgement("fvc-improvement", "contradicts", 0.9)],
        flags=["multicentre-rct"],
        design="rct",
    )
    rendered = render(sample_digest(items=[both]))
    first = rendered.text.split("FIRST OF ALL")[1].split("==")[0]
    assert first.count("(PMID 1200)") == 1
    assert "* CONTRADICTS fvc-improvement · NEW MULTICENTRE RCT: " in first
    head = rendered.html.split("First of all")[1].split("</table>")[0]
    assert head.count("pubmed.ncbi.nlm.nih.gov/1200/") == 1 and "New multicentre RCT" in head
