"""What citizens type: names, email addresses, phone numbers and free text."""

from __future__ import annotations

import pytest

from bot.domain.validation import InvalidInput, display_phone, email, free_text, full_name, phone
from bot.render.i18n import Translator

# ---- full name --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Γιώργος Παπαδόπουλος",
        "Ιωάννα Ελευθερίου-Ζαφειρίου",
        "Ζωή Ϊωαννίδου",
        "Sofia Papadopoulou",
        "Jean-Luc O'Neill",
        "Ab",
    ],
)
def test_full_name_accepts_real_names(name: str) -> None:
    assert full_name(name) == name


def test_full_name_collapses_spaces() -> None:
    assert full_name("  Σοφία   \t Παπαδοπούλου  ") == "Σοφία Παπαδοπούλου"


def test_full_name_turns_control_characters_and_newlines_into_spaces() -> None:
    assert full_name("Sofia\x00Papadopoulou") == "Sofia Papadopoulou"
    assert full_name("Sofia\nPapadopoulou") == "Sofia Papadopoulou"
    assert full_name("\u202eSofia Papadopoulou\x1b") == "Sofia Papadopoulou"


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u2060"])
def test_full_name_drops_invisible_format_characters(invisible: str) -> None:
    assert full_name(f"Sofia Papa{invisible}dopoulou") == "Sofia Papadopoulou"


@pytest.mark.parametrize(
    "text",
    ["Sofia 2", "Γιώργος Παπαδόπουλος 3ος", "Α", "a", "", "   ", "@sofia", "Sofia/Papa", "-- --"],
)
def test_full_name_rejects_what_is_not_a_name(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        full_name(text)
    assert caught.value.reason == "Please type your full name, e.g. Sofia Papadopoulou."


def test_full_name_length_limit() -> None:
    assert full_name("α" * 100) == "α" * 100
    with pytest.raises(InvalidInput) as caught:
        full_name("α" * 101)
    assert "too long" in caught.value.reason


def test_full_name_length_counts_after_cleaning() -> None:
    padded = "   " + "α" * 50 + "          " + "β" * 49 + "   "
    assert len(full_name(padded)) == 100


# ---- email ------------------------------------------------------------------------------


def test_email_is_normalised() -> None:
    assert email("  Sofia@Example.COM ") == "Sofia@example.com"


def test_email_with_greek_domain() -> None:
    assert email("σοφία@παράδειγμα.ελ") == "σοφία@παράδειγμα.ελ"


@pytest.mark.parametrize(
    "text", ["", "garbage", "sofia@", "@example.com", "a@@example.com", "a@b", "a b@example.com"]
)
def test_email_rejects_garbage(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        email(text)
    assert caught.value.reason.startswith("This does not look like an email address")


def test_email_never_asks_the_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    import email_validator.deliverability as deliverability

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("email() looked the domain up in the DNS")

    monkeypatch.setattr(deliverability, "validate_email_deliverability", no_network)
    assert email("sofia@this-domain-does-not-exist.example.gr") == (
        "sofia@this-domain-does-not-exist.example.gr"
    )


# ---- phone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["6912345678", "+30 691 234 5678", "00306912345678", "0030 691 234 5678", "691-234-5678"],
)
def test_greek_mobile_in_any_common_form(text: str) -> None:
    assert phone(text) == "+306912345678"


def test_greek_landline() -> None:
    assert phone("2271350004") == "+302271350004"
    assert phone("+30 22713 50004") == "+302271350004"


def test_foreign_number() -> None:
    assert phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("text", ["12345", "abc", "", "+30 12", "69123456789012"])
def test_phone_rejects_invalid_numbers(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        phone(text)
    assert caught.value.reason.startswith("This is not a valid phone number")


def test_display_phone() -> None:
    assert display_phone("+306912345678") == "+30 691 234 5678"
    assert display_phone("garbage") == "garbage"


# ---- free text --------------------------------------------------------------------------


def test_free_text_keeps_lines() -> None:
    assert free_text("Πρώτη γραμμή\nΔεύτερη γραμμή") == "Πρώτη γραμμή\nΔεύτερη γραμμή"


def test_free_text_tidies_spaces_and_blank_lines() -> None:
    assert free_text("  a  \n\n\n   b    c \r\n") == "a\nb c"


def test_free_text_length_limit() -> None:
    assert free_text("x" * 500) == "x" * 500
    with pytest.raises(InvalidInput) as caught:
        free_text("x" * 501)
    assert "too long" in caught.value.reason


@pytest.mark.parametrize("text", ["", "   ", "\n \t \n"])
def test_free_text_rejects_empty(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        free_text(text)
    assert caught.value.reason == "Please type some text, or press Skip."


# ---- reasons are English msgids, translated where shown ---------------------------------


def reasons() -> list[str]:
    found = []
    for check, text in [
        (full_name, "1"),
        (full_name, "α" * 101),
        (email, "garbage"),
        (phone, "abc"),
        (free_text, ""),
        (free_text, "x" * 501),
    ]:
        with pytest.raises(InvalidInput) as caught:
            check(text)
        found.append(caught.value.reason)
    return found


def test_reasons_are_english_msgids_with_a_greek_translation() -> None:
    greek, english = Translator("el"), Translator("en")
    for reason in reasons():
        assert reason.isascii()
        assert english._(reason) == reason
        translated = greek._(reason)
        assert translated != reason, f"no Greek translation for {reason!r}"
        assert any("\u0370" <= char <= "\u03ff" for char in translated)


def test_invalid_input_is_a_value_error_with_its_reason() -> None:
    error = InvalidInput("Some reason.")
    assert isinstance(error, ValueError)
    assert error.reason == "Some reason."
    assert str(error) == "Some reason."
