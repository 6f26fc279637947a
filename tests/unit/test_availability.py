"""Free start times: opening hours, notice, horizon, holidays, closures, desks and DST."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.availability import (
    Busy,
    candidate_slots,
    cells,
    entered_horizon,
    free_seat,
    free_slots,
    last_bookable_day,
    occupancy,
    opened_slots,
    overlapping_slots,
)
from bot.domain.catalog import ResolvedService
from bot.domain.holidays import is_holiday
from bot.domain.model import Slot
from bot.services.catalog import load_catalog
from tests.conftest import SAMPLE_CATALOG, START
from tests.unit.builders import (
    ATHENS,
    EVERY_DAY,
    NEW_YORK,
    WEEKDAYS,
    booked,
    day_range,
    labels,
    local,
    make_service,
    utc,
)

NOW = START  # Tuesday 1 December 2026, 10:00 in Athens
MONDAY = date(2026, 12, 7)
THIRTY_MIN = timedelta(minutes=30)


def on_day(
    service: ResolvedService,
    day: date,
    now: datetime = NOW,
    holds: list[Busy] | None = None,
    zone: ZoneInfo = ATHENS,
) -> list[Slot]:
    start, end = day_range(day, zone)
    return free_slots(service, ATHENS, start, end, now, holds or [])


def weekdays_9_to_13(**fields: Any) -> ResolvedService:
    return make_service({day: ["09:00-13:00"] for day in WEEKDAYS}, **fields)


# ---- opening hours ----------------------------------------------------------------------


def test_seed_service_offers_seven_starts_from_0900_to_1200() -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    service = catalog.service("chios-opeka-apply")
    assert service is not None
    thursday = date(2026, 12, 3)

    slots = on_day(service, thursday)

    assert labels(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]
    assert all(slot.end - slot.start == timedelta(minutes=50) for slot in slots)
    # Winter: Athens is UTC+2.
    assert slots[0].start == utc(2026, 12, 3, 7, 0)
    assert slots[-1].start == utc(2026, 12, 3, 10, 0)
    assert slots[-1].end == utc(2026, 12, 3, 10, 50)


def test_summer_slots_are_at_utc_plus_three() -> None:
    service = weekdays_9_to_13(duration=50, step=30)
    wednesday = date(2026, 7, 1)

    slots = on_day(service, wednesday, now=utc(2026, 6, 1, 12, 0))

    assert labels(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]
    assert slots[0].start == utc(2026, 7, 1, 6, 0)
    assert slots[-1].start == utc(2026, 7, 1, 9, 0)


def test_slots_are_aware_utc_datetimes() -> None:
    slots = on_day(weekdays_9_to_13(), MONDAY)
    assert slots
    assert all(slot.start.utcoffset() == timedelta(0) for slot in slots)


def test_closed_weekday_has_no_slots() -> None:
    service = weekdays_9_to_13()
    saturday, sunday = date(2026, 12, 5), date(2026, 12, 6)
    assert on_day(service, saturday) == []
    assert on_day(service, sunday) == []


def test_step_defaults_to_the_duration() -> None:
    service = weekdays_9_to_13(duration=60)
    assert service.service.slot_step == 60
    assert labels(on_day(service, MONDAY)) == ["09:00", "10:00", "11:00", "12:00"]


def test_explicit_step_shorter_than_duration() -> None:
    service = weekdays_9_to_13(duration=60, step=15)
    slots = on_day(service, MONDAY)
    # 09:00, 09:15, ... 12:00: the last start whose hour ends by 13:00.
    assert len(slots) == 13
    assert labels(slots)[:3] == ["09:00", "09:15", "09:30"]
    assert labels(slots)[-1] == "12:00"


def test_slots_never_run_past_the_window_end() -> None:
    service = make_service({"mon": ["09:00-10:30"]}, duration=50, step=20)
    slots = on_day(service, MONDAY)
    assert labels(slots) == ["09:00", "09:20", "09:40"]
    close = local(MONDAY, 10, 30)
    assert all(slot.end <= close for slot in slots)
    assert slots[-1].end == close  # the last one ends exactly at closing time


def test_two_windows_in_one_day() -> None:
    service = make_service({"mon": ["09:00-10:00", "17:00-18:00"]}, duration=30)
    assert labels(on_day(service, MONDAY)) == ["09:00", "09:30", "17:00", "17:30"]


def test_window_until_midnight() -> None:
    service = make_service({"mon": ["23:00-24:00"]}, duration=30)
    slots = on_day(service, MONDAY)
    assert labels(slots) == ["23:00", "23:30"]
    assert slots[-1].end == local(MONDAY + timedelta(days=1), 0)


def test_range_is_half_open_by_start() -> None:
    service = weekdays_9_to_13(duration=30)
    slots = free_slots(service, ATHENS, local(MONDAY, 10), local(MONDAY, 11), NOW, [])
    assert labels(slots) == ["10:00", "10:30"]


def test_free_slots_are_in_order_over_several_days() -> None:
    service = weekdays_9_to_13(duration=60)
    start, _ = day_range(MONDAY)
    _, end = day_range(MONDAY + timedelta(days=2))
    slots = free_slots(service, ATHENS, start, end, NOW, [])
    assert len(slots) == 12
    assert [slot.start for slot in slots] == sorted(slot.start for slot in slots)


# ---- notice and horizon -----------------------------------------------------------------


def test_minimum_notice_cuts_early_slots() -> None:
    service = weekdays_9_to_13(min_notice_hours=2)
    now = local(MONDAY, 8, 10)  # earliest start: 10:10
    assert labels(on_day(service, MONDAY, now=now)) == [
        "10:30", "11:00", "11:30", "12:00", "12:30"
    ]


def test_minimum_notice_boundary_is_inclusive() -> None:
    service = weekdays_9_to_13(min_notice_hours=2)
    now = local(MONDAY, 8, 0)  # earliest start: exactly 10:00
    assert labels(on_day(service, MONDAY, now=now))[0] == "10:00"


def test_seed_notice_of_twelve_hours_reaches_into_the_next_day() -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    service = catalog.service("chios-opeka-apply")  # min_notice_hours = 12
    assert service is not None
    now = local(MONDAY, 22, 0)  # earliest start: Tuesday 10:00
    tuesday = MONDAY + timedelta(days=1)
    assert labels(on_day(service, tuesday, now=now))[0] == "10:00"


def test_past_slots_are_never_offered_even_without_notice() -> None:
    service = weekdays_9_to_13(min_notice_hours=0)
    now = local(MONDAY, 11, 10)
    assert labels(on_day(service, MONDAY, now=now)) == ["11:30", "12:00", "12:30"]


def test_horizon_includes_the_last_day_and_not_the_next() -> None:
    service = make_service({day: ["09:00-13:00"] for day in EVERY_DAY}, horizon_days=5)
    today = NOW.astimezone(ATHENS).date()
    last = today + timedelta(days=5)

    assert last_bookable_day(service, NOW, ATHENS) == last
    assert len(on_day(service, last)) == 8
    assert on_day(service, last + timedelta(days=1)) == []

    start, _ = day_range(today)
    _, end = day_range(today + timedelta(days=30))
    every = free_slots(service, ATHENS, start, end, NOW, [])
    assert max(slot.start.astimezone(ATHENS).date() for slot in every) == last


def test_horizon_counts_from_the_local_date_not_the_utc_date() -> None:
    service = make_service({day: ["09:00-13:00"] for day in EVERY_DAY}, horizon_days=1)
    now = utc(2026, 12, 1, 22, 30)  # already 00:30 on 2 December in Athens
    assert last_bookable_day(service, now, ATHENS) == date(2026, 12, 3)
    assert on_day(service, date(2026, 12, 3), now=now) != []
    assert on_day(service, date(2026, 12, 4), now=now) == []


@pytest.mark.parametrize(("since", "entered"), [
    (None, [date(2026, 12, 7)]),  # the first run: today's day alone
    (date(2026, 12, 1), [date(2026, 12, 7)]),  # yesterday's run: one day
    (date(2026, 11, 29), [date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 7)]),
    (date(2026, 11, 1), [date(2026, 12, 2) + timedelta(days=n) for n in range(6)]),  # none past
    (date(2026, 12, 2), []),  # today's ran already
])
def test_the_days_that_entered_the_horizon_since_a_run(since: date | None,
                                                       entered: list[date]) -> None:
    service = make_service({day: ["09:00-13:00"] for day in EVERY_DAY}, horizon_days=5)
    now = utc(2026, 12, 1, 22, 0)  # just after midnight on 2 December in Athens
    assert entered_horizon(service, ATHENS, now, since) == entered


# ---- public holidays and closures -------------------------------------------------------

HOLIDAY_NOW = utc(2027, 3, 1, 8, 0)


@pytest.mark.parametrize(
    "holiday",
    [
        pytest.param(date(2027, 3, 25), id="independence-day"),
        pytest.param(date(2027, 4, 30), id="orthodox-good-friday"),
        pytest.param(date(2027, 5, 3), id="orthodox-easter-monday"),
    ],
)
def test_greek_public_holidays_have_no_slots(holiday: date) -> None:
    service = weekdays_9_to_13()
    assert holiday.weekday() < 5  # a weekday the service would otherwise be open
    assert is_holiday(holiday)
    assert on_day(service, holiday, now=HOLIDAY_NOW) == []


@pytest.mark.parametrize(
    "workday",
    [
        pytest.param(date(2027, 3, 24), id="day-before-25-march"),
        pytest.param(date(2027, 3, 26), id="day-after-25-march"),
        pytest.param(date(2027, 4, 29), id="holy-thursday"),
        pytest.param(date(2027, 5, 5), id="wednesday-after-easter"),
    ],
)
def test_normal_weekdays_next_to_holidays_have_slots(workday: date) -> None:
    service = weekdays_9_to_13()
    assert not is_holiday(workday)
    assert len(on_day(service, workday, now=HOLIDAY_NOW)) == 8


def test_western_easter_is_not_a_greek_holiday() -> None:
    # Western Easter 2027 is 28 March: Good Friday 26 March, Easter Monday 29 March.
    assert not is_holiday(date(2027, 3, 26))
    assert not is_holiday(date(2027, 3, 29))


def test_service_closure_has_no_slots() -> None:
    service = weekdays_9_to_13(closures=[date(2026, 12, 8)])
    assert on_day(service, date(2026, 12, 8)) == []
    assert len(on_day(service, date(2026, 12, 9))) == 8


def test_municipality_closure_has_no_slots() -> None:
    service = weekdays_9_to_13(municipality={"closures": [date(2026, 12, 9)]})
    assert on_day(service, date(2026, 12, 9)) == []
    assert len(on_day(service, date(2026, 12, 8))) == 8


def test_seed_municipality_closures_apply_to_its_services() -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    service = catalog.service("chios-work-counsel")  # Chios closes 24 and 31 December
    assert service is not None
    assert on_day(service, date(2026, 12, 24)) == []
    assert on_day(service, date(2026, 12, 23)) != []


# ---- desks and seats --------------------------------------------------------------------


def test_cells_cover_the_interval_in_five_minute_steps() -> None:
    start = utc(2026, 12, 7, 7, 0)
    covered = cells(start, start + timedelta(minutes=50))
    assert len(covered) == 10
    assert covered[0] == start
    assert covered[-1] == utc(2026, 12, 7, 7, 45)
    assert cells(start, start) == []


def test_cells_of_an_unaligned_start_begin_at_its_cell() -> None:
    covered = cells(utc(2026, 12, 7, 7, 3), utc(2026, 12, 7, 7, 12))
    assert covered == [utc(2026, 12, 7, 7, 0), utc(2026, 12, 7, 7, 5), utc(2026, 12, 7, 7, 10)]


def test_booking_blocks_its_slot_and_the_overlapping_ones() -> None:
    service = weekdays_9_to_13(duration=50, step=30)
    holds = booked(local(MONDAY, 9, 0), local(MONDAY, 9, 50))

    free = labels(on_day(service, MONDAY, holds=holds))

    assert "09:00" not in free
    assert "09:30" not in free  # 09:30-10:20 overlaps 09:00-09:50
    assert free == ["10:00", "10:30", "11:00", "11:30", "12:00"]


def test_booking_in_the_middle_blocks_neighbours_on_both_sides() -> None:
    service = weekdays_9_to_13(duration=50, step=30)
    holds = booked(local(MONDAY, 10, 0), local(MONDAY, 10, 50))
    assert labels(on_day(service, MONDAY, holds=holds)) == ["09:00", "11:00", "11:30", "12:00"]


def test_capacity_two_keeps_the_slot_until_both_seats_are_held() -> None:
    service = weekdays_9_to_13(duration=50, step=30, capacity=2)
    start, end = local(MONDAY, 9, 0), local(MONDAY, 9, 50)
    one = booked(start, end, seat=0)
    both = one + booked(start, end, seat=1)

    assert labels(on_day(service, MONDAY, holds=one))[:2] == ["09:00", "09:30"]
    free = labels(on_day(service, MONDAY, holds=both))
    assert "09:00" not in free
    assert "09:30" not in free
    assert free[0] == "10:00"


def test_free_seat_returns_the_lowest_free_seat() -> None:
    slot = Slot(utc(2026, 12, 7, 7, 0), utc(2026, 12, 7, 7, 50))
    assert free_seat(slot, 3, occupancy([])) == 0
    assert free_seat(slot, 3, occupancy(booked(slot.start, slot.end, seat=0))) == 1
    assert free_seat(slot, 3, occupancy(booked(slot.start, slot.end, seat=1))) == 0
    every = [busy for seat in range(3) for busy in booked(slot.start, slot.end, seat)]
    assert free_seat(slot, 3, occupancy(every)) is None


def test_free_seat_needs_the_seat_free_for_the_whole_slot() -> None:
    slot = Slot(utc(2026, 12, 7, 7, 0), utc(2026, 12, 7, 7, 50))
    # Seat 0 is taken at the start, seat 1 at the end: neither is free throughout.
    holds = booked(utc(2026, 12, 7, 7, 0), utc(2026, 12, 7, 7, 10), seat=0)
    holds += booked(utc(2026, 12, 7, 7, 40), utc(2026, 12, 7, 7, 50), seat=1)
    assert free_seat(slot, 2, occupancy(holds)) is None
    assert free_seat(slot, 3, occupancy(holds)) == 2


def test_holds_just_after_a_slot_do_not_block_it() -> None:
    slot = Slot(utc(2026, 12, 7, 7, 0), utc(2026, 12, 7, 7, 50))
    holds = booked(slot.end, slot.end + timedelta(minutes=50))
    assert free_seat(slot, 1, occupancy(holds)) == 0


# ---- daylight saving time ---------------------------------------------------------------

DST_NOW = utc(2026, 3, 1, 0, 0)
NIGHT = {"sun": ["02:00-06:00"]}


def test_normal_sunday_night_window_has_eight_slots() -> None:
    service = make_service(NIGHT, duration=30)
    for sunday in (date(2026, 3, 22), date(2026, 10, 18), date(2026, 11, 1)):
        assert len(on_day(service, sunday, now=DST_NOW)) == 8


def test_spring_forward_slots_are_real_consecutive_half_hours() -> None:
    service = make_service(NIGHT, duration=30)
    slots = on_day(service, date(2026, 3, 29), now=DST_NOW)  # 03:00 → 04:00

    assert len(slots) == 8 - 2
    assert all(slot.end - slot.start == THIRTY_MIN for slot in slots)
    assert all(b.start - a.start == THIRTY_MIN for a, b in pairwise(slots))
    assert all(slot.start.astimezone(ATHENS).hour != 3 for slot in slots)
    assert labels(slots) == ["02:00", "02:30", "04:00", "04:30", "05:00", "05:30"]
    assert slots[0].start == utc(2026, 3, 29, 0, 0)
    assert slots[-1].end == utc(2026, 3, 29, 3, 0)  # 06:00 summer time


def test_fall_back_slots_repeat_the_local_hour() -> None:
    service = make_service(NIGHT, duration=30)
    slots = on_day(service, date(2026, 10, 25), now=DST_NOW)  # 04:00 → 03:00

    assert len(slots) == 8 + 2
    assert all(b.start - a.start == THIRTY_MIN for a, b in pairwise(slots))
    assert len({slot.start for slot in slots}) == len(slots)
    at_three = [slot for slot in slots if labels([slot]) == ["03:00"]]
    assert [slot.start for slot in at_three] == [utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 1, 0)]
    assert [s.start.astimezone(ATHENS).utcoffset() for s in at_three] == [
        timedelta(hours=3),
        timedelta(hours=2),
    ]
    assert slots[0].start == utc(2026, 10, 24, 23, 0)  # 02:00 summer time
    assert slots[-1].end == utc(2026, 10, 25, 4, 0)  # 06:00 winter time


@pytest.mark.parametrize(
    ("sunday", "utc_hour_of_nine"),
    [
        pytest.param(date(2026, 3, 22), 7, id="before-spring"),
        pytest.param(date(2026, 3, 29), 6, id="spring-change"),
        pytest.param(date(2026, 10, 18), 6, id="before-autumn"),
        pytest.param(date(2026, 10, 25), 7, id="autumn-change"),
    ],
)
def test_daytime_window_on_dst_days_keeps_its_local_times(
    sunday: date, utc_hour_of_nine: int
) -> None:
    service = make_service({"sun": ["09:00-13:00"]}, duration=60)
    slots = on_day(service, sunday, now=DST_NOW)
    assert labels(slots) == ["09:00", "10:00", "11:00", "12:00"]
    assert [slot.start.hour for slot in slots] == [
        utc_hour_of_nine + offset for offset in range(4)
    ]


# ---- a citizen in another time zone -----------------------------------------------------

EARLY = {day: ["06:00-08:00"] for day in EVERY_DAY}  # 23:00-01:00 in New York, in winter
ZONE_NOW = utc(2026, 11, 1, 0, 0)


def test_new_york_day_takes_slots_by_their_new_york_date() -> None:
    service = make_service(EARLY, duration=30)
    ny_day = date(2026, 12, 1)

    slots = on_day(service, ny_day, now=ZONE_NOW, zone=NEW_YORK)

    assert [slot.start for slot in slots] == [
        utc(2026, 12, 1, 5, 0),  # 07:00 Athens on 1 Dec = 00:00 New York on 1 Dec
        utc(2026, 12, 1, 5, 30),
        utc(2026, 12, 2, 4, 0),  # 06:00 Athens on 2 Dec = 23:00 New York on 1 Dec
        utc(2026, 12, 2, 4, 30),
    ]
    assert {slot.start.astimezone(NEW_YORK).date() for slot in slots} == {ny_day}
    assert labels(slots, NEW_YORK) == ["00:00", "00:30", "23:00", "23:30"]


@pytest.mark.parametrize(
    "zone",
    ["America/New_York", "Pacific/Pago_Pago", "Asia/Tokyo", "Pacific/Kiritimati", "UTC"],
)
def test_any_zone_day_query_matches_the_slots_on_that_local_date(zone: str) -> None:
    citizen = ZoneInfo(zone)
    service = make_service(EARLY, duration=30)
    first, last = date(2026, 12, 1), date(2026, 12, 7)
    start, _ = day_range(first - timedelta(days=2))
    _, end = day_range(last + timedelta(days=2))
    week = free_slots(service, ATHENS, start, end, ZONE_NOW, [])

    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        expected = [slot for slot in week if slot.start.astimezone(citizen).date() == day]
        assert on_day(service, day, now=ZONE_NOW, zone=citizen) == expected
        assert len(expected) == 4


def test_candidate_and_free_slots_agree_without_holds() -> None:
    service = weekdays_9_to_13(duration=50, step=30)
    start, end = day_range(MONDAY)
    assert list(candidate_slots(service, ATHENS, start, end, NOW)) == free_slots(
        service, ATHENS, start, end, NOW, []
    )



# ---- what a freed seat or a changed catalog makes bookable --------------------------------


def test_the_slots_overlapping_a_freed_time_are_those_it_may_free() -> None:
    service = weekdays_9_to_13(duration=50, step=30)
    freed = local(MONDAY, 10)
    found = overlapping_slots(service, ATHENS, freed, freed + timedelta(minutes=50), NOW)
    assert labels(found) == ["09:30", "10:00", "10:30"]


def test_a_changed_service_opens_only_the_slots_it_did_not_have() -> None:
    before = make_service({"mon": ["09:00-11:00"]}, horizon_days=7)
    after = make_service({"mon": ["09:00-12:00"]}, horizon_days=14)
    opened = opened_slots(before, after, ATHENS, NOW)
    on_the_first = [slot for slot in opened if slot.start < local(MONDAY + timedelta(days=1), 0)]
    assert labels(on_the_first) == ["11:00", "11:30"]  # the new hours
    assert labels(opened[2:]) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert {slot.start.date() for slot in opened[2:]} == {MONDAY + timedelta(days=7)}
    assert opened_slots(after, after, ATHENS, NOW) == []
    assert opened_slots(before, make_service({"mon": ["09:00-11:00"]}, horizon_days=7,
                                             capacity=2), ATHENS, NOW) == list(
        candidate_slots(before, ATHENS, NOW, NOW + timedelta(days=8), NOW))  # a new desk
