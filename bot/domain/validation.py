"""Check and normalise what citizens type. Each check returns the clean value or raises."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.domain import N_

PHONE_REGION = "GR"
MAX_NAME = 100
MAX_TEXT = 500


class InvalidInput(ValueError):
    """The text cannot be used; `reason` is a translatable message (marked with N_)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _clean(text: str, *, multiline: bool) -> str:
    """Drop invisible formatting characters, turn control characters into spaces, collapse
    runs of spaces."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char == "\n" and multiline:
            kept.append(char)
        elif category in ("Cf", "Cn", "Co", "Cs"):
            continue  # soft hyphens, zero-width spaces: part of a word, not a break
        elif category in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        else:
            kept.append(char)
    lines = (re.sub(r"\s+", " ", line).strip() for line in "".join(kept).split("\n"))
    return "\n".join(line for line in lines if line)


def full_name(text: str) -> str:
    name = _clean(text, multiline=False)
    letters = sum(char.isalpha() for char in name)
    if len(name) > MAX_NAME:
        raise InvalidInput(N_("The name is too long (at most 100 characters)."))
    if letters < 2 or any(char.isdigit() for char in name) or "@" in name or "/" in name:
        raise InvalidInput(N_("Please type your full name, e.g. Sofia Papadopoulou."))
    return name


def email(text: str) -> str:
    try:
        result = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(
            N_("This does not look like an email address. Example: name@example.com")
        ) from None
    return str(result.normalized)


def phone(text: str, region: str = PHONE_REGION) -> str:
    """A valid number in E.164 (+306912345678); Greek numbers need no country code."""
    cleaned = _clean(text, multiline=False)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            N_("This is not a valid phone number. Example: 6912345678 or +30 6912345678")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """+306912345678 → +30 691 234 5678 for reading."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def free_text(text: str) -> str:
    cleaned = _clean(text, multiline=True)
    if not cleaned:
        raise InvalidInput(N_("Please type some text, or press Skip."))
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(N_("The text is too long (at most 500 characters)."))
    return cleaned
