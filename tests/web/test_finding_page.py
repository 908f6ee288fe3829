"""A finding's page: its counts, the SVG plot of counted studies over the years (parsed back
with ElementTree), the table's filters, retracted and uncounted reports left out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.judging.evidence import EvidenceRow, count_rows
from litwatch.store.tables import Article
from litwatch.templating import make_environment
from litwatch.web.finding_page import PAGE_ROWS, TableFilter, finding_view
from litwatch.web.finding_plot import (
    MAX_HALF,
    MAX_MARKS,
    MIN_HALF,
    TOP,
    PlotStudy,
    layout,
    plot_markup,
    radius,
    studies_of,
)
from litwatch.web.page_data import InputError
from tests.web.test_app import EVIL, RCT, app_client, make_context

SVG = "{http://www.w3.org/2000/svg}"
NASTY = 'Rituximab & "B-cell" <script>alert(2)</script> depletion'


def svg_of(html: str) -> ET.Element:
    """The one inline <svg> of a page, parsed as XML (so it must be well formed)."""
    found = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    assert len(found) == 1, "exactly one inline SVG"
    return ET.fromstring(found[0])


def marks(svg: ET.Element) -> list[ET.Element]:
    return [c for c in svg.iter(f"{SVG}circle") if "mark" in c.get("class", "").split()]


def per_stance_and_year(svg: ET.Element) -> Counter[tuple[str, int]]:
    return Counter(
        (c.get("class", "").split()[1], int(c.get("data-year", "0"))) for c in marks(svg)
    )


STUDIES = [
    PlotStudy("1", 2019, "supports", 400, "A large trial"),
    PlotStudy("2", 2019, "supports", 25, "A small cohort"),
    PlotStudy("3", 2019, "contradicts", 100, "A middling trial"),
    PlotStudy("4", 2021, "supports", None, "A case series without a count"),
    PlotStudy("5", 2023, "contradicts", 9, NASTY),
    PlotStudy("6", 2023, "contradicts", 1, "One patient"),
]


def test_the_marks_match_the_studies() -> None:
    svg = svg_of(plot_markup(make_environment(), STUDIES))
    assert per_stance_and_year(svg) == Counter(
        {("supports", 2019): 2, ("contradicts", 2019): 1, ("supports", 2021): 1,
         ("contradicts", 2023): 2}
    )  # fmt: skip
    plot = layout(STUDIES)
    assert plot is not None
    by_pmid = {c.get("data-pmid"): c for c in marks(svg)}
    for m in plot.marks:  # supports above the zero line, contradicts below
        cy = float(by_pmid[m.study.pmid].get("cy", "nan"))
        assert (cy < plot.zero_y) == (m.study.stance == "supports")
        assert float(by_pmid[m.study.pmid].get("r", "0")) == pytest.approx(m.r)
    # One column per year, left to right.
    xs = {int(c.get("data-year", "0")): float(c.get("cx", "0")) for c in marks(svg)}
    assert xs[2019] < xs[2021] < xs[2023]


def test_the_radius_order_follows_n_and_area_is_proportional() -> None:
    svg = svg_of(plot_markup(make_environment(), STUDIES))
    known = [(int(c.get("data-n", "")), float(c.get("r", "0"))) for c in marks(svg)
             if c.get("data-n")]  # fmt: skip
    by_n = sorted(known)
    assert [r for _, r in by_n] == sorted(r for _, r in by_n)
    big, small = dict(known)[400], dict(known)[100]
    assert (big / small) ** 2 == pytest.approx(4, rel=0.01)  # area ∝ n
    assert radius(1, 400, 16) > 0  # a tiny n stays visible


def test_unknown_n_gets_a_default_dashed_mark() -> None:
    svg = svg_of(plot_markup(make_environment(), STUDIES))
    (unknown,) = [c for c in marks(svg) if c.get("data-pmid") == "4"]
    assert unknown.get("data-n") == "" and unknown.get("stroke-dasharray")
    assert float(unknown.get("r", "0")) == radius(None, 400, 16)


def test_titles_are_escaped_and_named_per_mark() -> None:
    markup = str(plot_markup(make_environment(), STUDIES))
    assert "<script>" not in markup
    svg = svg_of(markup)
    (nasty,) = [c for c in marks(svg) if c.get("data-pmid") == "5"]
    title = nasty.find(f"{SVG}title")
    assert title is not None and title.text == f"{NASTY} (n = 9, 2023)"
    assert all(c.find(f"{SVG}title") is not None for c in marks(svg))
    # The text alternative: a summary and a table of the counts per year.
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and "3 supporting and 3 contradicting studies" in (desc.text or "")
    rows = re.findall(r'<tr><th scope="row">(\d+)</th><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td></tr>', markup)  # fmt: skip
    assert rows == [("2019", "2", "1"), ("2021", "1", "0"), ("2023", "0", "2")]


def test_nothing_to_plot_is_no_markup() -> None:
    assert str(plot_markup(make_environment(), [])) == ""


def row(pmid: str, year: int, stance: str, n: int | None, **kw: object) -> EvidenceRow:
    values: dict = {"confidence": 0.9, "design": "rct", "relevance": "core", "retracted": False}
    values.update(kw)
    return EvidenceRow(
        pmid=pmid, date=date(year, 5, 1), stance=stance, numbers={"n": n},
        title=f"Study {pmid}", evidence="", **values,
    )  # fmt: skip


def test_retracted_uncertain_and_repeated_reports_are_not_plotted() -> None:
    rows = [
        row("10", 2024, "supports", 80, same_trial=("11",)),  # the trial's latest report
        row("11", 2022, "supports", 80, same_trial=("10",)),  # the same trial, earlier
        row("12", 2023, "contradicts", 40, retracted=True),
        row("13", 2023, "contradicts", 20, confidence=0.1),  # needs review
        row("14", 2021, "contradicts", 60),
        row("15", 2021, "inconclusive", 60),
    ]
    table = count_rows("f", rows)
    assert [s.pmid for s in studies_of(table.rows)] == ["10", "14"]
    assert table.counts["supports"] == 1 and table.counts["contradicts"] == 1


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def site(seeded_url: str) -> Iterator[tuple[Context, httpx.Client]]:
    with make_context(seeded_url) as ctx, app_client(ctx) as client:
        yield ctx, client


def test_the_page_shows_counts_plot_and_table(site: tuple[Context, httpx.Client]) -> None:
    _, client = site
    page = client.get("/evidence/mrss-improvement")
    assert page.status_code == 200
    assert re.search(r'id="count-supports">1<', page.text)  # the trial; the cohort needs review
    assert re.search(r'id="count-contradicts">0<', page.text)
    svg = svg_of(page.text)
    assert per_stance_and_year(svg) == Counter({("supports", 2025): 1})
    assert [c.get("data-pmid") for c in marks(svg)] == [RCT]
    assert f'id="row-{EVIL}"' in page.text and f'id="row-{RCT}"' in page.text
    assert 'id="plot-table"' in page.text


def test_a_retracted_trial_leaves_the_plot_and_the_counts(
    site: tuple[Context, httpx.Client],
) -> None:
    ctx, client = site
    with Session(ctx.engine) as session:
        article = session.exec(select(Article).where(Article.pmid == RCT)).one()
        article.retracted = True
        session.add(article)
        session.commit()
    page = client.get("/evidence/mrss-improvement").text
    assert "<svg" not in page and 'id="no-plot"' in page
    assert re.search(r'id="count-supports">0<', page)
    assert f'id="row-{RCT}"' in page  # still shown in the table, marked
    assert "1 retracted" in page


def test_a_finding_without_studies_says_so(site: tuple[Context, httpx.Client]) -> None:
    _, client = site
    page = client.get("/evidence/iga-mrss-correlation")
    assert page.status_code == 200
    assert 'id="no-studies"' in page.text and "nothing to plot" in page.text
    assert "<svg" not in page.text


def test_the_table_filters(site: tuple[Context, httpx.Client]) -> None:
    _, client = site
    rct = client.get("/evidence/mrss-improvement", params={"design": "rct"}).text
    assert f'id="row-{RCT}"' in rct and f'id="row-{EVIL}"' not in rct
    assert 'id="filter-note"' in rct and len(marks(svg_of(rct))) == 1  # plot unfiltered
    none = client.get("/evidence/mrss-improvement", params={"stance": "contradicts"}).text
    assert 'id="no-rows"' in none and f'id="row-{RCT}"' not in none
    for bad in ({"design": "anecdote"}, {"stance": "maybe"}):
        answer = client.get("/evidence/mrss-improvement", params=bad)
        assert answer.status_code == 422
        assert "use one of" in answer.text


def test_a_busy_year_is_squeezed_into_a_bounded_plot() -> None:
    busy = [PlotStudy(str(i), 2020, "supports", 10 + i, f"Study {i}") for i in range(300)]
    busy.append(PlotStudy("c", 2021, "contradicts", 50, "The one against"))
    plot = layout(busy)
    assert plot is not None and plot.height <= TOP + MAX_HALF + MIN_HALF + 48
    assert len(plot.marks) == 301
    for m in plot.marks:  # every mark inside its half, none past the top
        if m.study.stance == "supports":
            assert plot.top <= m.cy - m.r and m.cy + m.r <= plot.zero_y
        else:
            assert m.cy - m.r >= plot.zero_y


def test_past_max_marks_the_plot_summarises_each_year_and_stance() -> None:
    many = [
        PlotStudy(str(i), 2018 + i % 3, "supports" if i % 4 else "contradicts",
                  None if i % 5 == 0 else 10, f"Study {i}")
        for i in range(MAX_MARKS + 1)
    ]  # fmt: skip
    markup = str(plot_markup(make_environment(), many))
    svg = svg_of(markup)
    drawn = marks(svg)
    assert len(drawn) == 6  # three years, two stances
    expected = Counter((s.year, s.stance) for s in many)
    n_sum = Counter()
    for s in many:
        n_sum[(s.year, s.stance)] += s.n or 0
    for c in drawn:
        key = (int(c.get("data-year", "0")), c.get("class", "").split()[1])
        assert int(c.get("data-count", "0")) == expected[key]
        assert int(c.get("data-n", "0")) == n_sum[key]
        assert "summary" in c.get("class", "") and c.get("data-pmid") is None
    # Areas follow the summed n; the table below still counts studies, not marks.
    by_n = sorted((int(c.get("data-n", "0")), float(c.get("r", "0"))) for c in drawn)
    assert [r for _, r in by_n] == sorted(r for _, r in by_n)
    rows = re.findall(r'<tr><th scope="row">(\d+)</th><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td></tr>', markup)  # fmt: skip
    assert sum(int(a) + int(b) for _, a, b in rows) == MAX_MARKS + 1
    assert "summed per year" in markup and len(markup) < 20_000
    # One fewer study: a mark each again.
    assert len(marks(svg_of(str(plot_markup(make_environment(), many[:MAX_MARKS]))))) == MAX_MARKS


def test_the_api_filters_rows_but_not_counts(site: tuple[Context, httpx.Client]) -> None:
    _, client = site
    every = client.get("/api/evidence/mrss-improvement").json()
    rct = client.get("/api/evidence/mrss-improvement", params={"design": "rct"}).json()
    assert [r["pmid"] for r in rct["rows"]] == [RCT]
    assert len(every["rows"]) == 2 and rct["counts"] == every["counts"]
    bad = client.get("/api/evidence/mrss-improvement", params={"stance": "maybe"})
    assert bad.status_code == 422 and "use one of" in bad.json()["error"]


def test_the_table_is_shown_a_page_at_a_time() -> None:
    rows = [
        row(str(1000 + i), 2000 + i % 20, "supports" if i % 3 else "contradicts", 10 + i)
        for i in range(250)
    ]
    table = count_rows("f", rows)
    env = make_environment()
    first = finding_view(env, table, TableFilter())
    assert (first.page, first.pages, first.kept, first.first) == (1, 3, 250, 1)
    assert first.shown == table.rows[:PAGE_ROWS]
    last = finding_view(env, table, TableFilter(), 3)
    assert last.shown == table.rows[200:] and last.first == 201
    # The filter narrows what is paged; the plot draws every counted study on every page.
    against = finding_view(env, table, TableFilter(stance="contradicts"))
    assert against.kept == 84 and against.pages == 1
    assert all(r.stance == "contradicts" for r in against.shown)
    assert against.plot == first.plot == last.plot
    with pytest.raises(InputError, match="only 3 page"):
        finding_view(env, table, TableFilter(), 4)


@pytest.mark.parametrize(
    ("page", "words"), [("0", "from 1"), ("two", "from 1"), ("2", "only 1 page")]
)
def test_a_page_out_of_range_is_a_422(
    site: tuple[Context, httpx.Client], page: str, words: str
) -> None:
    _, client = site
    answer = client.get("/evidence/mrss-improvement", params={"page": page})
    assert answer.status_code == 422 and words in answer.text
    assert client.get("/evidence/mrss-improvement", params={"page": "1"}).status_code == 200
