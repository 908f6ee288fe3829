"""How many patients a study gave its intervention to (LABELS.md, "Numbers").

Counts are read in the study's own sentences and weighed by what they count:

- a count tied to rituximab ("72 rituximab-treated patients", "RTX (n = 23)", "51 of 94
  patients in the rituximab cohort") is the treated group, and wins over a larger total
  that holds a comparison arm;
- "104 in each group" is the size of one arm, the treated one among them, and so is a count
  given to an active arm of another drug ("52 were assigned to abatacept");
- groups listed side by side with "(n = ...)" and no drug to tell them apart ("SSc (n=23),
  myositis (n=15) or MCTD (n=6)") are parts of one treated population, so they add up;
  healthy controls and placebo groups do not join them;
- a count of patients with an adverse event ("infusion reactions occurred in 6 patients")
  counts no one who was treated;
- otherwise the largest count the study gives is its size, and with no count at all a single
  patient described ("a 54-year-old woman", "we report the case of a man") is one.
"""

from __future__ import annotations

from collections.abc import Sequence

from litwatch.judging.rules.patterns import may_match, pattern, words
from litwatch.judging.rules.sentences import Sentence

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
# A ratio ("randomly assigned 1:1 to rituximab") is no count: neither side of the colon.
NUM = (
    r"(?<![\w.:-])(\d[\d,]*|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    r"nineteen)(?!\d|\.\d|:\d)"
)
_NOUN = r"(?:patients|participants|subjects|individuals|women|men|adults|children|cases)\b"
_N_EQUALS = pattern(r"\bn\s*=\s*(\d[\d,]*)")
_PEOPLE_WORD = pattern(_NOUN)
# A count, then up to six describing words ("23 primary autoimmune haemolytic anaemia
# (AIHA) patients"), then the noun.
_COUNT_BEFORE = pattern(
    rf"{NUM} (?:(?!(?:weeks?|months?|years?|days?|mg|times|and|or|of|with|in|were|was|had|"
    r"from|to|at)\b)[a-z][\w-]* |\([a-z0-9-]+\) ){0,6}$"
)
_TOTAL = pattern(rf"a total of {NUM}\b")
_DRUG = r"(?:rituximab|rtx|anti-cd20)"
# "20 were enrolled and treated with", "20 met the criteria and received"
_ADMITTED = (
    r"(?:(?:enrolled|included|recruited|selected|eligible|met the (?:\w+ )?criteria),? and "
    r"(?:were |had )?)?"
)
# Counts that belong to the rituximab-treated group.
_TREATED = [
    pattern(
        rf"\b{_DRUG}[\w-]*(?: (?:group|arm|cohort|treatment|patients|users|recipients))?"
        r"\s*\(n\s*=\s*(\d+)"
    ),
    pattern(rf"(?<!in ){NUM} {_DRUG} (?:patients|recipients|users)\b"),
    pattern(rf"{NUM} of (?:whom|them) (?:had )?(?:received|were treated with|were given) {_DRUG}"),
    pattern(rf"{NUM} (?:[a-z-]+ ){{0,2}}{_DRUG}-(?:treated|exposed)\b"),
    pattern(
        rf"{NUM} (?:[a-z-]+ ){{0,3}}{_NOUN}(?: [a-z-]+){{0,3}} (?:were |had been )?"
        rf"(?:treated|given|receiving|who received|received|on|starting|started)"
        rf"(?: (?:with|on))? {_DRUG}\b"
    ),
    pattern(rf"(?<!in ){NUM}(?: \([\d.]+%\))? {_NOUN} in the {_DRUG} (?:group|arm|cohort)"),
    pattern(
        rf"\b{_DRUG} (?:was|were|had been|has been) (?:given|administered|used) (?:to|in) {NUM} "
        rf"(?:{_NOUN}|of (?:them|these|whom))"
    ),
    # "the number of RTX-treated patients was 14"
    pattern(
        rf"\bnumber of (?:[\w-]+ ){{0,2}}?{_DRUG}-treated (?:[\w-]+ ){{0,3}}?(?:was|were) {NUM}"
    ),
    # "rituximab-treated patients (33)"
    pattern(rf"\b{_DRUG}[\w-]* (?:group|arm|cohort|patients) \((\d+)\)"),
    # "76 were randomised to rituximab", "37 (38%) received RTX", "40 to rituximab"
    pattern(
        rf"(?<!in ){NUM}(?: \([\d.]+%\))? (?:{_NOUN} )?(?:were |had been |had )?{_ADMITTED}"
        rf"(?:randomi[sz]ed "
        rf"|assigned |allocated )?(?:to (?:receive )?(?:the )?|received |were given |exposed to |"
        rf"(?:were )?treated with |on ){_DRUG}"
    ),
    # "the rituximab group (37 patients)", "rituximab arm: 37 patients"
    pattern(rf"\b{_DRUG}(?: group| arm| cohort)?(?::|,)? \(?{NUM} {_NOUN}"),
]
_EACH_ARM = pattern(rf"{NUM} (?:{_NOUN} )?(?:in|per) each (?:treatment )?(?:group|arm)")
_NOT_ACTIVE = (
    r"(?!placebo|control|usual|standard|sham|observation|no\b|study\b|whole|overall|total)"
)
# The size of an active arm of any drug: "52 were assigned to abatacept", "48 patients in
# the tocilizumab group".
_ACTIVE_ARM = [
    pattern(
        rf"(?<!in ){NUM}(?: {_NOUN})? (?:were )?(?:randomi[sz]ed|assigned|allocated) to "
        rf"(?:receive )?(?:the )?{_NOT_ACTIVE}[a-z]"
    ),
    pattern(rf"(?<!in ){NUM} {_NOUN} in the {_NOT_ACTIVE}[\w-]+ (?:group|arm)\b"),
]
_GROUP_LIST = pattern(r"\(n\s*=\s*\d+\)[^()]{1,40}?\(n\s*=\s*\d+\)")
_CONTROL_GROUP = pattern(r"\b(?:controls?|placebo|healthy|untreated)\b[^(,;]{0,25}\(n$")
_HARM = words(
    r"adverse|infusion|reactions?|infections?|infectious|died|deaths?|neutropeni\w*|"
    r"hypogammaglobulin\w*|discontinu\w*|withdr\w*|side effects?|complications?|toxicit\w*|"
    r"pneumonia|herpes|sepsis"
)
_HARMED_COUNT = pattern(
    r"\b(?:in|among) \S+ \w+|\w+ (?:had|developed|experienced|reported|suffered|died)\b"
)
_ENROLLED = words(
    r"treated|received|receiving|given|included|enrolled|recruited|randomi[sz]ed|"
    r"identified|studied|analy[sz]ed|assigned|followed"
)
_ONE_CASE = pattern(
    r"\b(?:an?|our|one|the) \d{1,3}[- ]?(?:year|yr)s?[- ]old\b"
    r"|\b(?:an?|our|the) (?:woman|man|girl|boy|lady|patient) (?:aged|of) \d"
    r"|\bthe case of an? \b|\bour patient\b"
)
# "we present a patient with ...", "a woman in her forties": read only where its words are.
_ONE_PRESENTED = pattern(
    r"\b(?:we (?:report|present|describe)|this report concerns) (?:an?|one) "
    r"(?:patient|woman|man|girl|boy|female|male)\b"
    r"|^an? (?:woman|man|girl|boy) in (?:her|his) (?:twenties|thirties|forties|fifties|sixties|"
    r"seventies|eighties|teens)\b"
)
_CASE_TITLE = pattern(r"\bcase report\b|\ba case of\b|: a case\b")


def to_int(token: str) -> int | None:
    """'29', '1,024', 'seven' or 'forty-three' as an int."""
    token = token.replace(",", "").lower()
    if token.isdigit():
        return int(token)
    if token in _TENS:
        return _TENS[token]
    tens, _, unit = token.partition("-")
    if tens in _TENS and unit in _WORDS:
        return _TENS[tens] + _WORDS[unit]
    return _WORDS.get(token)


def patient_count(sentences: Sequence[Sentence]) -> int | None:
    """The number of patients the study's own sentences give, if any."""
    own = [s for s in sentences if s.role not in ("background", "outlook")]
    treated: list[int] = []
    arms: list[int] = []
    counts: list[int] = []
    for s in own:
        if s.numeric:
            _read(s.lower, treated, arms, counts)
    if treated:
        return max(treated)
    if arms:
        return max(arms)
    if counts:
        return max(counts)
    return 1 if any(_one_case(s) for s in own) else None


def _one_case(s: Sentence) -> bool:
    """A single patient described: "a 54-year-old woman", a title calling itself a case report."""
    one = may_match(_ONE_CASE, s.lower) and _ONE_CASE.search(s.lower) is not None
    if s.role == "title":
        return _CASE_TITLE.search(s.lower) is not None or one
    if s.role == "registration":
        return False
    if one:
        return True
    low = s.lower
    hint = "we " in low or "report" in low or " in her " in low or " in his " in low
    return hint and _ONE_PRESENTED.search(low) is not None


def _read(low: str, treated: list[int], arms: list[int], counts: list[int]) -> None:
    """Sort the counts of one sentence into treated-group, per-arm and plain counts."""
    if "rituximab" in low or "rtx" in low or "anti-cd20" in low:
        treated += [
            v
            for p in _TREATED
            if may_match(p, low)
            for m in p.finditer(low)
            if (v := _value(m.group(1)))
        ]
    if " each " in low:
        arms += [v for m in _EACH_ARM.finditer(low) if (v := _value(m.group(1)))]
    if " to " in low or " in the " in low:
        arms += [
            v
            for p in _ACTIVE_ARM
            if may_match(p, low)
            for m in p.finditer(low)
            if (v := _value(m.group(1)))
        ]
    harmed: bool | None = None  # read when a count is first found: most sentences give none
    tokens: list[str] = []
    if "n=" in low or "n =" in low:
        tokens += _listed(low)
    if "total of" in low:
        tokens += [m.group(1) for m in _TOTAL.finditer(low)]
    people = _PEOPLE_WORD.finditer(low) if may_match(_PEOPLE_WORD, low) else ()
    for m in people:
        before = _COUNT_BEFORE.search(low, max(0, m.start() - 70), m.start())
        # In "49 of 132 patients" or "12/40 patients" the cohort is the second number.
        while before and (" of " in before.group(0) or "/" in before.group(0)):
            text = before.group(0)
            cut = max(text.rfind(" of ") + 4, text.rfind("/") + 1)
            before = _COUNT_BEFORE.search(low, before.start() + cut, m.start())
        # "infusion reactions occurred in 6 patients", "6 patients had infections"
        if before is None:
            continue
        if harmed is None:
            harmed = _HARM.search(low) is not None and _ENROLLED.search(low) is None
        if not (harmed and _HARMED_COUNT.search(low, max(0, before.start() - 9), m.end() + 30)):
            tokens.append(before.group(1))
    counts += [v for token in tokens if (v := _value(token))]


def _listed(low: str) -> list[str]:
    """The "(n = ...)" counts of a sentence; a list of groups given side by side is summed."""
    found = [(m.start(), m.group(1)) for m in _N_EQUALS.finditer(low)]
    if len(found) < 2 or _GROUP_LIST.search(low) is None:
        return [token for _start, token in found]
    parts = [
        int(token.replace(",", ""))
        for start, token in found
        if _CONTROL_GROUP.search(low, max(0, start - 40), start + 1) is None
    ]
    return [token for _start, token in found] + [str(sum(parts))]


def _value(token: str) -> int | None:
    value = to_int(token)
    # A four-digit number before "patients" may be a year ("In 2019 patients...").
    if value and value < 100_000 and not (1950 <= value <= 2035 and "," not in token):
        return value
    return None
