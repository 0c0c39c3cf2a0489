"""Folders and files only the account running kdc-core may read: the instance folder
(0700) and what holds personal data or secrets in it, such as the SQLite database (0600).

Both are made that way when they are created; existing ones are left as they are, so a mode an
administrator chose on purpose stays. SQLite gives the database's ``-wal`` and ``-shm`` files
the database file's own mode.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Make ``path`` (and any missing parents) if it does not exist; ``path`` itself is
    created 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty and 0600 if it does not exist (its folder as
    :func:`private_folder`)."""
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path
    os.close(fd)
    return path
