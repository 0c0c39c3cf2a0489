"""Schema upgrades through Alembic, driven from code (``kdc init``) rather than alembic.ini.

Alembic is imported by the functions that use it: commands import this module for
:func:`require_schema`, and Alembic's start-up would otherwise be paid by every command.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from kdc_core.errors import KdcError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` (head by default) in one transaction."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*=\s*(.+?)\s*$", re.MULTILINE)


def file_heads() -> frozenset[str] | None:
    """The migration heads as the files in ``migrations/versions`` declare them, read as text
    (``revision = "0020"``, ``down_revision = "0019"``) without importing Alembic or the
    migrations: the revisions no other names as its ``down_revision``.

    ``None`` when a file does not declare both plainly; then only Alembic can tell.
    """
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = {m[1]: m[2] for m in _ASSIGNMENT.finditer(text)}
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found["down_revision"])
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        downs.update((down,) if isinstance(down, str) else down or ())
    return frozenset(revisions - downs) or None


def _stored_heads(engine: Engine) -> frozenset[str] | None:
    """The revisions in the database's ``alembic_version`` table (``None`` when it cannot be
    read, e.g. there is no such table yet)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            return frozenset(conn.scalars(text("SELECT version_num FROM alembic_version")))
    except DBAPIError:
        return None


def require_schema(engine: Engine) -> None:
    """Refuse to run unless the database is at every migration head (``kdc init`` first).

    The usual case (the schema is current) is settled by comparing the ``alembic_version``
    table with :func:`file_heads`, which spares every command Alembic's start-up; anything
    else is worked out and explained through Alembic.

    :raises KdcError: naming the database and what to run.
    """
    known = file_heads()
    if known is not None and _stored_heads(engine) == known:
        return
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    url = engine.url.render_as_string(hide_password=True)
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if not current:
        raise KdcError(f"the database {url} has no kdc tables yet: run `kdc init` first")
    if current != heads:
        raise KdcError(
            f"the database {url} is at schema {', '.join(sorted(current))}, this kdc needs "
            f"{', '.join(sorted(heads))}: run `kdc init` to upgrade it"
        )


def schema_state(engine: Engine) -> str:
    """How the database's schema stands to this code: ``"current"`` (at every head),
    ``"newer"`` (at a revision this code does not know: a later kdc-core has migrated it, as
    during a rolling upgrade), ``"behind"`` (``kdc init`` has not been run since this code was
    installed) or ``"empty"`` (no kdc tables)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    script = ScriptDirectory.from_config(alembic_config())
    if not current:
        return "empty"
    if current == set(script.get_heads()):
        return "current"
    known = {revision.revision for revision in script.walk_revisions()}
    return "newer" if current - known else "behind"
