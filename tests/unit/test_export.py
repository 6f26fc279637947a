"""The CSV export read back the way a spreadsheet reads a CSV file: phones stay text, as
written, with no apostrophe shown; nothing a citizen typed becomes a formula."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.model import Booking, Channel, Details, Status
from bot.render.reports import to_csv
from bot.services.catalog import load_catalog
from tests.conftest import SAMPLE_CATALOG

ATHENS = ZoneInfo("Europe/Athens")
START = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
NUMBER = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?([eE][+-]?[0-9]+)?")
TEXT_FORMULA = re.compile(r'="([^"]*)"')


def as_spreadsheet_reads(cell: str) -> tuple[str, str]:
    """(kind, what the cell shows), as Excel or Calc takes a CSV field: a formula if it
    starts with = + - @ (a formula of one quoted text shows that text), a number if it
    looks like one (shown without a leading + or 0), text otherwise, shown as written."""
    if found := TEXT_FORMULA.fullmatch(cell):
        return "text", found.group(1)
    if cell[:1] in ("=", "+", "-", "@"):
        return "formula", cell
    if NUMBER.fullmatch(cell):
        return "number", str(float(cell.replace(",", ".")))
    return "text", cell


def make_booking(n: int, phone: str, notes: str = "") -> Booking:
    start = START + timedelta(hours=n)
    return Booking(
        id=n, reference=f"ABCD-000{n}", uid=f"{n}@rantevou", user_id=40 + n,
        municipality_id="chios", group_id="chios-ksyg", service_id="chios-work-counsel",
        channel=Channel.PHONE, start=start, end=start + timedelta(minutes=50),
        details=Details(name=f"Πολίτης {n}", email="p@example.com", phone=phone, notes=notes),
        consent_at=start, status=Status.BOOKED, locale="el", created_at=start)


def read_back(bookings: list[Booking]) -> list[dict[str, tuple[str, str]]]:
    raw = to_csv(bookings, load_catalog(SAMPLE_CATALOG), ATHENS)
    rows = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    return [{column: as_spreadsheet_reads(cell) for column, cell in row.items()}
            for row in rows]


def test_phones_are_text_shown_as_written() -> None:
    rows = read_back([make_booking(1, "+306912345678"), make_booking(2, "+442079460958"),
                      make_booking(3, "+302271044330")])
    assert [row["phone"] for row in rows] == [
        ("text", "+30 691 234 5678"), ("text", "+44 20 7946 0958"), ("text", "+30 2271 044330")]
    assert not any(shown.startswith("'") for _, shown in (row["phone"] for row in rows))


def test_nothing_a_citizen_typed_is_a_formula() -> None:
    hostile = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", '"=1+1"']
    rows = read_back([make_booking(n, "+306912345678", notes=text)
                      for n, text in enumerate(hostile)])
    kinds = [(column, kind) for row in rows for column, (kind, _) in row.items()]
    assert [c for c, kind in kinds if kind == "formula"] == []
    assert rows[0]["notes"] == ("text", "'=HYPERLINK(\"http://x\")")
    assert rows[4]["notes"] == ("text", '"=1+1"')  # quoted, not a text formula


def test_a_phone_that_is_not_one_is_guarded_like_any_text() -> None:
    [row] = read_back([dataclasses.replace(make_booking(1, ""), details=Details(
        name="Χ", email="x@example.com", phone='=HYPERLINK("x")'))])
    assert row["phone"] == ("text", "'=HYPERLINK(\"x\")")
    [empty] = read_back([make_booking(1, "")])
    assert empty["phone"] == ("text", "")


def test_the_model_reads_a_bare_phone_as_excel_does() -> None:
    assert as_spreadsheet_reads("+306912345678")[0] == "formula"
    assert as_spreadsheet_reads("6912345678") == ("number", "6912345678.0")
    assert as_spreadsheet_reads('="+30 691 234 5678"') == ("text", "+30 691 234 5678")
