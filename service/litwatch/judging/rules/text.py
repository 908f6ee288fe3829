"""Text plumbing for the classifier: plain text, sentences with their role, term matching.

Sentences carry a *role* (title, background, aim, methods, results, conclusion, outlook,
other) because a finding is reported by an article's results and conclusions, not by the
background it cites or the trials it says are still needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from litwatch.judging.rules.patterns import pattern, tagged_words
from litwatch.pubmed.markup import to_plain

# Dashes and minus signs all become "-", so "−6.3" and "6.3-fold" read the same way.
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-"})
_ABBREVIATIONS = frozenset(
    "vs e.g i.e et al fig figs approx no dr ca cf resp i.v s.c p.o n.s ref refs incl".split()
)
_BOUNDARY = pattern(r"[.!?](\s+)")  # group 1: the space that ends a sentence
_LAST_TOKEN = pattern(r"(?<![\w.])([\w.]+)\.$")
_LABEL = pattern(r"(?:^|(?<=[.!?\n]))\s*([A-Z][A-Za-z ,&/]{2,48}):\s+")

ROLE_OF_LABEL = {
    **dict.fromkeys(
        "background introduction objective objectives aim aims purpose importance rationale "
        "context hypothesis".split(),
        "background",
    ),
    **dict.fromkeys(
        [
            "methods", "method", "design", "setting", "participants", "patients",
            "interventions", "intervention", "measurements", "main outcomes and measures",
            "main outcome measures", "study design", "materials and methods",
            "patients and methods", "evidence review", "data sources", "study selection",
            "data extraction", "exposures", "design, setting, and participants",
            "methods and analysis", "ethics and dissemination", "search methods",
            "selection criteria", "data collection and analysis", "eligibility criteria",
        ],
        "methods",
    ),
    **dict.fromkeys(
        [
            "results", "result", "findings", "observations", "case presentation",
            "case report", "case", "case description", "main results", "case summary",
        ],
        "results",
    ),
    **dict.fromkeys(
        [
            "conclusion", "conclusions", "conclusions and relevance", "interpretation",
            "discussion", "implications", "significance", "summary", "authors' conclusions",
            "conclusion and relevance",
        ],
        "conclusion",
    ),
    **dict.fromkeys(
        ["trial registration", "registration", "funding", "clinical trial registration"],
        "registration",
    ),
}  # fmt: skip

# Cue words that give a sentence its role, by family, read in one pass (see patterns.py).
_ROLE_CUE_FAMILIES: dict[str, list[str]] = {
    "outlook": [
        r"are (?:still )?(?:needed|warranted|required)",
        r"is (?:still )?(?:needed|warranted|required)",
        r"remains? (?:still )?(?:needed|warranted|required)",
        r"should be (?:confirmed|evaluated|explored|investigated|validated)",
        r"future (?:studies|trials|research)",
        r"further (?:studies|trials|research|investigation)",
        r"needs? to be (?:confirmed|evaluated|determined)",
    ],
    "aim": [
        r"we aimed",
        r"the aims? (?:of|was|were)",
        r"aimed to",
        r"objective (?:of|was)",
        r"purpose of",
        r"was to (?:evaluate|assess|investigate|examine|determine|compare|describe)",
        r"were to (?:evaluate|assess|investigate|examine|determine|compare|describe)",
        r"we sought",
        r"we hypothesi[sz]ed",
        r"this (?:study|trial|review) (?:aims|will)",
    ],
    "conclusion": [
        r"in conclusion",
        r"conclusions?",
        r"we conclude",
        r"taken together",
        r"in summary",
        r"overall(?=,)",
        r"these (?:results|findings|data) (?:suggest|indicate|show|support|demonstrate|confirm)",
        r"our (?:results|findings|data) (?:suggest|indicate|show|support|demonstrate|confirm)",
        r"the (?:results|findings|data) (?:suggest|indicate|show|support|demonstrate|confirm)",
    ],
    "methods": [
        r"were (?:enrolled|included|randomi[sz]ed|assigned|allocated|recruited|collected|"
        r"extracted|searched|screened|reviewed|retrieved|pooled)",
        r"was (?:enrolled|included|randomi[sz]ed|assigned|allocated|recruited|collected|"
        r"extracted|searched|screened|reviewed|retrieved|pooled)",
        r"primary (?:end ?point|outcome) (?:was|is|will be)",
        r"we (?:searched|retrospectively|prospectively|reviewed|enrolled|included|conducted|"
        r"performed|used|identified|collected|recruited)",
        r"databases? (?:were|was) searched",
        r"will be (?:randomi[sz]ed|enrolled|assessed|recruited|measured)",
    ],
    "background": [
        r"has been",
        r"have been",
        r"has shown",
        r"have shown",
        r"previous(?:ly)?",
        r"prior studies",
        r"little is known",
        r"is unknown",
        r"are unknown",
        r"is unclear",
        r"remains? (?:unclear|unknown|uncertain|limited|controversial)",
        r"limited data",
        r"is a (?:rare|chronic|complex)",
        r"is an? (?:autoimmune|connective)",
        r"is characteri[sz]ed",
        r"reported to",
    ],
}


_ROLE_CUES, _ROLE_OF_TAG = tagged_words(_ROLE_CUE_FAMILIES)


def _cues(low: str) -> set[str]:
    return {_ROLE_OF_TAG[m.lastgroup or ""] for m in _ROLE_CUES.finditer(low)}


@dataclass(slots=True)
class Sentence:
    text: str  # plain text, as shown to a reader
    lower: str  # same length as text: lower-cased, dashes unified
    role: str
    index: int
    section: str = ""
    words: list[str] = field(default_factory=list)  # tokens(lower)
    numeric: bool = False  # holds a digit or a number word: most number rules need one


def sentence(text: str, low: str, role: str, index: int, section: str = "") -> Sentence:
    """A sentence with its tokens read once, for every rule that looks at them."""
    words = tokens(low)
    numeric = _DIGIT.search(low) is not None or not _COUNT_WORDS.isdisjoint(words)
    return Sentence(text, low, role, index, section, words, numeric)


@dataclass(slots=True, eq=False)
class Match:
    start: int
    end: int
    categories: frozenset[str]


def sentences_naming(matches: Sequence[list[Match]]) -> dict[str, list[int]]:
    """For each term category, the indices of the sentences that name it, in order."""
    naming: dict[str, list[int]] = {}
    for index, found in enumerate(matches):
        for m in found:
            for category in m.categories:
                where = naming.setdefault(category, [])
                if not where or where[-1] != index:
                    where.append(index)
    return naming


def plain(markup: str) -> str:
    """Safe markup to plain text with unified dashes."""
    text = to_plain(markup)
    return text if text.isascii() else text.translate(_DASHES)


def lowered(text: str) -> str:
    """Lower-case text, keeping its length so spans still line up."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c.lower()[:1] or c for c in text)


def split_sentences(text: str) -> list[str]:
    """Split plain text into sentences, not breaking after 'vs.', 'et al.' and the like."""
    out: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        end = boundary.start(1)
        token = _LAST_TOKEN.search(text, max(start, end - 12), end)
        if token and token.group(1).lower() in _ABBREVIATIONS:
            continue
        head = text[start:end].strip()
        if head:
            out.append(head)
        start = boundary.end(1)
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_labelled(text: str) -> list[tuple[str, str]]:
    """Split text at known section labels ('RESULTS:', 'Conclusions:'): (label, chunk) pairs."""
    if ":" not in text:
        return [("", text.strip())] if text.strip() else []
    pieces: list[tuple[str, str]] = []
    label, start = "", 0
    for m in _LABEL.finditer(text):
        name = m.group(1).strip().lower()
        if name not in ROLE_OF_LABEL:
            continue
        if text[start : m.start()].strip():
            pieces.append((label, text[start : m.start()].strip()))
        label, start = name, m.end()
    if text[start:].strip():
        pieces.append((label, text[start:].strip()))
    return pieces


def sentences_of(title: str, sections: Iterable[tuple[str, str]]) -> list[Sentence]:
    """Title and abstract as role-tagged sentences; sections are (label, plain text) pairs."""
    result: list[Sentence] = []
    if title:
        result.append(sentence(title, lowered(title), "title", 0))
    seen_study = False  # once an aim, method or result is seen, nothing more is background
    for label, chunk in sections:
        for inner_label, inner in split_labelled(chunk):
            name = inner_label or label.lower()
            section_role = ROLE_OF_LABEL.get(name, "")
            for n, text in enumerate(split_sentences(inner)):
                low = lowered(text)
                found = _cues(low)
                # A label written inside free text ("Aim: ... We included ...") may run on
                # into methods and results; a PubMed section label is trusted as it stands.
                inline = bool(inner_label)
                if section_role == "background" and inline and n > 0:
                    if "background" not in found:
                        seen_study = seen_study or "aim" not in found
                if section_role == "background" and not inline and "outlook" not in found:
                    role = "aim" if "aim" in found else "background"
                else:
                    role = _role(found, section_role, seen_study)
                if role not in ("background", "other", "outlook"):
                    seen_study = True
                result.append(sentence(text, low, role, len(result), name))
    return result


def _role(found: set[str], section_role: str, seen_study: bool) -> str:
    if "outlook" in found:
        return "outlook"
    if section_role in ("methods", "registration"):
        return section_role
    if section_role == "background" and not seen_study:
        return "aim" if "aim" in found else "background"
    if "aim" in found and section_role != "results":
        return "aim"
    if section_role == "conclusion" or "conclusion" in found:
        return "conclusion"
    if section_role == "results":
        return "results"
    if "methods" in found:
        return "methods"
    if not seen_study and "background" in found:
        return "background"
    return "results"


_TOKEN = re.compile(r"[^\W_]+|%")
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty".split()
)
# Every word the number rules read as a number (the term matcher's and the tens).
_COUNT_WORDS = _NUMBER_WORDS | {"sixty", "seventy", "eighty", "ninety"}
_DIGIT = pattern(r"\d")
# The same tokens as _TOKEN for lower-case ASCII text, read several times faster.
_ASCII_TOKEN = pattern(r"[a-z0-9]+|%")


def tokens(low: str) -> list[str]:
    """The words, numbers and '%' signs of lower-case text, as the term matcher reads them."""
    return (_ASCII_TOKEN if low.isascii() else _TOKEN).findall(low)


def _token_spans(low: str, words: list[str], spans: list[tuple[int, int]], upto: int) -> None:
    # Extend spans to cover tokens [0, upto]. Tokens are maximal runs of word characters
    # (or a "%"), so the next occurrence of a token after the previous one is that token.
    pos = spans[-1][1] if spans else 0
    for word in words[len(spans) : upto + 1]:
        start = low.find(word, pos)
        pos = start + len(word)
        spans.append((start, pos))


def term_tokens(term: str) -> tuple[str, ...]:
    """A term as the tokens the matcher compares: words, numbers and '%'; '#' and '*' kept."""
    return tuple(t for t in re.findall(r"[^\W_]+|%|#|\*", term.lower()))


@dataclass(slots=True)
class TermMatcher:
    """Finds the terms of several named categories in one pass over a text's tokens.

    Terms are compared token by token, so spaces and hyphens are interchangeable
    ("anti-CD20" = "anti CD20"); "#" in a term matches any number, "*" one optional word,
    and a final word also matches its plural. The longest term starting at a token wins.
    """

    phrases: dict[tuple[str, ...], frozenset[str]]
    lengths: dict[str, tuple[int, ...]]  # first token -> its phrases' lengths, longest first
    numbers: bool  # some phrase holds "#"
    # The other words of the phrases that hold "#": a text naming none of them cannot match
    # such a phrase, so its numbers need not be read as "#". None: some phrase is all "#".
    number_company: frozenset[str] | None = None

    def scan(
        self, low: str, words: list[str] | None = None, numeric: bool | None = None
    ) -> list[Match]:
        """The terms in lower-case text; words and numeric, when given, are its tokens and
        whether it holds a number (as a Sentence has them)."""
        if words is None:
            words = tokens(low)
        if numeric is None:
            numeric = _DIGIT.search(low) is not None or not _NUMBER_WORDS.isdisjoint(words)
        phrases, lengths = self.phrases, self.lengths
        # Most tokens start no term: find the few that may before any lookup of phrases.
        company = self.number_company
        if self.numbers and numeric and (company is None or not company.isdisjoint(words)):
            shaped = ["#" if w.isdigit() or w in _NUMBER_WORDS else w for w in words]
            starts = [i for i, w in enumerate(shaped) if w in lengths or words[i] in lengths]
        elif lengths.keys().isdisjoint(words):
            return []
        else:
            shaped = words
            starts = [i for i, w in enumerate(words) if w in lengths]
        count = len(words)
        spans: list[tuple[int, int]] = []
        found: list[Match] = []
        covered = 0  # token index up to which an earlier, longer match already reaches
        for i in starts:
            word, shape = words[i], shaped[i]
            sizes = lengths.get(word, ())
            if shape is not word and shape in lengths:
                sizes = tuple(sorted({*sizes, *lengths[shape]}, reverse=True))
            for length in sizes:
                # Matches may overlap ("serum immunoglobulin a" holds two terms), but one
                # that lies wholly inside an earlier match adds nothing.
                if i + length <= covered:
                    break
                if i + length > count:
                    continue
                key = tuple(words[i : i + length])
                hit = phrases.get(key)
                if hit is None and shaped is not words:
                    other = tuple(shaped[i : i + length])
                    if other != key:
                        hit = phrases.get(other)
                if hit is None and length >= 3:
                    hit = phrases.get((key[0], "*", *key[2:]))
                if hit is not None:
                    _token_spans(low, words, spans, i + length - 1)
                    found.append(Match(spans[i][0], spans[i + length - 1][1], hit))
                    covered = i + length
                    break
        return found


def build_matcher(categories: Mapping[str, Iterable[str]]) -> TermMatcher:
    """One matcher over the terms of every category; a term may belong to several."""
    owners: dict[tuple[str, ...], set[str]] = {}
    for category, terms in categories.items():
        for term in terms:
            tokens = term_tokens(term)
            if not tokens:
                continue
            variants = [tokens]
            if "*" in tokens:
                variants = [tuple(t for t in tokens if t != "*"), tokens]
            for variant in variants:
                last = variant[-1]
                forms = [variant]
                if last.isalpha() and len(last) > 2:
                    forms += [(*variant[:-1], last + "s"), (*variant[:-1], last + "es")]
                for form in forms:
                    owners.setdefault(form, set()).add(category)
    phrases = {k: frozenset(v) for k, v in owners.items()}
    sizes: dict[str, set[int]] = {}
    for key in phrases:
        sizes.setdefault(key[0], set()).add(len(key))
    lengths = {first: tuple(sorted(s, reverse=True)) for first, s in sizes.items()}
    with_numbers = [key for key in phrases if "#" in key]
    company: set[str] | None = set()
    for key in with_numbers:
        others = [t for t in key if t not in ("#", "*")]
        if not others:
            company = None
            break
        company.update(others)
    return TermMatcher(
        phrases=phrases,
        lengths=lengths,
        numbers=bool(with_numbers),
        number_company=None if company is None else frozenset(company),
    )
