"""Each finding judged over the whole article: sentence readings weighed by where they stand."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from litwatch.judging.knowledge import Finding
from litwatch.judging.rules import durability, stance
from litwatch.judging.rules.compiled import CompiledKB
from litwatch.judging.rules.patterns import words
from litwatch.judging.rules.sentences import Sentence
from litwatch.judging.rules.terms import Match
from litwatch.records import Evidence, FindingJudgement

# A finding is reported by the study's results and conclusions (and, in a review, by what
# it summarises); aims, methods and the trials still needed say nothing about it.
_ROLE_WEIGHT = {"title": 1.0, "results": 1.0, "conclusion": 1.3, "other": 0.8}
_REVIEW_ROLE_WEIGHT = {**_ROLE_WEIGHT, "background": 0.6}
_REVIEWS = ("review", "systematic-review", "meta-analysis")
# A review's own conclusion is its verdict; what it lists of single studies weighs less.
_REVIEW_LISTING = 0.3
# The confidence of a judgement resting on thin evidence: below 0.8, shown as "needs review".
_UNSURE = 0.75
# Case reports state their results in the words of the disease ("the ILD was successfully
# managed"), so there the finding's proxy terms ("~term" in the knowledge base) count too.
_CASES = ("case-report", "case-series")
# Animal and laboratory results are not results in patients.
_ANIMAL = words(r"mice|mouse|murine|rats?|rodents?|animal models?|in vitro|ex vivo")
_ANIMAL_HINTS = ("mice", "mouse", "murine", "rat", "rodent", "animal", "vitro", "vivo")


def judge_findings(
    ckb: CompiledKB,
    sentences: Sequence[Sentence],
    matches: Sequence[list[Match]],
    design: str,
    relevance: str,
    naming: dict[str, list[int]],
) -> list[FindingJudgement]:
    """Judgements for every finding the article reports on; naming is sentences_naming(matches)."""
    judgements: list[FindingJudgement] = []
    weights = _REVIEW_ROLE_WEIGHT if design in _REVIEWS else _ROLE_WEIGHT
    for finding in ckb.kb.findings:
        if finding.supports_direction == "addressed":
            judgement = _addressed(finding, sentences, matches, design, relevance)
        elif design == "trial-protocol":
            continue  # a protocol reports no results yet
        else:
            judgement = _judge(ckb, finding, sentences, matches, naming, weights, design)
            if judgement is not None and (relevance != "core" or design == "review"):
                # A related article (a mixed population, a review of many drugs) may report
                # the finding for others than the intervention's patients, and a narrative
                # review retells other studies' results in its own summary: worth a look.
                judgement.confidence = min(judgement.confidence, _UNSURE)
        if judgement is not None:
            judgements.append(judgement)
    return judgements


def _judge(
    ckb: CompiledKB,
    finding: Finding,
    sentences: Sequence[Sentence],
    matches: Sequence[list[Match]],
    naming: dict[str, list[int]],
    weights: dict[str, float],
    design: str,
) -> FindingJudgement | None:
    totals = {"supports": 0.0, "contradicts": 0.0, "inconclusive": 0.0}
    evidence: dict[str, list[tuple[float, Evidence, str]]] = {k: [] for k in totals}
    modal_only = True
    readings = _readings(ckb, finding, sentences, matches, naming, weights, design)
    if design in _REVIEWS and any(s.role == "conclusion" for s, _r, _w in readings):
        readings = [(s, r, w * (1.0 if s.role == "conclusion" else _REVIEW_LISTING))
                    for s, r, w in readings]  # fmt: skip
    firm: dict[str, int] = dict.fromkeys(totals, 0)
    direct: dict[str, int] = dict.fromkeys(totals, 0)
    for s, reading, w in readings:
        modal_only = modal_only and reading.modal
        totals[reading.stance] += w
        firm[reading.stance] += reading.firm
        direct[reading.stance] += not (reading.inferred or reading.torn)
        ev = Evidence(s.text, sorted(set(reading.spans)))
        evidence[reading.stance].append((w, ev, f"{s.role}: {reading.why}"))
    total = sum(totals.values())
    if total == 0:
        return None
    # Ties go to a definite reading over an open one, and to a contradiction over support,
    # because a missed contradiction costs the reader more than a second look.
    order = ["contradicts", "supports", "inconclusive"]
    best = max(order, key=lambda k: (totals[k], -order.index(k)))
    ranked = sorted(totals.values(), reverse=True)
    confidence = 0.5 + 0.45 * (ranked[0] - ranked[1]) / total
    if modal_only:
        confidence -= 0.1
    if best != "inconclusive" and not firm[best] and len(evidence[best]) < 2:
        # One sentence, and no significance said: a single cue word may be misread.
        confidence = min(confidence, _UNSURE)
    if not direct[best]:
        # The time or the measure was supplied by a duration or the title, not stated, or
        # the sentence has cues both ways and its last one decided.
        confidence = min(confidence, _UNSURE)
    picked = sorted(evidence[best], key=lambda e: -e[0])[:3]
    return FindingJudgement(
        finding_id=finding.id,
        stance=best,
        confidence=round(max(0.3, min(0.95, confidence)), 3),
        evidence=[e for _, e, _ in picked],
        reason=f"{best}: " + "; ".join(r for _, _, r in picked),
    )


def _readings(
    ckb: CompiledKB,
    finding: Finding,
    sentences: Sequence[Sentence],
    matches: Sequence[list[Match]],
    naming: dict[str, list[int]],
    weights: dict[str, float],
    design: str,
) -> list[tuple[Sentence, stance.Reading, float]]:
    """Each sentence's reading of the finding, with the weight of where it stands."""
    term_key, proxy_key = f"T:{finding.id}", f"P:{finding.id}"
    # Only the sentences that name the finding's measure can bear on it; a durability
    # finding may also be named by a duration alone, which needs a number.
    indices: Iterable[int] = naming.get(term_key, ())
    proxies = design in _CASES and proxy_key in naming
    if proxies:
        indices = sorted({*indices, *naming[proxy_key]})
    framed = False
    if finding.supports_direction == "persist":
        title = sentences[0] if sentences else None
        framed = durability.framed_long_term(title, matches[0] if matches else [], term_key)
        more = (s.index for s in sentences if s.numeric or (framed and s.role == "conclusion"))
        indices = sorted({*indices, *more})
    out = []
    for index in indices:
        s, found = sentences[index], matches[index]
        weight = weights.get(s.role)
        if weight is None or _animal(s.lower):
            continue
        if proxies:
            found = [_as_term(m, proxy_key, term_key) for m in found]
        reading = _read(ckb, finding, s, found, term_key, framed)
        if reading is not None:
            out.append((s, reading, weight * (0.7 if reading.modal else 1.0)))
    return out


def _animal(low: str) -> bool:
    return any(h in low for h in _ANIMAL_HINTS) and _ANIMAL.search(low) is not None


def _as_term(m: Match, proxy_key: str, term_key: str) -> Match:
    """A proxy term read as one of the measure's own terms."""
    if proxy_key not in m.categories:
        return m
    return Match(m.start, m.end, m.categories | {term_key})


def _read(
    ckb: CompiledKB,
    finding: Finding,
    s: Sentence,
    found: list[Match],
    term_key: str,
    framed: bool = False,
) -> stance.Reading | None:
    direction = finding.supports_direction
    if direction == "association":
        return stance.read_association(finding, s.lower, found, term_key, f"K:{finding.id}")
    if direction == "persist":
        effects = [f for f in ckb.kb.findings if f"T:{f.id}" in ckb.effect_keys]
        return durability.read_persist(finding, s, found, effects, framed)
    if not any(term_key in m.categories for m in found):
        return None
    return stance.read_effect(finding, s.lower, found, term_key, set(ckb.effect_keys) - {term_key})


def _addressed(
    finding: Finding,
    sentences: Sequence[Sentence],
    matches: Sequence[list[Match]],
    design: str,
    relevance: str,
) -> FindingJudgement | None:
    """An open question is addressed by a core article of a listed design matching all groups.

    For the default question (randomised, double-blind, multicentre trials are needed) both a
    trial reporting results and a published protocol of such a trial address it: a protocol
    shows the gap is being filled, so it is judged with lower confidence, and only a
    reported trial earns the "multicentre-rct" flag. Background and outlook sentences do
    not count, so "multicentre RCTs are still needed" addresses nothing.
    """
    if relevance != "core" or (finding.designs and design not in finding.designs):
        return None
    keys = [f"G:{finding.id}:{n}" for n in range(len(finding.all_of))]
    hit: dict[str, tuple[Sentence, Match]] = {}
    for s, found in zip(sentences, matches, strict=True):
        if s.role in ("background", "outlook"):
            continue
        for m in found:
            for key in keys:
                if key in m.categories and key not in hit:
                    hit[key] = (s, m)
    if len(hit) < len(keys):
        return None
    by_sentence: dict[int, Evidence] = {}
    for s, m in hit.values():
        ev = by_sentence.setdefault(s.index, Evidence(s.text, []))
        ev.spans.append((m.start, m.end))
    planned = design == "trial-protocol"
    words = ", ".join(s.lower[m.start : m.end] for s, m in hit.values())
    return FindingJudgement(
        finding_id=finding.id,
        stance="addresses",
        confidence=0.6 if planned else 0.9,
        evidence=list(by_sentence.values())[:3],
        reason=f"addresses: a {'planned' if planned else 'reported'} {design} ({words})",
    )
