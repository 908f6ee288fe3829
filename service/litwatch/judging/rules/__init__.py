"""Classify an article against the knowledge base: relevance, design, findings, numbers.

Pure functions over plain data. ``classify_article`` is the one entry point; every label it
gives carries its reason (``Classification.reasons``) and its evidence sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.rules.compiled import CompiledKB, compiled
from litwatch.judging.rules.design import detect_design
from litwatch.judging.rules.design_cues import NOTICE_TITLE
from litwatch.judging.rules.findings import judge_findings
from litwatch.judging.rules.numbers import extract_numbers, patient_count
from litwatch.judging.rules.priority import article_date, article_flags, explanation, priority
from litwatch.judging.rules.relevance import Relevance, judge_relevance
from litwatch.judging.rules.sentences import Sentence, plain, sentences_of
from litwatch.judging.rules.terms import Match, sentences_naming
from litwatch.judging.rules.trials import registry_ids, trial_names
from litwatch.records import ArticleRecord, Classification

__all__ = [
    "RULES_VERSION",
    "Draft",
    "Reranker",
    "classify_article",
    "classify_drafted",
    "rule_features",
    "trial_keys",
    "with_known_trials",
]

# Change this whenever a change of the rules can change a stored judgement: the store records
# it with each classification, and the next poll or `litwatch classify` re-classifies every
# stored article made with another.
RULES_VERSION = "2026.12-real-abstracts-3"


class Reranker(Protocol):
    """What the rules need of a learned relevance model (``litwatch.judging.learned``).

    The rules stay below the model that learns from them: they see only this shape.
    """

    def score(self, article: ArticleRecord, rule_features: Mapping[str, float]) -> float:
        """Probability that the article is relevant."""
        ...

    def adjust(self, label: str, score: float, p: float) -> tuple[str, float]:
        """The rules' relevance label and score, re-ranked with the probability."""
        ...


@dataclass(frozen=True, slots=True)
class Draft:
    """What a classification's last steps read that the classification does not keep: with
    it, ``with_known_trials`` gives what ``classify_article`` would give knowing the trials,
    without reading the article again."""

    score: float  # the relevance score unrounded
    relevance_reason: str
    reasons: tuple[str, ...]  # the reasons before the flags


def classify_article(
    article: ArticleRecord,
    kb: KnowledgeBase,
    *,
    known_trials: Mapping[str, str] | None = None,
    learned: Reranker | None = None,
    today: date | None = None,
) -> Classification:
    """Judge one article against the knowledge base, with reasons.

    known_trials maps an upper-case registry id or trial name to the pmid of an article
    already stored, so a second report of the same trial is flagged.
    """
    return classify_drafted(article, kb, known_trials=known_trials, learned=learned, today=today)[0]


def classify_drafted(
    article: ArticleRecord,
    kb: KnowledgeBase,
    *,
    known_trials: Mapping[str, str] | None = None,
    learned: Reranker | None = None,
    today: date | None = None,
) -> tuple[Classification, Draft]:
    """``classify_article``, and the draft its last steps read (``with_known_trials``)."""
    ckb = compiled(kb)
    title, sentences = _sentences(article)
    matches = [ckb.matcher.scan(s.lower, s.words, s.numeric) for s in sentences]
    naming = sentences_naming(matches)
    reasons: list[str] = []

    patients = patient_count(sentences)
    design, design_reason = detect_design(article.publication_types, sentences, patients)
    reasons.append(f"design {design}: {design_reason}")
    mesh = [m.descriptor for m in article.mesh] + list(article.keywords)
    rel = judge_relevance(sentences, matches, design, article.publication_types, mesh, naming)
    reasons.append(f"relevance {rel.label} ({rel.score:.2f}): {'; '.join(rel.reasons)}")
    label, score, model = _rerank(article, rel, design, learned, reasons)

    judgements = []
    if label != "off" and not _is_notice(article, sentences):
        judgements = judge_findings(ckb, sentences, matches, design, label, naming)
    for j in judgements:
        reasons.append(f"{j.finding_id}: {j.reason} (confidence {j.confidence:.2f})")

    spans = _measure_spans(ckb, matches, naming)
    numbers = extract_numbers(sentences, spans, _directions(kb, ckb), patients)
    _add_trials(numbers, [title, *(s.text for s in sentences)], article.registry_ids)
    draft = Draft(score, "; ".join(rel.reasons), tuple(reasons))
    first = Classification(
        pmid=article.pmid,
        relevance=label,
        relevance_score=round(score, 3),
        design=design,
        findings=judgements,
        numbers=numbers,
        kb_version=kb.version,
        model=model,
    )
    return with_known_trials(article, kb, first, draft, known_trials, today), draft


def with_known_trials(
    article: ArticleRecord,
    kb: KnowledgeBase,
    c: Classification,
    draft: Draft,
    known_trials: Mapping[str, str] | None,
    today: date | None,
) -> Classification:
    """``c`` (made from ``draft``) with its flags, priority, explanation and reasons as the
    trials already stored make them: the same as classifying the article again knowing them."""
    same = _same_trial(article.pmid, c.numbers, known_trials)
    open_questions = {f.id for f in kb.findings if f.kind == "open-question"}
    flags = article_flags(article, c.findings, c.design, open_questions, same)
    reasons = list(draft.reasons) + ([f"flags: {', '.join(flags)}"] if flags else [])
    published = article_date(article)
    args = (c.relevance, draft.score, c.design, c.numbers, c.findings, flags, published, today)
    line = explanation(
        c.design,
        c.numbers,
        c.findings,
        c.relevance,
        draft.relevance_reason,
        compiled(kb).measure_names,
        flags,
    )
    return replace(c, flags=flags, priority=priority(*args), explanation=line, reasons=reasons)


def _sentences(article: ArticleRecord) -> tuple[str, list[Sentence]]:
    """The plain title, and the title and abstract as role-tagged sentences."""
    title = plain(article.title)
    sections = [
        (_section_name(s.nlm_category, s.label), plain(s.text)) for s in article.abstract_sections
    ]
    return title, sentences_of(title, sections)


def _is_notice(article: ArticleRecord, sentences: Sequence[Sentence]) -> bool:
    """An erratum, correction or retraction notice: it reports no results of its own, so
    whatever it repeats of the corrected article is no judgement of a finding."""
    if article.is_retraction_notice or "Published Erratum" in article.publication_types:
        return True
    if any(c.ref_type == "ErratumFor" for c in article.comments_corrections):
        return True
    title = sentences[0].lower if sentences and sentences[0].role == "title" else ""
    hints = ("errat", "corr", "retract", "concern")
    return any(h in title for h in hints) and NOTICE_TITLE.search(title) is not None


def _rerank(
    article: ArticleRecord,
    rel: Relevance,
    design: str,
    learned: Reranker | None,
    reasons: list[str],
) -> tuple[str, float, str]:
    """(label, score, model): the rules' relevance, re-ranked when there is a learned model."""
    if learned is None:
        return rel.label, rel.score, "rules"
    p = learned.score(article, rule_features(rel.label, rel.score, design))
    label, score = learned.adjust(rel.label, rel.score, p)
    reasons.append(f"learned relevance p={p:.2f} -> {label} ({score:.2f})")
    return label, score, "rules+learned"


def _measure_spans(
    ckb: CompiledKB, matches: Sequence[list[Match]], naming: dict[str, list[int]]
) -> dict[str, list[tuple[int, int, int]]]:
    """Measure key -> (sentence index, start, end) of every mention of its terms."""
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for finding_id, (key, _label) in ckb.measure_names.items():
        term_key = f"T:{finding_id}"
        spans[key] = [
            (index, m.start, m.end)
            for index in naming.get(term_key, ())
            for m in matches[index]
            if term_key in m.categories
        ]
    return spans


def _directions(kb: KnowledgeBase, ckb: CompiledKB) -> dict[str, str]:
    """Measure key -> the direction its finding calls an improvement."""
    return {
        key: kb_finding.supports_direction
        for kb_finding in kb.findings
        for fid, (key, _l) in ckb.measure_names.items()
        if kb_finding.id == fid
    }


def _add_trials(numbers: dict[str, Any], texts: list[str], declared: Sequence[str]) -> None:
    """Add the registry ids and trial names the article gives, when it gives any."""
    ids = registry_ids(texts, declared)
    if ids:
        numbers["registry_ids"] = ids
    trials = trial_names(texts)
    if trials:
        numbers["trials"] = trials


def _same_trial(
    pmid: str, numbers: dict[str, Any], known_trials: Mapping[str, str] | None
) -> list[str]:
    """Stored articles (other than this one) that name a trial this one names."""
    same: list[str] = []
    if known_trials:
        for key in [*numbers.get("registry_ids", []), *numbers.get("trials", [])]:
            found = known_trials.get(key)
            if found and found != pmid and found not in same:
                same.append(found)
    return same


def trial_keys(article: ArticleRecord, classification: Classification) -> list[str]:
    """Registry ids and trial names the article names, upper-case, for the same-trial index."""
    keys = list(classification.numbers.get("registry_ids", []))
    keys += [t for t in classification.numbers.get("trials", []) if t not in keys]
    for raw in registry_ids([], article.registry_ids):
        if raw not in keys:
            keys.append(raw)
    return [k.upper() for k in keys]


def rule_features(relevance: str, score: float, design: str) -> dict[str, float]:
    """The rule outputs a learned model sees beside the text."""
    features = {"rule_score": score}
    for name in ("core", "related", "off"):
        features[f"rule_{name}"] = float(relevance == name)
    features[f"design_{design}"] = 1.0
    return features


def _section_name(category: str, label: str) -> str:
    # NLM's category is the normalised name; "UNASSIGNED" means only the label says anything.
    return category if category and category.upper() != "UNASSIGNED" else label
