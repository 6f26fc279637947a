"""What a handler answers, collected while its update is processed and sent after the
update's transaction has committed: nothing is shown that the database does not hold.

Telegram's harmless refusals (the message is already as we want it, the button press is
too old to answer, the message was deleted) are not errors here; a 429 is waited out; a
timeout or a 5xx is tried once more. What still fails is logged: anything the citizen
must not miss (a confirmation, an invitation) also goes through the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None
MAX_WAIT = 30.0  # seconds a reply waits for Telegram's 429 before giving up
HARMLESS = ("message is not modified", "query is too old", "query id is invalid",
            "message to edit not found", "message can't be edited")


def harmless(error: TelegramError) -> bool:
    """Telegram errors that only mean the screen is already as it can be."""
    text = str(error).lower()
    return any(words in text for words in HARMLESS)


def retry_after(error: RetryAfter) -> float:
    delay = error.retry_after
    return float(delay if isinstance(delay, int | float) else delay.total_seconds())


@dataclass
class Reply:
    """One Bot API call to make, and what to do with the message it returns."""

    call: Callable[[Bot], Awaitable[Any]]
    what: str
    sent: Callable[[Message], None] | None = None
    fallback: Reply | None = None  # if the message to edit is gone


@dataclass
class Replies:
    chat_id: int | None
    query: CallbackQuery | None = None
    items: list[Reply] = field(default_factory=list)
    answered: bool = False
    # (booking id, chat, message id, kind) of messages that show a booking, learned once
    # sent: later changes of the booking update them
    learned: list[tuple[int, int, int, str]] = field(default_factory=list)

    # ---- what handlers say ---------------------------------------------------------

    def answer(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the button press (once; the first answer given counts)."""
        query = self.query
        if query is None or self.answered:
            return
        self.answered = True
        self.items.insert(0, Reply(lambda bot: bot.answer_callback_query(
            query.id, text, show_alert=alert), "answerCallbackQuery"))

    def send(self, text: str, markup: Markup = None, *, chat_id: int | None = None,
             sent: Callable[[Message], None] | None = None) -> None:
        chat = self._chat(chat_id)
        self.items.append(Reply(lambda bot: bot.send_message(chat, text, reply_markup=markup),
                                "sendMessage", sent))

    def edit(self, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None,
             *, or_send: bool = True, sent: Callable[[Message], None] | None = None) -> None:
        """Show `text` in an earlier message; if it is gone, send it anew (`or_send`)."""
        chat = self._chat(None)
        fallback = Reply(lambda bot: bot.send_message(chat, text, reply_markup=markup),
                         "sendMessage", sent) if or_send else None
        self.items.append(Reply(lambda bot: bot.edit_message_text(
            text, chat, message_id, reply_markup=markup), "editMessageText",
            fallback=fallback))

    def strip(self, message_id: int) -> None:
        """Take the buttons off an earlier message, so they cannot be pressed again."""
        if not message_id:
            return
        chat = self._chat(None)
        self.items.append(Reply(lambda bot: bot.edit_message_reply_markup(
            chat, message_id, reply_markup=None), "editMessageReplyMarkup"))

    def document(self, data: bytes, filename: str, caption: str = "") -> None:
        chat = self._chat(None)
        self.items.append(Reply(lambda bot: bot.send_document(
            chat, InputFile(data, filename=filename), caption=caption), "sendDocument"))

    def leave(self) -> None:
        chat = self._chat(None)
        self.items.append(Reply(lambda bot: bot.leave_chat(chat), "leaveChat"))

    def remember(self, booking_id: int, kind: str) -> Callable[[Message], None]:
        """For `sent=`: note that the message shows the booking."""
        def learned(message: Message) -> None:
            self.learned.append((booking_id, message.chat.id, message.message_id, kind))
        return learned

    def discard(self) -> None:
        """Forget what was said (the update failed and its transaction rolled back)."""
        answered = self.items[:1] if self.answered else []
        self.items = [r for r in answered if r.what == "answerCallbackQuery"]

    def _chat(self, chat_id: int | None) -> int:
        chat = chat_id if chat_id is not None else self.chat_id
        if chat is None:
            raise ValueError("a reply to an update without a chat")
        return chat

    # ---- sending, after the commit -----------------------------------------------

    async def deliver(self, bot: Bot) -> None:
        if self.query is not None and not self.answered:
            self.answer()  # every press is answered, or the citizen's spinner keeps turning
        for reply in self.items:
            await _deliver(bot, reply)
        self.items = []


async def _deliver(bot: Bot, reply: Reply) -> None:
    for attempt in range(3):
        try:
            message = await reply.call(bot)
        except RetryAfter as error:
            delay = retry_after(error)
            if delay > MAX_WAIT:
                log.warning("%s not sent: Telegram asks to wait %.0f s", reply.what, delay)
                return
            await asyncio.sleep(delay)
            continue
        except BadRequest as error:
            if "not found" in str(error).lower() and reply.fallback is not None:
                await _deliver(bot, reply.fallback)
            elif not harmless(error):
                log.warning("%s refused: %s", reply.what, error)
            return
        except Forbidden as error:
            log.info("%s not delivered: %s", reply.what, error)
            return
        except NetworkError as error:  # timeouts and 5xx: once more, then let it be
            if attempt:
                log.warning("%s failed: %s", reply.what, error)
                return
            await asyncio.sleep(0.5)
            continue
        except TelegramError as error:
            log.warning("%s failed: %s", reply.what, error)
            return
        if reply.sent is not None and isinstance(message, Message):
            reply.sent(message)
        return
