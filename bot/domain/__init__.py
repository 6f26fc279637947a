"""Pure rules and data: no telegram, no storage, no I/O; time is passed in."""


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark a text for extraction where it is defined; it is translated where it is shown.
    The domain's refusals carry such texts (English msgids) as their reasons."""
    return message
