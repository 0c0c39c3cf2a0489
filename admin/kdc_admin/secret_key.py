"""SECRET_KEY: from ``KDC_SECRET_KEY``, else generated once into ``<instance>/secret_key``."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from kdc_core.config import Settings
from kdc_core.errors import ConfigError
from kdc_core.private_files import private_folder

ENV = "KDC_SECRET_KEY"
FILE_NAME = "secret_key"
MIN_LENGTH = 32


def load_secret_key(settings: Settings) -> str:
    """The key that signs session cookies and CSRF tokens.

    Taken from ``KDC_SECRET_KEY`` when set (at least 32 characters). Otherwise read from
    ``secret_key`` in the instance folder, which is created on first use with a random key
    and mode 0600, so every process serving the same instance signs alike.

    :raises ConfigError: the variable is too short, or the file is empty, unreadable or
        readable by other users.
    """
    value = settings.environ.get(ENV)
    if value is not None:
        if len(value) < MIN_LENGTH:
            raise ConfigError(
                f"{ENV} is {len(value)} characters long: use at least {MIN_LENGTH} random "
                "characters (python -c 'import secrets; print(secrets.token_hex(32))')",
                key=ENV,
            )
        return value
    return _from_file(Path(settings.instance_path) / FILE_NAME)


def _from_file(path: Path) -> str:
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    try:
        mode = path.stat().st_mode
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the secret key: {exc}", key=str(path)) from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path}: the secret key is readable by other users (mode {stat.filemode(mode)}); "
            f"run chmod 600 {path}",
            key=str(path),
        )
    if len(key) < MIN_LENGTH:
        raise ConfigError(
            f"{path}: the secret key is {len(key)} characters long; delete the file to have "
            f"a new one generated, or put at least {MIN_LENGTH} random characters in it",
            key=str(path),
        )
    return key
