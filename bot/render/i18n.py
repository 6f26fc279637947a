"""Translations (gettext catalogs in locales/, compiled by `make`), and who reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.support import NullTranslations, Translations

from bot.domain import N_
from bot.settings import PROJECT_ROOT, SUPPORTED_LOCALES

__all__ = ["N_", "Citizen", "Translator"]

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def _catalog(locale: str) -> NullTranslations:
    mo = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.exists():
        raise RuntimeError(f"{mo} is missing: run `make` to compile the translations")
    return Translations.load(str(LOCALES_DIR), [locale], domain=DOMAIN)


class Translator:
    """The texts of one language: `t._("Back")`, `t.ngettext("%(n)d day", "%(n)d days", n)`."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in SUPPORTED_LOCALES else SUPPORTED_LOCALES[0]
        self._catalog = _catalog(self.locale)

    def _(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)


@dataclass(frozen=True)
class Citizen:
    """The person a text is for: their language (and its translator) and time zone."""

    user_id: int
    locale: str
    zone: ZoneInfo
    t: Translator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "t", Translator(self.locale))
