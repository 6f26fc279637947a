"""The rows behind PTB's persistence, on a real SQLite file."""

from __future__ import annotations

from bot.ptb.persistence import DatabasePersistence
from bot.services.runtime import Services


async def test_conversations_and_drafts_survive_a_new_persistence(services: Services) -> None:
    first = DatabasePersistence(services.db)
    await first.update_conversation("booking", (5001, 5001), "time")
    await first.update_conversation("booking", (5002, 5002), "name")
    await first.update_user_data(5001, {"draft": {"service": "chios-work-counsel"}})
    await first.update_conversation("booking", (5002, 5002), None)  # conversation ended

    second = DatabasePersistence(services.db)
    assert await second.get_conversations("booking") == {(5001, 5001): "time"}
    assert await second.get_user_data() == {5001: {"draft": {"service": "chios-work-counsel"}}}

    await second.update_user_data(5001, {})
    await second.drop_user_data(5003)  # nothing stored: no error
    assert await DatabasePersistence(services.db).get_user_data() == {}
