"""The plot of a finding's page: counted studies per year, supports above a zero line and
contradicts below, each a circle whose area is proportional to its n.

Pure: it takes plain data (``PlotStudy``), lays the marks out (``layout``) and renders them
as inline SVG through ``templates/web/_finding_plot.html`` (``plot_markup``). No scripts, so
the plot reads the same with them off; the template also writes a table of the counts per
year, the text alternative for screen readers.

Marks of one year and stance stack away from the zero line, the largest nearest it, so no
two overlap and the height grows with the busiest year, up to ``MAX_HALF`` a side: beyond it
the stacks are squeezed and their marks overlap, so a finding with hundreds of studies a
year still draws a plot of bounded size. A study whose n is unknown gets a
fixed, dashed circle. A very small n is drawn at ``R_MIN`` so that it stays visible.

Past ``MAX_MARKS`` studies a mark a study would draw a wall of overlapping circles (and a
page of megabytes): the plot then summarises, one mark per year and stance, its area
proportional to the n of its studies summed and its label their number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup

from litwatch.judging.evidence import EvidenceRow

PLOTTED = ("supports", "contradicts")
WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 44, 48
GAP = 2  # between stacked marks, and between the zero line and the first mark
R_MAX, R_MIN, R_FLOOR = 16.0, 2.5, 4.0  # R_FLOOR: the largest mark never gets smaller
MIN_HALF = 48  # each half (above, below the line) at least this tall
MAX_HALF = 240  # and at most this: a busier year's stack is squeezed, its marks overlapping
MAX_MARKS = 400  # studies drawn a mark each; more are drawn a mark per year and stance
TEMPLATE = "web/_finding_plot.html"


@dataclass(frozen=True)
class PlotStudy:
    """One counted study: what the plot needs and nothing else."""

    pmid: str
    year: int
    stance: str  # supports | contradicts
    n: int | None
    title: str


@dataclass(frozen=True)
class Mark:
    study: PlotStudy  # in a summary, the year's studies of one stance: n summed, no PMID
    cx: float
    cy: float
    r: float
    count: int = 1  # the studies the mark stands for


def summarised(studies: list[PlotStudy]) -> tuple[list[PlotStudy], dict[tuple[int, str], int]]:
    """One study a year and stance, its n the sum of the known n (None when none is known),
    and how many studies each stands for."""
    groups: dict[tuple[int, str], list[PlotStudy]] = {}
    for s in studies:
        groups.setdefault((s.year, s.stance), []).append(s)
    out, counts = [], {}
    for (year, stance), group in sorted(groups.items()):
        known = [s.n for s in group if s.n is not None]
        out.append(PlotStudy("", year, stance, sum(known) if known else None, ""))
        counts[(year, stance)] = len(group)
    return out, counts


@dataclass(frozen=True)
class YearCount:
    year: int
    supports: int
    contradicts: int


@dataclass
class Plot:
    width: int
    height: int
    zero_y: float
    top: float
    left: float
    right: float
    years: list[YearCount]
    ticks: list[tuple[int, float]]  # year, x
    marks: list[Mark] = field(default_factory=list)
    n_max: int | None = None
    summary: bool = False  # a mark per year and stance rather than per study

    @property
    def total(self) -> dict[str, int]:
        return {
            "supports": sum(y.supports for y in self.years),
            "contradicts": sum(y.contradicts for y in self.years),
        }


def studies_of(rows: Iterable[EvidenceRow]) -> list[PlotStudy]:
    """The counted supporting and contradicting rows that have a date: retracted reports,
    those needing review and further reports of a counted trial are not counted, so not
    plotted either."""
    return [
        PlotStudy(r.pmid, r.date.year, r.stance, _n_of(r.numbers.get("n")), r.title)
        for r in rows
        if r.counted and r.stance in PLOTTED and r.date is not None
    ]


def _n_of(value: object) -> int | None:
    """A positive whole n, or None (missing, zero, or not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(value)


def radius(n: int | None, n_max: int | None, r_max: float) -> float:
    """Area proportional to n, the largest n at ``r_max``; unknown n: a fixed middle size."""
    if n is None or not n_max:
        return round(r_max * 0.45, 2)
    return round(max(R_MIN, r_max * math.sqrt(n / n_max)), 2)


def layout(studies: list[PlotStudy]) -> Plot | None:
    """Where each mark goes; None when there is nothing to plot."""
    if not studies:
        return None
    years = _year_counts(studies)
    counts: dict[tuple[int, str], int] = {}
    summary = len(studies) > MAX_MARKS
    if summary:
        studies, counts = summarised(studies)
    first, last = min(s.year for s in studies), max(s.year for s in studies)
    span = last - first + 1
    inner = WIDTH - LEFT - RIGHT
    column = inner / span
    r_max = max(R_FLOOR, min(R_MAX, column / 2 - 1))
    known = [s.n for s in studies if s.n is not None]
    n_max = max(known) if known else None

    def x_of(year: int) -> float:
        return round(LEFT + (year - first + 0.5) * column, 2)

    stacks: dict[tuple[int, str], list[tuple[PlotStudy, float]]] = {}
    for s in studies:
        stacks.setdefault((s.year, s.stance), []).append((s, radius(s.n, n_max, r_max)))
    offsets: list[tuple[PlotStudy, float, float]] = []  # study, distance from the line, r
    extent = {"supports": 0.0, "contradicts": 0.0}
    for (_, stance), stack in sorted(stacks.items()):
        used = 0.0
        for s, r in sorted(stack, key=lambda sr: (-sr[1], sr[0].pmid)):
            offsets.append((s, used + GAP + r, r))
            used += GAP + 2 * r
        extent[stance] = max(extent[stance], used)
    room = MAX_HALF - GAP
    squeeze = {
        k: (room - 2 * r_max) / (v - 2 * r_max) if v > room else 1.0 for k, v in extent.items()
    }
    above = max(MIN_HALF, min(MAX_HALF, extent["supports"] + GAP))
    below = max(MIN_HALF, min(MAX_HALF, extent["contradicts"] + GAP))
    zero_y = TOP + above
    marks = []
    for s, d, r in offsets:
        # Squeezed, a mark's edge still ends inside its half.
        d = r + (d - r) * squeeze[s.stance]
        cy = zero_y - d if s.stance == "supports" else zero_y + d
        marks.append(Mark(s, x_of(s.year), round(cy, 2), r, counts.get((s.year, s.stance), 1)))
    step = max(1, math.ceil(span / 12))
    return Plot(
        width=WIDTH,
        height=math.ceil(zero_y + below + BOTTOM),
        zero_y=round(zero_y, 2),
        top=TOP,
        left=LEFT,
        right=WIDTH - RIGHT,
        years=years,
        ticks=[(y, x_of(y)) for y in range(first, last + 1, step)],
        marks=marks,
        n_max=n_max,
        summary=summary,
    )


def _year_counts(studies: list[PlotStudy]) -> list[YearCount]:
    per: dict[tuple[int, str], int] = {}
    for s in studies:
        per[(s.year, s.stance)] = per.get((s.year, s.stance), 0) + 1
    years = sorted({s.year for s in studies})
    return [
        YearCount(y, per.get((y, "supports"), 0), per.get((y, "contradicts"), 0)) for y in years
    ]


def plot_markup(env: jinja2.Environment, studies: list[PlotStudy]) -> Markup:
    """The inline SVG and its table of counts per year; empty markup with nothing to plot."""
    plot = layout(studies)
    if plot is None:
        return Markup("")
    return Markup(env.get_template(TEMPLATE).render(plot=plot))
