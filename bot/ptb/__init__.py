"""The python-telegram-bot adapter: the typed context, persistence."""
