"""Study design from publication types and from what the text says it did.

A notice, a protocol and a guideline are recognised first, as their text often speaks of
the trial or the review they concern. Then the publication types, strongest claim first;
PubMed's "Clinical Trial" types only say a trial was done, so the text says which kind.
Then the text alone (``design_cues`` gives the words and the rules).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from litwatch.judging.rules import cues
from litwatch.judging.rules import design_cues as dc
from litwatch.judging.rules.patterns import may_match
from litwatch.judging.rules.sentences import Sentence

# PubMed publication types, strongest claim first; "trial" asks the text which kind.
_PUB_TYPES: tuple[tuple[str, str], ...] = (
    ("clinical trial protocol", "trial-protocol"),
    ("meta-analysis", "meta-analysis"),
    ("systematic review", "systematic-review"),
    ("randomized controlled trial", "rct"),
    ("case reports", "case-report"),
    ("observational study", "cohort"),
    ("clinical trial, phase i", "trial"),
    ("clinical trial, phase ii", "trial"),
    ("clinical trial, phase iii", "trial"),
    ("clinical trial, phase iv", "trial"),
    ("controlled clinical trial", "trial"),
    ("clinical trial", "trial"),
    ("review", "review"),
    ("editorial", "other"),
    ("comment", "other"),
    ("letter", "other"),
)
_NOTICE_TYPES = ("published erratum", "retraction of publication", "expression of concern")
_GUIDELINE_TYPES = ("guideline", "practice guideline", "consensus development conference")
# An aim put as an infinitive in the background ("To evaluate ...") is the study's own.
_AIM_OPENING = re.compile(r"(?:to|we aimed to|our aim|the aim|the objective|our objective) ")
# Up to this many patients, with no word of a cohort, make a case series rather than a cohort.
CASE_SERIES_SMALL = 10
# Up to this many patients read retrospectively, too (LABELS.md: "< 20 ... retrospectively").
CASE_SERIES_MAX = 19
CASE_REPORT_MAX = 3


def detect_design(
    publication_types: Sequence[str], sentences: Sequence[Sentence], patients: int | None
) -> tuple[str, str]:
    """The design and the reason for it, e.g. ('rct', 'publication type Randomized ...').

    patients is the study's size as ``numbers.patient_count`` reads it.
    """
    types = [t.strip().lower() for t in publication_types]
    text = " ".join(
        s.lower for s in sentences if s.role not in ("background", "outlook") or _states_aim(s)
    )
    title = sentences[0].lower if sentences and sentences[0].role == "title" else ""
    first = _notice_protocol_or_guideline(types, title, text, sentences)
    if first is not None:
        return first
    for pub_type, design in _PUB_TYPES:
        if pub_type in types:
            if design == "trial":
                return _trial_kind(text), f"publication type '{pub_type}' and the text"
            if design == "review" and _has(text, dc.SYSTEMATIC, "systematic", "stud", "trials"):
                break
            if design == "case-report" and patients is not None and patients >= 4:
                # PubMed files small series under Case Reports too; LABELS.md counts 1-3.
                return "case-series", f"publication type '{pub_type}', {patients} patients"
            return design, f"publication type '{pub_type}'"
    return _design_from_text(text, title, patients)


def _states_aim(s: Sentence) -> bool:
    return s.role == "background" and _AIM_OPENING.match(s.lower) is not None


def _notice_protocol_or_guideline(
    types: list[str], title: str, text: str, sentences: Sequence[Sentence]
) -> tuple[str, str] | None:
    if any(t in types for t in _NOTICE_TYPES) or _has(
        title, dc.NOTICE_TITLE, "errat", "corr", "retract", "concern"
    ):
        return "other", "a notice about another article (erratum, correction, retraction)"
    planned = _has(
        text, dc.PROTOCOL, "protocol", " will ", "re to be", "is to be", "rationale", "the design"
    )
    if planned or "protocol" in title:
        return "trial-protocol", "the text describes a planned trial (protocol)"
    labels = ": ".join({s.section for s in sentences})
    if _registry_record(f"{text} {labels}:"):
        return "trial-protocol", "a trial's registry record: criteria and plans, no results"
    if any(t in types for t in _GUIDELINE_TYPES):
        return "guideline", "publication type guideline or consensus"
    aims = " ".join(s.lower for s in sentences[1:4] if s.role in ("aim", "background"))
    if _has(title, dc.GUIDELINE_TITLE, "guideline", "recommend", "consensus", "position",
            "delphi", "task force", "best practice") or _has(
        aims, dc.GUIDELINE_AIM, "recommendations", "guideline", "statement"
    ):  # fmt: skip
        return "guideline", "the article gives recommendations (guideline or consensus)"
    return None


def _registry_record(text: str) -> bool:
    if not any(h in text for h in ("criteria", "outcome", "planned", "recruit", "enrol")):
        return False
    if not may_match(dc.REGISTRY_FIELDS, text):
        return False
    fields = {m.group(0) for m in dc.REGISTRY_FIELDS.finditer(text)}
    return len(fields) >= 2 and not _found(dc.RESULTS, text)


def _has(text: str, pattern: re.Pattern[str], *hints: str) -> bool:
    # A substring test is far cheaper than a regex scan; most texts fail it. The hints are
    # the reader's; may_match adds the literals the pattern itself needs.
    for hint in hints:
        if hint in text:
            return may_match(pattern, text) and pattern.search(text) is not None
    return False


def _found(pattern: re.Pattern[str], text: str) -> bool:
    """Whether the pattern matches somewhere in the text, pre-checked (see may_match)."""
    return may_match(pattern, text) and pattern.search(text) is not None


def _randomised(text: str) -> bool:
    if not any(h in text for h in ("random", "placebo", "double-blind")):
        return False
    return _found(dc.RCT, text) and not _has(text, dc.EMULATED, "emulat", "propensity")


def _follow_on(text: str) -> bool:
    hints = ("post", "extension", "follow-up", "after", "who", "participants", "patients from")
    return _has(text, dc.FOLLOW_ON, *hints)


def _trial_kind(text: str) -> str:
    """A trial's design: randomised, the follow-up of one (a cohort), or non-randomised."""
    if _follow_on(text):
        return "cohort"
    return "rct" if _randomised(text) else "non-randomised-trial"


def _not_randomised_trial(text: str) -> bool:
    """A prospective interventional study without randomisation, by the authors' words."""
    hints = ("random", "open", "single", "uncontrolled", "pilot", "phase", "trial")
    if _has(text, dc.NOT_RANDOMISED, *hints) and not _follow_on(text):
        return not _has(text, dc.OBSERVATIONAL, "observational", "retrospective", "registry",
                        "chart", "records")  # fmt: skip
    return (
        "prospective" in text
        and _has(text, dc.REGISTERED, "nct", "registered", "eudract", "isrctn")
        and not _has(text, dc.OBSERVATIONAL, "observational", "retrospective", "registry")
    )


def _against_controls(text: str) -> bool:
    if "control" not in text and "healthy" not in text:
        return False
    return _found(dc.CONTROLS, text) and _found(dc.MEASURED, text) and not _found(dc.TREATED, text)


def _case_count(text: str) -> int | None:
    """The number of cases a case series says it describes (0 when it gives none), or None."""
    if not any(h in text for h in ("case series", "cases", "patients")):
        return None
    m = dc.CASE_SERIES.search(text) if may_match(dc.CASE_SERIES, text) else None
    if m is None:
        return None
    number = m.group(1) or "0"
    return int(number) if number.isdigit() else dc.NUMBER_WORDS.get(number, 0)


def _design_from_text(text: str, title: str, n: int | None) -> tuple[str, str]:
    if _has(text, dc.META, "meta", "pool", "random-eff", "random eff", "fixed", "mean diff"):
        return "meta-analysis", "the text reports a meta-analysis"
    if _has(text, dc.SYSTEMATIC, "systematic", "stud", "trials"):
        return "systematic-review", "the text reports a systematic review"
    if _has(text, dc.EMULATED, "emulat", "propensity"):
        return "cohort", "an observational comparison (emulated trial or matched groups)"
    if _randomised(text) and not _follow_on(text):
        if _found(dc.OWN_ALLOCATION, text) or not _reviews(text):
            return "rct", "the text describes randomised allocation"
        return "review", "the text reviews randomised trials of others"
    cases = _case_count(text)
    if cases is not None and (cases == 0 or CASE_REPORT_MAX < cases <= CASE_SERIES_MAX):
        return "case-series", "the text describes a case series"
    one_to_three = cases is not None and 0 < cases <= CASE_REPORT_MAX
    if one_to_three or _has(text, dc.CASE_REPORT, "case", "year-old", "aged", "we report",
                            "we describe", "we present"):  # fmt: skip
        return "case-report", "the text describes one to three cases"
    if "case report" in title:
        return "case-report", "the title says it is a case report"
    if _not_randomised_trial(text):
        return "non-randomised-trial", "a prospective interventional study, not randomised"
    if "pilot" in title and n:
        return "non-randomised-trial", "the title calls the treated group a pilot"
    return _group_or_review(text, title, n)


_VOICE_HINTS = ("we highlight", "we outline", "we give", "we look", "we consider", "we examine",
                "we describe", "what is known", "current knowledge", "current understanding",
                "current evidence", "recent advances", "this article", "this paper",
                "this chapter", "this overview", "this update", "the present a",
                "the present p", "the present c")  # fmt: skip


def _reviews(text: str) -> bool:
    return _has(text, dc.REVIEW, "review", "summari", "overview", "state of the art", "update on",
                "discuss") or _has(text, dc.REVIEW_VOICE, *_VOICE_HINTS)  # fmt: skip


def _group_or_review(text: str, title: str, n: int | None) -> tuple[str, str]:
    """A study of a group of patients, a review, or laboratory work."""
    if _reviews(text) and not n:
        return "review", "the text reviews published work"
    if "review" in title:
        return "review", "the title says it is a review"
    if _has(text, dc.ELSEWHERE, "cost", "markov", "survey", "model"):
        return "other", "a study of costs, practice or opinion, not of patients' outcomes"
    bench = len(dc.EXPERIMENT.findall(text)) if may_match(dc.EXPERIMENT, text) else 0
    if bench >= 2 or (bench and len(cues.LAB.findall(text)) >= 3):
        return "other", "laboratory or animal work"
    if _against_controls(text):
        return "other", "a measurement in patients beside controls (biomarker or imaging)"
    if _follow_on(text) or (may_match(dc.COHORT, text) and dc.COHORT.search(text)) or n:
        if n is not None and n <= CASE_REPORT_MAX and not _found(dc.COHORT_WORD, text):
            return "case-report", f"{n} patients described"
        if (
            n is not None
            and not _found(dc.COHORT_WORD, text)
            and (n <= CASE_SERIES_SMALL or (n <= CASE_SERIES_MAX and "retrospective" in text))
        ):
            return "case-series", f"{n} patients described, no cohort"
        return "cohort", "an observational or follow-on study of a group of patients"
    if _reviews(text):
        return "review", "the text reviews published work"
    return "review", "no study of its own: a discussion of the field"
