"""Term matching: the words of a text as the matcher reads them, and the matcher.

One ``TermMatcher`` finds the terms of every category (intervention, condition, each
finding's measures...) in a single pass over a sentence's tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from litwatch.judging.rules.patterns import pattern

_TOKEN = re.compile(r"[^\W_]+|%")
NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty".split()
)
DIGIT = pattern(r"\d")
# The same tokens as _TOKEN for lower-case ASCII text, read several times faster.
_ASCII_TOKEN = pattern(r"[a-z0-9]+|%")


@dataclass(slots=True, eq=False)
class Match:
    """A term found in a text: where it is, and the categories it belongs to."""

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


def tokens(low: str) -> list[str]:
    """The words, numbers and '%' signs of lower-case text, as the term matcher reads them."""
    return (_ASCII_TOKEN if low.isascii() else _TOKEN).findall(low)


# Where a token ends, k tokens on: separators then a token, k times, in one call of the
# engine rather than one str.find a token. Possessive, so a token is never cut short; the
# two forms are the tokens of ``tokens`` for ASCII and for other text.
_SKIP_FORMS = {
    True: r"(?:[^a-z0-9%]*+(?:[a-z0-9]++|%))",
    False: r"(?:(?:_|[^\w%])*+(?:[^\W_]++|%))",
}
_SKIPS: dict[tuple[bool, int], re.Pattern[str]] = {}


def _token_end(low: str, pos: int, k: int, ascii_text: bool) -> int:
    """The end of the k-th token (k >= 1) after character ``pos``, which ends a token."""
    skip = _SKIPS.get((ascii_text, k))
    if skip is None:
        skip = _SKIPS[(ascii_text, k)] = re.compile(_SKIP_FORMS[ascii_text] + "{" + str(k) + "}")
    found = skip.match(low, pos)
    if found is None:
        raise ValueError("words are not the tokens of the text")
    return found.end()


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
            numeric = DIGIT.search(low) is not None or not NUMBER_WORDS.isdisjoint(words)
        phrases, lengths = self.phrases, self.lengths
        # Most tokens start no term: find the few that may before any lookup of phrases.
        company = self.number_company
        if self.numbers and numeric and (company is None or not company.isdisjoint(words)):
            shaped = ["#" if w.isdigit() or w in NUMBER_WORDS else w for w in words]
            starts = [i for i, w in enumerate(shaped) if w in lengths or words[i] in lengths]
        elif lengths.keys().isdisjoint(words):
            return []
        else:
            shaped = words
            starts = [i for i, w in enumerate(words) if w in lengths]
        count = len(words)
        ascii_text = low.isascii()
        at, at_end = 0, 0  # token index ``at`` comes after character at_end
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
                    if hit is None and shaped is not words:
                        hit = phrases.get((shaped[i], "*", *shaped[i + 2 : i + length]))
                if hit is not None:
                    # Starts only grow, so the next match is found from this one's first token.
                    first_end = _token_end(low, at_end, i - at + 1, ascii_text)
                    last_end = first_end
                    if length > 1:
                        last_end = _token_end(low, first_end, length - 1, ascii_text)
                    found.append(Match(first_end - len(word), last_end, hit))
                    at, at_end = i + 1, first_end
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
