"""How one sentence bears on one finding: supports, contradicts or leaves it open.

Sentences are cut into clauses; a clause whose subject is a comparator drug ("mRSS improved
with mycophenolate") says nothing about the intervention. Within a clause each cue word
belongs to the measure named just before it ("mRSS fell and FVC remained stable"), or to
every measure when it comes first ("improvement in mRSS and FVC"). The reading rules are in
``cues``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litwatch.judging.knowledge import Finding
from litwatch.judging.rules import cues
from litwatch.judging.rules.patterns import may_match, pattern
from litwatch.judging.rules.signals import Signal, signals
from litwatch.judging.rules.terms import Match

_OF_TERM = pattern(r"\s*(?:(?:of|in|on)\s+(?:the\s+)?)?$")
_COORDINATED = pattern(r"^\s*(?:,|and|or|as well as|, and)\s*(?:the |in |of )?$")


@dataclass(slots=True)
class Reading:
    """One sentence's verdict on one finding, with the spans that decided it."""

    stance: str  # supports | contradicts | inconclusive
    spans: list[tuple[int, int]] = field(default_factory=list)
    modal: bool = False
    why: str = ""
    firm: bool = False  # said to be significant, or given with p < 0.05
    waned: bool = False  # the only result against is a benefit that faded
    inferred: bool = False  # the measure or the time was read from elsewhere than the words
    torn: bool = False  # cues both ways in the clause: one misread word would flip it


def clauses(low: str) -> list[tuple[int, int]]:
    """Clause boundaries of a sentence."""
    out, start = [], 0
    for m in cues.CLAUSE.finditer(low):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(low)))
    return out


def subject(low: str, start: int, end: int, matches: list[Match]) -> str:
    """Whose result a clause reports: 'intervention' or 'comparator'."""
    if may_match(cues.BOTH, low) and cues.BOTH.search(low, start, end):
        return "intervention"
    for m in matches:
        if m.start < start or m.end > end:
            continue
        kind = (
            "intervention" if "I" in m.categories else "comparator" if "X" in m.categories else ""
        )
        if not kind:
            continue
        if cues.COMPARED_WITH.search(low, max(start, m.start - 45), m.start):
            continue  # "than placebo", "compared with cyclophosphamide": not the subject
        return kind
    return "intervention"


def _owned(
    sigs: list[Signal], terms: list[Match], all_terms: list[Match], low: str
) -> list[Signal]:
    """The signals that belong to this finding's terms among all measures of the clause."""
    mine = {(m.start, m.end) for m in terms}
    owned: list[Signal] = []
    for s in sigs:
        # "improvement in mRSS", "stabilisation of lung function": the cue names its measure.
        after = [m for m in all_terms if m.start >= s.end and m.start - s.end <= 12]
        if after and _OF_TERM.match(low[s.end : after[0].start]):
            # ... and the measures joined to it: "improvements in mRSS and FVC".
            chain = [after[0]]
            for m in all_terms:
                if m.start > chain[-1].end and _COORDINATED.match(low[chain[-1].end : m.start]):
                    chain.append(m)
            if any((m.start, m.end) in mine for m in chain):
                owned.append(s)
            continue
        before = [m for m in all_terms if m.end <= s.start]
        if not before:
            owned.append(s)  # a cue ahead of every measure governs them all
        elif (before[-1].start, before[-1].end) in mine:
            owned.append(s)
    if owned:
        return owned
    # "mRSS and FVC improved": a measure joined to the next by "and" shares its cues.
    for term in terms:
        later = [m for m in all_terms if m.start >= term.end and (m.start, m.end) not in mine]
        if later and _COORDINATED.match(low[term.end : later[0].start]):
            nxt = later[0]
            following = [m for m in all_terms if m.start > nxt.start]
            stop = following[0].start if following else len(low)
            owned += [s for s in sigs if nxt.end <= s.start < stop]
    return owned


def _verdict(sigs: list[Signal], weak: bool) -> tuple[str, list[Signal]]:
    sup = [s for s in sigs if s.polarity == "sup"]
    con = [s for s in sigs if s.polarity == "con"]
    firm_con = [s for s in con if s.firm]
    if firm_con and not [s for s in sup if s.firm]:
        return "contradicts", firm_con  # "benefit was not sustained", "no difference vs placebo"
    if sup and con:
        # Both ways: the later cue is the result the sentence ends on ("improved, then fell").
        last = max(sup + con, key=lambda s: s.start)
        chosen = sup if last.polarity == "sup" else con
    else:
        chosen = sup or con
    if chosen:
        stance = "supports" if chosen is sup else "contradicts"
        if weak and not any(s.firm for s in chosen):
            stance = "inconclusive"
        return stance, chosen
    return "inconclusive", [s for s in sigs if s.polarity == "open"]


def read_effect(
    finding: Finding, low: str, matches: list[Match], term_key: str, others: set[str]
) -> Reading | None:
    """A decrease/increase/persist finding read from one sentence, or None if silent."""
    placebo = "placebo" in low
    direction = finding.supports_direction
    previous: list[Signal] = []
    best: Reading | None = None
    for start, end in clauses(low):
        terms = [m for m in matches if term_key in m.categories and start <= m.start < end]
        who = subject(low, start, end, matches)
        if not terms:
            mentions = any("I" in m.categories and start <= m.start < end for m in matches)
            if previous and mentions and who == "intervention":
                # "...improved with mycophenolate but not with rituximab": the verb is elided.
                if cues.NEGATION.search(low, start, end):
                    flipped = [
                        Signal(s.start, s.end, f"not {s.word}", "con", True)
                        for s in previous
                        if s.polarity == "sup"
                    ]
                    best = _reading(flipped, False, low, start, end, []) or best
            continue
        all_terms = [
            m for m in matches if start <= m.start < end and (m.categories & others or m in terms)
        ]
        sigs = _owned(signals(low, start, end, direction, placebo), terms, all_terms, low)
        previous = sigs
        if who == "comparator" or not sigs:
            continue
        span_end = min([m.start for m in all_terms if m.start > terms[-1].end], default=end)
        weak = (
            cues.not_significant(low[terms[0].start : span_end])
            or (may_match(cues.WEAK, low) and cues.WEAK.search(low, start, end) is not None)
            or cues.ci_includes_no_change(low[terms[0].start : span_end])
        )
        reading = _reading(sigs, weak, low, start, end, terms)
        if reading is not None and (best is None or _rank(reading) >= _rank(best)):
            best = reading
    return best


def _reading(
    sigs: list[Signal], weak: bool, low: str, start: int, end: int, terms: list[Match]
) -> Reading | None:
    if not sigs:
        return None
    stance, used = _verdict(sigs, weak)
    if not used:
        return None
    firm = any(s.firm for s in used)
    if stance != "inconclusive" and not firm and _hedged(low):
        stance = "inconclusive"  # "could be effective, but no firm conclusion can be drawn"
    some = stance != "inconclusive" and (
        _in_some(low, start, end) or cues.MIXED_AFTER.match(low, end) is not None
    )
    if some:
        stance, firm = "inconclusive", False  # "two of seven improved": mixed
    firm = firm or (stance != "inconclusive" and not weak and cues.significant(low[start:end]))
    # "-6.3 with rituximab versus 2.1 with placebo (difference -8.4; p<0.001)": the p after
    # the comparison with placebo is the significance of this result.
    firm = firm or (
        stance == "supports" and not weak and "placebo" in low and cues.significant(low[start:])
    )
    modal = may_match(cues.MODAL, low) and cues.MODAL.search(low, start, end) is not None
    words = ", ".join(dict.fromkeys(s.word for s in used))
    moved = any(s.polarity != "open" for s in used)  # a change made open by its p-value
    why = f"{words}{' (not significant)' if weak and moved and stance == 'inconclusive' else ''}"
    why += " (in some patients only)" if some else ""
    spans = [(m.start, m.end) for m in terms] + [(s.start, s.end) for s in used]
    waned = stance == "contradicts" and all(s.wane for s in used)
    polarities = {s.polarity for s in sigs}
    torn = "sup" in polarities and "con" in polarities
    return Reading(stance, spans, modal, why, firm, waned, torn=torn)


def _in_some(low: str, start: int, end: int) -> bool:
    # Cheap test first: a part is written with "in", "of", "/", "only" or "%".
    text = low[start:end]
    if " in " not in text and " of " not in text and "/" not in text and "only" not in text:
        return False
    return cues.partial(low, start, end)


def _hedged(low: str) -> bool:
    return may_match(cues.HEDGE, low) and cues.HEDGE.search(low) is not None


def _rank(reading: Reading) -> int:
    return {"supports": 2, "contradicts": 2, "inconclusive": 1}[reading.stance]


def read_association(
    finding: Finding, low: str, matches: list[Match], term_key: str, context_key: str
) -> Reading | None:
    """An association finding: its terms and context linked in one sentence."""
    terms = [m for m in matches if term_key in m.categories]
    context = [m for m in matches if context_key in m.categories and term_key not in m.categories]
    if not terms or not context:
        return None
    link = cues.ASSOCIATION.search(low) or cues.COMPARATIVE.search(low)
    null = cues.NULL_COMPARE.search(low)
    if link is None and null is None:
        return None
    spans = [(m.start, m.end) for m in terms + context]
    cue = link or null
    assert cue is not None
    spans.append(cue.span())
    modal = cues.MODAL.search(low) is not None
    if null is not None or (link is not None and cues.negated(low, link.start(), 0, 30)):
        return Reading("contradicts", spans, modal, f"no {cue.group(0)}")
    if cues.not_significant(low) or cues.WEAK.search(low):
        return Reading("inconclusive", spans, modal, f"{cue.group(0)} (not significant)")
    return Reading("supports", spans, modal, cue.group(0))
