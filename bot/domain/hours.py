"""Weekly opening hours, as the catalog gives them: mon = ["09:00-13:00", "17:00-20:00"]."""

from __future__ import annotations

import re
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, field_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


Window = tuple[int, int]
"""An opening window as minutes after local midnight: (540, 780) is 09:00-13:00."""


def _parse_window(text: str) -> Window:
    match = _RANGE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a range like 09:00-13:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end > 24 * 60:
        raise ValueError(f"{text!r} ends after 24:00")
    if end <= start:
        raise ValueError(f"{text!r} ends before it starts")
    if start % 5 or end % 5:
        raise ValueError(f"{text!r} must be on 5-minute marks")
    return start, end


class Hours(BaseModel):
    """Weekly opening hours in the municipality's local time, e.g. mon = ["09:00-13:00"]."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mon: tuple[Window, ...] = ()
    tue: tuple[Window, ...] = ()
    wed: tuple[Window, ...] = ()
    thu: tuple[Window, ...] = ()
    fri: tuple[Window, ...] = ()
    sat: tuple[Window, ...] = ()
    sun: tuple[Window, ...] = ()

    @field_validator(*WEEKDAYS, mode="before")
    @classmethod
    def _windows(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ValueError("must be a list of ranges like ['09:00-13:00']")
        windows = sorted(_parse_window(str(item)) for item in value)
        for (_, end), (start, _) in pairwise(windows):
            if start < end:
                raise ValueError("ranges overlap")
        return tuple(windows)

    def on(self, weekday: int) -> tuple[Window, ...]:
        windows: tuple[Window, ...] = getattr(self, WEEKDAYS[weekday])
        return windows
