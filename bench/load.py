"""The morning rush: many citizens booking at once through the fake Bot API, against the
yardstick echo bot measured in the same run. `python -m bench.load --citizens 500`.

Citizens read each screen before they tap (`--think`, 2 s on average); `--think 0` makes
them tap the moment they are answered, which measures how much the bot can take: with
500 citizens always waiting, the time to an answer is then 500 ÷ the updates a second
(Little's law), whatever the bot does. `--rounds` runs each bot so often, alternately, and
the ratios are of the medians (the machines here are shared: one run varies by up to 2×).
"""

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


async def run(citizens: int, latency: float, echo: bool,
              think: float) -> tuple[Taps, float, float]:
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
            people = [Person(fake, 100_000 + n, think) for n in range(citizens)]
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
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    rate: dict[bool, list[float]] = {True: [], False: []}
    cpu_ms: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.rounds):
        for echo in (True, False):
            taps, took, cpu = await run(args.citizens, args.latency, echo, args.think)
            rate[echo].append(taps.updates / took)
            cpu_ms[echo].append(cpu / taps.updates * 1000)
            report("echo bot" if echo else "Rantevou", args, taps, took, cpu)
    print(f"Rantevou ÷ echo bot (medians of {args.rounds}): updates/s "
          f"{statistics.median(rate[False]) / statistics.median(rate[True]):.1f}×, CPU per "
          f"update {statistics.median(cpu_ms[False]) / statistics.median(cpu_ms[True]):.2f}×")


def report(name: str, args: argparse.Namespace, taps: Taps, took: float, cpu: float) -> None:
    print(f"{name:<9} {args.citizens} citizens, {args.latency * 1000:.0f} ms, think "
          f"{args.think:g} s: {taps.updates / took:7.1f} updates/s, tap→answer median "
          f"{statistics.median(taps.latencies) * 1000:.0f} ms p95 "
          f"{p95(taps.latencies) * 1000:.0f} ms, CPU {cpu / taps.updates * 1000:.2f} "
          f"ms/update, Bot API calls/update {taps.calls / taps.updates:.2f} (besides "
          f"getUpdates), finished {taps.finished}, lost {taps.lost}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
