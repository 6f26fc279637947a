"""The draft booking: rebuilt safely from stored data; the order of the steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.catalog import Catalog
from bot.domain.draft import (
    Draft,
    Step,
    applies,
    for_offer,
    from_link,
    missing,
    next_step,
    previous_step,
)
from bot.domain.model import Channel, Details, Offer
from bot.services.catalog import load_catalog
from tests.conftest import SAMPLE_CATALOG


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SAMPLE_CATALOG)


def complete(channel: str = "in_person", channels: int = 1, **changes: object) -> Draft:
    """A draft with every answer the booking needs."""
    draft = Draft(
        municipality="chios",
        group="chios-ksyg",
        service="chios-work-counsel",
        channel=channel,
        channels=channels,
        month="2026-12",
        day="2026-12-03",
        start="2026-12-03T07:00:00+00:00",
        name="Σοφία Παπαδοπούλου",
        email="sofia@example.com",
        phone="+306912345678",
        consent_at="2026-12-01T08:00:00+00:00",
    )
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


# ---- from_dict / to_dict ----------------------------------------------------------------


def test_round_trip_through_a_dict() -> None:
    draft = complete(channel="video", channels=2, third_party=True, third_email="a@b.gr")
    assert Draft.from_dict(draft.to_dict()) == draft


@pytest.mark.parametrize("junk", [None, "draft", 42, ["municipality", "chios"], {"a", "b"}])
def test_from_dict_of_junk_is_an_empty_draft(junk: object) -> None:
    assert Draft.from_dict(junk) == Draft()


def test_from_dict_ignores_unknown_keys() -> None:
    draft = Draft.from_dict({"municipality": "chios", "evil": "x", 3: "y", "__class__": "z"})
    assert draft == Draft(municipality="chios")
    assert not hasattr(draft, "evil")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("municipality", 5),
        ("municipality", None),
        ("municipality", ["chios"]),
        ("channels", "2"),
        ("channels", True),  # a bool is an int in Python, but not a count
        ("channels", 2.0),
        ("rebook_id", "17"),
        ("rebook_id", False),
        ("third_party", "yes"),
        ("third_party", 1),
        ("start", datetime(2026, 12, 3, 7, 0, tzinfo=UTC)),
    ],
)
def test_from_dict_drops_wrongly_typed_values(key: str, value: object) -> None:
    draft = Draft.from_dict({key: value, "group": "chios-kk"})
    assert getattr(draft, key) == getattr(Draft(), key)
    assert draft.group == "chios-kk"  # the rest is kept


def test_from_dict_keeps_well_typed_values() -> None:
    draft = Draft.from_dict({"channels": 2, "rebook_id": 17, "third_party": True})
    assert (draft.channels, draft.rebook_id, draft.third_party) == (2, 17, True)


@pytest.mark.parametrize("start", ["", "yesterday", "2026-12-03T07:00:00"])
def test_start_at_is_none_unless_an_aware_iso_time(start: str) -> None:
    assert Draft(start=start).start_at is None


def test_start_at_is_utc() -> None:
    draft = Draft(start="2026-12-03T09:00:00+02:00")
    assert draft.start_at == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    assert draft.start_at is not None and draft.start_at.tzinfo is UTC


def test_choose_service_resets_the_time_only_for_another_service() -> None:
    draft = complete()
    draft.choose_service("chios-work-counsel", ["video", "in_person"])
    assert draft.day == "2026-12-03" and draft.start
    assert (draft.channels, draft.channel) == (2, "")
    draft.choose_service("chios-opeka-apply", ["in_person"])
    assert (draft.month, draft.day, draft.start) == ("", "", "")
    assert (draft.channels, draft.channel) == (1, "in_person")


def test_value_and_set_value_of_text_steps() -> None:
    draft = Draft()
    draft.set_value(Step.THIRD_EMAIL, "guest@example.com")
    draft.set_value(Step.NOTES, "wheelchair")
    assert draft.third_email == "guest@example.com"
    assert draft.value(Step.THIRD_EMAIL) == "guest@example.com"
    assert draft.value(Step.NOTES) == "wheelchair"


# ---- the order of the steps -------------------------------------------------------------


def test_channel_step_is_skipped_when_the_service_has_one_channel() -> None:
    one = complete(channels=1)
    assert not applies(Step.CHANNEL, one)
    assert next_step(one, Step.SERVICE) == Step.DAY
    assert previous_step(one, Step.DAY) == Step.SERVICE

    two = complete(channels=2)
    assert applies(Step.CHANNEL, two)
    assert next_step(two, Step.SERVICE) == Step.CHANNEL
    assert next_step(two, Step.CHANNEL) == Step.DAY
    assert previous_step(two, Step.DAY) == Step.CHANNEL


def test_third_party_only_for_video() -> None:
    in_person = complete(channel="in_person")
    assert next_step(in_person, Step.REQUIREMENTS) == Step.CONSENT
    assert previous_step(in_person, Step.CONSENT) == Step.REQUIREMENTS

    video = complete(channel="video", channels=2)
    assert next_step(video, Step.REQUIREMENTS) == Step.THIRD_PARTY
    assert previous_step(video, Step.THIRD_PARTY) == Step.REQUIREMENTS


def test_third_email_only_when_a_third_party_joins() -> None:
    alone = complete(channel="video", channels=2, third_party=False)
    assert next_step(alone, Step.THIRD_PARTY) == Step.CONSENT
    assert previous_step(alone, Step.CONSENT) == Step.THIRD_PARTY

    joined = complete(channel="video", channels=2, third_party=True)
    assert next_step(joined, Step.THIRD_PARTY) == Step.THIRD_EMAIL
    assert next_step(joined, Step.THIRD_EMAIL) == Step.CONSENT
    assert previous_step(joined, Step.CONSENT) == Step.THIRD_EMAIL

    phone_call = complete(channel="phone", channels=2, third_party=True)
    assert not applies(Step.THIRD_EMAIL, phone_call)  # a stale flag changes nothing


def test_the_full_walk_of_a_video_booking() -> None:
    draft = complete(channel="video", channels=2, third_party=True)
    walk, step = [Step.MUNICIPALITY], Step.MUNICIPALITY
    while step is not Step.SUMMARY:
        step = next_step(draft, step)
        walk.append(step)
    assert walk == list(Step)
    back: list[Step] = [step]
    while step is not Step.MUNICIPALITY:
        step = previous_step(draft, step)
        back.append(step)
    assert back == list(reversed(Step))


def test_first_and_last_steps() -> None:
    draft = Draft()
    assert previous_step(draft, Step.MUNICIPALITY) == Step.MUNICIPALITY
    assert next_step(draft, Step.CONSENT) == Step.SUMMARY


def test_missing_names_the_first_unanswered_step() -> None:
    assert missing(Draft()) == Step.MUNICIPALITY
    assert missing(complete()) is None
    assert missing(complete(start="")) == Step.TIME
    assert missing(complete(phone="", consent_at="")) == Step.PHONE


def test_editing_from_the_summary_returns_to_the_summary() -> None:
    draft = complete(edit_from=Step.EMAIL.value)
    assert next_step(draft, Step.EMAIL) == Step.SUMMARY
    assert previous_step(draft, Step.EMAIL) == Step.SUMMARY


def test_back_from_another_step_while_editing_goes_back_normally() -> None:
    draft = complete(channel="video", channels=2, edit_from=Step.DAY.value)
    # Choosing a day leads to a time; Back from the time returns to the day.
    assert previous_step(draft, Step.TIME) == Step.DAY
    assert previous_step(draft, Step.DAY) == Step.SUMMARY


def test_editing_an_incomplete_draft_continues_in_order() -> None:
    draft = complete(edit_from=Step.DAY.value, start="")  # the new day needs a time
    assert next_step(draft, Step.DAY) == Step.TIME
    assert previous_step(draft, Step.DAY) == Step.SERVICE


# ---- deep links -------------------------------------------------------------------------


def test_link_to_a_municipality(catalog: Catalog) -> None:
    found = from_link("m_chios", catalog)
    assert found is not None
    draft, step = found
    assert replace(draft, id="") == Draft(municipality="chios")
    assert draft.id  # a new draft has an identity: confirming it twice books once
    assert step == Step.GROUP


def test_link_to_a_group(catalog: Catalog) -> None:
    found = from_link("g_chios-kk", catalog)
    assert found is not None
    draft, step = found
    assert (draft.municipality, draft.group, draft.service) == ("chios", "chios-kk", "")
    assert step == Step.SERVICE


def test_link_to_a_one_channel_service_goes_to_the_day(catalog: Catalog) -> None:
    found = from_link("s_chios-opeka-apply", catalog)
    assert found is not None
    draft, step = found
    assert (draft.municipality, draft.group) == ("chios", "chios-kk")
    assert draft.service == "chios-opeka-apply"
    assert (draft.channel, draft.channels) == ("in_person", 1)
    assert step == Step.DAY


def test_link_to_a_two_channel_service_asks_the_channel(catalog: Catalog) -> None:
    found = from_link("s_chios-work-counsel", catalog)
    assert found is not None
    draft, step = found
    assert (draft.municipality, draft.group) == ("chios", "chios-ksyg")
    assert (draft.channel, draft.channels) == ("", 2)
    assert step == Step.CHANNEL


@pytest.mark.parametrize(
    "payload",
    ["s_nope", "zzz", "", "m_", "m_nope", "g_chios", "s_chios-kk", "x_chios", "chios", "M_chios"],
)
def test_unknown_links(catalog: Catalog, payload: str) -> None:
    assert from_link(payload, catalog) is None


def test_an_offer_is_booked_in_the_flow_from_the_details_step(catalog: Catalog) -> None:
    """Its held time in the citizen's calendar (New York: the evening before, in Athens
    just after midnight); the details of the last booking to keep or change; the
    declaration asked again."""
    service = catalog.service("chios-work-counsel")
    assert service is not None
    start = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)
    offer = Offer(7, 42, service.id, Channel.VIDEO, start, start, start, "el")
    details = Details("Σοφία Παπαδοπούλου", "sofia@example.com", "+306912345678",
                      third_party_email="third@example.com")
    draft = for_offer(offer, service, details, ZoneInfo("America/New_York"))
    assert (draft.day, draft.month, draft.start_at) == ("2026-12-02", "2026-12", start)
    assert (draft.channel, draft.third_party, draft.third_email) == (
        "video", True, "third@example.com")
    assert missing(draft) is Step.CONSENT and draft.id and draft.offer == 7
    assert missing(for_offer(offer, service, None, ZoneInfo("Europe/Athens"))) is Step.NAME
