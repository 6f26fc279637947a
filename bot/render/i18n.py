"""Translations (gettext catalogs in locales/, compiled by `make`) and the choice of language."""

from __future__ import annotations

from functools import lru_cache

from babel.support import NullTranslations, Translations

from bot.settings import PROJECT_ROOT, SUPPORTED_LOCALES

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark a text for extraction where it is defined; it is translated where it is shown."""
    return message


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


def pick_locale(language_code: str | None, default: str) -> str:
    """Telegram's language if we speak it; other languages get English; none, the default."""
    if not language_code:
        return default
    base = language_code.split("-")[0].lower()
    return base if base in SUPPORTED_LOCALES else "en"
