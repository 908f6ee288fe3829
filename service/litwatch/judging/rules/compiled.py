"""A knowledge base turned into matchers once, and reused for every article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.rules.terms import TermMatcher, build_matcher

_CACHE: dict[str, CompiledKB] = {}


@dataclass(slots=True)
class CompiledKB:
    kb: KnowledgeBase
    matcher: TermMatcher
    effect_keys: frozenset[str]  # term categories of the decrease/increase findings
    measure_names: dict[str, tuple[str, str]]  # finding id -> (numbers key, display label)


def compiled(kb: KnowledgeBase) -> CompiledKB:
    """The compiled form of a knowledge base, built on first use and cached by version."""
    found = _CACHE.get(kb.version)
    if found is not None and found.kb is kb:
        return found
    categories: dict[str, tuple[str, ...]] = {
        "I": kb.topic.intervention,
        "C": kb.topic.condition,
        "E": kb.topic.condition_exclude,
        "X": kb.topic.comparators,
        "M": kb.topic.mixed_population,
    }
    measure_names: dict[str, tuple[str, str]] = {}
    effect_keys = set()
    for f in kb.findings:
        # "~term": a proxy, read only in case reports (see findings.py).
        categories[f"T:{f.id}"] = tuple(t for t in f.outcome.terms if not t.startswith("~"))
        proxies = tuple(t[1:] for t in f.outcome.terms if t.startswith("~"))
        if proxies:
            categories[f"P:{f.id}"] = proxies
        if f.context:
            categories[f"K:{f.id}"] = f.context
        for n, group in enumerate(f.all_of):
            categories[f"G:{f.id}:{n}"] = group
        if f.supports_direction in ("decrease", "increase"):
            effect_keys.add(f"T:{f.id}")
            label = f.outcome.short or f.outcome.name
            key = re.sub(r"[^a-z0-9]+", "_", label.lower().split()[0]).strip("_")
            measure_names[f.id] = (key, label)
    result = CompiledKB(kb, build_matcher(categories), frozenset(effect_keys), measure_names)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[kb.version] = result
    return result
