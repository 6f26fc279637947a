"""What handlers get: the application's services and the citizen they are talking to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ExtBot

from bot.domain.catalog import Catalog
from bot.render.i18n import Translator, pick_locale
from bot.settings import Settings
from storage import users
from storage.db import Database

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    catalog: Catalog
    clock: Clock = system_clock


@dataclass(frozen=True)
class Citizen:
    user_id: int
    locale: str
    zone: ZoneInfo
    t: Translator


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with our services and a lazily loaded citizen."""

    SERVICES_KEY = "services"

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self._citizen: Citizen | None = None

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data[self.SERVICES_KEY]
        return services

    def now(self) -> datetime:
        return self.services.clock()

    async def citizen(self, user_id: int, language_code: str | None) -> Citizen:
        """The user talking to us now (which also means Telegram can reach them again)."""
        if self._citizen is None or self._citizen.user_id != user_id:
            self._citizen = await load_citizen(self.services, user_id, language_code,
                                               present=True)
        return self._citizen

    def forget_citizen(self) -> None:
        self._citizen = None


async def load_citizen(services: Services, user_id: int, language_code: str | None,
                       present: bool = False) -> Citizen:
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
    return Citizen(user_id, locale, zone, Translator(locale))


async def save_preferences(services: Services, user_id: int, *, locale: str | None = None,
                           timezone: str | None = None) -> None:
    async with services.db.write() as conn:
        await users.set_prefs(conn, user_id, services.clock(), locale=locale,
                              timezone=timezone)
