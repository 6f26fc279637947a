"""The SQLite file and its companions, readable by the bot's own user alone.

Every citizen's name, phone and email is in that file: whatever the umask, the folder is
made 0700 and the file 0600 before SQLite opens it (SQLite gives its WAL and SHM files the
mode of the database file). A file or folder left wider by an earlier version, a copy or
a restore is tightened at start, and the log says so.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)
FILE_MODE = 0o600
FOLDER_MODE = 0o700
COMPANIONS = ("-wal", "-shm", "-journal")


def lock_down(database: Path) -> None:
    """Make the database's folder and file owner-only, creating them if need be."""
    folder = database.parent
    if not folder.exists():
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _tighten(folder, FOLDER_MODE, owned_only=True)
    descriptor = os.open(database, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    for path in (database, *companions(database)):
        _tighten(path, FILE_MODE)


def companions(database: Path) -> list[Path]:
    """The WAL, SHM and rollback journal beside the database, those that exist."""
    found = (database.with_name(database.name + suffix) for suffix in COMPANIONS)
    return [path for path in found if path.exists()]


def tighten_companions(database: Path) -> None:
    for path in companions(database):
        _tighten(path, FILE_MODE)


def _tighten(path: Path, mode: int, owned_only: bool = False) -> None:
    """Take away what group and others may do with the path. A folder that is not ours
    (or one shared on purpose, like /tmp with its sticky bit) is left as it is."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    current = stat.S_IMODE(status.st_mode)
    if not current & 0o077:
        return
    if owned_only and (status.st_uid != os.getuid() or current & stat.S_ISVTX):
        log.warning("%s is readable by others (mode %o) and not ours to change", path, current)
        return
    path.chmod(mode)
    log.warning("%s was readable by others (mode %o): now %o", path, current,
                stat.S_IMODE(path.stat().st_mode))
