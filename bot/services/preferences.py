"""Citizens' preferences: the language and time zone they read in."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.services.runtime import Services
from bot.settings import SUPPORTED_LOCALES
from storage import users


@dataclass(frozen=True, slots=True)
class Preferences:
    locale: str
    zone: ZoneInfo


def pick_locale(language_code: str | None, default: str) -> str:
    """Telegram's language if we speak it; other languages get English; none, the default."""
    if not language_code:
        return default
    base = language_code.split("-")[0].lower()
    return base if base in SUPPORTED_LOCALES else "en"


async def of_citizen(services: Services, user_id: int, language_code: str | None,
                     present: bool = False) -> Preferences:
    """The citizen's language and zone; on first contact, from Telegram's language.
    `present`: they are writing to us, so a block of the bot is over."""
    settings = services.settings
    async with services.db.read() as conn:
        prefs = await users.get_prefs(conn, user_id)
    if present and prefs is not None and prefs.unreachable:
        async with services.db.write() as conn:
            await users.reachable_again(conn, user_id, services.clock())
    if prefs is None:
        locale = pick_locale(language_code, settings.DEFAULT_LOCALE)
        async with services.db.write() as conn:
            await users.set_prefs(conn, user_id, services.clock(), locale=locale)
        prefs = users.UserPrefs(locale, None)
    locale = prefs.locale or pick_locale(language_code, settings.DEFAULT_LOCALE)
    zone = ZoneInfo(prefs.timezone) if prefs.timezone else settings.zone
    return Preferences(locale, zone)


async def save(services: Services, user_id: int, *, locale: str | None = None,
               timezone: str | None = None) -> None:
    async with services.db.write() as conn:
        await users.set_prefs(conn, user_id, services.clock(), locale=locale,
                              timezone=timezone)
