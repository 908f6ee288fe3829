"""What a finding's page shows beyond its evidence table: the filters of the table (design,
stance: GET parameters), its pages, and the plot of the counted studies over the years.

The counts and the plot always cover every row; the filters only narrow the table shown, and
the table is shown ``PAGE_ROWS`` rows a page (a finding with thousands of reports would
otherwise make a page of megabytes that takes seconds to draw).
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


PAGE_ROWS = 100


def parse_page(page: str | None) -> int:
    """The table's page number from the query string (1 when not given); InputError if bad."""
    text = (page or "").strip()
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"'page' must be a whole number from 1, not {text!r}.")
    return int(text)


@dataclass
class FindingView:
    table: EvidenceTable
    shown: list[EvidenceRow]  # the rows of this page
    kept: int  # the rows the filter keeps, on every page
    page: int
    pages: int
    plot: Markup
    designs: list[str]  # the designs present in the table, for the filter's choices

    @property
    def first(self) -> int:
        """The number of this page's first row, counted from 1 (0 when there is none)."""
        return (self.page - 1) * PAGE_ROWS + 1 if self.shown else 0


def finding_view(
    env: jinja2.Environment, table: EvidenceTable, wanted: TableFilter, page: int = 1
) -> FindingView:
    """One page of the rows the filter keeps, and the plot of every counted row; InputError
    for a page past the last."""
    kept = [r for r in table.rows if wanted.keeps(r)]
    pages = max(1, -(-len(kept) // PAGE_ROWS))
    if page > pages:
        raise InputError(f"There {'is' if pages == 1 else 'are'} only {pages} page(s) of rows.")
    present = {r.design for r in table.rows}
    return FindingView(
        table=table,
        shown=kept[(page - 1) * PAGE_ROWS : page * PAGE_ROWS],
        kept=len(kept),
        page=page,
        pages=pages,
        plot=plot_markup(env, studies_of(table.rows)),
        designs=[d for d in DESIGN_LABELS if d in present],
    )
