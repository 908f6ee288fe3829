"""Numbers an abstract gives: patients, studies, follow-up, changes in the measures, p-values.

These feed the living evidence table, so each is taken only where the text says it plainly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from litwatch.judging.rules.changes import PERCENT_MEASURES, measure_change
from litwatch.judging.rules.patients import NUM as _NUM
from litwatch.judging.rules.patients import patient_count, to_int
from litwatch.judging.rules.patterns import by_first_letter, pattern, split_alternatives
from litwatch.judging.rules.sentences import Sentence

__all__ = [
    "extract_numbers", "first_duration", "longest_months", "months", "patient_count", "to_int"
]  # fmt: skip

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
_STUDY_NOUNS = ("studies", "trials", "articles", "publications", "rcts", "reports")
_STUDIES = pattern(rf"\b{_NUM} (?:{'|'.join(_STUDY_NOUNS)})\b")
_STUDY_SET = frozenset(_STUDY_NOUNS)
_UNIT_MONTHS = {"week": 12 / 52, "wk": 12 / 52, "month": 1.0, "mo": 1.0, "year": 12.0, "yr": 12.0}
_UNITS = r"weeks?|wk|months?|mo|years?|yr"
_DURATION = pattern(
    r"\b(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
    rf"[\s-]*({_UNITS})\b(?![\s-]old)"
)
# Every duration names its unit: a quick test for one lets most sentences skip _DURATION.
_UNIT = pattern(by_first_letter(split_alternatives(_UNITS)) + r"\b")
_FOLLOW_UP = pattern(
    r"follow-?up (?:period )?(?:of|was|lasted|duration of|:)?\s*(?:up to |median |mean |"
    r"a median of |a mean of |approximately |about )?"
)
_P_SIGN = pattern(r"[<>=\u2264\u2265&]")  # every p-value is written with one of these
_P_VALUE = pattern(r"\bp\s*(?:<|>|=|≤|≥|&lt;|&gt;)\s*0?\.\d+|\bp\s*<\s*\.\d+", re.IGNORECASE)
_FROM_TO = pattern(
    r"from (-?\d+(?:\.\d+)?)%?(?: ?\u00b1 ?[\d.]+)?(?: \([^)]*\))? to (-?\d+(?:\.\d+)?)"
)
_DOWN = r"(?:decreas\w*|declin\w*|reduc\w*|fell|fall\w*|drop\w*|lower\w*|improv\w*|diminish\w*)"
_UP = r"(?:increas\w*|rose|ris\w*|gain\w*|higher|elevat\w*)"
_BY = pattern(
    rf"\b({_DOWN}|{_UP}|chang\w*|differ\w*)\b[^.;\d]{{0,30}}?(?:by |of |was |: )?"
    r"(?<!week )(?<!month )(?<!year )(?<!day )(?<!visit )(?<!in )"
    # "decreased in 49 of 132 patients" counts people; it is no change of the measure.
    r"(-?\+?\d+(?:\.\d+)?)(?!\d|\.\d|\s*(?:weeks?|months?|years?|wk|patients|courses|centres|centers"
    r"|of \d|out of \d|/\s*\d))"
    r"\s*(?:points?|%|percentage points|units|ml)?"
)
_DOWN_RE = pattern(_DOWN)
_TIME_WORD = pattern(r"\b(?:at|after|over|for|to|within|through)\s*$")
_CHANGE_IN = pattern(r"\b(?:chang\w*|differen\w*)(?: from baseline)? (?:in|of) (?:the )?$")
_VS_PLACEBO = pattern(r"\b(?:than|vs\.?|versus|compared with|compared to|relative to) placebo")


def months(value: str, unit: str) -> float:
    """A duration in months."""
    number = (
        float(value) if value[0].isdigit() else float(_WORDS.get(value, 1) if value != "one" else 1)
    )
    key = unit.rstrip("s")
    return round(number * _UNIT_MONTHS.get(key, 1.0), 1)


def longest_months(low: str) -> float:
    """The longest duration written in a text, in months (0 when none)."""
    best = 0.0
    if _UNIT.search(low) is None:
        return best
    for m in _DURATION.finditer(low):
        best = max(best, months(m.group(1), m.group(2)))
    return best


def first_duration(low: str) -> tuple[int, int] | None:
    """Where the first duration in a text is written, if it gives one."""
    if _UNIT.search(low) is None:
        return None
    m = _DURATION.search(low)
    return m.span() if m else None


def extract_numbers(
    sentences: Sequence[Sentence],
    measure_spans: dict[str, list[tuple[int, int, int]]],
    directions: dict[str, str],
    patients: int | None,
) -> dict[str, Any]:
    """Numbers from the study's own sentences; patients is patient_count(sentences).

    measure_spans: measure key -> (sentence index, start, end) of its mentions; directions:
    measure key -> the direction that means improvement, so "improved by 4" gets its sign.
    """
    own = [s for s in sentences if s.role not in ("background", "outlook")]
    numbers: dict[str, Any] = {}
    if patients:
        numbers["n"] = patients
    studies = [
        to_int(m.group(1))
        for s in own
        if s.numeric and not _STUDY_SET.isdisjoint(s.words)
        for m in _STUDIES.finditer(s.lower)
    ]
    if any(studies):
        numbers["n_studies"] = max(x for x in studies if x)
    follow = _follow_up(own)
    if follow:
        numbers["follow_up"], numbers["follow_up_months"] = follow
    p_values = [
        m.group(0).replace(" ", "")
        for s in own
        if s.numeric and _P_SIGN.search(s.text)
        for m in _P_VALUE.finditer(s.text)
    ]
    if p_values:
        numbers["p_values"] = p_values[:8]
    _add_changes(numbers, sentences, measure_spans, directions)
    return numbers


def _follow_up(sentences: Sequence[Sentence]) -> tuple[str, float] | None:
    best: tuple[str, float] | None = None
    for s in sentences:
        if not s.numeric or _UNIT.search(s.lower) is None:
            continue
        low = s.lower
        for f in _FOLLOW_UP.finditer(s.lower) if "follow" in low else ():
            d = _DURATION.match(s.lower, f.end())
            if d:
                return d.group(0), months(d.group(1), d.group(2))
        for d in _DURATION.finditer(s.lower):
            before = s.lower[max(0, d.start() - 12) : d.start()]
            if _TIME_WORD.search(before):
                value = months(d.group(1), d.group(2))
                if best is None or value > best[1]:
                    best = (d.group(0), value)
    return best


def _add_changes(
    numbers: dict[str, Any],
    sentences: Sequence[Sentence],
    measure_spans: dict[str, list[tuple[int, int, int]]],
    directions: dict[str, str],
) -> None:
    """Each measure's change, with the arm it is measured against and its p and CI."""
    starts: dict[str, dict[int, list[int]]] = {}
    for name, spans in measure_spans.items():
        for index, start, _end in spans:
            starts.setdefault(name, {}).setdefault(index, []).append(start)
    for name, spans in measure_spans.items():
        others: dict[int, list[int]] = {}
        for other, places in starts.items():
            if other != name:
                for index, found in places.items():
                    others.setdefault(index, []).extend(found)
        percent = name in PERCENT_MEASURES
        change = measure_change(sentences, spans, directions.get(name, "decrease"), others, percent)
        if change is None:
            continue
        numbers[f"{name}_change"] = change.value
        if change.vs:
            numbers[f"{name}_vs"] = change.vs
        if change.p:
            numbers[f"{name}_change_p"] = change.p
        if change.ci:
            numbers[f"{name}_change_ci"] = list(change.ci)
