"""Texts as a Greek clerk would sign them: every message that shows a date, on every weekday,
has no article or preposition glued to it; texts outside Telegram point at no button and no
"here"; each channel gets its own instructions; numbers are written as the language does."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import get_day_names

from bot.domain.catalog import Catalog, ResolvedService, Text
from bot.domain.model import Booking, Channel, Details, Offer, Status
from bot.domain.stats import stats
from bot.domain.wishes import PARTS
from bot.render import admin, cards, email, flow, notices, reminders, reports, waiting
from bot.render.i18n import Translator
from bot.services.catalog import load_catalog
from tests.conftest import SAMPLE_CATALOG

ATHENS = ZoneInfo("Europe/Athens")
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 10:00 in Athens
COUNSEL = "chios-work-counsel"
# Whatever is glued before a weekday name: «την Δευτέρα», «Η Σάββατο», «στην Τρίτη» (the
# article's gender follows the weekday, a fixed text cannot; English "on Monday" is right).
GLUED = {
    "el": ("η", "την", "τη", "το", "της", "του", "στην", "στη", "στο", "σε", "από", "έως",
           "μέχρι", "για"),
    "en": ("the", "a"),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SAMPLE_CATALOG)


def make_booking(start: datetime, channel: Channel = Channel.VIDEO, **changes: object) -> Booking:
    booking = Booking(
        id=1, reference="ABCD-EFGH", uid="u@rantevou", user_id=42, municipality_id="chios",
        group_id="chios-ksyg", service_id=COUNSEL, channel=channel, start=start,
        end=start + timedelta(minutes=50),
        details=Details(name="Σοφία Παπαδοπούλου", email="sofia@example.com",
                        phone="+306912345678", third_party_email="third@example.com"),
        consent_at=start - timedelta(days=3), status=Status.BOOKED, locale="el",
        meeting_url="https://meet.jit.si/rantevou-x" if channel is Channel.VIDEO else "",
        sequence=1, created_at=start - timedelta(days=3), cancel_reason="Απεργία",
    )
    return dataclasses.replace(booking, **changes)  # type: ignore[arg-type]


Render = Callable[[Translator, ResolvedService, Booking], str]
DATED: dict[str, Render] = {
    "confirmation": lambda t, s, b: cards.confirmation(t, s, b, ATHENS),
    "rescheduled": lambda t, s, b: cards.rescheduled(t, s, b, ATHENS),
    "card": lambda t, s, b: cards.booking_card(t, s, b, ATHENS),
    "past list": lambda t, s, b: cards.past_list(t, [(b, s)], ATHENS),
    "reminder": lambda t, s, b: reminders.reminder(t, s, b, ATHENS, 60),
    "staff notice": lambda t, s, b: notices.notice(
        t, s, b, ATHENS, {"data": {"from": {"start": b.start.isoformat()}}}),
    "cancelled by the municipality": lambda t, s, b: notices.citizen_cancelled(
        t, s, b, ATHENS, closure=True),
    "moved by the department": lambda t, s, b: notices.citizen_moved(
        t, s, b, ATHENS, {"data": {"from": {"start": b.start.isoformat()}}}),
    "moving, the days": lambda t, s, b: notices.move_days(t, b, "x", ATHENS),
    "moving, the times": lambda t, s, b: notices.move_times(t, b, b.start.date()),
    "moved": lambda t, s, b: notices.moved(t, b, ATHENS),
    "email subject": lambda t, s, b: " ".join(
        email.subject(t, change, s, b, ATHENS) for change in email.EMAIL_SUBJECTS),
    "third participant": lambda t, s, b: " ".join(
        email.third_party_body(t, s, b, ATHENS, change)
        for change in ("booked", "rescheduled", "cancelled")),
    "summary": lambda t, s, b: flow.change_summary(
        t, s, b.channel, b.start, b.end, b.details, ATHENS, b.start),
    "choose a time": lambda t, s, b: flow.choose_time(t, s, b.start.date(), ATHENS, b.start),
    "close question": lambda t, s, b: admin.close_question(t, b.start.date(), "Χίος", 2),
    "closed": lambda t, s, b: " ".join(
        admin.closed(t, b.start.date(), "Χίος", n, new) for n in (0, 1) for new in (True, False)),
    "opened": lambda t, s, b: " ".join(
        admin.opened(t, b.start.date(), "Χίος", existed) for existed in (True, False)),
    "agenda": lambda t, s, b: " ".join(
        reports.agenda(t, b.start.date(), [(s.group, [(b, "x")])], ATHENS, digest)
        for digest in (True, False)),
    "joined the waitlist": lambda t, s, b: " ".join(
        waiting.joined(t, s, b.start.date(), part) for part in PARTS),
    "offer": lambda t, s, b: waiting.offer(t, s, offered(b), ATHENS, b.details)[0],
    "offer, no details known": lambda t, s, b: waiting.offer(t, s, offered(b), ATHENS,
                                                             None)[0],
    "offer ended": lambda t, s, b: " ".join(
        waiting.offer_ended(t, s, offered(b), ATHENS, why)
        for why in ("expired", "declined", "left", "closed", "taken")),
}


def offered(booking: Booking) -> Offer:
    return Offer(1, booking.user_id, booking.service_id, booking.channel, booking.start,
                 booking.end, booking.start - timedelta(hours=1), booking.locale)


@pytest.mark.parametrize("locale", ["el", "en"])
@pytest.mark.parametrize("offset", range(7))
def test_no_article_or_preposition_is_glued_to_a_date(catalog: Catalog, locale: str,
                                                      offset: int) -> None:
    t = Translator(locale)
    service = catalog.service(COUNSEL)
    assert service is not None
    booking = make_booking(MONDAY + timedelta(days=offset))
    weekday = get_day_names("wide", locale=locale)[offset]
    glued = re.compile(rf"(?i)(?<!\w)({'|'.join(GLUED[locale])})\s+{weekday}")
    for name, render in DATED.items():
        text = render(t, service, booking)
        assert weekday in text, name
        assert not glued.search(text), f"{name}: {glued.search(text)}"


def test_the_check_catches_the_forms_it_is_for() -> None:
    glued = re.compile(rf"(?i)(?<!\w)({'|'.join(GLUED['el'])})\s+Σάββατο")
    assert glued.search("Η Σάββατο, 8 Αυγούστου 2026 είναι πλέον κλειστή")
    assert glued.search("…για «Χ» την Σάββατο, 8 Αυγούστου")
    assert not glued.search("Η ημέρα Σάββατο, 8 Αυγούστου 2026 είναι πλέον κλειστή")


TELEGRAM_ONLY = {
    "el": ("εδώ", "κουμπί", "Θα έρθ"),
    "en": ("here", "button", "come"),
}


@pytest.mark.parametrize("locale", ["el", "en"])
@pytest.mark.parametrize("channel", list(Channel))
def test_emails_and_calendar_files_point_at_no_button_and_no_here(
    catalog: Catalog, locale: str, channel: Channel
) -> None:
    t = Translator(locale)
    service = catalog.service("papagou-debts")
    assert service is not None
    booking = make_booking(MONDAY, channel, service_id="papagou-debts")
    cancelled = dataclasses.replace(booking, status=Status.CANCELLED)
    texts = {
        "ics description": cards.invitation_description(t, service, booking),
        "email": " ".join(email.citizen_body(t, change, service, booking, ATHENS)
                          for change in ("booked", "rescheduled")),
        "cancellation email": email.citizen_body(t, "cancelled", service, cancelled, ATHENS),
        "emailed reminder": reminders.reminder(t, service, booking, ATHENS, 60,
                                               in_telegram=False),
        "third participant": " ".join(email.third_party_body(t, service, booking, ATHENS, c)
                                      for c in ("booked", "rescheduled", "cancelled")),
    }
    if channel is Channel.VIDEO:
        link_words = {"el": "παρακάτω", "en": "below"}[locale]
        assert link_words not in texts["emailed reminder"]  # it has no link: it comes later
        texts["emailed link"] = reminders.meeting_link(t, service, booking, ATHENS,
                                                       in_telegram=False)
        assert booking.meeting_url in texts["emailed link"]
        assert booking.meeting_url in texts["ics description"]
    for name, text in texts.items():
        for word in TELEGRAM_ONLY[locale]:
            assert not re.search(rf"(?i)(?<!\w){word}", text), f"{name}: {word!r} in {text}"


def test_the_third_participant_is_told_the_time_changed(catalog: Catalog) -> None:
    t = Translator("el")
    service = catalog.service(COUNSEL)
    assert service is not None
    booking = make_booking(MONDAY)
    moved = email.third_party_body(t, service, booking, ATHENS, "rescheduled")
    first = email.third_party_body(t, service, booking, ATHENS, "booked")
    assert moved != first and "μεταφέρθηκε" in moved
    assert "Νέα ημερομηνία και ώρα: Δευτέρα, 7 Δεκεμβρίου 2026, 10:00 – 10:50" in moved
    assert booking.meeting_url in moved
    assert email.third_party_subject(t, service, "rescheduled") != email.third_party_subject(
        t, service, "booked")


@pytest.mark.parametrize("locale", ["el", "en"])
def test_instructions_are_the_channels(catalog: Catalog, locale: str) -> None:
    t = Translator(locale)
    service = catalog.service(COUNSEL)
    assert service is not None
    video = cards.confirmation(t, service, make_booking(MONDAY, Channel.VIDEO), ATHENS)
    in_person = cards.confirmation(t, service, make_booking(MONDAY, Channel.IN_PERSON),
                                   ATHENS)
    call_words = {"el": "Στην τηλεδιάσκεψη", "en": "During the video call"}[locale]
    assert call_words in video
    assert call_words not in in_person
    assert call_words not in cards.invitation_description(
        t, service, make_booking(MONDAY, Channel.IN_PERSON))


@pytest.mark.parametrize(("locale", "rating", "share"), [("el", "4,5", "25%"),
                                                         ("en", "4.5", "25%")])
def test_numbers_are_written_as_the_language_does(catalog: Catalog, locale: str, rating: str,
                                                  share: str) -> None:
    t = Translator(locale)
    made = [make_booking(MONDAY + timedelta(hours=n), status=status)
            for n, status in enumerate([Status.NO_SHOW] + [Status.COMPLETED] * 3)]
    text = reports.stats_text(t, catalog, date(2026, 12, 1), date(2026, 12, 31),
                              stats(made, ATHENS, [4, 5]))
    assert f" {rating} " in text and share in text
    many = [make_booking(MONDAY, id=n) for n in range(1234)]
    text = reports.stats_text(t, catalog, date(2026, 12, 1), date(2026, 12, 31),
                              stats(many, ATHENS))
    assert ("1.234" if locale == "el" else "1,234") in text


def test_stats_count_one_thing_per_figure() -> None:
    statuses = [Status.BOOKED, Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW,
                Status.CANCELLED]
    made = [make_booking(MONDAY + timedelta(hours=n), status=s)
            for n, s in enumerate(statuses)]
    numbers = stats(made, ATHENS)
    assert (numbers.total, numbers.cancelled, numbers.kept) == (5, 2, 3)
    assert sum(n for _, n in numbers.by_service) == numbers.kept
    assert sum(n for _, n in numbers.by_channel) == numbers.kept
    assert sum(n for _, n in numbers.busiest_days) == numbers.kept
    assert sum(n for _, n in numbers.by_status) == numbers.total


@pytest.mark.parametrize(("channel", "third"), [(Channel.VIDEO, True),
                                                 (Channel.IN_PERSON, False)])
def test_an_offer_shows_the_details_as_the_summary_does_for_its_channel(
    catalog: Catalog, channel: Channel, third: bool
) -> None:
    t = Translator("el")
    service = catalog.service(COUNSEL)
    assert service is not None
    booking = make_booking(MONDAY, channel)
    text, _ = waiting.offer(t, service, offered(booking), ATHENS, booking.details)
    summary = flow.summary(t, service, channel, booking.start, booking.end, booking.details,
                           ATHENS)
    rows = [line for line in summary.split("\n") if line.startswith(("Ονοματεπώνυμο:",
                                                                      "Τρίτος συμμετέχων:"))]
    assert rows and all(row in text for row in rows)
    assert ("Τρίτος συμμετέχων: third@example.com" in text) is third


def test_an_offer_too_long_to_review_asks_for_the_details_in_the_flow(
    catalog: Catalog,
) -> None:
    """Every field at its longest and a declaration of 2 500 characters do not fit in one
    message: «Book» asks for the details in the booking flow, where each has its step."""
    t = Translator("el")
    service = catalog.service(COUNSEL)
    assert service is not None
    municipality = service.municipality.model_copy(
        update={"consent": Text(el="Δ" * 2500, en="D" * 2500)})
    wordy = service.model_copy(update={"municipality": municipality})
    full = Details("Ν" * 100, "e" * 64 + "@example.com", "+306912345678", "Α" * 500,
                   "Σ" * 500, "Ε" * 500, "t" * 64 + "@example.com")
    offer = offered(make_booking(MONDAY))
    text, _ = waiting.offer(t, service, offer, ATHENS, full)
    assert full.notes in text  # the sample's declaration leaves room for them all
    text, markup = waiting.offer(t, wordy, offer, ATHENS, full)
    assert full.notes not in text and len(text) <= 4000
    assert markup is not None
    assert [[b["callback_data"] for b in row] for row in markup["inline_keyboard"]] == [
        ["1|wc|1", "1|wn|1"]]
