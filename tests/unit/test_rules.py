"""The booking rules as pure functions: limits, ownership, cutoff, outcomes, ratings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.catalog import parse_catalog
from bot.domain.model import Booking, BookingRequest, Channel, Details, Status
from bot.domain.rules import (
    NotAllowed,
    NotBookable,
    check_changeable,
    check_cutoff,
    check_limits,
    check_outcome,
    check_rating,
    new_reference,
    resolve,
    snapshot,
)
from tests.unit.builders import ATHENS, WEEKDAYS, make_service, raw_catalog

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday, 10:00 in Athens
START = NOW + timedelta(days=1)
OWNER, OTHER = 5001, 5002
SERVICE = make_service({day: ["09:00-13:00"] for day in WEEKDAYS}, change_cutoff_hours=2,
                       max_active=1, municipality={"max_active_total": 3})


def booking(**changes: object) -> Booking:
    base = Booking(
        id=1, reference="ABCD-EFGH", uid="u@rantevou", user_id=OWNER, municipality_id="chios",
        group_id="chios-kk", service_id="x", channel=Channel.IN_PERSON, start=START,
        end=START + timedelta(minutes=30), details=Details("Σοφία", "s@example.com",
                                                           "+306912345678"),
        consent_at=NOW, status=Status.BOOKED, locale="el",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def reason(error: pytest.ExceptionInfo[NotAllowed]) -> str:
    return error.value.reason


# ---- limits ---------------------------------------------------------------------------

def test_limits_allow_below_both_allowances() -> None:
    check_limits(SERVICE, in_service=0, in_municipality=2)


def test_limit_of_the_service_is_reached_at_its_maximum() -> None:
    with pytest.raises(NotAllowed) as refused:
        check_limits(SERVICE, in_service=1, in_municipality=1)
    assert reason(refused) == NotAllowed.LIMIT_SERVICE
    assert refused.value.service is SERVICE  # the refusal can give the department's phone


def test_limit_of_the_municipality_is_reached_at_its_maximum() -> None:
    with pytest.raises(NotAllowed) as refused:
        check_limits(SERVICE, in_service=0, in_municipality=3)
    assert reason(refused) == NotAllowed.LIMIT_TOTAL


# ---- ownership and state -----------------------------------------------------------------

def test_the_owner_may_change_an_upcoming_booking() -> None:
    mine = booking()
    assert check_changeable(mine, OWNER, NOW) is mine


def test_another_citizens_booking_is_not_found() -> None:
    with pytest.raises(NotAllowed) as refused:
        check_changeable(booking(), OTHER, NOW)
    assert reason(refused) == NotAllowed.NOT_FOUND


def test_no_booking_is_not_found() -> None:
    with pytest.raises(NotAllowed) as refused:
        check_changeable(None, OWNER, NOW)
    assert reason(refused) == NotAllowed.NOT_FOUND


def test_staff_may_act_on_anyones_booking() -> None:
    assert check_changeable(booking(), None, NOW).user_id == OWNER


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW])
def test_a_booking_that_is_over_cannot_be_changed(status: Status) -> None:
    with pytest.raises(NotAllowed) as refused:
        check_changeable(booking(status=status), OWNER, NOW)
    assert reason(refused) == NotAllowed.NOT_ACTIVE


def test_a_booking_that_starts_now_has_started() -> None:
    with pytest.raises(NotAllowed) as refused:
        check_changeable(booking(start=NOW), OWNER, NOW)
    assert reason(refused) == NotAllowed.STARTED
    check_changeable(booking(start=NOW + timedelta(seconds=1)), OWNER, NOW)


# ---- cutoff -------------------------------------------------------------------------------

def test_a_change_exactly_at_the_cutoff_is_allowed() -> None:
    check_cutoff(booking(start=NOW + timedelta(hours=2)), SERVICE, NOW)


def test_a_change_a_second_inside_the_cutoff_is_refused() -> None:
    with pytest.raises(NotAllowed) as refused:
        check_cutoff(booking(start=NOW + timedelta(hours=2, seconds=-1)), SERVICE, NOW)
    assert reason(refused) == NotAllowed.CUTOFF


def test_a_service_removed_from_the_catalog_has_no_cutoff() -> None:
    check_cutoff(booking(start=NOW + timedelta(minutes=1)), None, NOW)


# ---- outcomes and ratings -------------------------------------------------------------------

def test_an_outcome_is_recorded_once_the_appointment_has_begun() -> None:
    begun = booking(start=NOW)
    assert check_outcome(begun, NOW) is begun
    with pytest.raises(NotAllowed) as refused:
        check_outcome(booking(start=NOW + timedelta(seconds=1)), NOW)
    assert reason(refused) == NotAllowed.NOT_STARTED


def test_an_outcome_is_recorded_only_once() -> None:
    with pytest.raises(NotAllowed) as refused:
        check_outcome(booking(start=NOW, status=Status.COMPLETED), NOW)
    assert reason(refused) == NotAllowed.NOT_ACTIVE
    with pytest.raises(NotAllowed) as missing:
        check_outcome(None, NOW)
    assert reason(missing) == NotAllowed.NOT_FOUND


def test_a_rating_is_the_owners_and_after_the_start() -> None:
    begun = booking(start=NOW, status=Status.COMPLETED)
    assert check_rating(begun, OWNER, NOW) is begun
    for who, when, status, why in [
        (OTHER, NOW, Status.COMPLETED, NotAllowed.NOT_FOUND),
        (OWNER, NOW, Status.NO_SHOW, NotAllowed.NOT_ACTIVE),
        (OWNER, NOW, Status.CANCELLED, NotAllowed.NOT_ACTIVE),
        (OWNER, NOW + timedelta(minutes=1), Status.BOOKED, NotAllowed.NOT_STARTED),
    ]:
        with pytest.raises(NotAllowed) as refused:
            check_rating(booking(start=when, status=status), who, NOW)
        assert reason(refused) == why


# ---- what a request names --------------------------------------------------------------------

def request(**changes: object) -> BookingRequest:
    base = BookingRequest(user_id=OWNER, service_id="x", channel=Channel.IN_PERSON,
                          start=datetime(2026, 12, 2, 7, 0, tzinfo=UTC),
                          details=Details("Σοφία", "s@example.com", "+306912345678"),
                          consent_at=NOW, locale="el", timezone="Europe/Athens")
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_request_resolves_to_the_offered_slot() -> None:
    catalog = parse_catalog(raw_catalog(service={"min_notice_hours": 0}), "test")
    service, slot = resolve(catalog, ATHENS, request(), NOW)
    assert service.id == "x"
    assert slot.end - slot.start == timedelta(minutes=30)


@pytest.mark.parametrize("change", [
    {"service_id": "nope"},
    {"channel": Channel.VIDEO},  # not offered by the service
    {"start": datetime(2026, 12, 2, 7, 10, tzinfo=UTC)},  # not a start time
    {"start": datetime(2026, 12, 2, 12, 0, tzinfo=UTC)},  # after closing
])
def test_a_request_for_what_is_not_offered_is_refused(change: dict[str, object]) -> None:
    catalog = parse_catalog(raw_catalog(service={"min_notice_hours": 0}), "test")
    with pytest.raises(NotBookable):
        resolve(catalog, ATHENS, request(**change), NOW)


def test_references_are_read_aloud_without_look_alikes() -> None:
    drawn = {new_reference() for _ in range(200)}
    assert len(drawn) == 200
    assert all(len(r) == 9 and r[4] == "-" and not set(r) & set("ILOU") for r in drawn)


def test_the_history_keeps_what_a_change_moved() -> None:
    assert snapshot(booking()) == {"start": START.isoformat(), "channel": "in_person",
                                   "name": "Σοφία", "email": "s@example.com",
                                   "phone": "+306912345678"}
