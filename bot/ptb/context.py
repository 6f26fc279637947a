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

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data[self.SERVICES_KEY]
        return services

    @property
    def turn(self) -> Turn:
        return current()

    @property
    def conn(self) -> AsyncConnection:
        """The update's transaction: every use case of a handler runs in it."""
        return current().conn

    @property
    def reply(self) -> Replies:
        """What the handler answers: sent once the update's transaction has committed."""
        return current().replies

    def now(self) -> datetime:
        return self.services.clock()

    async def citizen(self, user_id: int, language_code: str | None) -> Citizen:
        """The user talking to us now (which also means Telegram can reach them again)."""
        if self._citizen is None or self._citizen.user_id != user_id:
            found = await preferences.of_citizen(self.conn, self.services.settings, user_id,
                                                 language_code, self.now(), present=True)
            self._citizen = Citizen(user_id, found.locale, found.zone)
        return self._citizen

    def forget_citizen(self) -> None:
        self._citizen = None
