"""Button data: short, versioned, parsed in one place, and never trusted.

Format: ``1|<step>|<argument>``, and for the booking flow's screens ``|<revision>`` (at
most 64 bytes, Telegram's limit). The revision says which screen of the chat's flow the
button belongs to, so that a button of an earlier screen is known for what it is wherever
it is pressed. Anything that does not parse, names an unknown step or carries an argument
of the wrong shape is None.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64

REFERENCE = r"[0-9A-Z]{4}-[0-9A-Z]{4}"

# step → the shape its argument must have
ARGUMENTS: dict[str, str] = {
    "m": r"[a-z0-9][a-z0-9_-]{0,23}",  # municipality
    "g": r"[a-z0-9][a-z0-9_-]{0,23}",  # service group
    "s": r"[a-z0-9][a-z0-9_-]{0,23}",  # service
    "c": r"in_person|video|phone",  # channel
    "mo": r"[0-9]{4}-[0-9]{2}",  # calendar month
    "d": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",  # day
    "t": r"[0-9]{1,9}",  # slot start, minutes since the epoch (UTC): within datetime's range
    "x": r"",  # an inert button
    "keep": r"[a-z_]{1,24}",  # keep the value (or skip an optional field)
    "yn": r"[yn]",  # yes / no
    "ok": r"",  # accept the declaration
    "edit": r"[a-z_]{1,24}",  # change one part from the summary
    "book": r"[0-9a-z]{1,16}",  # confirm the booking (the draft's identity)
    "back": r"[a-z_]{1,24}",  # back, from the step named
    "cancel": r"",  # leave the flow
    "new": r"[a-z0-9_-]{0,24}",  # a new booking (optionally in a municipality or group)
    "my": r"",  # my bookings
    "past": r"",  # earlier bookings
    "rs": REFERENCE,  # reschedule a booking
    "cx": REFERENCE,  # ask to cancel a booking
    "cy": REFERENCE,  # yes, cancel it
    "ck": REFERENCE,  # no, keep it
    "cr": REFERENCE,  # yes, and here is the reason
    "at": REFERENCE,  # "I'll be there", from a reminder
    "fb": REFERENCE + r"/[1-5]",  # a rating after the appointment
    "sd": REFERENCE,  # staff: completed
    "sn": REFERENCE,  # staff: no-show
    "sx": REFERENCE,  # staff: cancel (a reason is asked)
    "sm": REFERENCE,  # staff: move the booking (days to choose from)
    "smb": REFERENCE,  # staff: back to those days
    "smd": REFERENCE + r"/[0-9]{4}-[0-9]{2}-[0-9]{2}",  # staff: that day's free times
    "smt": REFERENCE + r"/[0-9]{1,9}",  # staff: move it to that time (epoch minutes)
    "cl": r"[a-z0-9]{8}",  # admin: yes, close the day (a pending /close)
    "cn": r"[a-z0-9]{8}",  # admin: no, keep it open
    # join the waitlist: any time or that day, optionally only a part of the day
    "wj": r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?(?:/(?:morning|afternoon))?",
    "wl": r"[0-9]{1,9}",  # leave the waitlist (the entry)
    # take the offered seat (the offer), with the details shown (their fingerprint; an
    # offer sent before it showed them has none: pressed, it is shown again)
    "wy": r"[0-9]{1,9}(?:/[0-9a-f]{8})?",
    "wn": r"[0-9]{1,9}",  # no, thank you (the offer)
    "wc": r"[0-9]{1,9}",  # change details: book the offered seat in the flow (the offer)
    "fy": r"",  # yes, forget me (erase everything about me)
    "fn": r"",  # no, keep my data
    "lang": r"el|en",
    "tz": r"[A-Za-z0-9_+/-]{1,40}",
}
# The booking flow's buttons: they carry the revision of the screen they are shown on.
FLOW_STEPS = frozenset({"m", "g", "s", "c", "mo", "d", "t", "keep", "yn", "ok", "edit", "book",
                        "back", "cancel", "wj"})
_COMPILED = {step: re.compile(shape, re.ASCII) for step, shape in ARGUMENTS.items()}


# The revision the flow's next screen will have: its buttons carry it from the start (the
# update's turn sets it), so that a keyboard is not built twice.
NEXT_SCREEN: ContextVar[int | None] = ContextVar("next_screen", default=None)
_REVISION = re.compile(r"[0-9]{1,9}", re.ASCII)
REVISIONS = 10**9  # revisions wrap around: a screen is told from the last few, not all


@dataclass(frozen=True, slots=True)
class Button:
    step: str
    arg: str
    revision: int | None = None  # the flow's screen it was shown on


def encode(step: str, arg: str = "", revision: int | None = None) -> str:
    """The data of a button; the flow's buttons carry the revision of their screen (by
    default the next screen's)."""
    if revision is None and step in FLOW_STEPS:
        revision = NEXT_SCREEN.get()
    data = f"{VERSION}|{step}|{arg}"
    if step not in ARGUMENTS or not _COMPILED[step].fullmatch(arg):
        raise ValueError(f"bad button data {data!r}")
    if revision is not None:
        data += f"|{revision % REVISIONS}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data too long: {data!r}")
    return data


def parse(data: object) -> Button | None:
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    version, _, rest = data.partition("|")
    step, sep, arg = rest.partition("|")
    arg, _, revision = arg.partition("|")
    if version != VERSION or not sep or step not in ARGUMENTS:
        return None
    if not _COMPILED[step].fullmatch(arg):
        return None
    if revision and (step not in FLOW_STEPS or not _REVISION.fullmatch(revision)):
        return None
    return Button(step, arg, int(revision) if revision else None)


def find_reference(text: str) -> str | None:
    """The first booking reference in a text (the reason prompt names its booking)."""
    match = re.search(REFERENCE, text)
    return match.group(0) if match else None


def pattern(*steps: str) -> str:
    """A regex for CallbackQueryHandler that selects the buttons of these steps."""
    return rf"^{VERSION}\|({'|'.join(re.escape(s) for s in steps)})\|"
