"""Month arithmetic and text forms."""

from __future__ import annotations

import pytest

from engine.months import (
    format_month,
    from_views_month_id,
    month_index,
    month_name,
    parse_month,
)


def test_views_month_ids_map_to_calendar_months():
    assert format_month(from_views_month_id(1)) == "1980-01"
    assert format_month(from_views_month_id(121)) == "1990-01"
    assert format_month(from_views_month_id(535)) == "2024-07"


def test_text_round_trip():
    for text in ("1990-01", "2024-12", "2026-07"):
        assert format_month(parse_month(text)) == text
    assert parse_month("2024-3") == month_index(2024, 3)
    assert month_name(month_index(2024, 3)) == "March 2024"


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "March", "", "2024/03"])
def test_bad_month_text_is_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match=r"YYYY-MM|01 to 12"):
        parse_month(text)
