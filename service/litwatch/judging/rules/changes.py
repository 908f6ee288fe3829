"""Over 300 lines: the written forms of a change and the readers that try them in order are
one rule, kept side by side so a new form is added where it is read.

How far a measure moved, with the p-value and confidence interval given for that move.

A change is the difference between two time points or two arms (LABELS.md, "Numbers"): a
baseline written beside a follow-up ("26.6 at baseline and 25.4 after") is a change of -1.2,
never 26.6, and the sign follows the measure. Each mention of a measure is read in a window
that ends where the sentence turns to another measure, so in "mRSS fell from 20 to 15 and
FVC rose from 70 to 72" the skin and the lung keep their own numbers. The forms read, in
order:

- two values: "from 20.2 (± 8.1) to 19.4", "26.6 at baseline and 25.4 at 12 months",
  "baseline 81% (66-104), changing to 89%";
- a stated change: "the mean change was -6.3 (95% CI -9.1 to -3.5)", "fell by 4.2 points",
  "improved by 3" (signed by the direction that means improvement), "a 5.6% increase in FVC";
  "difference ... placebo" marks a between-arm difference.

Not a change: a share of patients ("improved in 45%", "in 12 of 20"), a threshold ("by >= 5
points"), a duration, a bare baseline, and for a measure in % predicted a value in litres;
for a measure in points, a relative change in %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litwatch.judging.rules.patterns import pattern
from litwatch.judging.rules.sentences import Sentence

# Measures written in % predicted: for these a value in litres is no change.
PERCENT_MEASURES = frozenset({"fvc", "dlco", "tlc"})
_VAL = r"(-?\d+(?:\.\d+)?)"
_DOWN = (
    r"(?:decreas\w*|declin\w*|reduc\w*|fell|fall\w*|drop\w*|lower\w*|improv\w*|diminish\w*"
    r"|worsen\w*|deteriorat\w*|went down)"
)
_UP = r"(?:increas\w*|rose|ris\w*|gain\w*|higher|elevat\w*|went up)"
# What may follow a value before the next word: a spread, a range, a CI or a unit in brackets.
_SPREAD = (
    r"(?: ?%)?(?: of predicted| predicted)?"
    r"(?:\s*(?:\u00b1|\+/-)\s*\d+(?:\.\d+)?(?: ?%)?(?: ?sd)?"
    r"|\s*\([^()]{0,40}\)|\s*\[[^\[\]]{0,40}\])*"
)
_TIME = (
    r"(?:(?:at|after|by|over|to) )?"
    r"(?:(?:week|month|year|day) \d+|\d+ (?:weeks?|months?|years?|days?))"
)
_FROM_TO = pattern(
    rf"\bfrom (?:an? )?(?:(?:mean|median|baseline|average) )*(?:(?:value|score|level) )?"
    rf"(?:of )?{_VAL}{_SPREAD}(?: (?:points?|units))?(?: at baseline|(?: (?!to\b)[a-z-]+){{1,4}})?"
    rf",? (?:down |up )?to "
    rf"(?:an? )?(?:(?:mean|median|average) )?(?:of )?{_VAL}"
)
_MOVED = r"ris\w+|rose|fell|falling|increas\w+|decreas\w+|declin\w+|improv\w+|chang\w+|went"
AT_BASELINE = pattern(
    rf"(?<![\d.]){_VAL}{_SPREAD}(?: (?:points?|units))? (?:(?:at|before) (?:baseline|treatment|"
    rf"therapy|rituximab|rtx)|before|pre-?(?:treatment|rituximab|rtx))"
    rf"(?: and| to| vs\.?| versus| compared with|,)+ (?:(?:which |then )?(?:{_MOVED}) to )?"
    rf"(?:(?:{_TIME}|a mean of|a median of)[, ]*)?{_VAL}"
)
_FROM_BASELINE = pattern(
    rf"\bfrom baseline \((?:mean |median )?{_VAL}{_SPREAD}\) to [^().;\d]{{0,12}}?(?:{_TIME})?"
    rf"[^().;\d]{{0,12}}?\((?:mean |median )?{_VAL}"
)
_TO_FROM = pattern(
    rf"\bto (?:an? )?(?:(?:mean|median|average) )?(?:of )?{_VAL}{_SPREAD},? from (?:an? )?"
    rf"(?:(?:mean|median|baseline|average) )*(?:of )?{_VAL}"
)
# "mRSS fell significantly (27.3 vs 19.6)": a level before and after, in brackets.
_PAIR = pattern(
    rf"\b(?:{_DOWN}|{_UP})[^.;\d]{{0,40}}?[(:] ?{_VAL}{_SPREAD} ?(?:vs\.?|versus|to|->) ?{_VAL}"
)
_BASELINE_FIRST = pattern(
    rf"\bbaseline(?: [a-z%]+){{0,3}}(?: was| of|:)? {_VAL}{_SPREAD}"
    rf"(?:[^.;\d]|{_TIME}){{0,40}}?\b(?:to|and|vs\.?|versus|then|compared with)\b"
    rf"(?:[^.;\d%]|{_TIME}){{0,30}}?(?<![\d.]){_VAL}(?!\d|\.\d|\s*(?:%\s*)?of\b|\s*(?:patients|weeks?|months?|years?|days?)\b)"
)
_ARROW = pattern(rf"(?<![\d.]){_VAL}{_SPREAD} ?(?:->|\u2192) ?{_VAL}")
_BY = pattern(
    rf"\b({_DOWN}|{_UP}|chang\w*|differ\w*)\b((?:[^.;\d<>\u2264\u2265]|{_TIME}){{0,40}}?)"
    r"(?:by |of |was |were |: |= )?"
    r"(?<!week )(?<!month )(?<!year )(?<!day )(?<!visit )(?<!in )(?<!cycle )(?<!to )"
    r"(?<!at )(?<!after )(?<!over )(?<!for )(?<!within )"
    r"([-+]?\d+(?:\.\d+)?)(?!\d|\.\d)"
)
# A number before the measure: "a 5.6% increase in FVC", "a 3-point greater fall in mRSS".
_BEFORE = pattern(
    rf"(?<!week )(?<!month )(?<!year )(?<![\d.]){_VAL}(?: ?%| ?-?points?| percentage points?)? "
    r"(?:(?:greater|larger|more|mean|median|"
    rf"absolute|significant) )*({_DOWN}|{_UP}|chang\w*) (?:in|of) (?:the )?(?:mean )?$"
)
_SPAN_THEN_VALUE = pattern(
    r"\bfrom baseline (?:to|until|through|at) [^,;]{0,24}?"
    r"(?:weeks?|months?|years?|follow-?up|visit)\s*(?:(?:was|were|of|by|:|=)\s*)?$"
)
# "an increase of at least 10%": a threshold patients crossed, no change of the mean.
_THRESHOLD = pattern(r"\b(?:at least|more than|greater than|over|above|exceeding|>=?|\u2265)\s*$")
# "an increase of 3.0% in FVC": the change is written before the measure it belongs to.
_OF_BEFORE = pattern(
    rf"\b({_DOWN}|{_UP}|chang\w*) of (?:about |approximately )?([-+]?\d+(?:\.\d+)?)"
    r"(?: ?%| ?-?points?| percentage points?)?(?: predicted)? in (?:the )?(?:mean )?$"
)
_THEN_VS = pattern(rf"{_SPREAD}\s*(?:vs\.?|versus|->|\u2192)\s*{_VAL}")
# "73% at 12 months compared with 70% at baseline": the later level written first.
# "FVC (65% to 70%, p = 0.01)", "mRSS (20 vs 12)": two levels in brackets after the measure.
_BRACKET_PAIR = pattern(
    rf"\s*\((?:from )?{_VAL}{_SPREAD}\s*(?:vs\.?|versus|to|->|\u2192)\s*{_VAL}"
    r"(?![^()]*\b(?:group|arm|placebo|control))"
)
# A level at baseline, said alone ("Baseline FVC was 70%", "a mean FVC of 70% at baseline").
_LEVEL_AT_BASELINE = pattern(
    rf"\bbaseline (?:mean |median )?[a-z%() ]{{0,24}}?(?:was|of|:) (?:a mean of )?{_VAL}(?!\d|\.\d)"
    rf"(?![^.;]*\b(?:to|and|vs|versus|after|at \d|at (?:week|month|year)))"
    rf"|(?<![\d.]){_VAL}{_SPREAD} at baseline\W*$"
)
# ... and the level reached later: "had increased to 73%", "at 12 months it was 73%".
_LEVEL_REACHED = pattern(
    rf"[^.;\d]{{0,30}}?(?:(?:{_DOWN}|{_UP}) to|(?:was|were|of)) (?:a mean of )?{_VAL}(?!\d|\.\d)"
)
_LATER_FIRST = pattern(
    rf"(?<![\d.]){_VAL}{_SPREAD}(?: (?:at|after) [^.;\d]{{0,12}}?{_TIME}| (?:after|post-?)\S+)?"
    rf"(?: \w+)?,? (?:vs\.?|versus|compared (?:with|to)|than) (?:(?:at|before) )?(?:baseline )?"
    rf"\(?{_VAL}{_SPREAD}\)? ?(?:at baseline|before (?:treatment|therapy|rituximab|rtx)|pre-?\S+)"
)
# The forms of two values, in the order they are tried, each with the words it must hold.
_FORMS = (
    (_FROM_TO, ("from ",)),
    (_FROM_BASELINE, ("from baseline (",)),
    (_TO_FROM, ("from",)),
    (AT_BASELINE, ("baseline", "before", "pre")),
    (_BASELINE_FIRST, ("baseline",)),
    (_ARROW, ("->", "\u2192")),
    (_LATER_FIRST, ("baseline", "before", "pre-")),
)
_NOT_A_CHANGE_AFTER = pattern(
    r"\s*(?:%\s*)?(?:of\b(?! predicted)|out of|or (?:more|greater|higher|above|less|lower|worse)\b|"
    r"/\s*\d|patients|participants|subjects|cases|"
    r"weeks?|months?|years?|days?|wk|courses|cycles|centres|centers|infusions|mg|g\b)"
)
_LITRES = pattern(r"\s*(?:ml|l|litres?|liters?|cc)\b")
_PERCENT = pattern(r"\s*%")
_DOWN_RE = pattern(_DOWN)
_CHANGE_IN = pattern(
    rf"\b(?:(?:{_DOWN}|{_UP}|chang\w*|differen\w*)(?: from baseline)? (?:in|of) (?:the )?"
    r"(?:mean )?|baseline (?:\w+ )?)$"
)
_FIRST_VALUE = pattern(r"(?<![\w.])-?\d+(?:\.\d+)?")
# The values of a list, outside brackets: "by -5.1 (SD 4) and 2.3".
_LISTED_VALUE = pattern(
    r"(?<![\w.=<>-])(?<![=<>] )([-+]?\d+(?:\.\d+)?)(?!\d|\.\d|\s*(?:weeks?|months?|years?)\b)"
)
_DOWN_UP = pattern(rf"\b(?:{_DOWN}|{_UP})")
_ANOTHER = pattern(r"\b(?:differ\w*|vs\b|versus|compared|placebo|control)")
_ARMS = pattern(r"\b(?:group|arm|placebo|control|than|compared)")
_VS_PLACEBO = pattern(r"\b(?:than|vs\.?|versus|compared with|compared to|relative to) placebo")
_OTHER_MEASURE = pattern(
    r"\b(?:dlco|tlco|kco|haq|6mwd|6-?minute|six-minute|crp|esr|tlc|kl-6|hrct|sf-36|"
    r"diffusing|walk|health assessment|quality of life)\b"
)
_P = pattern(r"\bp\s*(?:<|>|=|\u2264|\u2265)\s*0?\.\d+|\bp\s*<\s*\.\d+")
_CI = pattern(
    r"^[^;]{0,12}?(?:95\s*% ?)(?:ci|confidence interval)(?: \{[^}]*\})?[:,]?\s*"
    rf"{_VAL}\s*(?:to|,|;|and|-)\s*{_VAL}"
)


@dataclass(frozen=True, slots=True)
class Change:
    value: float
    vs: str = ""  # "placebo" for a difference between arms
    p: str | None = None  # "p=0.27", as written
    ci: tuple[float, float] | None = None


def measure_change(
    sentences: Sequence[Sentence],
    spans: Sequence[tuple[int, int, int]],
    direction: str,
    others: dict[int, list[int]],
    percent: bool,
) -> Change | None:
    """The first change of a measure its result sentences give.

    spans: (sentence index, start, end) of the measure's mentions; others: sentence index ->
    where other measures are named in it; percent: the measure is written in % (FVC %
    predicted), so a value in litres is no change of it, while for a measure in points a
    value in % is a relative change and is left out.
    """
    for index, start, end in spans:
        s = sentences[index]
        if s.role in ("background", "outlook", "methods", "aim", "registration"):
            continue
        low = s.lower
        if "respectively" in low:
            listed = _respectively(low, start, others.get(index, []), direction, percent)
            if listed is not None:
                if listed[0] is None:
                    continue
                return Change(listed[0], "", listed[1])
        cut = min([p for p in others.get(index, ()) if p >= end] + [len(low)])
        found = _OTHER_MEASURE.search(low, end, cut)
        cut = found.start() if found else cut
        # "the change in mRSS was -6.3": the window opens at the word naming the change.
        lead = _CHANGE_IN.search(low, max(0, start - 40), start)
        window = _Window(low, end, lead.start() if lead else start, min(cut, start + 160), cut)
        got = (
            _two_values(window, percent)
            or _stated(window, direction, percent)
            or _before(window, start, direction, percent)
        )
        if got is not None:
            value, at, vs = got
            if not vs and _VS_PLACEBO.search(low, window.begin, cut):
                vs = "placebo"
            return Change(value, vs, *_p_and_ci(low[at : min(cut, at + 100)]))
    return _across(sentences, spans, others, percent)


def _across(
    sentences: Sequence[Sentence],
    spans: Sequence[tuple[int, int, int]],
    others: dict[int, list[int]],
    percent: bool,
) -> Change | None:
    """A baseline level in one sentence and the level reached in a later one: "Baseline FVC
    was 70%. At 12 months, FVC had increased to 73%." """
    start_level: tuple[int, float] | None = None
    for index, start, end in spans:
        s = sentences[index]
        if s.role in ("background", "outlook", "aim", "registration") or not s.numeric:
            continue
        low = s.lower
        if start_level is None and "baseline" not in low:
            continue
        cut = min([p for p in others.get(index, ()) if p >= end] + [len(low)])
        if start_level is None:
            m = _LEVEL_AT_BASELINE.search(low, max(0, start - 24), cut)
            if m and _unit_ok(low, m.end(m.lastindex or 1), percent):
                start_level = (index, float(m.group(m.lastindex or 1)))
            continue
        if index == start_level[0]:
            continue
        m = _LEVEL_REACHED.match(low, end, cut)
        if m and _unit_ok(low, m.end(1), percent):
            return Change(round(float(m.group(1)) - start_level[1], 2))
    return None


@dataclass(frozen=True, slots=True)
class _Window:
    low: str
    at: int  # where the measure's name ends
    begin: int
    reach: int  # a change starts before here
    cut: int  # and ends before here, where the sentence turns to another measure


def _respectively(
    low: str, start: int, others: list[int], direction: str, percent: bool
) -> tuple[float | None, str | None] | None:
    """In "mRSS and FVC changed by -5.1 and 2.3, respectively" the k-th measure named takes
    the k-th value (and the k-th p-value when each has one); None when the sentence lists no
    measures, (None, None) when it cannot be read."""
    first = _FIRST_VALUE.search(low, start)
    if first is None:
        return None
    listed = sorted({start, *(p for p in others if p < first.start())})
    near = [p for p in listed if abs(p - start) < 40]
    if len(near) < 2:
        return None
    values = [
        m
        for m in _LISTED_VALUE.finditer(low, first.start(), first.start() + 120)
        if low.count("(", first.start(), m.start()) == low.count(")", first.start(), m.start())
    ]
    rank = near.index(start)
    if len(values) < len(near) or not _unit_ok(low, values[rank].end(1), percent):
        return None, None
    value = float(values[rank].group(1))
    verb = _DOWN_UP.search(low, near[-1], first.start())
    if verb is not None:
        value = _signed(verb.group(0), value, direction)
    ps = [m.group(0).replace(" ", "") for m in _P.finditer(low, first.start())]
    return value, (ps[rank] if len(ps) == len(near) else None)


def _unit_ok(low: str, at: int, percent: bool) -> bool:
    if percent:
        return _LITRES.match(low, at) is None
    return _PERCENT.match(low, at) is None


def _two_values(w: _Window, percent: bool) -> tuple[float, int, str] | None:
    """A change as the second of two values minus the first, and where the second ends."""
    low = w.low
    if (
        "from" in low
        or "baseline" in low
        or "before" in low
        or "pre-" in low
        or ">" in low
        or "\u2192" in low
    ):
        for form, needles in _FORMS:
            # Each form holds one of its words: a quick find skips the forms that cannot match.
            if not any(low.find(x, w.begin, w.cut) >= 0 for x in needles):
                continue
            m = form.search(low, w.begin, w.cut)
            if m and m.start() < w.reach and _unit_ok(low, m.end(2), percent):
                first, second = float(m.group(1)), float(m.group(2))
                if form is _TO_FROM or form is _LATER_FIRST:
                    first, second = second, first
                return round(second - first, 2), max(m.end(1), m.end(2)), ""
    if "(" in low or ":" in low:
        m = _BRACKET_PAIR.match(low, w.at, w.cut)
        if m and _unit_ok(low, m.end(2), percent):
            return round(float(m.group(2)) - float(m.group(1)), 2), m.end(2), ""
        m = _PAIR.search(low, w.begin, w.cut)
        if m and m.start() < w.reach and _unit_ok(low, m.end(2), percent):
            first, second = float(m.group(1)), float(m.group(2))
            gap = low[m.start() : m.start(1)]
            if first > 0 and second > 0 and not _ARMS.search(gap):
                return round(second - first, 2), m.end(2), ""
    return None


def _stated(w: _Window, direction: str, percent: bool) -> tuple[float, int, str] | None:
    """A change written as one number after a word of change."""
    low = w.low
    for m in _BY.finditer(low, w.begin, w.cut):
        if m.start(3) >= w.reach:
            break
        gap, at = m.group(2), m.end(3)
        # "changed from 20": a level follows; "change from baseline to 12 months was 3" is one.
        level_next = ("baseline" in gap or "from" in gap) and not _SPAN_THEN_VALUE.search(gap)
        if level_next or _THRESHOLD.search(gap):
            continue
        if _NOT_A_CHANGE_AFTER.match(low, at) or not _unit_ok(low, at, percent):
            continue
        value = float(m.group(3).replace("+", ""))
        pair = _THEN_VS.match(low, at)
        if pair and not _ARMS.search(gap) and value > 0 and _unit_ok(low, pair.end(1), percent):
            # "improved: FVC 70% vs 73%": two levels, the change is their difference.
            return round(float(pair.group(1)) - value, 2), pair.end(1), ""
        if value == 0 or abs(value) >= 100:
            continue
        word = m.group(1)
        if word.startswith("differ"):
            return value, at, ("placebo" if "placebo" in low else "")
        if word.startswith("cha"):
            return value, at, ""
        return _signed(word, value, direction), at, ""
    return None


def _before(w: _Window, start: int, direction: str, percent: bool) -> tuple[float, int, str] | None:
    """A change written before the measure: "a 5.6% increase in FVC"."""
    m = _BEFORE.search(w.low, max(0, start - 60), start)
    if m is None:
        m = _OF_BEFORE.search(w.low, max(0, start - 60), start)
        if m is None or not _unit_ok(w.low, m.end(2), percent) or float(m.group(2)) == 0:
            return None
        word, value = m.group(1), float(m.group(2).replace("+", ""))
        if not word.startswith("cha"):
            value = _signed(word, value, direction)
        return value, m.end(2), ""
    if not _unit_ok(w.low, m.end(1), percent) or float(m.group(1)) == 0:
        return None
    word, value = m.group(2), float(m.group(1))
    if not word.startswith("cha"):
        value = _signed(word, value, direction)
    return value, m.end(1), ""


def _signed(word: str, value: float, direction: str) -> float:
    if word.startswith("improv"):
        down = direction == "decrease"
    elif word.startswith(("worsen", "deteriorat")):
        down = direction != "decrease"
    else:
        down = _DOWN_RE.match(word) is not None
    return -abs(value) if down else abs(value)


def _p_and_ci(tail: str) -> tuple[str | None, tuple[float, float] | None]:
    """The p-value and 95% CI written after a change, before the sentence turns elsewhere.

    A p written after a comparison with another arm ("versus 2.1 with placebo (difference
    -8.4; p<0.001)") is the comparison's, not this change's.
    """
    ci = None
    m = _CI.search(tail.lstrip(" ([,;"))
    if m:
        ci = (float(m.group(1)), float(m.group(2)))
    p = _P.search(tail)
    if p is None or _ANOTHER.search(tail, 0, p.start()):
        return None, ci
    return p.group(0).replace(" ", ""), ci
