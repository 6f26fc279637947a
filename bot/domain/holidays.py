"""Greece's public holidays, on which no service books.

The `holidays` library knows them too, but importing it loads every country it covers
(about 280 modules, 11 MB of every process's memory) to read one. These are the rules it
applies to Greece; `tests/unit/test_holidays.py` checks them against it, year by year, so
a change of the law that the library learns shows up there.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import EASTER_ORTHODOX, easter

FIXED = ((1, 1), (1, 6), (3, 25), (8, 15), (10, 28), (12, 25), (12, 26))
AFTER_EASTER = (-48, -2, 1, 50)  # Clean Monday, Good Friday, Easter Monday, Whit Monday
LABOUR_DAY_MOVED = {2024: date(2024, 5, 7)}  # by ministerial decision, that year alone
LABOUR_DAY_OBSERVED_SINCE = 2017


@lru_cache(maxsize=16)
def public_holidays(year: int) -> frozenset[date]:
    pascha = easter(year, EASTER_ORTHODOX)
    days = {date(year, month, day) for month, day in FIXED}
    days |= {pascha + timedelta(days=offset) for offset in AFTER_EASTER}
    return frozenset(days | {*_labour_days(year, pascha, days)})


def _labour_days(year: int, pascha: date, others: set[date]) -> list[date]:
    """1 May and, since 2017, the workday it is observed on when it falls on Easter
    Monday (the Tuesday) or on a weekend (the next workday)."""
    if year in LABOUR_DAY_MOVED:
        return [LABOUR_DAY_MOVED[year]]
    may_1 = date(year, 5, 1)
    if year < LABOUR_DAY_OBSERVED_SINCE:
        return [may_1]
    if may_1 == pascha + timedelta(days=1):
        return [may_1, may_1 + timedelta(days=1)]
    if may_1.weekday() < 5:
        return [may_1]
    observed = may_1 + timedelta(days=1)
    while observed.weekday() >= 5 or observed in others:
        observed += timedelta(days=1)
    return [may_1, observed]


def is_holiday(day: date) -> bool:
    return day in public_holidays(day.year)
