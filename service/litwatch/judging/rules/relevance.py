"""Is the article on topic? core, related or off, with a score in [0, 1] and the reasons.

core: the intervention in the condition is what the paper evaluates and reports on.
related: it discusses the intervention in the condition but evaluates something else, or a
wider population of which the condition is a subgroup (mixed cohorts), or it is a mechanism
paper, a guideline or a broad narrative review of treatment.
off: everything else, including the intervention in other diseases and the condition
treated with other drugs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from litwatch.judging.rules import cues
from litwatch.judging.rules.design_cues import NOTICE_TITLE
from litwatch.judging.rules.patterns import (
    may_match,
    pattern,
    split_alternatives,
    tagged_words,
    words,
)
from litwatch.judging.rules.sentences import Sentence
from litwatch.judging.rules.terms import Match

_GUIDELINE_WORDS = (
    r"guidelines?|recommendations?|consensus|delphi|task force|position statement|"
    r"best practice|treatment algorithm"
)
# Studies of costs or practice. A questionnaire that measures an outcome (the Health
# Assessment Questionnaire) and a word on prescribing off label are no such study.
_ELSEWHERE_WORDS = (
    r"cost-effective\w*|cost-utility|cost-saving|markov|budget impact|survey|"
    r"prescribing (?:patterns?|practices?|habits|behaviou?rs?)|utili[sz]ation|"
    r"treatment patterns?|questionnaire survey"
)
# Words of mechanism studies, of studies of costs or practice, and of guidelines, counted in
# one pass over the article.
_KIND_CUES, _KIND_OF_TAG = tagged_words(
    {
        "mechanism": split_alternatives(cues.LAB_WORDS),
        "elsewhere": split_alternatives(_ELSEWHERE_WORDS),
        "guideline": split_alternatives(_GUIDELINE_WORDS),
    }
)
# Treatment aimed at B cells, named without a drug: a review of it bears on the intervention.
_B_CELL_THERAPY = words(
    r"b[- ]cell (?:depletion|depleting|targeting|targeted|directed)|"
    r"anti-b[- ]cell|targeting (?:of )?b[- ]cells|b[- ]lymphocyte depletion"
)
# A drug named among the exclusion criteria, or as a treatment before enrolment, is not
# what the study evaluates.
_EXCLUDED = pattern(r"\bexclusion criteria\b|\bprior (?:use|therapy|treatment) (?:of|with)\b")
# A trial's arms, as a registry record or a methods section names them.
_ARM = pattern(r"\b(?:experimental|arms?:|intervention:|interventions:)")
_TRIALS = ("trial-protocol", "rct", "non-randomised-trial")
_NOTICE_TYPES = ("published erratum", "retraction of publication")
_GUIDELINE_TYPES = ("guideline", "practice guideline", "consensus development conference")
_MESH_INTERVENTION = ("rituximab", "antigens, cd20")
_MESH_CONDITION = ("scleroderma, systemic", "scleroderma, diffuse", "scleroderma, limited")


@dataclass(slots=True)
class Relevance:
    label: str  # core | related | off
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Mentions:
    """Where an article names the intervention (I), the condition (C), comparators (X) and
    mixed populations (M); the title, when there is one, is sentence 0."""

    i_title: bool
    c_title: bool
    m_title: bool
    x_title: bool  # the title names a comparator other than placebo
    comparators: set[str]  # the comparators named, placebo left out
    i_count: int  # mentions of the intervention outside the title
    c_count: int  # sentences outside the title that name the condition
    mixed: int  # mentions of a mixed population in the study's own sentences
    i_aim: bool  # an aim sentence names the intervention
    i_arm: bool  # a sentence names the intervention as a trial's arm
    cooccur: int  # sentences that name both
    mesh_i: bool
    mesh_c: bool


def judge_relevance(
    sentences: Sequence[Sentence],
    matches: Sequence[list[Match]],
    design: str,
    publication_types: Sequence[str],
    mesh: Sequence[str],
    naming: dict[str, list[int]],
) -> Relevance:
    """Relevance from where the intervention and the condition are named, and how.

    naming is ``terms.sentences_naming(matches)``.
    """
    n = _mentions(sentences, matches, mesh, naming)
    has_i = n.i_title or n.i_count > 0 or n.mesh_i
    has_c = n.c_title or n.c_count > 0 or n.mesh_c
    if has_c and not has_i:
        bearing = _bears_without_naming(sentences, n, design)
        if bearing is not None:
            return Relevance("related", 0.35, [bearing])
    if not has_i or not has_c:
        missing = "intervention" if not has_i else "condition"
        return Relevance("off", 0.05 if not (has_i or has_c) else 0.15, [f"no {missing} named"])
    strength = (
        0.3 * n.i_title + 0.2 * n.c_title + 0.15 * min(n.i_count, 4) / 4
        + 0.15 * min(n.cooccur, 3) / 3 + 0.1 * n.i_aim + 0.1 * (n.mesh_i and n.mesh_c)
    )  # fmt: skip
    types = [t.lower() for t in publication_types]
    if _is_notice(sentences, types):
        reason = "a notice about another article (erratum or retraction), no results of its own"
        return Relevance("related", round(0.35 + 0.2 * strength, 3), [reason])
    other = _evaluates_something_else(sentences, n, design, types)
    if other is not None:
        label, reason, base = other
        return Relevance(label, round(base + 0.2 * strength, 3), [reason])
    return _how_evaluated(n, design, strength)


def _is_notice(sentences: Sequence[Sentence], types: list[str]) -> bool:
    if any(t in types for t in _NOTICE_TYPES):
        return True
    title = sentences[0].lower if sentences and sentences[0].role == "title" else ""
    hints = ("errat", "corr", "retract", "concern")
    return any(h in title for h in hints) and NOTICE_TITLE.search(title) is not None


def _bears_without_naming(sentences: Sequence[Sentence], n: _Mentions, design: str) -> str | None:
    """Why an article about the condition that never names the intervention still bears on
    it, or None: a guideline for the condition, or a review of B-cell therapy in it."""
    if not n.c_title or n.m_title:
        return None
    if design == "guideline":
        return "a guideline for the condition"
    if design in ("review", "systematic-review", "other"):
        text = " ".join(s.lower for s in sentences)
        if ("b cell" in text or "b-cell" in text or "b-lymph" in text) and _B_CELL_THERAPY.search(
            text
        ):
            return "a review of B-cell therapy in the condition, the intervention unnamed"
    return None


def _mentions(
    sentences: Sequence[Sentence],
    matches: Sequence[list[Match]],
    mesh: Sequence[str],
    naming: dict[str, list[int]],
) -> _Mentions:
    mesh_low = [m.lower() for m in mesh]
    title_at = 0 if sentences and sentences[0].role == "title" else -1
    i_at, c_at = set(naming.get("I", ())), set(naming.get("C", ()))
    i_at = {i for i in i_at if i == title_at or not _excluded(sentences[i].lower)}
    x_title = False
    comparators: set[str] = set()
    for index in naming.get("X", ()):
        low = sentences[index].lower
        named = {low[m.start : m.end] for m in matches[index] if "X" in m.categories}
        named.discard("placebo")
        x_title = x_title or (index == title_at and bool(named))
        comparators |= named
    return _Mentions(
        i_title=title_at in i_at,
        c_title=title_at in c_at,
        m_title=title_at in naming.get("M", ()),
        x_title=x_title,
        comparators=comparators,
        i_count=sum(
            "I" in m.categories for index in i_at if index != title_at for m in matches[index]
        ),
        c_count=len(c_at - {title_at}),
        mixed=sum(
            "M" in m.categories
            for index in naming.get("M", ())
            if index != title_at and sentences[index].role not in ("background", "outlook")
            for m in matches[index]
        ),
        i_aim=any(sentences[index].role == "aim" for index in i_at if index != title_at),
        i_arm=any(
            may_match(_ARM, low) and _ARM.search(low) is not None
            for low in (sentences[index].lower for index in i_at if index != title_at)
        ),
        cooccur=len(i_at & c_at),
        mesh_i=any(m in _MESH_INTERVENTION for m in mesh_low),
        mesh_c=any(m in _MESH_CONDITION for m in mesh_low),
    )


def _excluded(low: str) -> bool:
    return ("exclusion" in low or "prior" in low) and _EXCLUDED.search(low) is not None


def _evaluates_something_else(
    sentences: Sequence[Sentence], n: _Mentions, design: str, types: list[str]
) -> tuple[str, str, float] | None:
    """Why an article on topic is only related (label, reason, base score), or None: a mixed
    population, a mechanism, costs or practice, a guideline, a broad review."""
    if design == "case-report" and n.m_title and not n.c_title:
        return "off", "one patient with another disease", 0.15
    mixed = n.m_title or (
        n.mixed >= 2 and not (n.c_title and not n.m_title) and n.mixed >= n.c_count
    )
    if mixed and not (design == "case-report" and n.c_title):
        if not (n.i_title or n.i_aim or n.i_count >= 2):
            return "off", "a mixed population; the intervention named only in passing", 0.15
        return "related", "a mixed population: the condition is one subgroup", 0.35
    counts, in_title = _kind_cues(sentences)
    mech = counts["mechanism"]
    if mech >= 3 or (mech >= 2 and "mechanism" in in_title):
        return "related", "a mechanism study, not a clinical evaluation", 0.35
    if "elsewhere" in in_title or counts["elsewhere"] >= 2:
        return "related", "a study of costs or practice, not of the treatment's effect", 0.35
    if any(t in types for t in _GUIDELINE_TYPES) or "guideline" in in_title:
        return "related", "a guideline or recommendation", 0.35
    if design == "review" and not (n.i_title and n.c_title):
        return "related", "a broad review that discusses the intervention among others", 0.3
    return None


def _kind_cues(sentences: Sequence[Sentence]) -> tuple[dict[str, int], set[str]]:
    """How often the article uses the words of each kind of study, and the kinds its title
    uses."""
    text = " ".join(s.lower for s in sentences)
    title = sentences[0].lower if sentences and sentences[0].role == "title" else ""
    counts = dict.fromkeys(("mechanism", "elsewhere", "guideline"), 0)
    in_title: set[str] = set()
    for m in _KIND_CUES.finditer(text):
        kind = _KIND_OF_TAG[m.lastgroup or ""]
        counts[kind] += 1
        if m.end() <= len(title):
            in_title.add(kind)
    return counts, in_title


def _how_evaluated(n: _Mentions, design: str, strength: float) -> Relevance:
    """Core when the intervention in the condition is what is evaluated; else related or off."""
    evaluates = (
        n.i_title
        or n.i_aim
        or (n.i_count >= 2 and n.cooccur >= 1)
        or (n.mesh_i and n.i_count)
        or (n.i_arm and design in _TRIALS)
    )
    if n.x_title and not n.i_title:
        reasons = ["another treatment is what the title evaluates"]
        if n.i_count >= 2 and n.cooccur:
            return Relevance("related", round(0.3 + 0.15 * strength, 3), reasons)
        return Relevance("off", round(0.2 + 0.05 * strength, 3), reasons)
    if evaluates:
        where = "title" if n.i_title else "aim" if n.i_aim else "abstract"
        reason = f"the intervention in the condition is evaluated ({where})"
        return Relevance("core", round(min(1.0, 0.6 + 0.45 * strength), 3), [reason])
    if len(n.comparators) >= 2 or design in ("review", "other", "systematic-review"):
        reason = "the intervention is one of several treatments discussed"
        return Relevance("related", round(0.3 + 0.15 * strength, 3), [reason])
    return Relevance(
        "off", round(0.2 + 0.05 * strength, 3), ["the intervention is named only in passing"]
    )
