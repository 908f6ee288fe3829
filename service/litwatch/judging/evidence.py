"""The living evidence table: every stored article that reports on a finding, and its counts.

Every report is a row; the counts are what a clinician can lean on. A retracted article is
shown, marked, and never counted; a judgement below ``REVIEW_THRESHOLD`` is shown as needing
review and not counted; reports of one trial (a registry id or trial name they share) are
shown each, and the trial is counted once, by its latest counted report. Reviews that name a
trial are not reports of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from litwatch.pubmed.markup import to_plain
from litwatch.records import REVIEW_THRESHOLD
from litwatch.store.classifications import (
    classification_data,
    list_stance_lines,
    trial_reports,
)

COLUMNS = (
    "pmid",
    "date",
    "stance",
    "confidence",
    "needs_review",
    "counted",
    "not_counted",
    "design",
    "n",
    "follow_up",
    "mrss_change",
    "fvc_change",
    "p_values",
    "registry_ids",
    "same_trial",
    "relevance",
    "retracted",
    "title",
    "evidence",
)
# Designs that discuss trials rather than report one: never grouped with a trial's reports.
NOT_TRIAL_REPORTS = frozenset({"review", "systematic-review", "meta-analysis", "guideline"})
STANCES = ("supports", "contradicts", "inconclusive", "addresses")


@dataclass(slots=True)  # slotted, and same_trial a tuple: a kept table (evidence_cache)
class EvidenceRow:  # of thousands of rows gives the cyclic collector fewer objects to walk
    pmid: str
    date: date | None
    stance: str
    confidence: float
    design: str
    relevance: str
    numbers: dict[str, Any]
    retracted: bool
    title: str
    evidence: str
    same_trial: tuple[str, ...] = ()  # other rows reporting the same trial
    counted: bool = False
    not_counted: str = ""  # why not, in a few words

    @property
    def needs_review(self) -> bool:
        return self.confidence < REVIEW_THRESHOLD

    def as_dict(self) -> dict[str, Any]:
        n = self.numbers
        return {
            "pmid": self.pmid,
            "date": self.date.isoformat() if self.date else "",
            "stance": self.stance,
            "confidence": round(self.confidence, 2),
            "needs_review": self.needs_review,
            "counted": self.counted,
            "not_counted": self.not_counted,
            "design": self.design,
            "n": n.get("n"),
            "follow_up": n.get("follow_up"),
            "mrss_change": n.get("mrss_change"),
            "fvc_change": n.get("fvc_change"),
            "p_values": n.get("p_values"),
            "registry_ids": n.get("registry_ids"),
            "same_trial": list(self.same_trial),
            "relevance": self.relevance,
            "retracted": self.retracted,
            "title": self.title,
            "evidence": self.evidence,
        }


@dataclass
class EvidenceTable:
    finding_id: str
    rows: list[EvidenceRow]
    counts: dict[str, int]  # stance -> trials or studies counted with it
    not_counted: dict[str, int]  # retracted | needs review | same trial -> rows left out

    @property
    def counted(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "counted": self.counted,
            "not_counted": dict(self.not_counted),
        }


def evidence_table(session: Session, finding_id: str, *, details: bool = True) -> EvidenceTable:
    """The rows on ``finding_id``, newest first, each marked counted or not, and the counts.

    Without ``details`` the rows carry only what counting and the plot need (n among the
    numbers, no sentences): a page fills in those it shows with ``fill_details``."""
    rows = [
        EvidenceRow(
            pmid=line.pmid,
            date=line.date,
            stance=line.stance,
            confidence=line.confidence,
            design=line.design,
            relevance=line.relevance,
            numbers={} if line.n is None else {"n": line.n},
            retracted=line.retracted,
            title=to_plain(line.title),
            evidence="",
        )
        for line in list_stance_lines(session, finding_id)
    ]
    rows.sort(key=lambda r: (r.date or date.min, r.pmid), reverse=True)
    _link_trials(rows, trial_reports(session, [r.pmid for r in rows]))
    table = count_rows(finding_id, rows)
    if details:
        fill_details(session, finding_id, table.rows)
    return table


def fill_details(session: Session, finding_id: str, rows: list[EvidenceRow]) -> None:
    """Each row's numbers and the sentences its stance on ``finding_id`` rests on."""
    stored = classification_data(session, [r.pmid for r in rows])
    for row in rows:
        data = stored.get(row.pmid, {})
        judgement = next(
            (j for j in data.get("findings", []) if j.get("finding_id") == finding_id), {}
        )
        row.numbers = data.get("numbers", {})
        row.evidence = " ".join(e.get("sentence", "") for e in judgement.get("evidence", []))


def _link_trials(rows: list[EvidenceRow], reports: dict[str, dict[str, list[str]]]) -> None:
    """Fill each row's ``same_trial`` with the other rows that report its trial."""
    in_table = {r.pmid: r for r in rows if r.design not in NOT_TRIAL_REPORTS}
    for row in in_table.values():
        row.same_trial = tuple(sorted(p for p in reports.get(row.pmid, {}) if p in in_table))


def count_rows(finding_id: str, rows: list[EvidenceRow]) -> EvidenceTable:
    """Mark each row (newest first) counted or not and count them: one trial, one count."""
    counts = dict.fromkeys(STANCES, 0)
    left_out = {"retracted": 0, "needs review": 0, "same trial": 0}
    counted_trials: dict[str, str] = {}  # pmid of a report -> the counted report of its trial
    by_pmid = {r.pmid: r for r in rows}
    for row in rows:
        if row.retracted:
            row.not_counted = "retracted"
        elif row.needs_review:
            row.not_counted = "needs review"
        elif row.pmid in counted_trials:
            row.not_counted = f"same trial as PMID {counted_trials[row.pmid]}, counted once"
            left_out["same trial"] += 1
            continue
        else:
            row.counted = True
            counts[row.stance] = counts.get(row.stance, 0) + 1
            for other in _trial_of(row, by_pmid):
                counted_trials[other] = row.pmid
            continue
        left_out[row.not_counted] += 1
    return EvidenceTable(finding_id, rows, counts, left_out)


def _trial_of(row: EvidenceRow, by_pmid: dict[str, EvidenceRow]) -> set[str]:
    """Every row linked to ``row`` through shared trials (reports of one trial, transitively)."""
    seen, todo = {row.pmid}, list(row.same_trial)
    while todo:
        pmid = todo.pop()
        if pmid not in seen and pmid in by_pmid:
            seen.add(pmid)
            todo.extend(by_pmid[pmid].same_trial)
    return seen - {row.pmid}
