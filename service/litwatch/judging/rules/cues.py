"""Cue words that say which way a sentence moves a measure, and how firmly.

Rules, as a rheumatologist would read a results sentence about the measure:

* improvement stated, or the measure moving the supporting way -> supports;
* improvement negated ("did not improve", "no significant improvement", "failed to") or the
  measure moving the other way, or worsening -> contradicts;
* stability ("remained stable", "unchanged", "no change", "did not worsen", "prevented the
  decline") -> inconclusive. In progressive fibrosis a clinician may count a stable FVC as a
  benefit, but it is neither the rise the finding claims nor its opposite: we show it as
  inconclusive, with the sentence, and let the reader weigh it. For a durability finding
  ("benefit persists") stability after treatment is what the finding claims, so it supports;
* a change hedged by non-significance ("trend towards", "numerically", "did not reach
  significance", every p >= 0.05) -> inconclusive;
* "no significant difference" against placebo -> contradicts; against an active drug it
  says nothing about the intervention on its own -> inconclusive.
"""

from __future__ import annotations

from litwatch.judging.rules.patterns import may_match, pattern, words

IMPROVE = words(
    r"improv\w*|benefi\w*|ameliorat\w*|regress(?:ed|ion)|soften\w*|"
    r"effective(?:ly|ness)?|reversed|reversal|recover\w*|favou?r(?:ed|s|ing)? (?!placebo|control)"
    r"\w+|successful(?:ly)?|resolved|disappear(?:ed|ance)"
)
DOWN = words(
    r"decreas\w*|declin\w*|reduc\w*|fell|fall(?:s|ing)?|dropp?\w*|lower(?:ed|ing)?|"
    r"diminish\w*|loss"
)
UP = words(r"increas\w*|rose|ris(?:e|es|ing)|gain\w*|higher|elevat\w*|grew")
WORSE = words(
    r"favou?r(?:ed|s|ing)? (?:placebo|control)|worsen\w*|deteriorat\w*|"
    r"progress(?:ed|ion)|aggravat\w*|exacerbat\w*|"
    r"flare\w*"
)
STABLE = words(
    # "stable or improved": stability with some gains is still no rise of the mean.
    r"stable or (?:improved|better)|improved or (?:stable|stabili[sz]ed)|"
    r"stable|stabili[sz]\w*|unchanged|unaltered|preserved|plateau\w*|"
    r"no (?:significant |relevant |meaningful |major |further )?(?:change|changes)\b|"
    r"did not (?:significantly )?change|remained (?:similar|constant|steady)",
    end=False,
)
# "the decline was significantly smaller with rituximab": a slower fall is a benefit.
LESS_DECLINE = pattern(
    r"\b(?:declin\w*|loss|fall|deteriorat\w*)\b[^.;]{0,40}?\b(?:was|were)\s+(?:\w+\s+)?"
    r"(?:smaller|less|slower|lower|attenuated)\b"
    r"|\b(?:smaller|less|slower|lower) (?:\w+ )?(?:declin\w*|loss|fall|deteriorat\w*)\b"
)
# "improved at 6 months, but not at 12 months" / "but only in ...": the result is mixed.
MIXED_AFTER = pattern(
    r"\W*(?:but|although|however|while|whereas)?,?\s*(?:this was )?(?:not|only) "
    r"(?:at|in|after|among|for|by|during|until) "
)
CI = pattern(
    r"\b95\s*% ?(?:ci|confidence interval)[:,]?\s*(-?\d+(?:\.\d+)?)\s*(?:to|,|;)\s*"
    r"(-?\d+(?:\.\d+)?)"
)
NULL_COMPARE = words(
    r"no differences? (?:between|in|from|compared)|"
    r"no (?:statistically )?significant (?:between-group )?differen\w*|"
    r"not (?:statistically )?(?:significantly )?differ\w*|did not (?:significantly )?differ|"
    r"similar (?:to|between|in both)|comparable"
)
# A worsening word after these is what was undone: "reversed the progression of fibrosis"
# (after "prevented" or "halted" it is what was held off: see PREVENT).
REVERSAL = words(r"revers\w*|regress\w*|resolution of")
PREVENT = words(
    r"prevent\w*|halt\w*|slow\w*|attenuat\w*|arrest\w*|stopp\w*|protect\w*|"
    r"reduc\w* (?:the )?(?:rate of |annual )?(?:\w+ ){0,2}declin\w*"
)
# Non-significance turns a stated change into an open result.
WEAK = words(
    r"trend\w*|tended|tendency|numerical\w*|did not reach (?:statistical )?significance|"
    r"non-?significant\w*|not (?:statistically )?significant\b|marginal\w*|borderline|"
    r"insignificant\w*|failed to reach|not reach|weak(?:ly)?",
    end=False,
)
# Authors saying their evidence cannot settle the question: a result so worded stays open.
HEDGE = words(
    r"promising|encouraging|preliminary|firm conclusions?|definite conclusions?|"
    r"conclusions? (?:cannot|can not|could not) be drawn|difficult to draw|"
    r"could not (?:confirm|be confirmed|reject)|cannot (?:confirm|answer)|"
    r"insufficient evidence|limited evidence|low[- ]quality|uncertain\w*|controversial|"
    r"a matter of debate|remains? (?:unclear|unknown|to be (?:determined|established|shown))|"
    r"is (?:still )?unknown|are (?:still )?unknown|yet to be (?:determined|established|shown)"
)
# A result in part of the patients only ("improved in a subset", "in 2 of 7", "in 30% of
# patients"): mixed, so open. The counts are checked in ``partial``.
PART = pattern(
    r"\b(?:in|among) (?:only )?(?:a |one |the )?(?:subsets?|minority|few|some|subgroups?)\b"
    r"|\bonly in\b|\bin only\b|\bonly (?:one|two|three|a few|some)\b"
    r"|\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten) ?(?:/|of|out of) ?(?:the )?"
    r"(\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b(?! (?:studies|trials))"
    r"|\b(\d+(?:\.\d+)?) ?% of (?:the )?(?:patients|cases|subjects|participants)"
    r"|\b(?:patients|cases|subjects) \((\d+(?:\.\d+)?) ?%\)"
)
_COUNTS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# "worsened by over four points in no patient" or "... in none": the negation comes after
# the verb.
NONE_AFTER = pattern(r"\s(?:in|of) (?:none|no (?:patients?|one|cases?|subjects?))\b|\sin neither\b")
# A clause about the time before treatment describes where patients started, not the result.
BEFORE_TREATMENT = pattern(
    r"^\W*(?:before|prior to|in the (?:year|months?) (?:before|preceding)) "
    r"(?:the )?(?:start of |first )?(?:treatment|therapy|rituximab|rtx|initiation|infusion)"
    r"|^\W*at baseline\b"
)
# "higher skin scores at baseline": a comparison of starting values.
AT_BASELINE = pattern(r"^[^,;]{0,40}?\b(?:at|before) (?:baseline|treatment|inclusion|entry)\b")
# ... unless the words between compare with that start: "fell from 25 at baseline".
FROM_START = pattern(r"\b(?:from|than|compared|versus|vs|relative|since)\b")
MODAL = words(r"may|might|could|possibly|potentially|appear\w*|seem\w*|suggest\w*")
NEGATION = words(
    r"no|not|n't|without|neither|nor|failed to|fail to|fails to|lack of|absence of|"
    r"none|never|unable to|did not|does not|was not|were not|cannot"
)
ASSOCIATION = words(
    r"correlat\w*|associat\w*|linked|link|related to|relationship|predict\w*|"
    r"relation"
)
COMPARATIVE = words(r"greater|higher|larger|better|more|stronger")
PERSIST = words(
    r"sustain\w*|maintain\w*|persist\w*|durable|durability|continued|further improv\w*|"
    r"long-lasting|remained improved|kept"
)
WANE = words(
    r"waned|waning|wane|lost|relaps\w*|recurr\w*|recrudesc\w*|returned to baseline|"
    r"rebound\w*|not sustained|not maintained|transient"
)
# Words of laboratory and animal work: many of them mark a mechanism paper.
LAB_WORDS = (
    r"mice|murine|mouse|in vitro|fibroblasts?|cell lines?|transcriptom\w*|"
    r"gene expression|single-cell|bleomycin|flow cytometr\w*|b-cell subsets?|"
    r"b cell subsets?|cytokines?|pathogenesis|immunohistochem\w*|rna-seq\w*|"
    r"sequencing|plasmablasts?|signalling|signaling|pathways?|mechanisms?|"
    r"autoantibody production|interleukin-?\d+|il-\d+|tgf-?\w*|myofibroblasts?"
)
LAB = words(LAB_WORDS)
# Studies of costs or practice evaluate something other than the treatment's effect.
ELSEWHERE_WORDS = (
    r"cost-effective\w*|cost-utility|cost-saving|markov|budget impact|"
    r"survey|questionnaires?|prescribing|utili[sz]ation|treatment patterns?"
)
BOTH = words(
    r"both (?:groups|arms|treatments|drugs|regimens|cohorts)|in both|"
    r"either (?:drug|treatment)"
)
# A drug named just after these words is what the subject is compared with, not the subject.
COMPARED_WITH = pattern(
    r"(?:than|versus|vs\.?|compared (?:with|to)|relative to|over|against|as with|"
    r"switched from|after failure of|instead of|refractory to|resistant to|or)\s+"
    r"(?:the |those (?:on|receiving|given) |"
    r"patients (?:on|receiving|given) |in the |with )?(?:\w+ ){0,1}$"
)
# Where a sentence turns to another clause. Every alternative opens with ";", ".", "," or a
# space, so the engine looks only at those characters; after a comma and after a bare space
# the same joining words are listed twice because some may follow only one of the two.
_CHANGE_VERB = (
    r"(?=(?:it |they |then |was |were |had )?(?:improv|decreas|increas|declin|fell|rose|reduc|"
    r"worsen|deteriorat|remain|chang))"
)
_CHANGE_NOUN = (
    r"(?=(?:a |an )?(?:decrease|increase|reduction|rise|fall|change|decline|gain|improvement|"
    r"worsening|deterioration))"
)
CLAUSE = pattern(
    r";|\. however"
    r"|, (?:whereas |while |but |and in |however,? |although |and "
    + _CHANGE_VERB
    + r"|in contrast (?:with|to) |(?:versus|vs\.?|compared with) "
    + _CHANGE_NOUN
    + ")"
    r"| (?:whereas |while |but |and in the |however,? |and "
    + _CHANGE_VERB
    + r"|in contrast (?:with|to) |(?:versus|vs\.?|compared with) "
    + _CHANGE_NOUN
    + ")"
)
P_VALUE = pattern(r"\bp\s*(<|=|>|≤|≥)\s*(0?\.\d+)")


def not_significant(text: str) -> bool:
    """True when the text gives p-values and none is below 0.05."""
    if not may_match(P_VALUE, text):
        return False
    values = []
    for op, number in P_VALUE.findall(text):
        value = float(number)
        values.append(value < 0.05 or (op in ("<", "≤") and value <= 0.05))
    return bool(values) and not any(values)


def ci_includes_no_change(text: str) -> bool:
    """True when a 95% CI of a change is given and spans zero (no change is inside it)."""
    if "95" not in text:
        return False
    return any(float(a) < 0 < float(b) for a, b in CI.findall(text))


def significant(text: str) -> bool:
    """True when the text gives a p-value below 0.05."""
    if "p" not in text:
        return False
    return any(
        float(number) < 0.05 or (op in ("<", "≤") and float(number) <= 0.05)
        for op, number in P_VALUE.findall(text)
    )


def negated(low: str, start: int, floor: int = 0, reach: int = 40) -> bool:
    """True when a negation cue stands shortly before position ``start`` (not before floor)."""
    window = low[max(floor, start - reach) : start]
    return NEGATION.search(window) is not None


def partial(low: str, start: int, end: int) -> bool:
    """True when the clause places its result in part of the patients only (half or fewer)."""
    for m in PART.finditer(low, start, end):
        part, whole, share, share_in = m.group(1, 2, 3, 4)
        if part is not None:
            a = _COUNTS.get(part) or float(part)
            b = _COUNTS.get(whole) or float(whole)
            if 0 < a <= b / 2:
                return True
        elif share is not None or share_in is not None:
            if float(share or share_in) <= 50:
                return True
        else:
            return True
    return False
