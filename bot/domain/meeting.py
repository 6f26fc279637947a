"""Meeting links for video appointments: unique and unguessable."""

from __future__ import annotations

import secrets


def new_meeting_url(template: str) -> str:
    """A link for a new meeting: the template with `{token}` replaced by a fresh token."""
    token = secrets.token_urlsafe(18).replace("_", "x").replace("-", "y")
    return template.replace("{token}", token)
