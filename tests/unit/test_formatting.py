"""Dates, times and zones in Greek and English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.render.formatting import (
    clock,
    long_date,
    month_title,
    short_date,
    time_range,
    utc_offset,
    weekday_heads,
    zone_label,
)

ATHENS = ZoneInfo("Europe/Athens")
AUGUST_3 = date(2022, 8, 3)  # a Wednesday
WINTER = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def test_long_date_greek_uses_the_genitive_month() -> None:
    assert long_date(AUGUST_3, "el") == "Τετάρτη, 3 Αυγούστου 2022"


def test_long_date_english() -> None:
    assert long_date(AUGUST_3, "en") == "Wednesday, 3 August 2022"


def test_month_title_greek_uses_the_nominative_month() -> None:
    assert month_title(AUGUST_3, "el") == "Αύγουστος 2022"


def test_month_title_english() -> None:
    assert month_title(AUGUST_3, "en") == "August 2022"


@pytest.mark.parametrize(
    ("month", "title", "inside_a_date"),
    [
        (1, "Ιανουάριος", "Ιανουαρίου"),
        (3, "Μάρτιος", "Μαρτίου"),
        (5, "Μάιος", "Μαΐου"),
        (12, "Δεκέμβριος", "Δεκεμβρίου"),
    ],
)
def test_greek_month_forms(month: int, title: str, inside_a_date: str) -> None:
    day = date(2026, month, 1)
    assert month_title(day, "el") == f"{title} 2026"
    assert f" 1 {inside_a_date} 2026" in long_date(day, "el")


def test_short_date() -> None:
    assert short_date(AUGUST_3, "el") == "Τετ 3 Αυγ"
    assert short_date(AUGUST_3, "en") == "Wed 3 Aug"


def test_weekday_heads_start_on_monday() -> None:
    assert weekday_heads("el") == ["Δευ", "Τρί", "Τετ", "Πέμ", "Παρ", "Σάβ", "Κυρ"]
    assert weekday_heads("en") == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_clock_and_time_range_in_local_time() -> None:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 12:00 in Athens in winter
    end = datetime(2026, 12, 1, 10, 50, tzinfo=UTC)
    assert clock(start, ATHENS) == "12:00"
    assert time_range(start, end, ATHENS) == "12:00 – 12:50"
    assert time_range(start, end, ZoneInfo("America/New_York")) == "05:00 – 05:50"


def test_clock_is_24_hour() -> None:
    assert clock(datetime(2026, 12, 1, 15, 5, tzinfo=UTC), ATHENS) == "17:05"


def test_utc_offset() -> None:
    assert utc_offset(WINTER, ATHENS) == "UTC+02:00"
    assert utc_offset(SUMMER, ATHENS) == "UTC+03:00"
    assert utc_offset(WINTER, ZoneInfo("America/New_York")) == "UTC-05:00"
    assert utc_offset(WINTER, ZoneInfo("Asia/Kolkata")) == "UTC+05:30"
    assert utc_offset(WINTER, ZoneInfo("America/St_Johns")) == "UTC-03:30"
    assert utc_offset(WINTER, ZoneInfo("UTC")) == "UTC+00:00"


def test_zone_label_follows_daylight_saving() -> None:
    assert zone_label(ATHENS, WINTER, "el") == "(UTC+02:00) Αθήνα"
    assert zone_label(ATHENS, SUMMER, "el") == "(UTC+03:00) Αθήνα"
    assert zone_label(ATHENS, WINTER, "en") == "(UTC+02:00) Athens"
    assert zone_label(ATHENS, SUMMER, "en") == "(UTC+03:00) Athens"


def test_zone_label_other_zone() -> None:
    assert zone_label(ZoneInfo("America/New_York"), WINTER, "en") == "(UTC-05:00) New York"
