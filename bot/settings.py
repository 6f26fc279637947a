"""Settings from the environment and `.env`; every one is listed in `.env.example`."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LOCALES = ("el", "en")

# One line per setting that can be wrong: how to put it right.
HINTS = {
    "TELEGRAM_BOT_TOKEN": "the token @BotFather gave you, like 123456789:AA...",
    "TELEGRAM_BASE_URL": "a URL such as https://api.telegram.org/bot",
    "TELEGRAM_BASE_FILE_URL": "a URL such as https://api.telegram.org/file/bot",
    "DATABASE_URL": "an SQLAlchemy async URL, e.g. sqlite+aiosqlite:///data/rantevou.db",
    "CATALOG_PATH": "the path of a catalog TOML file, e.g. catalog.example.toml",
    "DEFAULT_LOCALE": "one of: " + ", ".join(SUPPORTED_LOCALES),
    "TIMEZONE": "an IANA time zone name, e.g. Europe/Athens",
    "ADMIN_IDS": "comma-separated Telegram user ids, e.g. 12345678,23456789",
    "MEETING_PROVIDER": "jitsi or template",
    "MEETING_URL_TEMPLATE": "a URL containing {token}, e.g. https://meet.example.gov.gr/{token}",
    "JITSI_BASE_URL": "a URL such as https://meet.jit.si",
    "UPDATES_IN_FLIGHT": "how many updates of different chats are processed at once, e.g. 64",
    "DISPATCH_INTERVAL": "a number of seconds between 0 and 3600, e.g. 5",
    "OUTBOX_PACE": "messages a second, from 1 to 1000, e.g. 25",
    "OUTBOX_CHAT_SPACING": "seconds between two scheduled messages to one chat, e.g. 1",
    "OUTBOX_LEASE": "seconds a claimed message is held for the instance sending it, e.g. 60",
    "OUTBOX_KEEP_DAYS": "days sent messages are kept in the outbox, e.g. 30",
    "REMINDER_OFFSETS": "times before the start, comma-separated, e.g. 24h,1h",
    "LINK_BEFORE_MINUTES": "minutes before a video call, e.g. 10",
    "DIGEST_TIME": "a time of day like 08:00",
    "FEEDBACK_AFTER_MINUTES": "minutes after the appointment's end, e.g. 30",
    "RETENTION_DAYS": "a number of days between 1 and 3650, e.g. 180",
    "WEBHOOK_URL": "the public HTTPS URL Telegram posts updates to, e.g. "
                   "https://rantevou.example.gov.gr/telegram (empty: poll)",
    "WEBHOOK_SECRET": "1 to 256 characters of A-Z, a-z, 0-9, _ and -, e.g. from "
                      "`openssl rand -hex 32`",
    "WEBHOOK_LISTEN": "the address the webhook server listens on, e.g. 127.0.0.1",
    "WEBHOOK_PORT": "the port the webhook server listens on, e.g. 8080",
    "SMTP_HOST": "the mail server's host name, e.g. smtp.example.gov.gr (empty: no email)",
    "SMTP_PORT": "a port number, e.g. 587",
    "SMTP_SECURITY": "starttls, tls or none",
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line that says how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True
    )

    TELEGRAM_BOT_TOKEN: str = ""
    TELEGRAM_BASE_URL: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org/bot")
    TELEGRAM_BASE_FILE_URL: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org/file/bot")
    DATABASE_URL: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'rantevou.db'}"
    CATALOG_PATH: Path = PROJECT_ROOT / "catalog.example.toml"
    DEFAULT_LOCALE: Literal["el", "en"] = "el"
    TIMEZONE: str = "Europe/Athens"
    ADMIN_IDS: Annotated[frozenset[int], NoDecode] = frozenset()
    MEETING_PROVIDER: Literal["jitsi", "template"] = "jitsi"
    JITSI_BASE_URL: AnyHttpUrl = AnyHttpUrl("https://meet.jit.si")
    MEETING_URL_TEMPLATE: str = ""
    UPDATES_IN_FLIGHT: int = Field(default=64, ge=1, le=1024)
    DISPATCH_INTERVAL: float = Field(default=5.0, gt=0, le=3600)
    OUTBOX_PACE: int = Field(default=25, ge=1, le=1000)
    OUTBOX_CHAT_SPACING: float = Field(default=1.0, ge=0, le=60)
    OUTBOX_LEASE: float = Field(default=60.0, ge=1, le=3600)
    OUTBOX_KEEP_DAYS: int = Field(default=30, ge=1, le=3650)
    REMINDER_OFFSETS: Annotated[tuple[int, ...], NoDecode] = (24 * 60, 60)
    LINK_BEFORE_MINUTES: int = Field(default=10, ge=0, le=24 * 60)
    DIGEST_TIME: time = time(8, 0)
    FEEDBACK_AFTER_MINUTES: int = Field(default=30, ge=0, le=7 * 24 * 60)
    RETENTION_DAYS: int = Field(default=180, ge=1, le=3650)
    WEBHOOK_URL: str = ""
    WEBHOOK_SECRET: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    WEBHOOK_LISTEN: str = "127.0.0.1"
    WEBHOOK_PORT: int = Field(default=8080, ge=1, le=65535)
    SMTP_HOST: str = ""
    SMTP_PORT: int = Field(default=587, ge=1, le=65535)
    SMTP_SECURITY: Literal["starttls", "tls", "none"] = "starttls"
    SMTP_USERNAME: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_SENDER: str = ""

    @field_validator("TELEGRAM_BOT_TOKEN")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        value = value.strip()
        bot_id, _, secret = value.partition(":")
        if value and not (bot_id.isdigit() and len(secret) >= 10):
            raise ValueError("malformed token")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("unsupported database URL")
        prefix = "sqlite+aiosqlite:///"
        path = value.removeprefix(prefix)
        if value.startswith(prefix) and path and not path.startswith(("/", ":memory:")):
            # A relative SQLite path is read from the project folder, wherever we start.
            return prefix + str(PROJECT_ROOT / path)
        return value

    @field_validator("TIMEZONE")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return value

    @field_validator("ADMIN_IDS", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("not a list of user ids")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("REMINDER_OFFSETS", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> object:
        """"24h,1h,30m" → minutes before the start, largest first."""
        if not isinstance(value, str):
            return value
        minutes = []
        for part in (p.strip().lower() for p in value.split(",") if p.strip()):
            number, unit = part[:-1], part[-1:]
            if not number.isdigit() or unit not in ("h", "m", "d"):
                raise ValueError("not a list like 24h,1h")
            minutes.append(int(number) * {"m": 1, "h": 60, "d": 24 * 60}[unit])
        if any(m <= 0 or m > 30 * 24 * 60 for m in minutes):
            raise ValueError("offsets must be between 1 minute and 30 days")
        return tuple(sorted(set(minutes), reverse=True))

    @field_validator("WEBHOOK_URL")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        value = value.strip()
        parsed = urlsplit(value)
        if value and (parsed.scheme != "https" or not parsed.hostname):
            raise ValueError("Telegram posts only to an https URL")
        return value

    @field_validator("MEETING_URL_TEMPLATE")
    @classmethod
    def _template(cls, value: str) -> str:
        if value and ("{token}" not in value or not value.startswith("https://")):
            raise ValueError("template must be an https URL containing {token}")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.TIMEZONE)

    @property
    def meeting_template(self) -> str:
        """The meeting link of a video call, with {token} where its unguessable part goes."""
        if self.MEETING_PROVIDER == "template":
            return self.MEETING_URL_TEMPLATE
        return f"{str(self.JITSI_BASE_URL).rstrip('/')}/Rantevou-{{token}}"

    @property
    def webhook_path(self) -> str:
        """The path of WEBHOOK_URL, where the webhook server takes updates."""
        return urlsplit(self.WEBHOOK_URL).path or "/"

    @property
    def catalog_path(self) -> Path:
        path = self.CATALOG_PATH
        return path if path.is_absolute() else PROJECT_ROOT / path


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad one raises `SettingsError` with a single line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        hint = HINTS.get(name, "see .env.example")
        raise SettingsError(
            f"Setting {name} is malformed ({first['msg']}): set it to {hint} "
            "in .env or the environment."
        ) from None
    if settings.SMTP_HOST and "@" not in settings.SMTP_SENDER:
        raise SettingsError(
            "Setting SMTP_SENDER is missing: with SMTP_HOST set, give the sender address, "
            'e.g. SMTP_SENDER="Δήμος Χίου <rantevou@chios.gov.gr>", in .env or the environment.'
        )
    if settings.WEBHOOK_URL and not settings.WEBHOOK_SECRET:
        raise SettingsError(
            "Setting WEBHOOK_SECRET is missing: with WEBHOOK_URL set, give "
            f"{HINTS['WEBHOOK_SECRET']}, in .env or the environment."
        )
    if settings.MEETING_PROVIDER == "template" and not settings.MEETING_URL_TEMPLATE:
        raise SettingsError(
            "Setting MEETING_URL_TEMPLATE is missing: MEETING_PROVIDER=template needs "
            f"{HINTS['MEETING_URL_TEMPLATE']} in .env or the environment."
        )
    return settings


NO_TOKEN_HELP = """\
TELEGRAM_BOT_TOKEN is not set, so the bot cannot connect to Telegram.
To get a token:
  1. In Telegram, open a chat with @BotFather (https://t.me/BotFather).
  2. Send /newbot, then choose a display name and a username ending in "bot".
  3. BotFather replies with a token like 123456789:AAH...; copy it.
  4. Put it in the file .env in this folder (copy .env.example to .env first):
       TELEGRAM_BOT_TOKEN=123456789:AAH...
     or export it in your shell: export TELEGRAM_BOT_TOKEN=123456789:AAH...
  5. Run `make run` again."""
