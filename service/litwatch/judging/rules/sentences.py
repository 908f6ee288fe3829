"""Title and abstract as sentences, each with its role, in plain text.

Sentences carry a *role* (title, background, aim, methods, results, conclusion, outlook,
other) because a finding is reported by an article's results and conclusions, not by the
background it cites or the trials it says are still needed.

Over 300 lines: a third of it is the tables of section labels and role cues, kept beside the
reading that is their only user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from litwatch.judging.rules.patterns import pattern, tagged_words
from litwatch.judging.rules.terms import DIGIT, NUMBER_WORDS, tokens
from litwatch.pubmed.markup import to_plain

# Dashes and minus signs all become "-", so "−6.3" and "6.3-fold" read the same way.
_DASHES = ("\u2212", "\u2013", "\u2014", "\u2010", "\u2011")
_ABBREVIATIONS = frozenset(
    "vs e.g i.e et al fig figs approx no dr ca cf resp i.v s.c p.o n.s ref refs incl".split()
)
_ABBREVIATION_ENDS = frozenset(a[-1] for a in _ABBREVIATIONS)
_BOUNDARY = pattern(r"[.!?](\s+)")  # group 1: the space that ends a sentence
_LAST_TOKEN = pattern(r"(?<![\w.])([\w.]+)\.$")
_LABEL = pattern(r"(?:^|(?<=[.!?\n]))\s*([A-Z][A-Za-z ,&/]{2,48}):\s+")
# _LABEL where it follows a sentence's end, with that "." "!" or "?" read as the match's first
# character (group 1 is the label's match, group 2 its name). A pattern that opens with a
# class of characters is searched for in C, skipping the text between sentence ends, where
# _LABEL, which opens with a lookbehind, starts a match at every character.
_LABEL_AFTER_END = pattern(r"[.!?](\s*([A-Z][A-Za-z ,&/]{2,48}):\s+)")
# Every word the number rules read as a number (the term matcher's and the tens).
_COUNT_WORDS = NUMBER_WORDS | {"sixty", "seventy", "eighty", "ninety"}

ROLE_OF_LABEL = {
    **dict.fromkeys(
        "background introduction objective objectives aim aims purpose importance rationale "
        "context hypothesis".split() + ["brief summary", "study aim", "study objective"],
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
            # A registration's fields: what will be measured, and in whom.
            "inclusion criteria", "exclusion criteria", "key inclusion criteria",
            "key exclusion criteria", "primary outcome", "primary outcomes",
            "secondary outcome", "secondary outcomes", "primary outcome measure",
            "primary outcome measures", "secondary outcome measure", "secondary outcome measures",
            "outcome measures", "primary endpoint", "secondary endpoints", "arms", "arm",
            "arms and interventions",
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
        r"is intended to",
        r"are intended to",
        r"is designed to (?:evaluate|assess|investigate|examine|determine|compare)",
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
        r"secondary (?:end ?points?|outcomes?) (?:were|are|was|is|will be|included|include)",
        r"among the secondary (?:end ?points?|outcomes?)",
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
    numeric = DIGIT.search(low) is not None or not _COUNT_WORDS.isdisjoint(words)
    return Sentence(text, low, role, index, section, words, numeric)


def plain(markup: str) -> str:
    """Safe markup to plain text with unified dashes."""
    text = to_plain(markup)
    if text.isascii():
        return text
    # str.replace runs in C; str.translate with a dict table looks each character up in
    # Python objects, some hundred times slower on an abstract.
    for dash in _DASHES:
        if dash in text:
            text = text.replace(dash, "-")
    return text


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
        # An abbreviation ends in one of a few letters: most sentences end otherwise ("...).").
        if text[end - 2 : end - 1].lower() in _ABBREVIATION_ENDS:
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
    colon = text.find(":")
    if colon < 0:
        return [("", text.strip())] if text.strip() else []
    pieces: list[tuple[str, str]] = []
    label, start = "", 0
    for at, end, raw in _labels(text, _label_scan_start(text, colon)):
        name = raw.strip().lower()
        if name not in ROLE_OF_LABEL:
            continue
        if text[start:at].strip():
            pieces.append((label, text[start:at].strip()))
        label, start = name, end
    if text[start:].strip():
        pieces.append((label, text[start:].strip()))
    return pieces


def _labels(text: str, scan_from: int) -> list[tuple[int, int, str]]:
    """(start, end, name) of each match of _LABEL in text from ``scan_from``, in order.

    Where no newline is in the text (``plain`` leaves none), a match ends in a space and so
    never touches the "." "!" or "?" the next one follows: the matches after the first
    character are those of _LABEL_AFTER_END, read from one character earlier.
    """
    if "\n" in text:
        return [(m.start(), m.end(), m.group(1)) for m in _LABEL.finditer(text, scan_from)]
    found: list[tuple[int, int, str]] = []
    if scan_from == 0:
        first = _LABEL.match(text)
        if first is not None:
            found.append((0, first.end(), first.group(1)))
            scan_from = first.end()
    for m in _LABEL_AFTER_END.finditer(text, max(0, scan_from - 1)):
        found.append((m.start(1), m.end(), m.group(2)))
    return found


def _label_scan_start(text: str, colon: int) -> int:
    """Where no label can start before: a label ends at a colon, the first is at ``colon``,
    and a label runs to at most 49 characters after the spaces before it. Scanning from
    there finds the same labels as from the start, and spares the engine the text before."""
    at = max(0, colon - 49)
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return at


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
