"""Settings: defaults, and a one-line error naming the setting for each malformed value."""

# ruff: noqa: SIM300 (settings are UPPERCASE attributes, which ruff mistakes for constants)

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.settings import HINTS, PROJECT_ROOT, SettingsError, load_settings
from tests.conftest import SAMPLE_CATALOG, make_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting leaks in from the shell that runs the tests."""
    for name in HINTS:
        monkeypatch.delenv(name, raising=False)


def error_of(tmp_path: Path, **overrides: Any) -> str:
    with pytest.raises(SettingsError) as caught:
        make_settings(tmp_path, **overrides)
    return str(caught.value)


def test_defaults() -> None:
    settings = load_settings(_env_file=None)
    assert settings.DEFAULT_LOCALE == "el"
    assert settings.TIMEZONE == "Europe/Athens"
    assert settings.zone == ZoneInfo("Europe/Athens")
    assert settings.MEETING_PROVIDER == "jitsi"
    assert str(settings.JITSI_BASE_URL).startswith("https://meet.jit.si")
    assert settings.ADMIN_IDS == frozenset()
    assert settings.TELEGRAM_BOT_TOKEN == ""
    assert settings.UPDATES_IN_FLIGHT == 64
    assert settings.DATABASE_URL == f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'rantevou.db'}"
    assert settings.catalog_path == SAMPLE_CATALOG


def test_make_settings_gives_working_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert settings.DATABASE_URL == f"sqlite+aiosqlite:///{tmp_path / 'rantevou.db'}"
    assert settings.catalog_path == SAMPLE_CATALOG


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "nonsense"),
        ("TELEGRAM_BOT_TOKEN", "123456:short"),
        ("TELEGRAM_BOT_TOKEN", "abc:ABCDEFGHIJKLMNOP"),
        ("TIMEZONE", "Mars/Olympus"),
        ("TIMEZONE", "../../etc/passwd"),
        ("TIMEZONE", ""),
        ("ADMIN_IDS", "12,abc"),
        ("ADMIN_IDS", "12;34"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "sqlite:///data/rantevou.db"),
        ("DEFAULT_LOCALE", "fr"),
        ("MEETING_PROVIDER", "zoom"),
        ("MEETING_URL_TEMPLATE", "http://meet.example.gov.gr/{token}"),
        ("MEETING_URL_TEMPLATE", "https://meet.example.gov.gr/room"),
        ("JITSI_BASE_URL", "not a url"),
        ("UPDATES_IN_FLIGHT", 0),
    ],
)
def test_malformed_setting_is_one_line_naming_it(
    tmp_path: Path, name: str, value: object
) -> None:
    message = error_of(tmp_path, **{name: value})
    assert "\n" not in message
    assert message.startswith(f"Setting {name} ")
    assert HINTS[name] in message  # says how to put it right
    assert ".env" in message


def test_template_provider_needs_a_template(tmp_path: Path) -> None:
    message = error_of(tmp_path, MEETING_PROVIDER="template")
    assert "\n" not in message
    assert "MEETING_URL_TEMPLATE" in message
    assert "missing" in message


def test_template_provider_with_a_template(tmp_path: Path) -> None:
    template = "https://meet.example.gov.gr/{token}"
    settings = make_settings(tmp_path, MEETING_PROVIDER="template", MEETING_URL_TEMPLATE=template)
    assert settings.MEETING_URL_TEMPLATE == template


def test_admin_ids_are_parsed(tmp_path: Path) -> None:
    assert make_settings(tmp_path, ADMIN_IDS="12, 34").ADMIN_IDS == frozenset({12, 34})
    assert make_settings(tmp_path, ADMIN_IDS=" 7 ,, ").ADMIN_IDS == frozenset({7})
    assert make_settings(tmp_path, ADMIN_IDS="").ADMIN_IDS == frozenset()


def test_admin_ids_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "12, 34")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    settings = load_settings(_env_file=None)
    assert settings.ADMIN_IDS == frozenset({12, 34})
    assert settings.DEFAULT_LOCALE == "en"


def test_bad_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError, match=r"^Setting TIMEZONE "):
        load_settings(_env_file=None)


def test_env_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("TIMEZONE=America/New_York\nADMIN_IDS=5,6\n", encoding="utf-8")
    settings = load_settings(_env_file=env)
    assert settings.TIMEZONE == "America/New_York"
    assert settings.ADMIN_IDS == frozenset({5, 6})


def test_token_is_stripped(tmp_path: Path) -> None:
    token = "123456789:AAHabcdefghijklmnop"
    assert make_settings(tmp_path, TELEGRAM_BOT_TOKEN=f"  {token} ").TELEGRAM_BOT_TOKEN == token


def test_relative_sqlite_path_is_made_absolute_under_the_project(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, DATABASE_URL="sqlite+aiosqlite:///data/x.db")
    assert settings.DATABASE_URL == f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'x.db'}"
    assert Path(settings.DATABASE_URL.removeprefix("sqlite+aiosqlite:///")).is_absolute()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:////var/lib/rantevou.db",
        "sqlite+aiosqlite:///:memory:",
        "postgresql+asyncpg://user:secret@db.example/rantevou",
    ],
)
def test_other_database_urls_are_kept(tmp_path: Path, url: str) -> None:
    assert make_settings(tmp_path, DATABASE_URL=url).DATABASE_URL == url


def test_relative_catalog_path_is_read_from_the_project(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, CATALOG_PATH="catalog.example.toml")
    assert settings.catalog_path == PROJECT_ROOT / "catalog.example.toml"
