"""Every keyboard, in both languages, laid out so that no label is cut: Telegram gives the
buttons of a row equal widths, and a phone shows about 17 characters in half a row."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.catalog import Catalog
from bot.domain.model import Booking, Channel, Details, Slot, Status
from bot.render import keyboards
from bot.render.i18n import Translator
from bot.render.keyboards import ROW_WIDTH, Keyboard, button, fit, width
from bot.services.catalog import load_catalog
from tests.conftest import SAMPLE_CATALOG

ATHENS = ZoneInfo("Europe/Athens")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SAMPLE_CATALOG)


def make_booking(**changes: Any) -> Booking:
    start = NOW + timedelta(days=2)
    booking = Booking(
        id=1, reference="ABCD-EFGH", uid="u@rantevou", user_id=42, municipality_id="chios",
        group_id="chios-ksyg", service_id="chios-work-counsel", channel=Channel.VIDEO,
        start=start, end=start + timedelta(minutes=50),
        details=Details(name="Σοφία", email="s@example.com", phone="+306912345678"),
        consent_at=NOW, status=Status.BOOKED, locale="el",
        meeting_url="https://meet.jit.si/rantevou-x")
    return dataclasses.replace(booking, **changes)


def own_keyboards(t: Translator) -> dict[str, Keyboard]:
    """Every keyboard whose labels are the bot's own texts, with its longest variants."""
    booking = make_booking()
    # The night clocks go back in Athens: 03:00–04:00 comes twice, each time labelled.
    fall = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    slots = [Slot(fall + timedelta(minutes=30 * n), fall + timedelta(minutes=30 * n + 30))
             for n in range(6)]
    long_value = "Παπαδοπούλου-Χατζηγεωργίου Αικατερίνη-Σοφία"
    return {
        "calendar": keyboards.calendar(t, date(2026, 12, 1), {date(2026, 12, 2)},
                                       date(2026, 11, 1), date(2027, 1, 1)),
        "calendar, September": keyboards.calendar(t, date(2026, 9, 1), set(),
                                                  date(2026, 8, 1), date(2026, 10, 1)),
        "times": keyboards.times(t, [Slot(NOW + timedelta(minutes=30 * n),
                                          NOW + timedelta(minutes=30 * n + 30))
                                     for n in range(9)], ATHENS),
        "times, the repeated hour": keyboards.times(t, slots, ATHENS),
        "keep": keyboards.text_step(t, "name", long_value, False),
        "skip": keyboards.text_step(t, "notes", "", True),
        "phone": keyboards.phone(t, "+30 691 234 5678"),
        "yes or no": keyboards.yes_no(t, "third_party"),
        "consent": keyboards.consent(t),
        "summary": keyboards.summary(t, "d1", Channel.VIDEO, True),
        "summary of a change": keyboards.summary(t, "d1", Channel.PHONE, True, change=True),
        "booking": keyboards.booking_actions(t, booking),
        "booking card": keyboards.booking_actions(t, booking, card=True),
        "reminder": keyboards.reminder_actions(t, booking),
        "join": keyboards.join(t, booking.meeting_url),
        "ratings": keyboards.ratings(booking.reference),
        "staff": keyboards.staff_actions(t, booking),
        "close a day": keyboards.confirm_close(t, "abcd1234"),
        "move, the days": keyboards.move_days(t, booking.reference,
                                              [date(2026, 12, 1) + timedelta(days=n)
                                               for n in range(9)]),
        "move, the times": keyboards.move_times(t, booking.reference, slots, ATHENS),
        "book again": keyboards.book_again(t),
        "my bookings": keyboards.my_bookings(t),
        "cancel question": keyboards.cancel_question(t, booking),
        "offer": keyboards.offer(t, 999999999, booking.details),
        "offer, no details known": keyboards.offer(t, 999999999, None),
        "languages": keyboards.languages(),
        "time zones": keyboards.timezones(t, NOW),
    }


def catalog_keyboards(t: Translator, catalog: Catalog) -> dict[str, Keyboard]:
    found = {"municipalities": keyboards.municipalities(t, catalog.municipalities)}
    for municipality in catalog.municipalities:
        found[municipality.id] = keyboards.groups(t, municipality)
        for group in municipality.groups:
            found[group.id] = keyboards.services(t, group)
    for service in catalog.services():
        found[f"{service.id} channels"] = keyboards.channels(t, service)
    return found


def rows_of(keyboard: Keyboard) -> list[list[dict[str, Any]]]:
    return list(keyboard.get("inline_keyboard") or keyboard.get("keyboard") or [])


def labels(keyboard: Keyboard) -> list[list[str]]:
    return [[b["text"] for b in row] for row in rows_of(keyboard)]


def cut(rows: list[list[dict[str, Any]]], *, single: bool) -> list[str]:
    """The labels that do not fit their share of the row (single rows too, if asked)."""
    return [b["text"] for row in rows if single or len(row) > 1 for b in row
            if width(b["text"]) > ROW_WIDTH // len(row)]


@pytest.mark.parametrize("locale", ["el", "en"])
def test_no_label_of_ours_is_cut(locale: str) -> None:
    t = Translator(locale)
    for name, keyboard in own_keyboards(t).items():
        assert cut(rows_of(keyboard), single=True) == [], name


@pytest.mark.parametrize("locale", ["el", "en"])
def test_catalog_names_never_share_a_row_they_do_not_fit(catalog: Catalog,
                                                         locale: str) -> None:
    t = Translator(locale)
    for name, keyboard in catalog_keyboards(t, catalog).items():
        assert cut(rows_of(keyboard), single=False) == [], name


def test_the_long_greek_labels_get_rows_of_their_own() -> None:
    t = Translator("el")
    booking = make_booking()
    rows = labels(keyboards.booking_actions(t, booking, card=True))
    assert ["🔁 Προγραμματισμός εκ νέου"] in rows and ["❌ Ακύρωση κράτησης"] in rows
    summary = labels(keyboards.summary(t, "d", Channel.VIDEO, True))
    assert ["✏️ Τρόπος εξυπηρέτησης"] in summary and ["✏️ Ημερομηνία και ώρα"] in summary
    assert ["✏️ Ονοματεπώνυμο", "✏️ Email"] in summary  # short ones still pair up
    assert labels(keyboards.confirm_close(t, "abcd1234")) == [
        ["Ναι, κλείσιμο και ακύρωση"], ["Όχι"]]
    english = Translator("en")
    assert labels(keyboards.confirm_close(english, "abcd1234")) == [
        ["Yes, close and cancel"], ["No"]]


def test_width_counts_emoji_twice_and_marks_not_at_all() -> None:
    assert width("Όχι") == 3
    assert width("✏️ Email") == 8  # ✏ with its emoji selector is two wide
    assert width("✅ Κράτηση") == 10
    assert width("e\u0301") == 1  # a combining accent takes no room


def test_fit_keeps_the_order_and_the_most_per_row() -> None:
    labels = ["09:00", "09:30", "10:00", "10:30", "11:00"]
    rows = fit([button(label, "x") for label in labels], 4)
    assert [[b["text"] for b in row] for row in rows] == [labels[:4], labels[4:]]
    rows = fit([button(x, "x") for x in ("a", "b" * 18, "c", "d")])
    assert [[b["text"] for b in row] for row in rows] == [["a"], ["b" * 18], ["c", "d"]]
