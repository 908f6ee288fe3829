"""Study design from publication types first, then from what the text says it did."""

from __future__ import annotations

import re
from collections.abc import Sequence

from litwatch.judging.rules import cues
from litwatch.judging.rules.patterns import pattern, words
from litwatch.judging.rules.sentences import Sentence

# PubMed publication types, strongest claim first. Guidelines and notices have no design of
# their own among ours, so they are "other".
_PUB_TYPES: tuple[tuple[str, str], ...] = (
    ("clinical trial protocol", "trial-protocol"),
    ("meta-analysis", "meta-analysis"),
    ("systematic review", "systematic-review"),
    ("randomized controlled trial", "rct"),
    ("case reports", "case-report"),
    ("retraction of publication", "other"),
    ("practice guideline", "other"),
    ("guideline", "other"),
    ("consensus development conference", "other"),
    ("observational study", "cohort"),
    ("multicenter study", "cohort"),
    ("clinical trial, phase ii", "cohort"),
    ("clinical trial, phase iii", "cohort"),
    ("clinical trial", "cohort"),
    ("review", "review"),
    ("editorial", "other"),
    ("comment", "other"),
    ("letter", "other"),
)

_PROTOCOL = words(
    r"study protocol|trial protocol|protocol for|this protocol|will be (?:randomi[sz]ed|"
    r"enrolled|recruited|allocated|assigned)|will receive|will be the primary|"
    r"will be measured|will be assessed|we will (?:randomi[sz]e|enrol|recruit|conduct)"
)
_META = pattern(r"\bmeta-?analys[ie]s\b|\bpooled (?:analysis|estimate|mean difference)\b")
_SYSTEMATIC = pattern(r"\bsystematic(?:ally)? (?:review|literature review|search|searched)\b")
_RCT = pattern(
    r"\b(?:randomi[sz]ed|randomly (?:assigned|allocated)|randomi[sz]ation)\b[^.]{0,120}?"
    r"\b(?:trial|study|assigned|allocated|placebo|to receive)\b"
    r"|\bplacebo-controlled\b|\bdouble-blind(?:ed)?\b[^.]{0,40}\btrial\b"
)
_FOLLOW_ON = words(
    r"post[- ]hoc|open-label extension|extension (?:study|phase)|follow-up (?:study|"
    r"of (?:the|patients|participants))|after (?:the|completing the|completion of the) "
    r"[\w-]+ (?:trial|study)|who (?:had )?(?:completed|participated in|were enrolled in) "
    r"(?:the|a) [\w, -]*?trial|participants of (?:the|a)|patients from (?:the|a)"
)
_CASE_REPORT = words(
    r"we (?:report|describe|present) (?:a|an|the|one) (?:case|patient|\d+-year-old|"
    r"[a-z]+-year-old|woman|man|girl|boy)|case report|a (?:\d+|[a-z-]+)-year-old (?:woman|"
    r"man|female|male|girl|boy|patient)|this case"
)
_CASE_SERIES = words(
    r"case series|we (?:report|describe|present) (?:\d+|two|three|four|five|six|seven|"
    r"eight|nine|ten) (?:cases|patients)|series of (?:\d+|[a-z]+) (?:cases|patients)"
)
_COHORT = words(
    r"cohort|retrospective(?:ly)?|prospective(?:ly)?|registry|observational|"
    r"single-cent(?:re|er)|open-label|single-arm|medical records|database|"
    r"real-world|longitudinal|follow-up study|uncontrolled"
)
_REVIEW = pattern(
    r"\b(?:(?:narrative|literature|this|we) review|review(?:s|ed)? (?:the|of the) "
    r"(?:literature|evidence|current|recent|role|data)|in this review|we summari[sz]e|"
    r"this article (?:reviews|summari[sz]es)|overview of|state of the art|update on)\b"
)
_COHORT_WORD = pattern(r"\bcohort\b")
# Up to this many patients, described one by one, make a case series rather than a cohort.
CASE_SERIES_MAX = 10


def detect_design(
    publication_types: Sequence[str], sentences: Sequence[Sentence], patients: int | None
) -> tuple[str, str]:
    """The design and the reason for it, e.g. ('rct', 'publication type Randomized ...').

    patients is the study's size as ``numbers.patient_count`` reads it.
    """
    types = [t.strip().lower() for t in publication_types]
    text = " ".join(s.lower for s in sentences if s.role not in ("background", "outlook"))
    title = sentences[0].lower if sentences and sentences[0].role == "title" else ""
    if _has(text, _PROTOCOL, "protocol", " will ") or "protocol" in title:
        return "trial-protocol", "the text describes a planned trial (protocol)"
    for pub_type, design in _PUB_TYPES:
        if pub_type in types:
            if design == "cohort" and not _follow_on(text) and _rct_text(text):
                return "rct", "clinical trial publication type and a randomised design"
            if design == "review" and _has(text, _SYSTEMATIC, "systematic"):
                break
            return design, f"publication type '{pub_type}'"
    return _design_from_text(text, title, patients)


def _has(text: str, pattern: re.Pattern[str], *hints: str) -> bool:
    # A substring test is far cheaper than a regex scan; most texts fail it.
    return any(h in text for h in hints) and pattern.search(text) is not None


def _rct_text(text: str) -> bool:
    return _has(text, _RCT, "random", "placebo", "double-blind")


def _follow_on(text: str) -> bool:
    return _has(
        text,
        _FOLLOW_ON,
        "post",
        "extension",
        "follow-up",
        "after",
        "who",
        "participants",
        "patients from",
    )


def _design_from_text(text: str, title: str, n: int | None) -> tuple[str, str]:
    if _has(text, _META, "meta", "pooled"):
        return "meta-analysis", "the text reports a meta-analysis"
    if _has(text, _SYSTEMATIC, "systematic"):
        return "systematic-review", "the text reports a systematic review"
    if _rct_text(text) and not _follow_on(text):
        return "rct", "the text describes randomised allocation"
    if _has(text, _CASE_SERIES, "case series", "cases", "patients", "series"):
        return "case-series", "the text describes a case series"
    if _has(text, _CASE_REPORT, "case", "year-old", "we report", "we describe", "we present"):
        return "case-report", "the text describes a single case"
    if "case report" in title:
        return "case-report", "the title says it is a case report"
    if _has(text, _REVIEW, "review", "summari", "overview", "state of the art", "update on"):
        return "review", "the text reviews published work"
    if "review" in title:
        return "review", "the title says it is a review"
    if len(cues.LAB.findall(text)) >= 3:
        return "other", "laboratory or animal work"
    small = n is not None and n <= CASE_SERIES_MAX
    if _follow_on(text) or _COHORT.search(text) or n:
        if small and not _COHORT_WORD.search(text):
            return "case-series", f"{n} patients described"
        return "cohort", "an observational or follow-on study of a group of patients"
    return "other", "no study design recognised"
