"""What PTB is given to parse of an update, by polling or by webhook.

A pressed button's update carries the whole message it was pressed on, keyboard and all;
PTB builds an object for every button (a month calendar has about forty) at every press,
which cost more than the rest of parsing the update. Only the pressed button is ever read
(`handlers.pressed_message`: does the message really carry it?), so the keyboard is cut to
that button, or to none when the message does not carry it, before PTB sees it.
"""

from __future__ import annotations

from typing import Any


def slimmed(update: dict[str, Any]) -> dict[str, Any]:
    query = update.get("callback_query")
    message = query.get("message") if isinstance(query, dict) else None
    markup = message.get("reply_markup") if isinstance(message, dict) else None
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        return update
    data = query.get("data") if isinstance(query, dict) else None
    pressed = [key for row in markup["inline_keyboard"] if isinstance(row, list)
               for key in row if isinstance(key, dict) and key.get("callback_data") == data]
    if isinstance(message, dict):
        message["reply_markup"] = {"inline_keyboard": [pressed[:1]] if pressed else []}
    return update
