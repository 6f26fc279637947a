"""The catalog: the sample file loads as the seed describes; mistakes are reported precisely."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.domain.catalog import Catalog, CatalogError, Hours, parse_catalog
from bot.domain.model import Channel
from bot.services.catalog import load_catalog
from tests.conftest import SAMPLE_CATALOG
from tests.unit.builders import raw_catalog

ENTRY = "municipality 'chios' › group 'chios-kk' › service 'x'"
GROUP = "municipality 'chios' › group 'chios-kk'"


@pytest.fixture(scope="module")
def sample() -> Catalog:
    return load_catalog(SAMPLE_CATALOG)


def error_of(raw: dict[str, Any], source: str = "test.toml") -> str:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(raw, source)
    return str(caught.value)


# ---- the sample catalog -----------------------------------------------------------------


def test_sample_has_the_seven_municipalities(sample: Catalog) -> None:
    assert [m.id for m in sample.municipalities] == [
        "chios",
        "kavala",
        "kordelio-evosmos",
        "larissa",
        "metamorfosi",
        "papagou-cholargos",
        "chania",
    ]
    assert all(m.name.el and m.name.en and m.consent.el and m.consent.en
               for m in sample.municipalities)


def test_sample_chios_has_the_three_groups_of_the_seed(sample: Catalog) -> None:
    chios = sample.municipality("chios")
    assert chios is not None
    assert chios.name.get("el") == "ΔΗΜΟΣ ΧΙΟΥ"
    assert chios.name.get("en") == "Municipality of Chios"
    assert [g.id for g in chios.groups] == ["chios-kk", "chios-ksyg", "chios-property"]
    assert [g.name.el for g in chios.groups] == [
        "Κέντρο Κοινότητας",
        "Κέντρα Συμβουλευτικής Υποστήριξης Γυναικών",
        "Τμήμα Περιουσίας",
    ]


@pytest.mark.parametrize("service_id", ["chios-opeka-apply", "chios-opeka-info"])
def test_sample_opeka_services_are_in_person_only(sample: Catalog, service_id: str) -> None:
    service = sample.service(service_id)
    assert service is not None
    assert service.group.id == "chios-kk"
    assert service.service.channels == (Channel.IN_PERSON,)
    assert "ΟΠΕΚΑ" in service.service.name.el


def test_sample_work_counsel_is_video_and_in_person(sample: Catalog) -> None:
    service = sample.service("chios-work-counsel")
    assert service is not None
    assert service.group.id == "chios-ksyg"
    assert service.municipality.id == "chios"
    assert service.service.channels == (Channel.VIDEO, Channel.IN_PERSON)
    assert service.service.duration == 50
    assert service.service.slot_step == 30


def test_sample_service_inherits_hours_address_and_closures(sample: Catalog) -> None:
    service = sample.service("chios-work-counsel")
    assert service is not None
    assert service.hours.on(0) == ((9 * 60, 13 * 60),)  # Monday 09:00-13:00, from its group
    assert service.hours.on(5) == ()  # closed on Saturday
    assert service.address is not None
    assert service.address.en.startswith("Chios Town Hall")  # from the municipality
    assert service.closures == frozenset({date(2026, 12, 24), date(2026, 12, 31)})


def test_sample_opeka_services_share_one_desk(sample: Catalog) -> None:
    apply, info = sample.service("chios-opeka-apply"), sample.service("chios-opeka-info")
    work = sample.service("chios-work-counsel")
    assert apply is not None and info is not None and work is not None
    assert apply.service.desk == info.service.desk == "chios-kk-desk"
    assert work.service.desk == "chios-work-counsel"  # its own id by default


def test_sample_lookups(sample: Catalog) -> None:
    assert sample.municipality("nope") is None
    assert sample.service("nope") is None
    found = sample.group("chios-property")
    assert found is not None
    municipality_id, group = found
    assert municipality_id == "chios"
    assert group.id == "chios-property"
    assert sample.group("nope") is None
    ids = [s.id for s in sample.services()]
    assert len(ids) == len(set(ids))
    assert "chania-civil-wedding" in ids


def test_text_get_falls_back_to_greek(sample: Catalog) -> None:
    chios = sample.municipality("chios")
    assert chios is not None
    assert chios.name.get("en") == "Municipality of Chios"
    assert chios.name.get("el") == "ΔΗΜΟΣ ΧΙΟΥ"
    assert chios.name.get("fr") == "ΔΗΜΟΣ ΧΙΟΥ"


# ---- good input -------------------------------------------------------------------------


def test_minimal_catalog_parses() -> None:
    catalog = parse_catalog(raw_catalog(), "test.toml")
    service = catalog.service("x")
    assert service is not None
    assert service.service.capacity == 1
    assert service.service.min_notice_hours == 2
    assert service.service.horizon_days == 60


def test_hours_accept_a_single_string_touching_windows_and_24_00() -> None:
    hours = Hours.model_validate(
        {"mon": "09:00-13:00", "tue": ["12:00-14:00", "09:00-12:00"], "wed": ["20:00-24:00"]}
    )
    assert hours.on(0) == ((540, 780),)
    assert hours.on(1) == ((540, 720), (720, 840))  # sorted
    assert hours.on(2) == ((1200, 1440),)


# ---- mistakes name the file, the entry and the field ------------------------------------


def test_duration_not_a_multiple_of_five() -> None:
    message = error_of(raw_catalog(service={"duration": 52}))
    assert message.startswith("test.toml: ")
    assert f"{ENTRY} › field 'duration'" in message
    assert "multiple of 5" in message


def test_step_not_a_multiple_of_five() -> None:
    message = error_of(raw_catalog(service={"step": 7}))
    assert f"{ENTRY} › field 'step'" in message
    assert "multiple of 5" in message


def test_unknown_channel() -> None:
    message = error_of(raw_catalog(service={"channels": ["in_person", "fax"]}))
    assert f"{ENTRY} › field 'channels'" in message
    assert "in_person" in message  # says which channels exist


def test_channel_listed_twice() -> None:
    message = error_of(raw_catalog(service={"channels": ["video", "video"]}))
    assert f"{ENTRY} › field 'channels'" in message
    assert "twice" in message


def test_instructions_for_a_channel_the_service_does_not_offer() -> None:
    text = {"el": "Στην τηλεδιάσκεψη…", "en": "During the video call…"}
    message = error_of(raw_catalog(service={"channel_instructions": {"video": text}}))
    assert ENTRY in message and "video" in message and "not offered" in message


def test_instructions_per_channel_come_after_the_services_own() -> None:
    text = {"el": "Στην τηλεδιάσκεψη…", "en": "During the video call…"}
    general = {"el": "Φέρτε ταυτότητα.", "en": "Bring your ID."}
    catalog = parse_catalog(raw_catalog(service={
        "channels": ["in_person", "video"], "instructions": general,
        "channel_instructions": {"video": text}}), "test.toml")
    service = catalog.service("x")
    assert service is not None
    video = service.service.instructions_for(Channel.VIDEO)
    assert [t.en for t in video] == ["Bring your ID.", "During the video call…"]
    in_person = service.service.instructions_for(Channel.IN_PERSON)
    assert [t.en for t in in_person] == ["Bring your ID."]


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        pytest.param(
            raw_catalog(service={"name": {"el": "Υπηρεσία"}}), f"{ENTRY} › field 'name'",
            id="service",
        ),
        pytest.param(
            raw_catalog(group={"name": {"el": "Ομάδα"}}), f"{GROUP} › field 'name'", id="group"
        ),
        pytest.param(
            raw_catalog(municipality={"name": {"el": "Δήμος"}}),
            "municipality 'chios' › field 'name'",
            id="municipality",
        ),
    ],
)
def test_missing_english_name(raw: dict[str, Any], where: str) -> None:
    message = error_of(raw)
    assert f"{where} › field 'en'" in message
    assert "required" in message.lower()


@pytest.mark.parametrize(
    ("window", "reason"),
    [
        ("13:00-09:00", "ends before it starts"),
        ("9-13", "not a range like 09:00-13:00"),
        ("09:00-24:30", "ends after 24:00"),
        ("25:00-26:00", "not a range"),
        ("09:03-13:00", "5-minute marks"),
    ],
)
def test_bad_hours_range(window: str, reason: str) -> None:
    message = error_of(raw_catalog(group={"hours": {"mon": [window]}}))
    assert f"{GROUP} › field 'hours' › field 'mon'" in message
    assert repr(window) in message
    assert reason in message


def test_bad_hours_on_the_service_itself() -> None:
    message = error_of(raw_catalog(service={"hours": {"tue": ["13:00-09:00"]}}))
    assert f"{ENTRY} › field 'hours' › field 'tue'" in message


def test_overlapping_windows() -> None:
    message = error_of(raw_catalog(group={"hours": {"wed": ["09:00-13:00", "12:00-14:00"]}}))
    assert f"{GROUP} › field 'hours' › field 'wed'" in message
    assert "overlap" in message


def test_unknown_weekday_in_hours() -> None:
    message = error_of(raw_catalog(group={"hours": {"monday": ["09:00-13:00"]}}))
    assert f"{GROUP} › field 'hours' › field 'monday'" in message


def test_misspelt_field_is_refused() -> None:
    message = error_of(raw_catalog(service={"durration": 30}))
    assert f"{ENTRY} › field 'durration'" in message


def test_bad_id() -> None:
    message = error_of(raw_catalog(service={"id": "Bad Id"}))
    assert "service 'Bad Id' › field 'id'" in message


def test_entry_without_id_is_named_by_position() -> None:
    raw = raw_catalog()
    del raw["municipality"][0]["group"][0]["service"][0]["id"]
    message = error_of(raw)
    assert f"{GROUP} › service #1 › field 'id'" in message


def test_error_in_a_later_entry_names_that_entry() -> None:
    raw = raw_catalog()
    second = dict(raw["municipality"][0]["group"][0]["service"][0], id="y", duration=3)
    raw["municipality"][0]["group"][0]["service"].append(second)
    message = error_of(raw)
    assert f"{GROUP} › service 'y' › field 'duration'" in message


def test_duplicate_service_id() -> None:
    raw = raw_catalog()
    services = raw["municipality"][0]["group"][0]["service"]
    services.append(dict(services[0]))
    message = error_of(raw)
    assert message.startswith("test.toml: ")
    assert "service 'x': the id 'x' is used twice" in message


def test_id_is_unique_across_kinds() -> None:
    # Deep links and buttons name entries by id alone, so a service may not share its
    # group's id.
    message = error_of(raw_catalog(service={"id": "chios-kk"}))
    assert "id 'chios-kk' is used twice" in message


def test_in_person_service_without_any_address() -> None:
    raw = raw_catalog()
    del raw["municipality"][0]["address"]
    message = error_of(raw)
    assert "service 'x'" in message
    assert "in person" in message
    assert "no address" in message


def test_video_service_needs_no_address() -> None:
    raw = raw_catalog(service={"channels": ["video"]})
    del raw["municipality"][0]["address"]
    catalog = parse_catalog(raw, "test.toml")
    service = catalog.service("x")
    assert service is not None
    assert service.address is None


def test_address_may_come_from_the_group_or_service() -> None:
    address = {"el": "Οδός 1", "en": "1 Street"}
    for where in ("group", "service"):
        raw = raw_catalog(**{where: {"address": address}})
        del raw["municipality"][0]["address"]
        service = parse_catalog(raw, "test.toml").service("x")
        assert service is not None
        assert service.address is not None
        assert service.address.en == "1 Street"


def test_duration_longer_than_every_window() -> None:
    raw = raw_catalog(
        service={"duration": 150}, group={"hours": {"mon": ["09:00-11:00", "12:00-14:00"]}}
    )
    message = error_of(raw)
    assert "service 'x'" in message
    assert "longer than its longest opening window" in message


def test_duration_fitting_the_longest_window_is_fine() -> None:
    hours = {"mon": ["09:00-11:00"], "tue": ["10:00-11:00"]}
    raw = raw_catalog(service={"duration": 120}, group={"hours": hours})
    assert parse_catalog(raw, "test.toml").service("x") is not None


@pytest.mark.parametrize("hours", [None, {}, {"mon": []}], ids=["absent", "empty", "no-window"])
def test_no_hours_at_all(hours: dict[str, list[str]] | None) -> None:
    raw = raw_catalog()
    if hours is None:
        del raw["municipality"][0]["group"][0]["hours"]
    else:
        raw["municipality"][0]["group"][0]["hours"] = hours
    message = error_of(raw)
    assert "service 'x'" in message
    assert "no opening hours" in message


@pytest.mark.parametrize(
    "case", ["no-address", "too-long", "no-hours", "duplicate-id"]
)
def test_cross_field_errors_name_the_full_entry(case: str) -> None:
    raw = raw_catalog()
    group = raw["municipality"][0]["group"][0]
    if case == "no-address":
        del raw["municipality"][0]["address"]
    elif case == "too-long":
        group["service"][0]["duration"] = 300
    elif case == "no-hours":
        del group["hours"]
    else:
        group["service"].append(dict(group["service"][0]))
    assert ENTRY in error_of(raw)


def test_empty_group_and_catalog() -> None:
    assert f"{GROUP} › service" in error_of(raw_catalog(group={"service": []}))
    assert error_of({"municipality": []}).startswith("test.toml: municipality")
    assert error_of({}).startswith("test.toml: municipality")


# ---- reading the file -------------------------------------------------------------------

VALID_TOML = """\
[[municipality]]
id = "chios"
name = { el = "Χίος", en = "Chios" }
consent = { el = "Ναι", en = "Yes" }
address = { el = "Δημαρχείο", en = "Town Hall" }

[[municipality.group]]
id = "chios-kk"
name = { el = "Κέντρο Κοινότητας", en = "Community Centre" }
hours = { mon = ["09:00-13:00"] }

[[municipality.group.service]]
id = "x"
name = { el = "Υπηρεσία", en = "Service" }
channels = ["in_person"]
duration = 30
closures = [2026-12-24]
"""


def test_load_catalog_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(VALID_TOML, encoding="utf-8")
    catalog = load_catalog(path)
    service = catalog.service("x")
    assert service is not None
    assert service.closures == frozenset({date(2026, 12, 24)})
    assert service.municipality.name.el == "Χίος"


def test_load_catalog_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(VALID_TOML.replace("duration = 30", "duration = 33"), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert f"{ENTRY} › field 'duration'" in str(caught.value)


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(VALID_TOML.replace('id = "x"', 'id = "x'), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(path) in str(caught.value)
    assert "not valid TOML" in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(path) in str(caught.value)
    assert "not found" in str(caught.value)


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(VALID_TOML.encode("iso-8859-7"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(path) in str(caught.value)
    assert "cannot be read" in str(caught.value)


def test_too_many_start_times_for_one_keyboard() -> None:
    raw = raw_catalog(service={"duration": 5, "step": 5},
                      group={"hours": {"mon": ["08:00-16:00"]}})
    message = error_of(raw)
    assert ENTRY in message and "96 start times in a day" in message


def test_a_name_must_be_one_printable_line() -> None:
    assert "must be one line" in error_of(raw_catalog(
        service={"name": {"el": "Δύο\nγραμμές", "en": "Two"}}))
    assert "control characters" in error_of(raw_catalog(
        service={"description": {"el": "Με\x07κουδούνι", "en": "Bell"}}))


def test_staff_chats_are_groups_one_each() -> None:
    assert "staff_chat_id" in error_of(raw_catalog(group={"staff_chat_id": 12345}))
    raw = raw_catalog(group={"staff_chat_id": -100})
    second = dict(raw["municipality"][0]["group"][0], id="other",
                  service=[{"id": "y", "name": {"el": "Υ", "en": "Y"},
                            "channels": ["phone"], "duration": 30}])
    raw["municipality"][0]["group"].append(second)
    assert "one per group" in error_of(raw)
