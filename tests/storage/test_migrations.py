"""The newest revision is read off the migration files' names, and a start on a database
at that revision does not import Alembic."""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from storage.db import Database
from storage.migrate import MIGRATIONS, current_revision, migrate, newest_revision

ROOT = Path(__file__).resolve().parents[2]


def test_the_files_names_say_their_revisions() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert newest_revision() == ScriptDirectory.from_config(config).get_current_head()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        names = {node.targets[0].id: node.value for node in ast.parse(path.read_text()).body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
        assert ast.literal_eval(names["revision"]) == path.name[:4], path.name


async def test_a_database_at_the_newest_revision_needs_no_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    db = Database(url)
    await migrate(db)
    async with db.look() as conn:
        assert await current_revision(conn) == newest_revision()
    await db.close()
    again = ("import asyncio, sys\n"
             "from storage.db import Database\n"
             "from storage.migrate import migrate\n"
             f"db = Database({url!r})\n"
             "asyncio.run(migrate(db))\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))")
    result = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", again], cwd=ROOT,
                                     capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
