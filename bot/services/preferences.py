"""Citizens' preferences: the language and time zone they read in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.settings import SUPPORTED_LOCALES, Settings
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


async def of_citizen(conn: AsyncConnection, writer: Callable[[], Awaitable[AsyncConnection]],
                     settings: Settings, user_id: int, language_code: str | None,
                     now: datetime, present: bool = False,
                     read: tuple[users.UserPrefs | None] | None = None) -> Preferences:
    """The citizen's language and zone; on first contact, from Telegram's language.
    `present`: they are writing to us, so a block of the bot is over. `read`: their stored
    preferences if already read (a 1-tuple: None inside when none are stored). `writer`
    gives the connection to record a first contact on."""
    prefs = read[0] if read is not None else await users.get_prefs(conn, user_id)
    if present and prefs is not None and prefs.unreachable:
        await users.reachable_again(await writer(), user_id, now)
    if prefs is None:
        locale = pick_locale(language_code, settings.DEFAULT_LOCALE)
        await users.set_prefs(await writer(), user_id, now, locale=locale)
        prefs = users.UserPrefs(locale, None)
    locale = prefs.locale or pick_locale(language_code, settings.DEFAULT_LOCALE)
    zone = ZoneInfo(prefs.timezone) if prefs.timezone else settings.zone
    return Preferences(locale, zone)


async def stored(conn: AsyncConnection, settings: Settings, user_id: int) -> Preferences:
    """The citizen's language and zone as stored (the defaults if none), for what is sent
    to them later."""
    prefs = await users.get_prefs(conn, user_id)
    locale = prefs.locale if prefs and prefs.locale else settings.DEFAULT_LOCALE
    timezone = prefs.timezone if prefs else None
    return Preferences(locale, ZoneInfo(timezone) if timezone else settings.zone)


async def save(conn: AsyncConnection, user_id: int, now: datetime, *,
               locale: str | None = None, timezone: str | None = None) -> None:
    await users.set_prefs(conn, user_id, now, locale=locale, timezone=timezone)
