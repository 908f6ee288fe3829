"""PubMed dates and ORCID identifiers, shared by both PubMed parsers.

``parse_pub_date`` reads the free-form PubDate text ("2023 Feb 15", "1990 Spring",
"2013 Jan-Mar"); ``ymd_date`` reads the Year/Month/Day triples of ArticleDate and
PubMedPubDate; ``normalise_orcid`` brings ORCID identifiers to the bare 16-digit form.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# A season means its earliest day within the stated year (meteorological, northern
# hemisphere): winter therefore starts the year, 1 January.
SEASONS = {"winter": 1, "spring": 3, "summer": 6, "autumn": 9, "fall": 9}
_DATE_TOKENS = re.compile(r"[A-Za-z]+|\d+")
_ORCID_CHARS = re.compile(r"[^0-9X]")


def normalise_orcid(raw: str) -> str:
    """'https://orcid.org/0000-0002-1825-0097' and the like -> '0000-0002-1825-0097'."""
    chars = _ORCID_CHARS.sub("", raw.rsplit("/", 1)[-1].upper())
    if len(chars) == 16 and chars[:15].isdigit():
        return "-".join(chars[i : i + 4] for i in range(0, 16, 4))
    return raw.strip()


def _month_number(token: str) -> int | None:
    if token.isdigit():
        value = int(token)
        return value if 1 <= value <= 12 and len(token) <= 2 else None
    low = token.lower()
    return MONTHS.get(low[:3]) or SEASONS.get(low)


def parse_pub_date(text: str) -> tuple[int | None, date | None]:
    """Year and best-effort first day of a PubDate text.

    "2023 Feb 15" -> 2023-02-15; "2013 Jan-Mar" -> 2013-01-01; "1998 Dec-1999 Jan" ->
    1998-12-01; seasons start on their first month within the year (Winter 1 Jan, Spring
    1 Mar, Summer 1 Jun, Autumn/Fall 1 Sep); a bare year means 1 January.
    """
    tokens = _DATE_TOKENS.findall(text)
    for index, token in enumerate(tokens):
        if len(token) == 4 and token.isdigit():
            year = int(token)
            rest = tokens[index + 1 :]
            break
    else:
        return None, None
    month = _month_number(rest[0]) if rest else None
    day = None
    if month is not None and len(rest) > 1 and rest[0].lower() not in SEASONS:
        if rest[1].isdigit() and len(rest[1]) <= 2:
            day = int(rest[1])
    try:
        return year, date(year, month or 1, day or 1)
    except ValueError:
        try:
            return year, date(year, month or 1, 1)
        except ValueError:
            return year, None


def ymd_date(year: str, month: str, day: str) -> date | None:
    """Year, month (number or name) and day strings as a date; None when they make none."""
    try:
        number = int(month) if month.isdigit() else MONTHS[month.lower()[:3]]
        return date(int(year), number, int(day or 1))
    except (KeyError, ValueError):
        return None
