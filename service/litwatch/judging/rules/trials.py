"""Which trial an article reports: registry ids and trial acronyms.

A second report of the same trial (an extension, a post-hoc analysis) is flagged by matching
these against the ones stored articles name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from litwatch.judging.rules.patterns import by_first_letter, may_match, pattern, split_alternatives

_REGISTRY = pattern(
    r"\b("
    + by_first_letter(
        split_alternatives(
            r"NCT\d{8}|UMIN\d{9}|ISRCTN\d{8}|jRCT[s]?\d{9,10}|ChiCTR[-\w]{6,20}|ACTRN\d{14}|"
            r"DRKS\d{8}|EudraCT[ :]*\d{4}-\d{6}-\d{2}|CTRI/\d{4}/\d{2,3}/\d{5,6}"
        )
    )
    + r")\b"
)
_REGISTRY_HINTS = ("nct", "umin", "isrctn", "jrct", "chictr", "actrn", "drks", "eudract", "ctri")
_TRIAL_NAME = pattern(
    r"\b([A-Z][A-Z0-9]{2,}(?:-[A-Z0-9]+)?)\s+(?:trial|study|investigators|extension|cohort)\b"
    r"|\b(?:trial|study)\s+\(([A-Z][A-Z0-9]{2,}(?:-[A-Z0-9]+)?)\)"
)
_BRACKETED = pattern(r"\(([A-Z][A-Z0-9]{3,}(?:-[A-Z0-9]+)?)\)")
# Capitalised words that name things other than a trial.
_NOT_TRIALS = frozenset(
    "SSC ILD RCT RCTS FVC MRSS DLCO HRCT CTD RTX CYC MMF EUSTAR JAMA PRISMA GRADE COVID NCT "
    "USA UK EU ACR EULAR IGA IGG IGM PAH ILDS SSC-ILD CTD-ILD THE THIS AND PUBMED EMBASE "
    "MEDLINE COCHRANE CENTRAL DLCO CRISS HSCT IVIG ANCA DAS28 ESSDAI HAQ-DI ACR-CRISS TNF "
    "RNA DNA HRQOL SF-36 MMRM ANOVA".split()
)


def registry_ids(texts: Iterable[str], declared: Iterable[str] = ()) -> list[str]:
    """Trial registry ids in the text and in the record's data-bank list, upper-cased."""
    found: dict[str, None] = {}
    for raw in declared:
        for m in _REGISTRY.finditer(raw.strip()):
            found[_norm_registry(m.group(1))] = None
    joined = " ".join(texts)
    low = joined.lower()
    # The hints are lower-case ("nct" is also in "distinct"); the ids' own letters are not.
    if any(h in low for h in _REGISTRY_HINTS) and may_match(_REGISTRY, joined):
        for m in _REGISTRY.finditer(joined):
            found[_norm_registry(m.group(1))] = None
    return list(found)


def trial_names(texts: Iterable[str]) -> list[str]:
    """Trial acronyms the text names ('the DESIRES trial', 'study (RECITAL)'), upper-cased."""
    found: dict[str, None] = {}
    for text in texts:
        if (
            "trial" not in text
            and "study" not in text
            and "investigators" not in text
            and "extension" not in text
            and "cohort" not in text
        ):
            continue
        names = [(m.group(1) or m.group(2)) for m in _TRIAL_NAME.finditer(text)]
        if "trial" in text.lower():
            # "Rituximab in SSc (DESIRES): a randomised trial" names its trial in brackets.
            names += _BRACKETED.findall(text)
        for raw in names:
            name = raw.upper()
            if name not in _NOT_TRIALS and not name.isdigit():
                found[name] = None
    return list(found)


def _norm_registry(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("eudract"):
        return "EUDRACT" + re.sub(r"^eudract[ :]*", "", value, flags=re.IGNORECASE)
    return value.upper() if not value.startswith("jRCT") else value
