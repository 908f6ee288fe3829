"""How long a benefit is said to have lasted: follow-up times in a sentence, read for durability.

A durability finding ("the benefit persists over long-term follow-up") is reported where a
benefit and a long time are written together. The times that count are times of follow-up or
treatment ("at 5 years", "over 3 years", "at year 2"), not ages ("a woman aged 47 years"),
how long the disease had lasted ("disease duration of 11 years") or ranges of follow-up that
start short ("6 months to 4 years").
"""

from __future__ import annotations

from collections.abc import Sequence

from litwatch.judging.knowledge import Finding
from litwatch.judging.rules import cues, stance
from litwatch.judging.rules.numbers import months
from litwatch.judging.rules.patterns import may_match, pattern
from litwatch.judging.rules.sentences import Sentence
from litwatch.judging.rules.terms import Match

_UNITS = r"weeks?|wk|months?|mo|years?|yr"
_DURATION = pattern(
    r"\b(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
    rf"[\s-]*({_UNITS})\b(?![\s-]old)"
)
# "at year 2", "by month 36": a time point written unit first.
_TIME_POINT = pattern(r"\b(?:at|by|to|through|until|in|of) (year|month|week)s? (\d+)\b")
# Words just before a duration that make it an age or the disease's own history.
_NOT_FOLLOW_UP_BEFORE = pattern(
    r"(?:\bage[ds]?\b|\bage of\b|disease duration|duration of (?:the )?(?:disease|ssc|illness)|"
    r"\bhistory of|\bdiagnosed|\bonset)[^.;()]{0,30}$"
)
# ... or just after it: "47 years of age", "3 years after diagnosis", "2 years before".
_NOT_FOLLOW_UP_AFTER = pattern(
    r"^\s*(?:of age|old|of (?:disease|illness)|(?:since|after|from) (?:the )?(?:diagnosis|onset)|"
    r"before|prior|earlier|ago|of (?:disease )?duration)\b"
)
# A follow-up written as a range ("followed for 9 months to 5 years"): the benefit is not
# placed at the long end.
_RANGE = pattern(
    r"\b(\d+(?:\.\d+)?|one|two|three|four|five|six) ?(weeks?|months?|years?)? ?"
    r"(?:to |and |or |- ?|-)(?:\d+(?:\.\d+)?) ?(weeks?|months?|years?)\b"
)
_LATE = ", at a long follow-up"
_UNIT_HINTS = ("week", "wk", "month", "mo", "year", "yr")


def follow_up_times(low: str) -> list[tuple[int, int, float]]:
    """(start, end, months) of each follow-up or treatment time the text writes."""
    if not any(h in low for h in _UNIT_HINTS):
        return []
    found = []
    for m in _DURATION.finditer(low):
        if _NOT_FOLLOW_UP_BEFORE.search(low, max(0, m.start() - 40), m.start()):
            continue
        if _NOT_FOLLOW_UP_AFTER.match(low[m.end() : m.end() + 30]):
            continue
        found.append((m.start(), m.end(), months(m.group(1), m.group(2))))
    for m in _TIME_POINT.finditer(low):
        found.append((m.start(1), m.end(), months(m.group(2), m.group(1))))
    return sorted(found)


def shortest_of_range(low: str) -> float:
    """The short end of a range of durations ("6 months to 4 years"), or infinity."""
    if " to " not in low and " or " not in low and "-" not in low:
        return float("inf")
    ends = [months(m.group(1), m.group(2) or m.group(3)) for m in _RANGE.finditer(low)]
    return min(ends, default=float("inf"))


def strong(words: list[str]) -> bool:
    """True when a durability term says "long-term" on its own, whatever else is written."""
    return any(
        w.startswith(("long", "repeat", "multiple", "retreat", "re-treat", "extension", "open-"))
        or w[:1].isdigit()
        for w in words
    )


def read_persist(
    finding: Finding,
    s: Sentence,
    found: list[Match],
    effects: Sequence[Finding],
    framed: bool = False,
) -> stance.Reading | None:
    """A durability finding read from one sentence, or None if it says nothing of it.

    effects are the findings of a measure's change: "at 5 years the mRSS had fallen from 25
    to 12" ties a benefit in the measure to a long time, and reports on durability. framed:
    the title calls the study long-term, so a conclusion stating the benefit is a lasting one.
    """
    low, term_key = s.lower, f"T:{finding.id}"
    terms = [m for m in found if term_key in m.categories]
    times = follow_up_times(low) if s.numeric else []
    longest = max((t[2] for t in times), default=0.0)
    floor = finding.min_months - 1  # 48 weeks counts as a year: a month's slack
    said_long = strong([low[m.start : m.end] for m in terms])
    if longest and not said_long and (longest < floor or shortest_of_range(low) < floor):
        return None  # "sustained at 24 weeks", "over 6 months to 4 years"
    long_time = next(((a, b) for a, b, n in times if n >= floor), None)
    if terms:
        reading = stance.read_effect(finding, low, found, term_key, set())
        if reading is not None and not _lasting_said(low, terms):
            # "after 2 courses, the skin improved": when it was seen, not that it lasted.
            reading.inferred = True
    elif long_time is not None:
        # The time itself names the measure: "at 5 years the skin was still improved".
        marked = [*found, Match(*long_time, frozenset({term_key}))]
        reading = stance.read_effect(finding, low, marked, term_key, set())
        if reading is None or reading.stance == "inconclusive":
            reading = _measure_at(low, found, effects, long_time) or reading
        if reading is not None:
            reading.inferred = True
    elif framed and s.role == "conclusion" and _names_treatment_or_measure(found, effects):
        marked = [Match(0, 0, frozenset({term_key})), *found]
        reading = stance.read_effect(finding, low, marked, term_key, set())
        if reading is None or reading.stance != "supports":
            return None
        reading.inferred, reading.why = True, f"{reading.why} (a long-term study)"
    else:
        return None
    if reading is None:
        return None
    if reading.waned:
        # A benefit that faded, or did not last, leaves the lasting benefit open.
        reading.stance, reading.why = "inconclusive", f"{reading.why} (the benefit faded)"
    elif reading.stance == "inconclusive" and not reading.why.endswith(_LATE):
        return None  # stability alone says nothing about a benefit lasting
    return reading


def _measure_at(
    low: str, found: list[Match], effects: Sequence[Finding], at: tuple[int, int]
) -> stance.Reading | None:
    """A measure's own change read at a long time: a benefit then, or an open result."""
    effect_keys = {f"T:{f.id}" for f in effects}
    for effect in effects:
        key = f"T:{effect.id}"
        if not any(key in m.categories for m in found):
            continue
        reading = stance.read_effect(effect, low, found, key, effect_keys - {key})
        if reading is not None and reading.stance == "supports":
            reading.spans.append(at)
            return reading
        worse = reading is not None and reading.stance == "contradicts"
        unsure = reading.why.endswith("(not significant)") if reading else cues.not_significant(low)
        # "did not decline over 2 years (p=0.70)": a steadiness, whatever the p-value.
        unsure = unsure and not cues.STABLE.search(low) and not cues.NEGATION.search(low)
        if worse or unsure:
            # Worse by then, or only numbers with no significance: no clear lasting benefit.
            # (Stable by then is stability, which says nothing of a benefit lasting.)
            why = reading.why if reading is not None else "not significant"
            return stance.Reading("inconclusive", [at], why=f"{why}{_LATE}")
    return None


def _lasting_said(low: str, terms: list[Match]) -> bool:
    """True when the sentence says in words that something lasted, not only when or after
    how many courses it was seen."""
    if (may_match(cues.PERSIST, low) and cues.PERSIST.search(low)) or (
        may_match(cues.WANE, low) and cues.WANE.search(low)
    ):
        return True
    return any(
        not w[:1].isdigit() and not w.startswith(("repeat", "multiple", "retreat", "re-treat"))
        for w in (low[m.start : m.end] for m in terms)
    )


def framed_long_term(title: Sentence | None, found: list[Match], term_key: str) -> bool:
    """True when the title calls the study long-term ("Long-term outcomes of ...")."""
    if title is None or title.role != "title":
        return False
    return strong([title.lower[m.start : m.end] for m in found if term_key in m.categories])


def _names_treatment_or_measure(found: list[Match], effects: Sequence[Finding]) -> bool:
    keys = {"I", *(f"T:{f.id}" for f in effects)}
    return any(not keys.isdisjoint(m.categories) for m in found)
