"""The booking flow's routing: the handlers of the step a chat's conversation is at.

PTB's ConversationHandler keeps each chat's state in memory, read from its persistence
once at start: on two instances a conversation begun on one is unknown to the other. This
handler reads the step from the update's turn (bot/ptb/turn.py), which reads it from the
database for every update, and writes the step its callback returns into the turn.
Entry points are tried first (a new /start restarts the flow), then the handlers of the
chat's step, then the fallbacks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, BaseHandler, ConversationHandler

from bot.ptb.context import Context
from bot.ptb.turn import CURRENT

Handlers = Sequence[BaseHandler[Update, Context, Any]]
END = ConversationHandler.END


class Conversation(BaseHandler[Update, Context, None]):
    def __init__(self, entry_points: Handlers, states: Mapping[str, Handlers],
                 fallbacks: Handlers) -> None:
        super().__init__(self._unused)
        self.entry_points, self.states, self.fallbacks = entry_points, states, fallbacks

    @staticmethod
    async def _unused(update: Update, context: Context) -> None:
        raise NotImplementedError

    def check_update(self, update: object) -> tuple[BaseHandler[Any, Any, Any], object] | None:
        turn = CURRENT.get()
        if not isinstance(update, Update) or turn is None:
            return None
        if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
            return None
        candidates = list(self.entry_points)
        if turn.step is not None:
            candidates += [*self.states.get(turn.step, ()), *self.fallbacks]
        for handler in candidates:
            check = handler.check_update(update)
            if check is not None and check is not False:
                return handler, check
        return None

    async def handle_update(self, update: Update, application: Application[Any, Any, Any, Any,
                                                                            Any, Any],
                            check_result: object, context: Context) -> None:
        if not isinstance(check_result, tuple):
            raise TypeError("check_update() gives a (handler, check) pair")
        handler: BaseHandler[Update, Context, Any] = check_result[0]
        state = await handler.handle_update(update, application, check_result[1], context)
        turn = CURRENT.get()
        if turn is None or state is None:
            return
        if state == END:
            turn.end_flow()
        else:
            turn.step = str(state)
