"""The cue words of one clause, read as signals for a finding: supports, contradicts, open.

``stance`` decides which of a clause's signals belong to which measure, and what they add up
to; this module only finds them. The cue words themselves are in ``cues``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from litwatch.judging.rules import cues
from litwatch.judging.rules.changes import AT_BASELINE
from litwatch.judging.rules.patterns import may_match, pattern

# "from 24.5 to 15.2", but not "ranging from 4 to 11" or "from 2015 to 2021".
_FROM_TO = pattern(
    r"(?<!ranging )(?<!ranged )\bfrom (-?\d+(?:\.\d+)?)%?[^;,]{0,40}? to (-?\d+(?:\.\d+)?)"
)
# The first number after "change"/"difference" (durations skipped) and its sign, if any.
_SIGNED_CHANGE = pattern(
    r"\b(?:chang\w*|differen\w*)\b(?:[^;\d]|\d+ ?(?:weeks?|months?|years?|wk)\b){0,60}?"
    r"(?<![\w.])([-+]?)(\d+(?:\.\d+)?)"
)
_SLOWER = pattern(r"smaller|less|slower|lower|attenuated")
_SIGNIFICANT = pattern(r"\bsignificant(?:ly)?\b")
# "did not differ in the improvement of FVC": the cue after "no difference" is what was compared.
_COMPARED_QUANTITY = pattern(
    r"\s*(?:(?:statistically |significantly )*(?:in|for|regarding|as to)(?: the| their)? "
    r"(?:\w+ )?)$"
)


@dataclass(slots=True)
class Signal:
    """A cue word (or number) in a clause, and which way it points."""

    start: int
    end: int
    word: str
    polarity: str  # sup | con | open
    firm: bool = False  # the result stands whatever the p-values say
    wane: bool = False  # a benefit said to have faded ("waned", "not sustained")


@dataclass(slots=True)
class _Found:
    """The signals read so far in a clause, and the spans a cue word already took."""

    signals: list[Signal] = field(default_factory=list)
    masked: list[tuple[int, int]] = field(default_factory=list)
    nulls: int = 0  # the first masked spans are "no difference" and stability phrases

    def free(self, a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in self.masked)

    def add(
        self, m: re.Match[str], word: str, polarity: str, firm: bool = False, wane: bool = False
    ) -> None:
        self.masked.append(m.span())
        self.signals.append(Signal(m.start(), m.end(), word, polarity, firm, wane))


def signals(low: str, start: int, end: int, direction: str, placebo: bool) -> list[Signal]:
    """Every cue in a clause, read for a finding whose measure should move ``direction``."""
    found = _Found()
    if _before_treatment(low, start, end):
        return []  # "before treatment, FVC declined by 3% a year": where patients started
    # Most clauses hold few of the cue lists' words: each list is pre-checked on the clause.
    clause = low[start:end]
    _no_movement(found, low, start, end, direction, placebo, clause)
    found.nulls = len(found.masked)
    _movement_words(found, low, start, end, direction, clause)
    if direction in ("decrease", "increase"):
        _movement_numbers(found.signals, low, start, end, direction)
    for s in found.signals:
        # "improved significantly" stands even when a between-group p-value is large.
        near = low[max(start, s.start - 20) : min(end, s.end + 20)]
        if s.polarity != "open" and _SIGNIFICANT.search(near) and not cues.WEAK.search(near):
            s.firm = True
    return found.signals


def _before_treatment(low: str, start: int, end: int) -> bool:
    head = low[start : start + 60]
    if "before" not in head and "prior" not in head and "baseline" not in head:
        return False
    return cues.BEFORE_TREATMENT.match(low, start, end) is not None


def _baseline_value(low: str, at: int, end: int) -> bool:
    """True when the words after a cue make it a starting value ("higher scores at baseline")."""
    tail = low[at : min(end, at + 60)]
    if "baseline" not in tail and "before" not in tail and " at " not in tail:
        return False
    m = cues.AT_BASELINE.match(tail)
    return m is not None and cues.FROM_START.search(m.group(0)) is None


def _compared_quantity(found: _Found, low: str, at: int) -> bool:
    for _, y in found.masked[: found.nulls]:
        if y <= at and at - y <= 30 and _COMPARED_QUANTITY.match(low, y, at):
            return True
    return False


def _negated(found: _Found, low: str, m: re.Match[str], start: int, end: int) -> bool:
    """A negation just before the cue (not one inside an earlier "no difference"), or after."""
    floor = max([start, *(y for _, y in found.masked[: found.nulls] if y <= m.start())])
    if "non" in low[max(floor, m.start() - 40) : m.start()] or " no " in low[floor : m.start()]:
        # "worsened in none, and two improved": that "none" belonged to the earlier verb.
        for before in cues.NONE_AFTER.finditer(low, max(floor, m.start() - 40), m.start()):
            floor = max(floor, before.end())
    if cues.negated(low, m.start(), floor):
        return True
    return cues.NONE_AFTER.search(low, m.end(), min(end, m.end() + 40)) is not None


def _cue_matches(
    cue: re.Pattern[str], low: str, start: int, end: int, clause: str
) -> Iterable[re.Match[str]]:
    """The cue's matches in the clause ``low[start:end]`` (which is ``clause``)."""
    return cue.finditer(low, start, end) if may_match(cue, clause) else ()


def _no_movement(
    found: _Found, low: str, start: int, end: int, direction: str, placebo: bool, clause: str
) -> None:
    """Waning, no difference, stability: read first, so their words are no other cue."""
    # Waning is the opposite of a lasting benefit; for the effect itself it means the
    # effect was there, so it only leaves the effect finding open.
    for m in _cue_matches(cues.WANE, low, start, end, clause):
        lasting = direction == "persist"
        found.add(m, m.group(0), "con" if lasting else "open", lasting, lasting)
    if direction == "increase" and _SLOWER.search(low, start, end):
        for m in cues.LESS_DECLINE.finditer(low, start, end):
            found.add(m, m.group(0), "sup")
    for m in _cue_matches(cues.NULL_COMPARE, low, start, end, clause):
        if not found.free(*m.span()):
            continue
        found.add(m, "no difference", "con" if placebo else "open", placebo)
    for m in _cue_matches(cues.STABLE, low, start, end, clause):
        if found.free(*m.span()):
            better = low[max(start, m.start() - 7) : m.start()].endswith("better ")
            found.add(m, m.group(0), "sup" if better else "open")


def _movement_words(
    found: _Found, low: str, start: int, end: int, direction: str, clause: str
) -> None:
    """Words that say the measure improved, worsened or lasted, negated or not."""
    prevented = may_match(cues.PREVENT, clause) and cues.PREVENT.search(low, start, end) is not None
    good = {"decrease": cues.DOWN, "increase": cues.UP}.get(direction)
    bad = {"decrease": cues.UP, "increase": cues.DOWN}.get(direction)
    checks: list[tuple[re.Pattern[str], str]] = [
        (cues.IMPROVE, "good"), (cues.WORSE, "bad"), (cues.PERSIST, "persist"),
    ]  # fmt: skip
    if good is not None and bad is not None:
        checks += [(good, "good"), (bad, "bad")]
    for cue, polarity in checks:
        for m in _cue_matches(cue, low, start, end, clause):
            if not found.free(*m.span()):
                continue
            word = m.group(0)
            if polarity in ("good", "bad") and _baseline_value(low, m.end(), end):
                continue
            if polarity == "bad" and cues.REVERSAL.search(
                low, max(start, m.start() - 40), m.start()
            ):
                continue  # "reversal of the skin's progression": the reversal is the result
            if _compared_quantity(found, low, m.start()):
                continue
            neg = _negated(found, low, m, start, end)
            if polarity == "persist":
                if direction != "persist":
                    found.add(m, f"not {word}" if neg else word, "open")
                elif neg:
                    found.add(m, f"not {word}", "con", True, True)
                else:
                    found.add(m, word, "sup")
                continue
            if polarity == "good":
                found.add(m, f"no {word}" if neg else word, "con" if neg else "sup", neg)
            elif neg or prevented:
                found.add(m, f"no {word}", "open")
            else:
                found.add(m, word, "con")


def _movement_numbers(found: list[Signal], low: str, start: int, end: int, direction: str) -> None:
    """'from 24.5 to 15.2' and signed changes, read for a measure that should go down or up."""
    # A substring test first: most clauses hold neither "from ... to" nor a change.
    from_to = _FROM_TO.finditer(low, start, end) if low.find("from ", start, end) >= 0 else ()
    for m in from_to:
        a, b = float(m.group(1)), float(m.group(2))
        if a != b and not (a >= 1900 and b >= 1900):
            ok = (b > a) == (direction == "increase")
            found.append(Signal(m.start(), m.end(), "from-to", "sup" if ok else "con"))
    # "19.8 at baseline and 15.6 at 12 months": the level before and after.
    pairs = AT_BASELINE.finditer(low, start, end) if low.find("baseline", start, end) >= 0 else ()
    for m in pairs:
        a, b = float(m.group(1)), float(m.group(2))
        if a != b:
            ok = (b > a) == (direction == "increase")
            found.append(Signal(m.start(), m.end(), "baseline-to", "sup" if ok else "con"))
    changes = (
        _SIGNED_CHANGE.finditer(low, start, end)
        if low.find("chang", start, end) >= 0 or low.find("differen", start, end) >= 0
        else ()
    )
    for m in changes:
        if not m.group(1):
            continue
        if float(m.group(2)) < 1.0:
            # Under one point (or one per cent) is no direction at all: it is stability.
            found.append(Signal(m.start(1), m.end(), "no change", "open"))
            continue
        ok = (m.group(1) == "+") == (direction == "increase")
        found.append(Signal(m.start(1), m.end(), "signed change", "sup" if ok else "con"))
