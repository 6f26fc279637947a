"""Greece's public holidays, as the `holidays` library knows them (a test dependency: at
run time it would load every country it covers)."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from bot.domain.holidays import public_holidays


@pytest.mark.parametrize("year", range(1990, 2081))
def test_the_same_days_as_the_holidays_library(year: int) -> None:
    assert public_holidays(year) == frozenset(holidays.country_holidays("GR", years=year))


def test_labour_day_on_easter_monday_is_observed_on_the_tuesday() -> None:
    assert {date(2062, 5, 1), date(2062, 5, 2)} <= public_holidays(2062)  # Pascha 30 April


def test_labour_day_on_a_weekend_is_observed_on_the_next_workday() -> None:
    assert {date(2027, 5, 1), date(2027, 5, 4)} <= public_holidays(2027)  # Monday: Pascha
