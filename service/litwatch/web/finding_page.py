"""What a finding's page shows beyond its evidence table: the filters of the table (design,
stance: GET parameters) and the plot of the counted studies over the years.

The counts and the plot always cover every row; the filters only narrow the table shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from litwatch.digests.wording import DESIGN_LABELS
from litwatch.judging.evidence import STANCES, EvidenceRow, EvidenceTable
from litwatch.web.finding_plot import plot_markup, studies_of
from litwatch.web.page_data import InputError


@dataclass(frozen=True)
class TableFilter:
    design: str = ""
    stance: str = ""

    @property
    def active(self) -> bool:
        return bool(self.design or self.stance)

    def keeps(self, row: EvidenceRow) -> bool:
        return (not self.design or row.design == self.design) and (
            not self.stance or row.stance == self.stance
        )


def parse_filter(design: str | None, stance: str | None) -> TableFilter:
    """The table's filter from the query string; InputError naming the allowed values."""
    design, stance = (design or "").strip(), (stance or "").strip()
    if design and design not in DESIGN_LABELS:
        raise InputError(f"Unknown design {design!r}: use one of {', '.join(DESIGN_LABELS)}.")
    if stance and stance not in STANCES:
        raise InputError(f"Unknown stance {stance!r}: use one of {', '.join(STANCES)}.")
    return TableFilter(design, stance)


@dataclass
class FindingView:
    table: EvidenceTable
    shown: list[EvidenceRow]
    plot: Markup
    designs: list[str]  # the designs present in the table, for the filter's choices


def finding_view(env: jinja2.Environment, table: EvidenceTable, wanted: TableFilter) -> FindingView:
    """The rows the filter keeps, and the plot of every counted row."""
    present = {r.design for r in table.rows}
    return FindingView(
        table=table,
        shown=[r for r in table.rows if wanted.keeps(r)],
        plot=plot_markup(env, studies_of(table.rows)),
        designs=[d for d in DESIGN_LABELS if d in present],
    )
