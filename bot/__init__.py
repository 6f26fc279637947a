"""Rantevou: appointments with the municipality, on Telegram."""

import os

# python-telegram-bot 22 warns that RetryAfter.retry_after becomes a timedelta; the bot
# handles both, so it opts in to the coming behaviour (and out of the warning).
os.environ.setdefault("PTB_TIMEDELTA", "1")
