"""The morning rush: many citizens booking at once through the fake Bot API, against the
yardstick echo bot measured in the same run. `python -m bench.load --citizens 60`."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.crowd import (
    Person,
    Taps,
    book_through,
    bot_process,
    chat_through,
    cpu_seconds,
    ready,
    stop,
)
from tests.fakebot import FakeTelegram

UPDATES_PER_CHAT = 14  # the echo bot's citizens send as many messages as a booking takes


async def run(citizens: int, latency: float, echo: bool) -> tuple[Taps, float, float]:
    """One crowd against one bot: what it measured, the wall time, the bot's CPU time."""
    fake = FakeTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        process = bot_process(fake, Path(folder), echo=echo)
        try:
            await ready(fake, process)
            fake.latency = latency
            taps = Taps()
            rng = random.Random(7)
            people = [Person(fake, 100_000 + n) for n in range(citizens)]
            cpu_before, began = cpu_seconds(process.pid), time.perf_counter()
            calls_before = len(fake.calls)

            async def one(person: Person) -> None:
                done = (await chat_through(person, taps, UPDATES_PER_CHAT) if echo
                        else await book_through(person, taps, rng, person.id))
                if done:
                    taps.finished += 1
                else:
                    taps.lost += 1

            await asyncio.gather(*(one(p) for p in people))
            took = time.perf_counter() - began
            cpu = cpu_seconds(process.pid) - cpu_before
            taps.calls = sum(1 for method, _ in fake.calls[calls_before:]
                             if method != "getUpdates")
        finally:
            await stop(process)
            await fake.stop()
    return taps, took, cpu


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    for echo in (True, False):
        taps, took, cpu = await run(args.citizens, args.latency, echo)
        name = "echo bot" if echo else "Rantevou"
        print(f"{name:<9} {args.citizens} citizens, {args.latency * 1000:.0f} ms: "
              f"{taps.updates / took:7.1f} updates/s, tap→answer median "
              f"{statistics.median(taps.latencies) * 1000:.0f} ms p95 "
              f"{p95(taps.latencies) * 1000:.0f} ms, CPU {cpu / taps.updates * 1000:.2f} "
              f"ms/update, Bot API calls/update {taps.calls / taps.updates:.2f} (besides "
              f"getUpdates), finished {taps.finished}, lost {taps.lost}")


if __name__ == "__main__":
    asyncio.run(main())
