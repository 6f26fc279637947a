"""Error texts lose the citizen's details before they are logged or stored."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.model import Booking, Channel, Details, Status
from bot.domain.privacy import failure, fingerprint, redact

START = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)


def booking_with(details: Details) -> Booking:
    return Booking(id=1, reference="AB12-CD34", uid="u", user_id=5001, municipality_id="m",
                   group_id="g", service_id="s", channel=Channel.PHONE, start=START,
                   end=START, details=details, consent_at=START, status=Status.BOOKED,
                   locale="el")


def test_the_bookings_details_become_its_reference() -> None:
    booking = booking_with(details=Details("Σοφία Παπαδοπούλου", "Sofia@Example.com",
                                           "+306912345678", address="Απλωταριάς 12"))
    said = redact("550 <sofia@example.com> refused; Σοφία Παπαδοπούλου, +306912345678, "
                  "Απλωταριάς 12", booking)
    ref = booking.reference
    assert said == (f"550 <<email of {ref}>> refused; <name of {ref}>, <phone of {ref}>, "
                    f"<address of {ref}>")


def test_any_other_address_becomes_a_hash_that_still_tells_two_apart() -> None:
    said = redact("refused: a.b+c@mail.example.gr and x@y.org")
    assert "@" not in said
    assert f"<email {fingerprint('a.b+c@mail.example.gr')}>" in said
    assert fingerprint("a@b.gr") != fingerprint("c@b.gr")
    assert fingerprint("A@B.gr") == fingerprint("a@b.gr")


def test_short_or_empty_details_are_not_looked_for() -> None:
    booking = booking_with(details=Details("Al", "", ""))
    assert redact("All good at 10:00", booking) == "All good at 10:00"


def test_a_failure_keeps_its_kind_and_frames_not_its_values() -> None:
    address = "@".join(("sofia", "example.com"))  # the frames show code: not this value
    try:
        raise KeyError(address)
    except KeyError as error:
        said = failure(error)
    assert said.startswith("KeyError: '<email ") and "sofia" not in said
    assert "test_a_failure_keeps_its_kind_and_frames_not_its_values" in said
