"""A digest's numbers and reasons as a clinician reads them (pure functions over plain data).

``number_parts`` turns the classifier's numbers into short parts joined with a middle dot:
"n = 83", "follow-up 12 months", "mRSS −0.8 (p = 0.27)", "NCT06409545". Each number is shown
once: a p-value given with a change is not repeated, follow-up is shown in its own words and
not again in months, a trial named by its registry id is not named twice. ``why_sentence``
says in one English sentence what a judgement rests on, from its measure's change where the
abstract gives one, otherwise from the part of the abstract that carries it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.rules.changes import PERCENT_MEASURES
from litwatch.judging.rules.compiled import compiled
from litwatch.records import FindingJudgement

MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash in running text
SIGNIFICANT_BELOW = 0.05

DESIGN_LABELS = {
    "rct": "RCT",
    "non-randomised-trial": "Non-randomised trial",
    "meta-analysis": "Meta-analysis",
    "systematic-review": "Systematic review",
    "cohort": "Cohort",
    "case-series": "Case series",
    "case-report": "Case report",
    "review": "Review",
    "trial-protocol": "Trial protocol",
    "guideline": "Guideline",
    "other": "Other design",
}
# Numbers shown through another part, or not at all (follow-up is shown as written).
_SHOWN_ELSEWHERE = {"follow_up_months", "p_values", "registry_ids", "trials"}
_CHANGE_PARTS = ("_change_p", "_change_ci", "_vs")
_P = re.compile(r"\bp\s*(<|>|=|\u2264|\u2265)\s*(0?\.\d+|[01](?:\.\d+)?)", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(\S+?)[\s-]*(weeks?|wk|months?|mo|years?|yr)\s*$", re.IGNORECASE)
_BRACKETS = re.compile(r"\(([^()]+)\)\s*$")
_UNIT_WORDS = {"wk": "week", "mo": "month", "yr": "year"}
_ROLE_SUBJECTS = {
    "title": "Its title",
    "results": "Its results",
    "conclusion": "Its conclusion",
    "background": "Its summary of earlier studies",
    "other": "The abstract",
}
_STANCE_CLAUSES = {
    "supports": "this supports the finding",
    "contradicts": "this does not support the finding",
    "inconclusive": "this leaves the finding open",
    "addresses": "this addresses the open question",
}
_UNSURE_CLAUSES = {
    "supports": "this may support the finding",
    "contradicts": "this may go against the finding",
    "inconclusive": "it is unclear how this bears on the finding",
    "addresses": "this may address the open question",
}


@dataclass(frozen=True)
class Measure:
    """The measure a finding is judged by, as the knowledge base names it."""

    key: str  # the classifier's numbers key: "mrss" for "mrss_change"
    label: str  # "mRSS"
    name: str  # "modified Rodnan skin score"
    unit: str  # "points" or "percentage points"


def measures_of(kb: KnowledgeBase) -> dict[str, Measure]:
    """Finding id -> its measure, for the findings judged by a measure moving one way."""
    out = {}
    for finding_id, (key, label) in compiled(kb).measure_names.items():
        finding = kb.get(finding_id)
        name = finding.outcome.name if finding else label
        unit = "percentage points" if key in PERCENT_MEASURES else "points"
        out[finding_id] = Measure(key, label, name.split(",")[0].strip(), unit)
    return out


def signed(value: float) -> str:
    """'−0.8', '+1.4', '0': the sign always written, with a real minus."""
    if value == 0:
        return "0"
    return f"{MINUS if value < 0 else '+'}{abs(value):g}"


def p_text(raw: str) -> str:
    """'p=0.27' -> 'p = 0.27', 'p&lt;.001' -> 'p < 0.001'; other text as it is."""
    m = _P.search(html.unescape(raw))
    if m is None:
        return raw.strip()
    value = m.group(2)
    return f"p {m.group(1)} {'0' + value if value.startswith('.') else value}"


def significant(raw: str) -> bool | None:
    """Whether a p-value as written is below 0.05 (None when it cannot be read)."""
    m = _P.search(html.unescape(raw))
    if m is None:
        return None
    sign, value = m.group(1), float(m.group(2))
    if sign in ("<", "\u2264"):
        return value <= SIGNIFICANT_BELOW
    if sign in (">", "\u2265"):
        return False
    return value < SIGNIFICANT_BELOW


def duration_text(raw: str) -> str:
    """'12-month' -> '12 months', '1 year' -> '1 year'; other text as it is."""
    m = _DURATION.match(raw)
    if m is None:
        return raw.strip()
    count, unit = m.group(1), m.group(2).lower()
    unit = _UNIT_WORDS.get(unit, unit).rstrip("s")
    return f"{count} {unit}" + ("" if count in ("1", "one") else "s")


def _labels(measures: Mapping[str, Measure]) -> dict[str, str]:
    return {m.key: m.label for m in measures.values()}


def _change_part(key: str, label: str, numbers: Mapping[str, Any]) -> str:
    text = f"{label} {signed(float(numbers[f'{key}_change']))}"
    if numbers.get(f"{key}_vs"):
        text += f" vs {numbers[f'{key}_vs']}"
    extra = []
    if numbers.get(f"{key}_change_p"):
        extra.append(p_text(str(numbers[f"{key}_change_p"])))
    ci = numbers.get(f"{key}_change_ci")
    if isinstance(ci, Sequence) and len(ci) == 2:
        extra.append(f"95% CI {signed(float(ci[0]))} to {signed(float(ci[1]))}")
    return text + (f" ({'; '.join(extra)})" if extra else "")


def number_parts(numbers: Mapping[str, Any], measures: Mapping[str, Measure]) -> list[str]:
    """The numbers of one article as short parts, each number once, most useful first."""
    labels = _labels(measures)
    parts = []
    if numbers.get("n"):
        parts.append(f"n = {numbers['n']}")
    if numbers.get("n_studies"):
        parts.append(f"{numbers['n_studies']} studies")
    if numbers.get("follow_up"):
        parts.append(f"follow-up {duration_text(str(numbers['follow_up']))}")
    changes = [k.removesuffix("_change") for k in numbers if k.endswith("_change")]
    order = {key: i for i, key in enumerate(labels)}
    changes.sort(key=lambda k: (order.get(k, len(order)), k))
    given = set()
    for key in changes:
        parts.append(_change_part(key, labels.get(key, key.upper()), numbers))
        if numbers.get(f"{key}_change_p"):
            given.add(p_text(str(numbers[f"{key}_change_p"])))
    others = [p_text(str(p)) for p in numbers.get("p_values") or []]
    others = list(dict.fromkeys(p for p in others if p not in given))
    if others:
        parts.append(", ".join(others))
    trials = [
        str(t) for t in [*(numbers.get("registry_ids") or []), *(numbers.get("trials") or [])]
    ]
    if trials:
        parts.append(", ".join(dict.fromkeys(trials)))
    handled = {"n", "n_studies", "follow_up", *_SHOWN_ELSEWHERE}
    handled |= {f"{k}_change" for k in changes} | {
        f"{k}{s}" for k in changes for s in _CHANGE_PARTS
    }
    for key, value in numbers.items():
        if key not in handled and value not in (None, "", [], {}):
            shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
            parts.append(f"{key.replace('_', ' ')} {shown}")
    return parts


def _clause(judgement: FindingJudgement) -> str:
    table = _UNSURE_CLAUSES if judgement.needs_review else _STANCE_CLAUSES
    return table.get(judgement.stance, f"this {judgement.stance} the finding")


def _moved(measure: Measure, numbers: Mapping[str, Any]) -> str:
    """'The modified Rodnan skin score fell by 0.8 points at 12 months, not significantly
    (p = 0.27)'; '' when the abstract gives no change of the measure."""
    value = numbers.get(f"{measure.key}_change")
    if value is None:
        return ""
    value = float(value)
    if value == 0:
        moved = "did not change"
    else:
        moved = f"{'fell' if value < 0 else 'rose'} by {abs(value):g} {measure.unit}"
        if numbers.get(f"{measure.key}_vs"):
            moved += f" more than with {numbers[f'{measure.key}_vs']}"
    text = f"The {measure.name} {moved}"
    if numbers.get("follow_up"):
        text += f" at {duration_text(str(numbers['follow_up']))}"
    p = numbers.get(f"{measure.key}_change_p")
    if p:
        sig = significant(str(p))
        word = {True: "significantly", False: "not significantly", None: ""}[sig]
        text += f", {word} ({p_text(str(p))})" if word else f" ({p_text(str(p))})"
    return text


def _role(reason: str) -> str:
    """The part of the abstract a reason names first: 'contradicts: conclusion: ...'."""
    pieces = [p.strip() for p in reason.split(":")]
    return pieces[1] if len(pieces) > 2 else ""


def why_sentence(
    judgement: FindingJudgement, numbers: Mapping[str, Any], measure: Measure | None, design: str
) -> str:
    """One plain sentence: what the judgement of a finding rests on, and what it means."""
    clause = _clause(judgement)
    see = ": see the sentence below" if judgement.evidence else ""
    if judgement.stance == "addresses":
        if design == "trial-protocol":
            return f"A protocol: the trial has not reported yet, so {clause} once it does."
        kind = DESIGN_LABELS.get(design, design)
        said = _BRACKETS.search(judgement.reason)
        what = f" ({said.group(1)})" if said else ""
        return f"A reported {kind if kind.isupper() else kind.lower()}{what}, so {clause}."
    moved = _moved(measure, numbers) if measure else ""
    if moved:
        return f"{moved}, so {clause}."
    role = _role(judgement.reason)
    subject = _ROLE_SUBJECTS.get(role, "The abstract")
    if numbers.get("follow_up") and measure is None:
        subject += f", over {duration_text(str(numbers['follow_up']))} of follow-up,"
    return f"{subject} {_verb(judgement, plural=role == 'results')}{see}."


def _verb(judgement: FindingJudgement, *, plural: bool) -> str:
    if judgement.needs_review:
        return {
            "supports": "may support the finding",
            "contradicts": "may go against the finding",
        }.get(judgement.stance, "may leave the finding open")
    verbs = {
        "supports": ("supports", "support"),
        "contradicts": ("goes against", "go against"),
        "inconclusive": ("leaves", "leave"),
    }
    verb = verbs.get(judgement.stance, verbs["inconclusive"])[plural]
    return f"{verb} the finding" + (" open" if verb.startswith("leave") else "")


def stance_phrase(judgement: FindingJudgement) -> str:
    """The stance in words: 'supports', 'does not support', 'may support (needs review)'."""
    plain = {
        "supports": "supports",
        "contradicts": "does not support",
        "inconclusive": "leaves open",
        "addresses": "addresses",
    }
    unsure = {
        "supports": "may support",
        "contradicts": "may not support",
        "inconclusive": "leaves open",
        "addresses": "may address",
    }
    if judgement.needs_review:
        return unsure.get(judgement.stance, judgement.stance) + " (needs review)"
    return plain.get(judgement.stance, judgement.stance)
