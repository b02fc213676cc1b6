"""Calendar months as plain integers, ``year * 12 + (month - 1)``, for easy arithmetic.

The UCDP/VIEWS files number months from January 1980 (``month_id`` 1); the
helpers here convert between that numbering, ``YYYY-MM`` text and the month index
used everywhere inside fieldcast.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTH_TEXT = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
VIEWS_MONTH_ID_ORIGIN = 1980 * 12  # month index of VIEWS month_id 1 (January 1980)

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_index(year: int, month: int) -> int:
    """The month index of a calendar year and month (1 to 12)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be between 1 and 12, got {month}")
    return year * 12 + (month - 1)


def year_month(index: int) -> tuple[int, int]:
    """The calendar year and month (1 to 12) of a month index."""
    return index // 12, index % 12 + 1


def parse_month(text: str) -> int:
    """A month index from ``YYYY-MM`` text; a ValueError says what is wrong."""
    match = _MONTH_TEXT.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a month; write it as YYYY-MM (2024-03)")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' is not a month: the month must be 01 to 12")
    return month_index(year, month)


def format_month(index: int) -> str:
    """``YYYY-MM`` text of a month index."""
    year, month = year_month(index)
    return f"{year:04d}-{month:02d}"


def month_name(index: int) -> str:
    """A month as a person reads it, e.g. ``March 2024``."""
    year, month = year_month(index)
    return f"{MONTH_NAMES[month - 1]} {year}"


def from_views_month_id(month_id: int) -> int:
    """The month index of a VIEWS ``month_id`` (1 = January 1980)."""
    return VIEWS_MONTH_ID_ORIGIN + int(month_id) - 1


def of_date(day: dt.date | dt.datetime) -> int:
    """The month index that a date falls in."""
    return month_index(day.year, day.month)


def first_day(index: int) -> dt.datetime:
    """Midnight UTC on the first day of a month."""
    year, month = year_month(index)
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)
