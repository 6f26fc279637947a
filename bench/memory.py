"""Resident memory with many conversations open: N citizens each half way through a booking
(municipality, group and service chosen; the calendar shown), then the bot's RSS, beside
the echo bot's after as many chats. `python -m bench.memory [--citizens 10000]`."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench.crowd import (
    Person,
    Taps,
    bot_process,
    buttons,
    chat_through,
    migrated,
    ready,
    resident_mb,
    stop,
)
from tests.fakebot import FakeTelegram

AT_ONCE = 200  # citizens tapping together


async def half_way(person: Person, taps: Taps) -> bool:
    if not await person.send("/start", taps):
        return False
    for step in ("m", "g", "s", "c"):
        screen = await person.screen()
        if screen is None:
            return False
        choices = buttons(screen, step)
        if choices and not await person.press(screen, choices[0], taps):
            return False
    return True


async def run(citizens: int, echo: bool) -> tuple[float, float, int]:
    """(RSS at start, RSS with every conversation open, conversations open) in MB."""
    fake = FakeTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        await migrated(Path(folder))
        process = bot_process(fake, Path(folder), echo=echo)
        try:
            await ready(fake, process)
            before = resident_mb(process.pid)
            taps, opened, gate = Taps(), 0, asyncio.Semaphore(AT_ONCE)

            async def one(n: int) -> None:
                nonlocal opened
                async with gate:
                    person = Person(fake, 1_000_000 + n)
                    done = await (chat_through(person, taps, 1) if echo
                                  else half_way(person, taps))
                    opened += done

            await asyncio.gather(*(one(n) for n in range(citizens)))
            after = resident_mb(process.pid)
        finally:
            await stop(process)
            await fake.stop()
    return before, after, opened


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=10_000)
    args = parser.parse_args()
    for echo in (True, False):
        before, after, opened = await run(args.citizens, echo)
        name = "echo bot" if echo else "Rantevou"
        print(f"{name:<9} RSS at start {before:.0f} MB, with {opened} conversations open "
              f"{after:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
