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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, CallbackQuery, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.domain.privacy import redact
from bot.render.keyboards import Keyboard

log = logging.getLogger(__name__)
Markup = Keyboard | None
MAX_WAIT = 30.0  # seconds a reply waits for Telegram's 429 before giving up
HARMLESS = ("message is not modified", "query is too old", "query id is invalid",
            "message to edit not found", "message can't be edited")
HTML = {"parse_mode": "HTML", "link_preview_options": {"is_disabled": True}}
Sent = Callable[[int, int], None]  # told the chat and message id of what was sent
Learned = tuple[str, int, int, int, str]  # what, booking id, chat, message id, kind

# Replies are made with Bot.do_api_request: the markup goes as the dict it is, and what
# Telegram answers is not turned back into objects (the message ids are all we need). The
# Bot API's method names are case-insensitive; named in lower case, do_api_request does not
# mistake them for a call that should have used Bot's own method.


def harmless(error: TelegramError) -> bool:
    """Telegram errors that only mean the screen is already as it can be."""
    text = str(error).lower()
    return any(words in text for words in HARMLESS)


def retry_after(error: RetryAfter) -> float:
    delay = error.retry_after
    return float(delay if isinstance(delay, int | float) else delay.total_seconds())


def message(chat_id: int, text: str, markup: Markup = None) -> dict[str, Any]:
    """The parameters of a message to send (or, with its id, to edit): HTML, no previews."""
    params = {"chat_id": chat_id, "text": text, **HTML}
    if markup is not None:
        params["reply_markup"] = markup
    return params


async def call(bot: Bot, method: str, params: dict[str, Any]) -> Any:
    """A Bot API call with Telegram's answer as it comes (a dict for a message); Telegram's
    refusals raise PTB's errors."""
    return await bot.do_api_request(method.lower(), params)


@dataclass
class Reply:
    """One Bot API call to make, and what to do with the message it returns."""

    method: str
    params: dict[str, Any]
    sent: Sent | None = None
    fallback: Reply | None = None  # if the message to edit is gone


@dataclass
class Replies:
    chat_id: int | None
    query: CallbackQuery | None = None
    items: list[Reply] = field(default_factory=list)  # messages: sent in this order
    answered: Reply | None = None  # the press's answer: it goes alongside the messages
    # What the database should learn once a reply went out (the id of a message that shows
    # a booking; that a confirmation was shown): written together, after the replies.
    learned: list[Learned] = field(default_factory=list)

    # ---- what handlers say ---------------------------------------------------------

    def answer(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the button press (once; the first answer given counts)."""
        if self.query is None or self.answered is not None:
            return
        params: dict[str, Any] = {"callback_query_id": self.query.id}
        if text:
            params |= {"text": text, "show_alert": alert}
        self.answered = Reply("answerCallbackQuery", params)

    def send(self, text: str, markup: Markup = None, *, chat_id: int | None = None,
             sent: Sent | None = None) -> None:
        self.items.append(Reply("sendMessage", self._message(text, markup, chat_id), sent))

    def edit(self, message_id: int, text: str, markup: Markup = None, *,
             or_send: bool = True, sent: Sent | None = None) -> None:
        """Show `text` in an earlier message; if it is gone, send it anew (`or_send`)."""
        params = self._message(text, markup, None)
        fallback = Reply("sendMessage", dict(params), sent) if or_send else None
        self.items.append(Reply("editMessageText", params | {"message_id": message_id}, sent,
                                fallback=fallback))

    def strip(self, message_id: int) -> None:
        """Take the buttons off an earlier message, so they cannot be pressed again."""
        if message_id:
            self.items.append(Reply("editMessageReplyMarkup",
                                    {"chat_id": self._chat(None), "message_id": message_id}))

    def document(self, data: bytes, filename: str, caption: str = "") -> None:
        self.items.append(Reply("sendDocument", {
            "chat_id": self._chat(None), "document": InputFile(data, filename=filename),
            "caption": caption, "parse_mode": "HTML"}))

    def leave(self) -> None:
        self.items.append(Reply("leaveChat", {"chat_id": self._chat(None)}))

    def remember(self, booking_id: int, kind: str) -> Sent:
        """For `sent=`: note that the message shows the booking."""
        def learned(chat_id: int, message_id: int) -> None:
            self.learned.append(("shows", booking_id, chat_id, message_id, kind))
        return learned

    def confirmed(self, booking_id: int) -> Sent:
        """For `sent=`: the confirmation arrived; the outbox need not show it again."""
        def learned(chat_id: int, message_id: int) -> None:
            self.learned.append(("confirmed", booking_id, chat_id, message_id, ""))
        return learned

    def discard(self) -> None:
        """Forget what was said (the update failed and its transaction rolled back)."""
        self.items = []

    def _chat(self, chat_id: int | None) -> int:
        chat = chat_id if chat_id is not None else self.chat_id
        if chat is None:
            raise ValueError("a reply to an update without a chat")
        return chat

    def _message(self, text: str, markup: Markup, chat_id: int | None) -> dict[str, Any]:
        return message(self._chat(chat_id), text, markup)

    # ---- sending, after the commit -----------------------------------------------

    async def deliver(self, bot: Bot) -> None:
        self.answer()  # every press is answered, or the citizen's spinner keeps turning
        messages, self.items = self.items, []
        if self.answered is None:
            await _chain(bot, messages)
        else:  # the answer only stops the spinner: no need to wait for it before the rest
            await asyncio.gather(_deliver(bot, self.answered), _chain(bot, messages))


async def _chain(bot: Bot, replies: list[Reply]) -> None:
    for reply in replies:
        await _deliver(bot, reply)


async def _deliver(bot: Bot, reply: Reply) -> None:
    for attempt in range(3):
        try:
            result = await call(bot, reply.method, reply.params)
        except RetryAfter as error:
            delay = retry_after(error)
            if delay > MAX_WAIT:
                log.warning("%s not sent: Telegram asks to wait %.0f s", reply.method, delay)
                return
            await asyncio.sleep(delay)
            continue
        except BadRequest as error:
            if "not found" in str(error).lower() and reply.fallback is not None:
                await _deliver(bot, reply.fallback)
            elif not harmless(error):
                log.warning("%s refused: %s", reply.method, redact(str(error)))
            return
        except Forbidden as error:
            log.info("%s not delivered: %s", reply.method, redact(str(error)))
            return
        except NetworkError as error:  # timeouts and 5xx: once more, then let it be
            if attempt:
                log.warning("%s failed: %s", reply.method, redact(str(error)))
                return
            await asyncio.sleep(0.5)
            continue
        except TelegramError as error:
            log.warning("%s failed: %s", reply.method, redact(str(error)))
            return
        if reply.sent is not None and isinstance(result, dict):
            reply.sent(int(result["chat"]["id"]), int(result["message_id"]))
        return
