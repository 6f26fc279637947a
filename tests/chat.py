"""A citizen on Telegram, for end-to-end tests: sends messages, presses buttons, reads."""

from __future__ import annotations

import itertools
from typing import Any

from telegram import Update
from telegram.ext import Application

from tests.fakebot import FakeTelegram, Sent

_update_ids = itertools.count(1)
_query_ids = itertools.count(1)


class Citizen:
    def __init__(self, fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any],
                 user_id: int = 5001, first_name: str = "Σοφία",
                 language_code: str | None = "el", chat_id: int | None = None) -> None:
        """A user in their private chat with the bot, or (chat_id < 0) in a group."""
        self.fake, self.app = fake, app
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code
        self.user_id = user_id
        self.id = chat_id if chat_id is not None else user_id
        self.sends_outbox = True  # what a turn writes to the outbox is sent right after it

    # ---- acting ------------------------------------------------------------------

    async def send(self, text: str) -> None:
        message = self._message(text=text)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._deliver({"message": message})

    async def reply(self, text: str, to: Sent) -> None:
        """Send text as a reply to one of the bot's messages."""
        await self._deliver({"message": self._message(text=text,
                                                      reply_to_message=to.as_dict())})

    async def send_sticker(self) -> None:
        await self._deliver({"message": self._message(sticker={
            "file_id": "sticker-1", "file_unique_id": "s1", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False})})

    async def send_photo(self) -> None:
        await self._deliver({"message": self._message(photo=[{
            "file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}])})

    async def share_contact(self, phone: str, owner: int | None = None) -> None:
        contact = {"phone_number": phone, "first_name": self.user["first_name"],
                   "user_id": self.user_id if owner is None else owner}
        await self._deliver({"message": self._message(contact=contact)})

    async def press(self, label: str, message: Sent | None = None) -> None:
        """Press the button whose text is (or starts with) `label` on the newest message
        that has it, or on the message given."""
        target, data = self._button(label, message)
        await self.press_data(data, target)

    async def press_data(self, data: str, message: Sent | None = None) -> None:
        """Press a button with this data (forged or stale) on a message. Like a modified
        client, the forger copies the screen's revision from the message's own buttons."""
        target = message or self.keyboard_message()
        if data.count("|") == 2 and (revision := _revision_of(target)):
            data = f"{data}|{revision}"
        query = {"id": str(next(_query_ids)), "from": self.user, "chat_instance": "ci",
                 "message": target.as_dict(), "data": data}
        await self._deliver({"callback_query": query})

    # ---- reading -----------------------------------------------------------------

    @property
    def messages(self) -> list[Sent]:
        return self.fake.bot_messages(self.id)

    @property
    def last(self) -> Sent:
        return self.messages[-1]

    @property
    def text(self) -> str:
        """The newest text the bot shows (its last message with text)."""
        return next(m.text for m in reversed(self.messages) if m.text)

    def keyboard_message(self) -> Sent:
        """The newest bot message that still has inline buttons."""
        for message in reversed(self.messages):
            if message.reply_markup and "inline_keyboard" in message.reply_markup:
                return message
        raise AssertionError("no message with buttons")

    def labels(self, message: Sent | None = None) -> list[str]:
        target = message or self.keyboard_message()
        return [b["text"] for b in target.buttons]

    @property
    def last_answer(self) -> dict[str, Any]:
        return self.fake.answers[-1]

    def _button(self, label: str, message: Sent | None) -> tuple[Sent, str]:
        candidates = [message] if message else list(reversed(self.messages))
        for candidate in candidates:
            markup = candidate.reply_markup or {}
            buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
            exact = [b for b in buttons if b["text"] == label]
            found = exact or [b for b in buttons if b["text"].startswith(label)]
            if found:
                if "callback_data" not in found[0]:
                    raise AssertionError(f"button {label!r} is a link")
                return candidate, found[0]["callback_data"]
        shown = [self.labels(m) for m in candidates if m.reply_markup][:2]
        raise AssertionError(f"no button {label!r}; buttons: {shown}")

    def _message(self, **content: Any) -> dict[str, Any]:
        message_id = self.fake.new_message_id(self.id)
        sent = Sent(self.id, message_id, False, text=content.get("text", ""))
        self.fake.store(sent)
        chat = ({"id": self.id, "type": "private", "first_name": self.user["first_name"]}
                if self.id > 0 else {"id": self.id, "type": "supergroup", "title": "Staff"})
        return {"message_id": message_id, "date": sent.date, "from": self.user,
                "chat": chat, **content}

    async def _deliver(self, payload: dict[str, Any]) -> None:
        data = {"update_id": next(_update_ids), **payload}
        update = Update.de_json(data, self.app.bot)
        # As PTB hands an update over: through the update processor (one chat in order,
        # in a turn of its own: one transaction, then the replies). A turn that wrote to
        # the outbox wakes its sender, as the running bot's job does at once.
        processor = self.app.update_processor
        woken: list[bool] = []
        processor.wake = lambda: woken.append(True)  # type: ignore[attr-defined]
        await processor.process_update(update, self.app.process_update(update))
        if woken and self.sends_outbox:
            from tests.conftest import drain

            await drain(self.app.bot, self.app.bot_data["services"])


def _revision_of(message: Sent) -> str:
    """The revision the booking flow's buttons of a message carry ('' if none)."""
    for button in message.buttons:
        parts = str(button.get("callback_data", "")).split("|")
        if len(parts) == 4:
            return parts[3]
    return ""
