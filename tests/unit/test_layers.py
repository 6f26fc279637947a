"""The lines between the layers (docs/architecture.md), read from the modules' imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

# package → what its modules must not import (top-level packages or dotted prefixes)
FORBIDDEN = {
    "bot/domain": ("telegram", "storage", "sqlalchemy", "aiosqlite", "httpx", "aiosmtplib",
                   "conversations", "bot.services", "bot.render", "bot.delivery", "bot.ptb",
                   "bot.settings", "bot.app"),
    "bot/render": ("storage", "sqlalchemy", "bot.services", "bot.delivery", "bot.ptb",
                   "conversations"),
    "bot/services": ("telegram", "bot.render", "bot.delivery", "bot.ptb", "conversations"),
    "storage": ("telegram", "bot.services", "bot.render", "bot.delivery", "bot.ptb",
                "conversations", "bot.settings"),
    "conversations": ("sqlalchemy", "storage"),
}
# storage may use the domain's plain types, nothing else of the domain
STORAGE_MAY_USE = ("bot.domain.model",)


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def crossing(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == bad or module.startswith(bad + ".") for bad in forbidden)


def modules_of(package: str) -> list[Path]:
    return sorted(p for p in (PROJECT_ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_crosses_a_line(package: str) -> None:
    crossed = [f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
               for path in modules_of(package) for line, module in imports(path)
               if crossing(module, FORBIDDEN[package])]
    assert crossed == []


def test_storage_uses_only_plain_domain_types() -> None:
    crossed = [f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
               for path in modules_of("storage") for line, module in imports(path)
               if module.startswith("bot.") and not module.startswith(STORAGE_MAY_USE)]
    assert crossed == []


def test_no_module_is_imported_under_another_name() -> None:
    """If a module needs an alias to read well, its name is wrong."""
    renamed = []
    for package in ("bot", "conversations", "storage"):
        for path in modules_of(package):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    renamed += [f"{path.relative_to(PROJECT_ROOT)}: {alias.name} as "
                                f"{alias.asname}" for alias in node.names
                                if alias.asname and alias.asname != alias.name]
    assert renamed == []


def test_handlers_and_senders_assert_nothing() -> None:
    """Runtime guards are named errors, not asserts (which `python -O` drops)."""
    found = [f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
             for package in ("bot", "conversations", "storage")
             for path in modules_of(package)
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Assert)]
    assert found == []


def test_the_check_itself_sees_a_crossing(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from storage import bookings\nimport telegram.ext\n")
    names = [module for _, module in imports(sample)]
    assert crossing(names[0], FORBIDDEN["bot/domain"])
    assert crossing("telegram.ext", FORBIDDEN["bot/domain"])
    assert not crossing("telegramx", FORBIDDEN["bot/domain"])
