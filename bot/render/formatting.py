"""Dates, times and zones as a citizen reads them, by Babel, in their language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names, get_timezone_location
from babel.numbers import format_decimal, format_percent


def long_date(day: date, locale: str) -> str:
    """«Τετάρτη, 3 Αυγούστου 2022» (the month in the genitive, as inside a date)."""
    return format_date(day, "EEEE, d MMMM y", locale=locale)


def short_date(day: date, locale: str) -> str:
    """«Τετ 3 Αυγ»."""
    return format_date(day, "EEE d MMM", locale=locale)


def month_title(day: date, locale: str) -> str:
    """«Αύγουστος 2022» (the stand-alone, nominative month, as in a calendar header)."""
    return format_date(day, "LLLL y", locale=locale).capitalize()


def month_name(day: date, locale: str) -> str:
    """«Ιανουάριος» (stand-alone, as on a button that turns to that month)."""
    return format_date(day, "LLLL", locale=locale).capitalize()


def weekday_heads(locale: str) -> list[str]:
    """Monday first."""
    names = get_day_names("abbreviated", context="stand-alone", locale=locale)
    return [names[day] for day in range(7)]


def number(value: float, locale: str, pattern: str = "#,##0") -> str:
    """«1.234», «4,2» in Greek; «1,234», «4.2» in English."""
    return format_decimal(value, pattern, locale=locale)


def percent(value: float, locale: str) -> str:
    """«12%» as the language writes a share."""
    return format_percent(value, locale=locale)


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """24-hour time in the zone: «12:00»."""
    return moment.astimezone(zone).strftime("%H:%M")


def time_range(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """«12:00 – 12:50»."""
    return f"{clock(start, zone)} – {clock(end, zone)}"


def utc_offset(moment: datetime, zone: ZoneInfo) -> str:
    """«UTC+03:00» for the zone at that moment (DST included)."""
    offset = moment.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_label(zone: ZoneInfo, moment: datetime, locale: str) -> str:
    """«(UTC+03:00) Αθήνα», as the seed names the zone beside times."""
    city = get_timezone_location(zone, locale=locale, return_city=True)
    return f"({utc_offset(moment, zone)}) {city}"
