"""HTML for Telegram: escaping, long texts cut into messages, small shared shapes."""

from __future__ import annotations

from html import escape


def esc(text: object) -> str:
    return escape(str(text), quote=False)


MESSAGE_ROOM = 4000  # of Telegram's 4096 characters a message: what our texts may take


def chunks(html: str, limit: int = MESSAGE_ROOM) -> list[str]:
    """A long text as messages within Telegram's 4096 characters, cut between lines (each
    line of our texts closes its own tags); a line longer than that is cut."""
    parts: list[str] = []
    current = ""
    for line in html.split("\n"):
        while len(line) > limit:
            parts += [current, line[:limit]]
            current, line = "", line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]


def trail(*parts: str) -> str:
    """The path chosen so far, e.g. «ΔΗΜΟΣ ΧΙΟΥ › Κέντρο Κοινότητας»."""
    return "<b>" + " › ".join(esc(part) for part in parts if part) + "</b>"


def with_notice(notice: str, text: str) -> str:
    return f"⚠️ {esc(notice)}\n\n{text}" if notice else text
