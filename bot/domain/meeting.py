"""Meeting links for video appointments: unique and unguessable."""

from __future__ import annotations

import secrets

from bot.settings import Settings


def new_meeting_url(settings: Settings) -> str:
    token = secrets.token_urlsafe(18).replace("_", "x").replace("-", "y")
    if settings.MEETING_PROVIDER == "template":
        return settings.MEETING_URL_TEMPLATE.replace("{token}", token)
    return f"{str(settings.JITSI_BASE_URL).rstrip('/')}/Rantevou-{token}"
