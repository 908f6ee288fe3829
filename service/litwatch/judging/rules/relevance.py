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
from litwatch.judging.rules.patterns import split_alternatives, tagged_words
from litwatch.judging.rules.sentences import Sentence
from litwatch.judging.rules.terms import Match

_GUIDELINE_WORDS = (
    r"guidelines?|recommendations?|consensus|delphi|task force|position statement|"
    r"best practice|treatment algorithm"
)
# Words of mechanism studies, of studies of costs or practice, and of guidelines, counted in
# one pass over the article.
_KIND_CUES, _KIND_OF_TAG = tagged_words(
    {
        "mechanism": split_alternatives(cues.LAB_WORDS),
        "elsewhere": split_alternatives(cues.ELSEWHERE_WORDS),
        "guideline": split_alternatives(_GUIDELINE_WORDS),
    }
)
_GUIDELINE_TYPES = ("guideline", "practice guideline", "consensus development conference")
_MESH_INTERVENTION = ("rituximab", "antigens, cd20")
_MESH_CONDITION = ("scleroderma, systemic", "scleroderma, diffuse", "scleroderma, limited")


@dataclass(slots=True)
class Relevance:
    label: str  # core | related | off
    score: float
    reasons: list[str] = field(default_factory=list)


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
    mesh_low = [m.lower() for m in mesh]
    types = [t.lower() for t in publication_types]
    # Sentence by sentence where the intervention (I), condition (C), comparators (X) and
    # mixed populations (M) are named; the title, when there is one, is sentence 0.
    title_at = 0 if sentences and sentences[0].role == "title" else -1
    i_at, c_at = set(naming.get("I", ())), set(naming.get("C", ()))
    i_title, c_title = title_at in i_at, title_at in c_at
    m_title = title_at in naming.get("M", ())
    x_title = False
    comparators: set[str] = set()
    for index in naming.get("X", ()):
        low = sentences[index].lower
        named = {low[m.start : m.end] for m in matches[index] if "X" in m.categories}
        named.discard("placebo")
        x_title = x_title or (index == title_at and bool(named))
        comparators |= named
    i_count = sum(
        "I" in m.categories for index in i_at if index != title_at for m in matches[index]
    )
    c_count = len(c_at - {title_at})
    mixed = sum(
        "M" in m.categories
        for index in naming.get("M", ())
        if index != title_at and sentences[index].role not in ("background", "outlook")
        for m in matches[index]
    )
    i_aim = any(sentences[index].role == "aim" for index in i_at if index != title_at)
    cooccur = len(i_at & c_at)
    mesh_i = any(m in _MESH_INTERVENTION for m in mesh_low)
    mesh_c = any(m in _MESH_CONDITION for m in mesh_low)
    has_i = i_title or i_count > 0 or mesh_i
    has_c = c_title or c_count > 0 or mesh_c
    reasons: list[str] = []
    if not has_i or not has_c:
        missing = "intervention" if not has_i else "condition"
        return Relevance("off", 0.05 if not (has_i or has_c) else 0.15, [f"no {missing} named"])
    strength = (
        0.3 * i_title + 0.2 * c_title + 0.15 * min(i_count, 4) / 4
        + 0.15 * min(cooccur, 3) / 3 + 0.1 * i_aim + 0.1 * (mesh_i and mesh_c)
    )  # fmt: skip
    text = " ".join(s.lower for s in sentences)
    title = sentences[0].lower if sentences and sentences[0].role == "title" else ""
    if m_title or (mixed >= 2 and not (c_title and not m_title) and mixed >= c_count):
        reasons.append("a mixed population: the condition is one subgroup")
        return Relevance("related", round(0.35 + 0.2 * strength, 3), reasons)
    counts = dict.fromkeys(("mechanism", "elsewhere", "guideline"), 0)
    in_title: set[str] = set()
    for m in _KIND_CUES.finditer(text):
        kind = _KIND_OF_TAG[m.lastgroup or ""]
        counts[kind] += 1
        if m.end() <= len(title):
            in_title.add(kind)
    mech = counts["mechanism"]
    if mech >= 3 or (mech >= 2 and "mechanism" in in_title):
        reasons.append("a mechanism study, not a clinical evaluation")
        return Relevance("related", round(0.35 + 0.2 * strength, 3), reasons)
    if "elsewhere" in in_title or counts["elsewhere"] >= 2:
        reasons.append("a study of costs or practice, not of the treatment's effect")
        return Relevance("related", round(0.35 + 0.2 * strength, 3), reasons)
    if any(t in types for t in _GUIDELINE_TYPES) or "guideline" in in_title:
        reasons.append("a guideline or recommendation")
        return Relevance("related", round(0.35 + 0.2 * strength, 3), reasons)
    if design == "review" and not (i_title and c_title):
        reasons.append("a broad review that discusses the intervention among others")
        return Relevance("related", round(0.3 + 0.2 * strength, 3), reasons)
    evaluates = i_title or i_aim or (i_count >= 2 and cooccur >= 1) or (mesh_i and i_count)
    if x_title and not i_title:
        reasons.append("another treatment is what the title evaluates")
        if i_count >= 2 and cooccur:
            return Relevance("related", round(0.3 + 0.15 * strength, 3), reasons)
        return Relevance("off", round(0.2 + 0.05 * strength, 3), reasons)
    if evaluates:
        where = "title" if i_title else "aim" if i_aim else "abstract"
        reasons.append(f"the intervention in the condition is evaluated ({where})")
        return Relevance("core", round(min(1.0, 0.6 + 0.45 * strength), 3), reasons)
    if len(comparators) >= 2 or design in ("review", "other", "systematic-review"):
        reasons.append("the intervention is one of several treatments discussed")
        return Relevance("related", round(0.3 + 0.15 * strength, 3), reasons)
    reasons.append("the intervention is named only in passing")
    return Relevance("off", round(0.2 + 0.05 * strength, 3), reasons)
