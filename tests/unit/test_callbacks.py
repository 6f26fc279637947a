"""Button data: encode, parse back, and refuse anything that does not fit."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bot.render.callbacks import ARGUMENTS, MAX_BYTES, Button, encode, parse, pattern

# A valid argument for every step.
EXAMPLES: dict[str, str] = {
    "m": "chios",
    "g": "chios-kk",
    "s": "chios-opeka-apply",
    "c": "in_person",
    "mo": "2026-12",
    "d": "2026-12-01",
    "t": str(int(datetime(2026, 12, 1, 8, 0, tzinfo=UTC).timestamp()) // 60),
    "x": "",
    "keep": "address",
    "yn": "y",
    "ok": "",
    "edit": "third_email",
    "book": "0123abcd",
    "back": "time",
    "cancel": "",
    "new": "chios",
    "my": "",
    "past": "",
    "rs": "7K3Q-M2XD",
    "cx": "7K3Q-M2XD",
    "cy": "7K3Q-M2XD",
    "ck": "7K3Q-M2XD",
    "cr": "7K3Q-M2XD",
    "at": "7K3Q-M2XD",
    "fb": "7K3Q-M2XD/5",
    "sd": "7K3Q-M2XD",
    "sn": "7K3Q-M2XD",
    "sx": "7K3Q-M2XD",
    "sm": "7K3Q-M2XD",
    "smb": "7K3Q-M2XD",
    "smd": "7K3Q-M2XD/2026-12-03",
    "smt": "7K3Q-M2XD/29480000",
    "cl": "a1b2c3d4",
    "cn": "a1b2c3d4",
    "wj": "2026-12-03",
    "wl": "12",
    "wy": "7",
    "wn": "7",
    "wc": "7",
    "fy": "",
    "fn": "",
    "lang": "en",
    "tz": "America/New_York",
}


def test_every_step_has_an_example() -> None:
    assert set(EXAMPLES) == set(ARGUMENTS)


@pytest.mark.parametrize(("step", "arg"), sorted(EXAMPLES.items()))
def test_round_trip(step: str, arg: str) -> None:
    data = encode(step, arg)
    assert data == f"1|{step}|{arg}"
    assert len(data.encode()) <= MAX_BYTES
    assert parse(data) == Button(step, arg)


def test_encode_without_argument() -> None:
    assert encode("my") == "1|my|"
    assert parse("1|my|") == Button("my", "")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("2|m|chios", id="wrong-version"),
        pytest.param("|m|chios", id="no-version"),
        pytest.param("1|zz|chios", id="unknown-step"),
        pytest.param("1|M|chios", id="step-case"),
        pytest.param("1|m|../../etc", id="path-in-argument"),
        pytest.param("1|m|Chios", id="uppercase-id"),
        pytest.param("1|m|", id="empty-id"),
        pytest.param("1|m|chios|extra", id="extra-separator"),
        pytest.param("1|m|chios\n", id="trailing-newline"),
        pytest.param("1|c|fax", id="unknown-channel"),
        pytest.param("1|mo|2026-1", id="short-month"),
        pytest.param("1|d|2026-12-1", id="short-day"),
        pytest.param("1|t|-5", id="negative-minutes"),
        pytest.param("1|t|", id="empty-minutes"),
        pytest.param("1|yn|maybe", id="yes-no"),
        pytest.param("1|x|something", id="inert-with-argument"),
        pytest.param("1|lang|fr", id="unknown-language"),
        pytest.param("1|tz|Europe/../../etc", id="zone-with-dots"),
        pytest.param("1|cx|7k3q-m2xd", id="lowercase-reference"),
        pytest.param("1|cy|7K3QM2XD", id="reference-without-dash"),
        pytest.param("1|past|x", id="past-with-argument"),
        pytest.param("1|wc|-7", id="offer-not-a-number"),
        pytest.param("1|wc|7|3", id="offer-with-a-revision"),
        pytest.param("1|m", id="one-separator"),
        pytest.param("1m|chios", id="missing-first-separator"),
        pytest.param("1", id="version-only"),
        pytest.param("", id="empty"),
        pytest.param("1|new|" + "a" * 60, id="over-64-bytes"),
        pytest.param("1|tz|" + "Α" * 30, id="over-64-bytes-greek"),
    ],
)
def test_parse_refuses(data: str) -> None:
    assert parse(data) is None


@pytest.mark.parametrize("data", [None, 1, b"1|m|chios", ["1", "m", "chios"]])
def test_parse_refuses_non_strings(data: object) -> None:
    assert parse(data) is None


@pytest.mark.parametrize(
    ("step", "arg"),
    [
        ("m", "a" * 70),  # too long
        ("tz", "A" * 41),
        ("m", "../../etc"),
        ("zz", "chios"),
        ("c", "fax"),
        ("x", "anything"),
        ("m", "chios|x"),
    ],
)
def test_encode_refuses_bad_data(step: str, arg: str) -> None:
    with pytest.raises(ValueError, match="button data"):
        encode(step, arg)


def test_pattern_selects_only_its_steps() -> None:
    regex = re.compile(pattern("m"))
    assert regex.match("1|m|chios")
    assert not regex.match("1|mo|2026-12")
    assert not regex.match("2|m|chios")
    both = re.compile(pattern("m", "mo"))
    assert both.match("1|m|chios")
    assert both.match("1|mo|2026-12")
    assert not both.match("1|my|")


def test_pattern_escapes_step_names() -> None:
    assert not re.match(pattern("."), "1|m|chios")


@pytest.mark.parametrize("data", ["1|d|٢٠٢٦-١٢-٠١", "1|mo|２０２６-１２", "1|t|١٢٣"])
def test_parse_refuses_non_ascii_digits(data: str) -> None:
    assert parse(data) is None


def test_every_parsed_slot_time_is_a_datetime() -> None:
    button = parse("1|t|9999999999")
    if button is not None:
        datetime.fromtimestamp(int(button.arg) * 60, UTC)  # raises for 9999999999


def test_parsed_day_and_month_are_real_dates() -> None:
    day = parse(encode("d", "2026-12-01"))
    month = parse(encode("mo", "2026-12"))
    assert day is not None and month is not None
    assert date.fromisoformat(day.arg) == date(2026, 12, 1)
    assert date.fromisoformat(month.arg + "-01") == date(2026, 12, 1)
