"""Over 300 lines: one measurement with two halves (sentence boundaries, negation and hedging)
that share their sets, their scoped patches and their table; split, each half would import
the other's helpers.

Text libraries measured against our own rules: ``python -m bench.text_libraries``.

Each library is plugged into the classifier in place of one of our rules, for the run only
(a patch undone when the run ends), and every eval measure is taken again on the gold set and
on both halves of ``../shared/eval/dev.jsonl`` (read in place, left out when absent):

* sentence boundaries: ``sentences.split_sentences`` replaced by pysbd, spaCy's rule-based
  sentencizer or PyRuSH (medspaCy's splitter). The boundaries each puts are compared with ours;
  each disagreement is described by the characters around it, never quoted;
* negation and hedging: the negation of a cue word (``signals._negated``) decided by medspaCy's
  ConText or by negspacy (NegEx), and the hedging of a sentence (``stance._hedged`` and the
  modal cue) by ConText's "possible" and "hypothetical" modifiers. The cue words and the
  measures are still found by our rules, so only the reading of negation or hedging changes.

Speed is the whole classifier's on the dev abstracts (or our full-length ones), per CPU
second. The libraries are an optional extra: ``pip install -e '.[textlibs]'``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.bench_classify import DATA, DEV_SET, gold_articles, repeat
from bench.full_abstracts import full_abstracts
from litwatch.judging.evaluate import evaluate
from litwatch.judging.gold import GoldRecord, half_of, load_gold
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.judging.rules import classify_article, cues, signals, stance
from litwatch.judging.rules import sentences as sentence_rules
from litwatch.records import ArticleRecord

INSTALL = "pip install -e '.[textlibs]'"
MODULES = ("pysbd", "spacy", "medspacy", "negspacy", "PyRuSH")
OURS_SPLIT = sentence_rules.split_sentences
OURS_NEGATED = signals._negated
OURS_HEDGED = stance._hedged
OURS_MODAL = cues.MODAL
# The cue words whose negation our rules read (signals._movement_words): the library is asked
# about these same spans.
CUE_WORDS = (cues.IMPROVE, cues.WORSE, cues.PERSIST, cues.DOWN, cues.UP)
FINDINGS = ("mrss-improvement", "fvc-improvement", "long-term-benefit")
Splitter = Callable[[str], list[str]]


def missing_modules() -> list[str]:
    """The libraries of the textlibs extra that cannot be imported."""
    absent = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            absent.append(name)
    return absent


@contextlib.contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    """``target.name`` set to ``value`` for the block only."""
    old = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, old)


# --- the sets ---------------------------------------------------------------------------


def sets(dev_path: Path = DEV_SET) -> dict[str, list[GoldRecord]]:
    """Gold, and the dev set's halves and whole when the file is present."""
    found = {"gold": load_gold(DATA / "gold.jsonl")}
    if dev_path.is_file():
        dev = load_gold(dev_path)
        found |= {"dev half 1": half_of(dev, 1), "dev half 2": half_of(dev, 2), "dev all": dev}
    return found


def speed_corpus(dev_path: Path = DEV_SET) -> tuple[str, list[ArticleRecord]]:
    """The abstracts speed is judged on: the dev set's, else our full-length ones."""
    dev = [r.to_article() for r in load_gold(dev_path)] if dev_path.is_file() else []
    return ("dev", dev) if dev else ("full", full_abstracts(gold_articles()))


def measures(scores: dict[str, Any]) -> dict[str, Any]:
    """The eval figures a row of the table shows."""
    f = scores["findings"]
    numbers = scores["numbers"]
    changes = [numbers[k] for k in ("mrss_change", "fvc_change")]
    return {
        "core P": scores["relevance_core"]["precision"],
        "core R": scores["relevance_core"]["recall"],
        "design": scores["design_accuracy"],
        "mRSS F1": f["mrss-improvement"]["f1"],
        "mRSS stance": f["mrss-improvement"]["stance_accuracy"],
        "FVC F1": f["fvc-improvement"]["f1"],
        "FVC stance": f["fvc-improvement"]["stance_accuracy"],
        "long-term F1": f["long-term-benefit"]["f1"],
        "n": f"{numbers['n']['right']}/{numbers['n']['labelled']}",
        "changes": f"{sum(c['right'] for c in changes)}/{sum(c['labelled'] for c in changes)}",
        "errors": len(scores["errors"]),
    }


def stances(scores: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, Any]]:
    """(record id, finding) -> (expected, got) for the findings the table shows."""
    return {
        (r["id"], fid): (r["findings"][fid]["expected"], r["findings"][fid]["got"])
        for r in scores["records"]
        for fid in FINDINGS
        if fid in r["findings"]
    }


def changed(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    """How many stance judgements the library changed: (+ now right, - right before)."""
    a, b = stances(ours), stances(theirs)
    moved = right = wrong = 0
    for key in a.keys() | b.keys():
        expected = (a.get(key) or b[key])[0]
        before, after = a.get(key, (None, None))[1], b.get(key, (None, None))[1]
        if before != after:
            moved += 1
            right += after == expected
            wrong += before == expected
    return f"{moved} (+{right} -{wrong})"


# --- sentence boundaries ----------------------------------------------------------------


def splitters() -> dict[str, Splitter]:
    """Every splitter measured, ours first."""
    from pathlib import Path as _Path

    import medspacy.util
    import pysbd
    import spacy
    from PyRuSH import RuSH

    segmenter = pysbd.Segmenter(language="en", clean=False)
    sentencizer = spacy.blank("en")
    sentencizer.add_pipe("sentencizer")
    # medspaCy ships RuSH's English rules beside its package, not inside it.
    rules = _Path(medspacy.util.__file__).resolve().parents[1] / "resources/en/rush_rules.tsv"
    rush = RuSH(str(rules))

    def by_pysbd(text: str) -> list[str]:
        return [s.strip() for s in segmenter.segment(text) if s.strip()]

    def by_spacy(text: str) -> list[str]:
        return [s.text.strip() for s in sentencizer(text).sents if s.text.strip()]

    def by_rush(text: str) -> list[str]:
        spans = rush.segToSentenceSpans(text)
        return [text[s.begin : s.end].strip() for s in spans if text[s.begin : s.end].strip()]

    return {"ours": OURS_SPLIT, "pysbd": by_pysbd, "spaCy sentencizer": by_spacy,
            "PyRuSH": by_rush}  # fmt: skip


def chunks(records: list[GoldRecord]) -> list[str]:
    """The texts the splitter is given: each abstract cut at its section labels."""
    out = []
    for record in records:
        for section in record.to_article().abstract_sections:
            out += [inner for _label, inner in sentence_rules.split_labelled(
                sentence_rules.plain(section.text))]  # fmt: skip
    return out


_OPENING = re.compile(r"[\W_]*")


def starts(text: str, parts: list[str]) -> set[int]:
    """Where each sentence after the first begins in ``text``, at its first letter or digit
    (a splitter that leaves a bracket or a bullet with the sentence before breaks there too)."""
    found, at = set(), 0
    for part in parts:
        where = text.find(part[:20], at)
        if where < 0:
            continue
        opening = _OPENING.match(text, where)
        found.add(opening.end() if opening else where)
        at = where + len(part)
    found.discard(min(found, default=0))
    return found


# One or two letters ("g.", "I.") or letters with dots inside ("s.d.", "i.v.").
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:[A-Za-z]{1,2}|[A-Za-z]+(?:\.[A-Za-z]+)+)\.$")


def kind(text: str, at: int) -> str:
    """A boundary described by what stands around it (the words themselves are not kept)."""
    before = text[:at].rstrip()
    after = text[at : at + 1]
    last = before[-1:] if before else ""
    if re.match(r"\(?(?:\d{1,2}|[a-z])[.)]\s", text[at : at + 5]):
        return "before a numbered or lettered list item"
    if last not in ".!?":
        return f"after '{last}' (no full stop)" if last else "at the start"
    if re.search(r"%\.$", before):
        return "after a per cent sign and a full stop"
    if re.search(r"\d\.$", before):
        return "after a number and a full stop"
    if re.search(r"(?:^|\s)(?=\S*[A-Z]\S*[A-Z])[A-Za-z0-9-]{2,}\.$", before):
        return "after an acronym in capitals and a full stop"
    if _ABBREVIATION.search(before):
        return "after a unit, an initial or a dotted abbreviation"
    if re.search(r"[)\]]\.$", before):
        return "after a closing bracket and a full stop"
    if after.islower():
        return "before a lower-case letter"
    if after.isdigit():
        return "before a digit"
    if at > 0 and not text[at - 1].isspace():
        return "with no space after the full stop"
    return "between two plain sentences"


def agreement(texts: list[str], ours: Splitter, theirs: Splitter) -> dict[str, Any]:
    """Boundaries both put, only ours put, only theirs put; and the kinds of disagreement."""
    both = only_ours = only_theirs = same = 0
    kinds: Counter[str] = Counter()
    examples: list[str] = []
    for text in texts:
        a, b = starts(text, ours(text)), starts(text, theirs(text))
        both += len(a & b)
        only_ours += len(a - b)
        only_theirs += len(b - a)
        same += a == b
        for side, spots in (("only ours", a - b), ("only theirs", b - a)):
            for at in sorted(spots):
                said = f"{side}: {kind(text, at)}"
                kinds[said] += 1
                examples.append(f"{said}: ...{text[max(0, at - 30) : at + 30]}...")
    union = both + only_ours + only_theirs
    return {
        "chunks": len(texts),
        "chunks per CPU-s (ours, theirs)": (_alone(ours, texts), _alone(theirs, texts)),
        "chunks split alike": same,
        "boundaries both": both,
        "only ours": only_ours,
        "only theirs": only_theirs,
        "agreement": round(both / union, 3) if union else 1.0,
        "kinds": kinds.most_common(),
        "examples": examples,
    }


# --- negation and hedging -----------------------------------------------------------------


class Reader:
    """A library's reading of the cue words of one sentence: negated, hedged (cached per text)."""

    def __init__(self, name: str, terms: str = "en_clinical") -> None:
        import spacy

        self.name = name
        self.nlp = spacy.blank("en")
        self.cache: dict[str, dict[tuple[int, int], tuple[bool, bool, str]]] = {}
        if name == "negspacy":
            from negspacy.negation import Negex
            from negspacy.termsets import termset

            patterns = termset(terms).get_patterns()
            self.component: Any = Negex(self.nlp, "negex", patterns, [], "negex", [])
        else:
            from medspacy.context import ConText

            self.component = ConText(self.nlp, rules="default")

    def spans(self, low: str) -> dict[tuple[int, int], tuple[bool, bool, str]]:
        """Cue span -> (negated, hedged, the library's trigger), read in one pass."""
        if low not in self.cache:
            self.cache[low] = self._read(low)
        return self.cache[low]

    def _read(self, low: str) -> dict[tuple[int, int], tuple[bool, bool, str]]:
        doc = self.nlp.make_doc(low)
        for i, token in enumerate(doc):
            token.is_sent_start = i == 0  # the sentence is ours: one sentence a doc
        taken: list[Any] = []
        for pattern in CUE_WORDS:
            for m in pattern.finditer(low):
                span = doc.char_span(m.start(), m.end(), label="CUE", alignment_mode="expand")
                if span is not None and all(span.end <= t.start or span.start >= t.end
                                            for t in taken):  # fmt: skip
                    taken.append(span)
        doc.ents = sorted(taken, key=lambda s: s.start)
        doc = self.component(doc)
        out = {}
        for e in doc.ents:
            key = (e.start_char, e.end_char)
            if self.name == "negspacy":
                out[key] = (bool(e._.negex), False, "")
                continue
            hedged = bool(e._.is_uncertain or e._.is_hypothetical)
            triggers = ", ".join(f"{m.category.lower()} '{m.rule.literal}'" for m in e._.modifiers)
            out[key] = (bool(e._.is_negated), hedged, triggers)
        return out

    def at(self, low: str, start: int, end: int) -> tuple[bool, bool, str]:
        """The library's word on the cue at [start, end): negated, hedged, trigger."""
        for (a, b), said in self.spans(low).items():
            if a <= start < b or start <= a < end:
                return said
        return False, False, ""

    def negated(self, low: str, start: int, end: int) -> bool:
        """True when the library reads the cue at [start, end) as negated."""
        return self.at(low, start, end)[0]

    def hedged(self, low: str, start: int = 0, end: int | None = None) -> bool:
        """Any cue between start and end said to be possible or hypothetical."""
        stop = len(low) if end is None else end
        return any(h and start <= a < stop for (a, _b), (_n, h, _t) in self.spans(low).items())


class _Modal:
    """Stands in for ``cues.MODAL``: the library's hedging, asked as a pattern is."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def search(self, low: str, start: int = 0, end: int | None = None) -> bool | None:
        return self.reader.hedged(low, start, end) or None


@contextlib.contextmanager
def reading(reader: Reader | None, negation: bool, hedging: bool) -> Iterator[None]:
    """Our rules with the library's negation and/or hedging in place of ours."""
    with contextlib.ExitStack() as stack:
        if reader is not None and negation:
            stack.enter_context(patched(signals, "_negated", lambda _f, low, m, _s, _e:
                                        reader.negated(low, m.start(), m.end())))  # fmt: skip
        if reader is not None and hedging:
            stack.enter_context(patched(stance, "_hedged", reader.hedged))
            stack.enter_context(patched(cues, "MODAL", _Modal(reader)))
        yield


def cue_agreement(records: list[GoldRecord], kb: KnowledgeBase, reader: Reader) -> dict[str, Any]:
    """Our negation of each cue word beside the library's, in every sentence our rules read for
    a finding and in the evidence sentences alone; the same for each sentence's hedging. What
    a disagreement turned on is named by its cue and trigger words, never by the sentence."""
    calls: list[tuple[str, str, str]] = []  # (sentence, cell, kind)
    read: list[str] = []

    def recording_negated(found: Any, low: str, m: re.Match[str], start: int, end: int) -> bool:
        ours = OURS_NEGATED(found, low, m, start, end)
        theirs, _hedged, trigger = reader.at(low, m.start(), m.end())
        word = cues.NEGATION.search(low, max(start, m.start() - 40), m.start())
        said = f"'{word.group(0)}'" if word and ours else "'in none' after"
        kind = {
            "only ours": f"only ours: {said} '{m.group(0)}'",
            "only theirs": f"only theirs: {trigger or 'a negation'} over '{m.group(0)}'",
        }
        calls.append((low, _cell(ours, theirs), kind.get(_cell(ours, theirs), "")))  # fmt: skip
        return ours

    def recording_signals(low: str, *args: Any) -> Any:
        read.append(low)
        return signals.signals(low, *args)

    evidence: set[str] = set()
    with (
        patched(signals, "_negated", recording_negated),
        patched(stance, "signals", recording_signals),
    ):
        for record in records:
            got = classify_article(record.to_article(), kb)
            evidence |= {sentence_rules.lowered(e.sentence) for j in got.findings
                         for e in j.evidence}  # fmt: skip
    sentences = sorted(set(read))
    figures: dict[str, Any] = {
        "negation": dict(Counter(cell for _low, cell, _k in calls)),
        "negation, evidence": dict(Counter(c for low, c, _k in calls if low in evidence)),
        "negation kinds": Counter(k for _l, _c, k in calls if k).most_common(),
    }
    if reader.name != "negspacy":  # NegEx reads negation only
        hedges = [(low, *_hedge_cell(low, reader)) for low in sentences]
        figures["hedging"] = dict(Counter(cell for _low, cell, _k in hedges))
        figures["hedging, evidence"] = dict(Counter(c for low, c, _k in hedges if low in evidence))
        figures["hedging kinds"] = Counter(k for _l, _c, k in hedges if k).most_common()
    figures["sentences per CPU-s"] = _alone(reader._read, sentences)
    return figures


def _hedge_cell(low: str, reader: Reader) -> tuple[str, str]:
    """Our hedging of a sentence (hedge or modal words) beside the library's, and why."""
    word = cues.HEDGE.search(low) or OURS_MODAL.search(low)
    theirs = [t for (_a, _b), (_n, h, t) in reader.spans(low).items() if h]
    cell = _cell(word is not None, bool(theirs))
    if cell == "only ours":
        return cell, f"only ours: '{word.group(0) if word else ''}'"
    if cell == "only theirs":
        return cell, f"only theirs: {theirs[0]}"
    return cell, ""


def _alone(work: Callable[[str], Any], texts: list[str]) -> float | None:
    """Texts a CPU second through one library call alone (about 1,000 calls)."""
    if not texts:
        return None
    rounds = max(1, 1000 // len(texts))
    started = time.process_time()
    for _ in range(rounds):
        for text in texts:
            work(text)
    cpu = time.process_time() - started
    return round(rounds * len(texts) / cpu, 1) if cpu else None


def _cell(ours: bool, theirs: bool) -> str:
    return {(True, True): "both", (True, False): "only ours", (False, True): "only theirs",
            (False, False): "neither"}[(ours, theirs)]  # fmt: skip


# --- running it ---------------------------------------------------------------------------


def cpu_rate(articles: list[ArticleRecord], kb: KnowledgeBase, clear: Reader | None) -> float:
    """Articles per CPU second through the whole classifier, as it stands patched."""
    classify_article(articles[0], kb)
    started = time.process_time()
    for article in articles:
        if clear is not None:
            clear.cache.clear()  # one article's sentences at a time: nothing carried over
        classify_article(article, kb)
    cpu = time.process_time() - started
    return round(len(articles) / cpu, 1) if cpu else float("nan")


def variants() -> dict[str, tuple[contextlib.AbstractContextManager[None], Reader | None]]:
    """Every way the classifier is run: ours, then each library in place of one rule."""
    found: dict[str, Any] = {"ours": (contextlib.nullcontext(), None)}
    for name, split in splitters().items():
        if name != "ours":
            found[f"split: {name}"] = (patched(sentence_rules, "split_sentences", split), None)
    context, negex = Reader("context"), Reader("negspacy")
    found["negation: ConText"] = (reading(context, True, False), context)
    found["hedging: ConText"] = (reading(context, False, True), context)
    found["negation+hedging: ConText"] = (reading(context, True, True), context)
    found["negation: negspacy"] = (reading(negex, True, False), negex)
    general = Reader("negspacy", "en")
    found["negation: negspacy (en)"] = (reading(general, True, False), general)
    return found


def run(n: int, examples: int, dev_path: Path = DEV_SET) -> dict[str, Any]:
    """Every variant on every set, boundary and cue agreement; print and return the figures."""
    kb = load_knowledge_base()
    named = sets(dev_path)
    corpus_name, base = speed_corpus(dev_path)
    corpus = repeat(base, n)
    print(f"{_load()}; speed on {n} {corpus_name} abstracts")
    table: dict[str, dict[str, Any]] = {}
    baseline: dict[str, dict[str, Any]] = {}
    for variant, (context, reader) in variants().items():
        with context:
            rate = cpu_rate(corpus, kb, reader)
            for set_name, records in named.items():
                scores = evaluate(records, kb, details=True)
                row = measures(scores)
                if variant == "ours":
                    baseline[set_name] = scores
                row["stances changed"] = changed(baseline[set_name], scores)
                row["articles/CPU-s"] = rate
                table[f"{variant} | {set_name}"] = row
        print(f"{variant}: {rate:,.0f} articles per CPU second")
    _print_table(table)
    boundary = _boundaries(named, examples)
    cue = {}
    for lib in ("context", "negspacy"):
        for set_name, records in named.items():
            cue[f"{lib} | {set_name}"] = cue_agreement(records, kb, Reader(lib))
    for name, figures in cue.items():
        print(f"\ncue agreement, ours vs {name}:")
        for key, value in figures.items():
            if key.endswith("kinds"):
                for label, count in value[:examples]:
                    print(f"  {count:4d}  {key[:-6]}, {label}")
            else:
                print(f"  {key}: {value}")
    print(_load())
    return {"table": table, "boundaries": boundary, "cues": cue}


def _boundaries(named: dict[str, list[GoldRecord]], examples: int) -> dict[str, Any]:
    split = splitters()
    out = {}
    for set_name in ("gold", "dev all"):
        if set_name not in named:
            continue
        texts = chunks(named[set_name])
        for name, splitter in split.items():
            if name == "ours":
                continue
            figures = agreement(texts, split["ours"], splitter)
            out[f"{name} | {set_name}"] = figures
            plain = {k: v for k, v in figures.items() if k not in ("kinds", "examples")}
            print(f"\nboundaries, ours vs {name} on {set_name}: {plain}")
            for label, count in figures["kinds"]:
                print(f"  {count:4d}  {label}")
            for line in figures["examples"][:examples]:
                print(f"    {line}")
    return out


def _print_table(table: dict[str, dict[str, Any]]) -> None:
    columns = list(next(iter(table.values())))
    print("\n| variant | set | " + " | ".join(columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for key, row in table.items():
        variant, set_name = key.split(" | ")
        print(f"| {variant} | {set_name} | " + " | ".join(str(row[c]) for c in columns) + " |")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def main(argv: list[str] | None = None) -> int:
    """Measure, or say how to install what is missing and stop (exit 0)."""
    parser = argparse.ArgumentParser(prog="python -m bench.text_libraries")
    parser.add_argument("--n", type=int, default=1000, help="articles timed per variant")
    parser.add_argument("--examples", type=int, default=0, help="disagreements shown per pair")
    parser.add_argument("--dev", type=Path, default=DEV_SET, help="the dev set (JSONL)")
    args = parser.parse_args(argv)
    absent = missing_modules()
    if absent:
        print(f"text libraries not installed ({', '.join(absent)}): {INSTALL}")
        return 0
    if not args.dev.is_file():
        print(f"{args.dev} is absent: measuring on the gold set only")
    run(args.n, args.examples, args.dev)
    return 0


if __name__ == "__main__":
    sys.exit(main())
