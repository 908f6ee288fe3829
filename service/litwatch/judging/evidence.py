"""The living evidence table: every stored article that reports on a finding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from litwatch.pubmed.markup import to_plain
from litwatch.store.classifications import list_stances_on

COLUMNS = (
    "pmid",
    "date",
    "stance",
    "confidence",
    "design",
    "n",
    "follow_up",
    "mrss_change",
    "fvc_change",
    "p_values",
    "registry_ids",
    "relevance",
    "retracted",
    "title",
    "evidence",
)


@dataclass
class EvidenceRow:
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

    def as_dict(self) -> dict[str, Any]:
        n = self.numbers
        return {
            "pmid": self.pmid,
            "date": self.date.isoformat() if self.date else "",
            "stance": self.stance,
            "confidence": round(self.confidence, 2),
            "design": self.design,
            "n": n.get("n"),
            "follow_up": n.get("follow_up"),
            "mrss_change": n.get("mrss_change"),
            "fvc_change": n.get("fvc_change"),
            "p_values": n.get("p_values"),
            "registry_ids": n.get("registry_ids"),
            "relevance": self.relevance,
            "retracted": self.retracted,
            "title": self.title,
            "evidence": self.evidence,
        }


def evidence_rows(session: Session, finding_id: str) -> list[EvidenceRow]:
    """Articles with a stance on ``finding_id``, newest first (deleted records left out)."""
    rows = []
    for af, article, c in list_stances_on(session, finding_id):
        judgement = next(
            (j for j in c.data.get("findings", []) if j.get("finding_id") == finding_id), {}
        )
        sentences = [e.get("sentence", "") for e in judgement.get("evidence", [])]
        rows.append(
            EvidenceRow(
                pmid=article.pmid,
                date=article.pub_date or article.create_date,
                stance=af.stance,
                confidence=af.confidence,
                design=c.design,
                relevance=c.relevance,
                numbers=c.data.get("numbers", {}),
                retracted=article.retracted,
                title=to_plain(article.title),
                evidence=" ".join(sentences),
            )
        )
    rows.sort(key=lambda r: (r.date or date.min, r.pmid), reverse=True)
    return rows
