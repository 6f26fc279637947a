"""What handlers get: the application's services, the update's turn, and the citizen they
are talking to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from telegram.ext import Application, CallbackContext, ExtBot

from bot.ptb.replies import Replies
from bot.ptb.turn import Turn, current
from bot.render.i18n import Citizen
from bot.services import preferences
from bot.services.runtime import Services


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with our services, the turn, and a lazily loaded citizen."""

    SERVICES_KEY = "services"

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self._citizen: Citizen | None = None
        self._changed = False  # the preferences read with the turn are out of date

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data[self.SERVICES_KEY]
        return services

    @property
    def turn(self) -> Turn:
        return current()

    @property
    def conn(self) -> AsyncConnection:
        """For the update's reads."""
        return current().conn

    async def writer(self) -> AsyncConnection:
        """For the update's use case that writes: its changes commit with the update's."""
        return await current().writer()

    @property
    def reply(self) -> Replies:
        """What the handler answers: sent once the update's transaction has committed."""
        return current().replies

    def now(self) -> datetime:
        return self.services.clock()

    async def citizen(self, user_id: int, language_code: str | None) -> Citizen:
        """The user talking to us now (which also means Telegram can reach them again)."""
        if self._citizen is None or self._citizen.user_id != user_id:
            turn = self.turn
            user = turn.update.effective_user
            read = (turn.prefs,) if user is not None and user.id == user_id and not \
                self._changed else None
            conn = await self.writer() if self._changed else self.conn  # read our own write
            found = await preferences.of_citizen(conn, self.writer, self.services.settings,
                                                 user_id, language_code, self.now(),
                                                 present=True, read=read)
            self._citizen = Citizen(user_id, found.locale, found.zone)
        return self._citizen

    def forget_citizen(self) -> None:
        """Their preferences changed: read them again."""
        self._citizen, self._changed = None, True
