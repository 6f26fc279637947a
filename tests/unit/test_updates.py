"""An update is slimmed before PTB parses it: the pressed message keeps only the button
pressed, and whether it carries that button is unchanged."""

from __future__ import annotations

import json
from typing import Any

from telegram import Bot, Update

from bot.ptb.handlers import pressed_message
from bot.ptb.request import UpdatesRequest
from bot.ptb.updates import slimmed

CALENDAR = {"inline_keyboard": [[{"text": str(day), "callback_data": f"1|d|{day}|3"}
                                 for day in range(week * 7 + 1, week * 7 + 8)]
                                for week in range(5)]}


def press(data: str, markup: Any = CALENDAR) -> dict[str, Any]:
    user = {"id": 7, "is_bot": False, "first_name": "Π"}
    message = {"message_id": 41, "date": 0, "chat": {"id": 7, "type": "private"},
               "text": "Επιλέξτε ημέρα", "reply_markup": json.loads(json.dumps(markup))}
    return {"update_id": 1, "callback_query": {"id": "q", "from": user, "chat_instance": "c",
                                               "message": message, "data": data}}


def parsed(update: dict[str, Any]) -> Update:
    return Update.de_json(update, Bot("1:x"))


def test_the_pressed_button_alone_is_kept() -> None:
    update = slimmed(press("1|d|12|3"))
    message = update["callback_query"]["message"]
    assert message["reply_markup"] == {"inline_keyboard": [[
        {"text": "12", "callback_data": "1|d|12|3"}]]}
    assert message["text"] == "Επιλέξτε ημέρα"
    assert pressed_message(parsed(update)) == 41


def test_a_button_the_message_does_not_carry_stays_foreign() -> None:
    update = slimmed(press("1|d|99|3"))
    assert update["callback_query"]["message"]["reply_markup"] == {"inline_keyboard": []}
    assert pressed_message(parsed(update)) == 0


def test_whatever_else_comes_is_left_as_it_came() -> None:
    message = {"update_id": 2, "message": {"message_id": 1, "text": "/start"}}
    assert slimmed(json.loads(json.dumps(message))) == message
    for markup in ({"keyboard": [["x"]]}, {"inline_keyboard": "junk"}, None,
                   {"inline_keyboard": [["junk", 3], None]}):
        update = press("1|d|1|3", markup)
        kept = json.loads(json.dumps(update))
        result = slimmed(update)
        if isinstance(markup, dict) and isinstance(markup.get("inline_keyboard"), list):
            assert result["callback_query"]["message"]["reply_markup"] == {
                "inline_keyboard": []}
        else:
            assert result == kept


def test_get_updates_answers_are_slimmed() -> None:
    answer = {"ok": True, "result": [press("1|d|3|3"), {"update_id": 5}, "junk"]}
    read = UpdatesRequest.parse_json_payload(json.dumps(answer).encode())
    first = read["result"][0]["callback_query"]["message"]["reply_markup"]
    assert first == {"inline_keyboard": [[{"text": "3", "callback_data": "1|d|3|3"}]]}
    assert read["result"][1:] == [{"update_id": 5}, "junk"]
