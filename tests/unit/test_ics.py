"""Calendar invitations, parsed back with icalendar."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.domain.model import Booking, Channel, Details, Status
from bot.render.ics import Invitation, invitation

ATHENS = ZoneInfo("Europe/Athens")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
WINTER_START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 12:00 in Athens
SUMMER_START = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)  # 12:00 in Athens

ABOUT = Invitation(
    title="Εργασιακή συμβουλευτική",
    description="Ραντεβού με τον Δήμο Χίου",
    location="Δημαρχείο Χίου",
    organizer_name="ΔΗΜΟΣ ΧΙΟΥ",
    organizer_email="it@chios.gov.gr",
)


def make_booking(start: datetime = WINTER_START, **changes: Any) -> Booking:
    booking = Booking(
        id=1,
        reference="CHI-0001",
        uid="b0c5e3d2-1111-2222-3333-444455556666@rantevou",
        user_id=42,
        municipality_id="chios",
        group_id="chios-ksyg",
        service_id="chios-work-counsel",
        channel=Channel.IN_PERSON,
        start=start,
        end=start + timedelta(minutes=50),
        details=Details(name="Σοφία Παπαδοπούλου", email="sofia@example.com",
                        phone="+306912345678"),
        consent_at=NOW,
        status=Status.BOOKED,
        locale="el",
        sequence=3,
    )
    return dataclasses.replace(booking, **changes)


def parsed(booking: Booking, method: str = "REQUEST", about: Invitation = ABOUT) -> Calendar:
    data = invitation(booking, about, ATHENS, NOW, method=method)
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def only_event(calendar: Calendar) -> Any:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def attendees(event: Any) -> list[str]:
    found = event.get("attendee")
    found = found if isinstance(found, list) else [found]
    return [str(address) for address in found]


def test_request_has_the_method_and_one_event() -> None:
    calendar = parsed(make_booking())
    assert str(calendar["method"]) == "REQUEST"
    assert str(calendar["version"]) == "2.0"
    event = only_event(calendar)
    assert str(event["uid"]) == "b0c5e3d2-1111-2222-3333-444455556666@rantevou"
    assert int(event["sequence"]) == 3
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["summary"]) == ABOUT.title
    assert str(event["description"]) == ABOUT.description
    assert str(event["location"]) == ABOUT.location


def test_times_are_in_athens_and_equal_to_the_booking() -> None:
    booking = make_booking()
    event = only_event(parsed(booking))
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == booking.start
    assert end == booking.end
    assert event["dtstart"].params["TZID"] == "Europe/Athens"
    assert (start.hour, start.minute) == (12, 0)  # local wall-clock time
    assert event.decoded("dtstamp") == NOW


def test_summer_booking_uses_summer_time() -> None:
    booking = make_booking(start=SUMMER_START)
    event = only_event(parsed(booking))
    start = event.decoded("dtstart")
    assert start == booking.start
    assert start.utcoffset() == timedelta(hours=3)
    assert (start.hour, start.minute) == (12, 0)


def test_calendar_carries_the_athens_time_zone() -> None:
    for start in (WINTER_START, SUMMER_START):
        calendar = parsed(make_booking(start=start))
        zones = calendar.walk("VTIMEZONE")
        assert [str(zone["tzid"]) for zone in zones] == ["Europe/Athens"]
        # The definition gives both offsets, so any client shows the right local time.
        offsets = {part.decoded("tzoffsetto") for part in zones[0].subcomponents}
        assert offsets == {timedelta(hours=2), timedelta(hours=3)}


def test_time_zone_definition_covers_the_booking_year() -> None:
    calendar = parsed(make_booking(start=SUMMER_START))
    (zone,) = calendar.walk("VTIMEZONE")
    spring_changes = set()
    for part in zone.walk("DAYLIGHT"):
        spring_changes.add(part.decoded("dtstart"))
        rdates = part.get("rdate", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            spring_changes.update(moment.dt for moment in rdate.dts)
    # Summer time begins in Athens on the last Sunday of March: 28 March 2027.
    assert date(2027, 3, 28) in {moment.date() for moment in spring_changes}


def test_organizer_and_attendee_are_mailto_addresses() -> None:
    event = only_event(parsed(make_booking()))
    organizer = event["organizer"]
    assert str(organizer) == "mailto:it@chios.gov.gr"
    assert organizer.params["CN"] == "ΔΗΜΟΣ ΧΙΟΥ"
    assert attendees(event) == ["mailto:sofia@example.com"]
    attendee = event["attendee"]
    assert attendee.params["CN"] == "Σοφία Παπαδοπούλου"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


def test_no_organizer_without_an_email() -> None:
    about = dataclasses.replace(ABOUT, organizer_email="", location="")
    event = only_event(parsed(make_booking(), about=about))
    assert "organizer" not in event
    assert "location" not in event


def test_meeting_link_is_the_url() -> None:
    booking = make_booking(channel=Channel.VIDEO, meeting_url="https://meet.jit.si/rantevou-abc")
    event = only_event(parsed(booking))
    assert str(event["url"]) == "https://meet.jit.si/rantevou-abc"


def test_no_url_without_a_meeting() -> None:
    assert "url" not in only_event(parsed(make_booking()))


def test_third_participant_is_a_second_attendee() -> None:
    details = Details(
        name="Σοφία Παπαδοπούλου",
        email="sofia@example.com",
        phone="+306912345678",
        third_party_email="lawyer@example.com",
    )
    booking = make_booking(channel=Channel.VIDEO, details=details,
                           meeting_url="https://meet.jit.si/x")
    event = only_event(parsed(booking))
    assert attendees(event) == ["mailto:sofia@example.com", "mailto:lawyer@example.com"]
    guest = event["attendee"][1]
    assert guest.params["ROLE"] == "OPT-PARTICIPANT"


def test_cancel_gives_a_cancelled_event_with_the_same_uid() -> None:
    booking = make_booking()
    request = only_event(parsed(booking))
    calendar = parsed(dataclasses.replace(booking, sequence=4), method="CANCEL")
    assert str(calendar["method"]) == "CANCEL"
    cancel = only_event(calendar)
    assert str(cancel["status"]) == "CANCELLED"
    assert str(cancel["uid"]) == str(request["uid"])
    assert int(cancel["sequence"]) == 4


def test_the_repeated_hour_is_named_in_utc() -> None:
    # 25 October 2026: 03:30 in Athens comes twice; both are named by their instant.
    for start in (datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                  datetime(2026, 10, 25, 1, 30, tzinfo=UTC)):
        data = invitation(make_booking(start, end=start + timedelta(minutes=30)), ABOUT,
                          ATHENS, NOW)
        assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z".encode() in data
        assert only_event(Calendar.from_ical(data)).decoded("dtstart") == start
    # An hour later the clock is unambiguous again: local time with its zone.
    later = invitation(make_booking(datetime(2026, 10, 25, 2, 0, tzinfo=UTC)), ABOUT, ATHENS,
                       NOW)
    assert b"DTSTART;TZID=Europe/Athens:20261025T040000" in later
